"""A layer's settings assigned after it was made are checked as its constructor checks them
(Module.setting_checks), and the settings and arrays a call reads are judged before anything
changes: an audit against PyTorch 2.13 found each of these silently wrong or half-done."""

import warnings

import numpy as np
import pytest
import torch
from compile_cases import training_step

import autograd
import nn
from autograd import ShapeError, Tensor

X = np.random.default_rng(0).standard_normal((4, 6, 2, 2)).astype(np.float32)


@pytest.mark.parametrize(
    "make, name, value, error",
    [
        (lambda: nn.BatchNorm1d(3), "eps", 0.0, ValueError),  # constant channels: 0/0, NaN
        (lambda: nn.BatchNorm1d(3), "eps", -1.0, ValueError),
        (lambda: nn.BatchNorm1d(3), "momentum", np.nan, ValueError),
        (lambda: nn.BatchNorm1d(3), "momentum", "a", TypeError),
        (lambda: nn.BatchNorm1d(3), "track_running_stats", "no", TypeError),
        (lambda: nn.LayerNorm(3), "eps", -1.0, ValueError),
        (lambda: nn.LayerNorm(3), "normalized_shape", 0, ValueError),
        (lambda: nn.GroupNorm(3, 6), "eps", np.inf, ValueError),
        (lambda: nn.GroupNorm(3, 6), "num_groups", 0, ValueError),
        (lambda: nn.Embedding(5, 2), "padding_idx", 100, IndexError),
        (lambda: nn.Embedding(5, 2), "padding_idx", -6, IndexError),
        (lambda: nn.Embedding(5, 2), "padding_idx", 1.5, TypeError),
        (lambda: nn.Flatten(), "start_dim", 1.0, TypeError),
        (lambda: nn.Softmax(), "axis", 0.5, TypeError),
        (lambda: nn.Dropout(0.2), "p", 1.0, ValueError),
    ],
)
def test_a_setting_assigned_later_is_refused_as_the_constructor_refuses_it(make, name, value, error):
    layer = make()
    before = getattr(layer, name)
    with pytest.raises(error, match=name):
        setattr(layer, name, value)
    assert getattr(layer, name) == before


def test_a_setting_assigned_later_is_kept_as_the_constructor_keeps_it():
    ln, emb, flatten = nn.LayerNorm(3), nn.Embedding(5, 2), nn.Flatten()
    ln.normalized_shape, emb.padding_idx, flatten.end_dim = 3, -1, np.int64(2)
    assert ln.normalized_shape == (3,) and emb.padding_idx == 4 and type(flatten.end_dim) is int
    bn = nn.BatchNorm1d(3)
    bn.momentum = np.float32(0.5)
    assert type(bn.momentum) is float


def test_groupnorm_refuses_groups_that_do_not_divide_its_channels_when_called():
    # set one at a time, the two settings are judged together at the call (PyTorch's RuntimeError there);
    # num_groups 4 of 6 channels had normalised groups straddling channels
    gn = nn.GroupNorm(3, 6)
    gn.num_groups = 4
    with pytest.raises(ValueError, match="divisible by num_groups"):
        gn(X)
    gn.num_groups = 2
    np.testing.assert_array_equal(gn(X).data, nn.GroupNorm(2, 6)(X).data)


def test_an_embedding_row_set_as_padding_later_gets_no_gradient():
    emb = nn.Embedding(5, 2, padding_idx=1, seed=0)
    emb.padding_idx = -1
    emb(np.array([1, 4, 4])).sum().backward()
    np.testing.assert_array_equal(emb.weight.grad[[1, 4]], [[1, 1], [0, 0]])


def test_batchnorm_refuses_a_replaced_weight_of_another_size_before_moving_its_statistics():
    bn = nn.BatchNorm1d(3)
    bn.weight = Tensor(np.ones(4, np.float32), requires_grad=True)
    with pytest.raises(ShapeError, match="weight has shape"):
        bn(np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32))
    np.testing.assert_array_equal(bn.running_mean, 0)
    assert bn.num_batches_tracked == 0


def test_track_running_stats_switched_off_later_keeps_using_the_running_statistics_in_eval_as_pytorch():
    # PyTorch decides by whether the buffers exist: the flag set later only stops their updates
    x = np.random.default_rng(1).standard_normal((8, 3)).astype(np.float32)
    ours, theirs = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    ours(x), theirs(torch.tensor(x))
    ours.track_running_stats = theirs.track_running_stats = False
    ours(x + 1), theirs(torch.tensor(x + 1))  # training: not tracked
    np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), rtol=1e-6)
    ours.eval(), theirs.eval()
    np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.filterwarnings("ignore:overflow encountered")
@pytest.mark.parametrize("layer", [nn.BatchNorm1d(2), nn.LayerNorm(2), nn.GroupNorm(1, 2)])
def test_deviations_whose_2_norm_overflows_float32_are_refused_not_normalised_to_zeros(layer):
    x = np.array([[3e38, -3e38], [-3e38, 3e38], [3e38, 0.0]], np.float32)
    with pytest.raises(ValueError, match="2-norm of the deviations from the mean of its input overflows float32"):
        layer(x)
    # deviations of 1e20, whose squares overflow float32, are normalised as those of 1e10 (refused before)
    np.testing.assert_allclose(layer(x / 3e18).data, layer(x / 3e28).data, rtol=1e-6)


@pytest.mark.filterwarnings("ignore:overflow encountered", "ignore:invalid value encountered")
@pytest.mark.parametrize(
    "layer, rows", [(nn.LayerNorm(3), True), (nn.GroupNorm(1, 3), True), (nn.BatchNorm1d(3), False)]
)
def test_deviations_that_overflow_float32_themselves_are_refused_not_made_nan(layer, rows):
    # 3e38 - (-1e38) is inf in float32: a finite input whose deviations overflow gave [nan, 0, 0] where the slices
    # left out of the refusal were told by their deviations (an infinite value's slice: NaN, as torch's) not by x
    x = np.array([[3e38, -3e38, -3e38]] * 3, np.float32)
    with pytest.raises(ValueError, match="2-norm of the deviations from the mean of its input overflows float32"):
        layer(x if rows else x.T.copy())


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_a_compiled_step_refuses_an_overflowing_variance_on_its_replays_too():
    model = nn.Sequential(nn.LayerNorm(3), nn.Linear(3, 1, seed=1))
    step = training_step(model, nn.SGD(model.parameters(), lr=0.01), lambda out, y: ((out - y) ** 2).mean())
    run, rng = autograd.compile(step, strict=True), np.random.default_rng(0)
    y = np.zeros((3, 1), np.float32)
    for _ in range(3):  # two recordings, a replay
        run(Tensor(rng.standard_normal((3, 3)).astype(np.float32)), y)
    before = model.layers[1].W.data.copy()
    with pytest.raises(ValueError, match="overflows float32"):
        run(Tensor(np.array([[3e38, -3e38, -3e38]] * 3, np.float32)), y)
    np.testing.assert_array_equal(model.layers[1].W.data, before)


def test_a_sequentials_slice_is_a_sequential_as_pytorchs():
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.ReLU(), nn.Linear(4, 2, seed=1))
    head_off = model[:-1]
    assert isinstance(head_off, nn.Sequential) and head_off.layers == model.layers[:2]
    assert head_off(np.ones((1, 3))).shape == (1, 4) and len(head_off.parameters()) == 2


def test_softmax_given_no_axis_warns_where_pytorch_would_take_another():
    x = np.zeros((2, 3, 4, 5), np.float32)
    with pytest.warns(UserWarning, match="no axis"):
        nn.Softmax()(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.Softmax()(np.zeros((2, 3)))  # the last axis is PyTorch's dim 1 there too
        nn.Softmax(dim=1)(x)


@pytest.mark.parametrize(
    "make, error",
    [
        (lambda: nn.MaxPool2d(-1), ValueError),
        (lambda: nn.MaxPool2d(2, padding=2), ValueError),
        (lambda: nn.AvgPool2d(2.5), TypeError),
        (lambda: nn.AdaptiveAvgPool2d(0), ValueError),
    ],
)
def test_pools_refuse_bad_geometry_as_they_are_made_as_the_convolutions_do(make, error):
    with pytest.raises(error):
        make()


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.AdaptiveAvgPool2d(6000),  # the trial's cost is its output: 36M entries, 590 MB
        lambda: nn.AdaptiveAvgPool2d((1, 2**21)),
        lambda: nn.Conv2d(1, 8, 1, padding=300),  # 8 channels over the input padded again: 89 MiB
        lambda: nn.Conv2d(1, 10000, 1, padding=500),  # would be 160 GB
        lambda: nn.ConvTranspose2d(1, 4, 3, stride=1000),  # each entry spread over the stride: 122 MiB
    ],
)
def test_a_layer_whose_trial_output_would_be_large_is_not_tried_when_made(make, monkeypatch):
    for layer in (nn.AdaptiveAvgPool2d, nn.Conv2d, nn.ConvTranspose2d):
        monkeypatch.setattr(layer, "forward", lambda self, x: pytest.fail("tried when made"))
    make()


@pytest.mark.parametrize("output_size", [-3000, (-3000, -3000), (-1, -6000000)])
def test_an_adaptive_pool_refuses_negative_output_sizes_when_made(output_size):
    # two negative sizes multiply to a large product, which skipped the trial
    with pytest.raises(ValueError, match="output_size must be at least 1"):
        nn.AdaptiveAvgPool2d(output_size)


@pytest.mark.parametrize("stride, error", [(0, ValueError), ((4,), TypeError)])
def test_a_wide_convolution_still_refuses_a_bad_stride_when_made(stride, error):
    # its trial output is small (74k entries); a bound that ignored the stride skipped it
    with pytest.raises(error, match="stride"):
        nn.Conv2d(3, 2048, 11, stride=stride, padding=5)

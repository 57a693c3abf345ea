"""PyTorch's names in nn: torch.nn.functional's normalize, dropout and the functions autograd
already has under them (convolution, pooling, pad, one_hot), and an optimizer's param_groups."""

import inspect

import numpy as np
import pytest
from compile_cases import assert_same, batches, mlp, replays, training_step
from torch_reference import DTYPES, check, torch  # without torch: skipped

import autograd
import nn
from autograd import Tensor
from nn import functional as F

X = np.random.default_rng(3).standard_normal((3, 4, 2))
X[1, :, 0] = 0.0  # a zero vector along dim 1: divided by eps, its gradient through the norm 0


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("p", "dim"), [(2, 1), (1, 0), (float("inf"), -1), (2.0, 2)])
def test_normalize_is_torchs(p, dim, dtype):
    # torch's second derivative at the zero vector (dim 1) is NaN; see the next test
    second = not (p == 2 and dim == 1)
    check(
        lambda t: F.normalize(t, p, dim), lambda t: torch.nn.functional.normalize(t, p, dim), [X], dtype, second=second
    )


def test_normalize_is_linear_around_the_zero_vector():
    """Below eps the norm is clamped: normalize(x) = x / eps, whose second derivative is 0 (torch's is NaN)."""
    w = np.array([1.0, -2.0, 0.5])
    h = autograd.hessian(lambda v: (F.normalize(v.reshape(1, 3), dim=1) * w).sum())(Tensor(np.zeros(3)))
    np.testing.assert_array_equal(autograd.raw(h), np.zeros((3, 3)))


def test_normalize_takes_a_tensor():
    with pytest.raises(TypeError, match=r"wrap an array in Tensor\(...\)"):
        F.normalize(X)


@pytest.mark.parametrize(
    "name",
    [
        "conv1d",
        "conv2d",
        "conv_transpose1d",
        "conv_transpose2d",
        "max_pool1d",
        "max_pool2d",
        "avg_pool1d",
        "adaptive_avg_pool1d",
        "avg_pool2d",
        "pad",
        "one_hot",
    ],
)
def test_functions_of_autograd_under_torchs_names(name):
    """nn.functional's is autograd's function, under PyTorch's argument name `input` where it differs (a wrapper)."""
    assert inspect.unwrap(getattr(F, name)) is inspect.unwrap(getattr(autograd, name))


def test_dropout_zeroes_a_fraction_p_and_scales_the_rest():
    autograd.manual_seed(0)
    out = F.dropout(Tensor(np.ones(20_000)), 0.25).data
    assert set(np.unique(out)) == {0.0, 1 / 0.75}
    assert abs((out == 0).mean() - 0.25) < 0.01
    x = Tensor(np.ones(3))
    assert F.dropout(x, 0.25, training=False) is x and F.dropout(x, 0.0) is x
    with pytest.raises(ValueError, match="dropout: p must be at least 0 and below 1, got 1.0"):
        F.dropout(x, 1.0)


def test_dropout_draws_as_the_layer_does():
    """From the same default generator, F.dropout(x, p) and nn.Dropout(p)(x) draw the same mask."""
    x = Tensor(X.astype(np.float32))
    autograd.manual_seed(7)
    functional = F.dropout(x, 0.5).data
    autograd.manual_seed(7)
    np.testing.assert_array_equal(functional, nn.Dropout(0.5)(x).data)


def test_a_compiled_step_draws_a_new_dropout_mask_on_each_replay_as_eagerly():
    data = batches((6, 3), 2, 5)

    def run(compiled):
        autograd.manual_seed(1)
        model = mlp([3, 8, 2], "relu")
        optimizer = nn.SGD(model.parameters(), lr=0.1)
        step = training_step(model, optimizer, lambda out, y: F.cross_entropy(F.dropout(out, 0.5), y))
        run_ = autograd.compile(step, strict=True) if compiled else step
        return [run_(Tensor(x), y).data.copy() for x, y in data], [p.data for p in model.parameters()], run_

    *compiled, run_ = run(True)
    *eager, _ = run(False)
    assert_same(compiled, eager)
    assert replays(run_) == 1 and len({float(loss) for loss in compiled[0]}) == len(data)


def test_param_groups_read_and_set_the_settings_checked():
    optimizer = nn.Adam(mlp([2, 3, 1], "tanh").parameters(), lr=0.01)
    (group,) = optimizer.param_groups
    assert group["lr"] == 0.01 and group["betas"] == (0.9, 0.999) and group["params"] == optimizer.params
    assert list(group) == [
        "params",
        "lr",
        "betas",
        "eps",
        "weight_decay",
        "amsgrad",
        "maximize",
        "decoupled_weight_decay",
        "foreach",
        "capturable",
        "differentiable",
        "fused",
    ]
    group["lr"] = 0.5
    assert optimizer.lr == 0.5
    with pytest.raises(ValueError, match="lr must be a finite number >= 0, got -1"):
        group["lr"] = -1
    with pytest.raises(KeyError, match="no setting 'momentum'"):
        group["momentum"] = 0.9
    with pytest.raises(KeyError, match="parameters are fixed when it is made"):
        group["params"] = []
    optimizer.add_param_group({"params": mlp([2, 1], "tanh").parameters()})  # was refused: a group of its own
    assert [g["lr"] for g in optimizer.param_groups] == [0.5, 0.01]  # the constructor's, as torch's defaults
    assert len(optimizer.params) == 6


def test_an_lr_set_through_param_groups_between_compiled_steps_is_used():
    data = batches((6, 3), 2, 5)

    def run(compiled):
        model = mlp([3, 5, 2], "tanh")
        optimizer = nn.SGD(model.parameters(), lr=0.1, momentum=0.9)
        step = training_step(model, optimizer)
        run_ = autograd.compile(step, strict=True) if compiled else step
        losses = []
        for i, (x, y) in enumerate(data):
            for group in optimizer.param_groups:
                group["lr"] = 0.1 / (i + 1)
            losses.append(run_(Tensor(x), y).data.copy())
        return losses, [p.data for p in model.parameters()]

    assert_same(run(True), run(False))


def test_dropout_refuses_what_torch_refuses():
    with pytest.raises(TypeError, match="training must be True or False"):
        F.dropout(Tensor(np.ones(3)), 0.5, "no")
    with pytest.raises(TypeError, match="dropout takes a Tensor, got list"):
        F.dropout([1.0, 2.0], 0.5)

"""nn.norm's BatchNorm1d, BatchNorm2d, LayerNorm and GroupNorm, and Module's buffers (running statistics
in the state dict, through nn.save and nn.load): what each layer computes, its gradients against finite
differences in training mode (BatchNorm's batch statistics included), and its errors.
PyTorch's layers as the reference: tests/test_torch_reference_layers.py."""

import numpy as np
import pytest

import nn
from autograd import ShapeError, Tensor, gradcheck, gradcheck_params
from nn.norm import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm

rng = np.random.default_rng(0)


def draw(*shape, loc=0.5, scale=2.0):
    return rng.normal(loc, scale, shape)


def randomize(module, seed=1):
    """Weights away from 1 and biases away from 0, so that a gradcheck sees them act."""
    r = np.random.default_rng(seed)
    for p in module.parameters():
        p.data = r.normal(1.0, 0.5, p.shape).astype(p.dtype)
    return module


def weighted_sum(out, seed=2):
    """sum(out * w) with fixed random w: a plain sum of a normalised output has gradient 0 in x."""
    return (out * np.random.default_rng(seed).normal(size=out.shape)).sum()


# ---- BatchNorm ----


def test_batchnorm_in_training_normalises_each_channel_by_the_batch():
    x = draw(6, 3, 4, 5)
    y = BatchNorm2d(3, dtype=np.float64)(Tensor(x)).data
    assert np.allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    assert np.allclose(y.var(axis=(0, 2, 3)), 1 - 1e-5 / (x.var(axis=(0, 2, 3)) + 1e-5), atol=1e-12)  # biased


def test_batchnorm_tracks_running_statistics_with_momentum_and_the_unbiased_variance():
    bn = BatchNorm1d(3, momentum=0.2, dtype=np.float64)
    x1, x2 = draw(5, 3), draw(5, 3)
    bn(Tensor(x1))
    bn(Tensor(x2))
    mean = 0.8 * (0.8 * 0 + 0.2 * x1.mean(0)) + 0.2 * x2.mean(0)
    var = 0.8 * (0.8 * 1 + 0.2 * x1.var(0, ddof=1)) + 0.2 * x2.var(0, ddof=1)
    assert np.allclose(bn.running_mean, mean) and np.allclose(bn.running_var, var)
    assert bn.num_batches_tracked == 2 and bn.num_batches_tracked.dtype == np.int64


def test_batchnorm_with_momentum_none_keeps_the_plain_average_of_the_batches():
    bn = BatchNorm1d(2, momentum=None, dtype=np.float64)
    batches = [draw(4, 2, 3) for _ in range(3)]
    for x in batches:
        bn(Tensor(x))
    assert np.allclose(bn.running_mean, np.mean([x.mean(axis=(0, 2)) for x in batches], axis=0))


def test_batchnorm_in_eval_uses_the_running_statistics_and_leaves_them_alone():
    bn = randomize(BatchNorm2d(2, dtype=np.float64))
    bn(Tensor(draw(4, 2, 3, 3)))
    state = bn.state_dict()
    bn.eval()
    x = draw(1, 2, 3, 3)  # one sample: fine in eval
    y = bn(Tensor(x)).data
    m, v = state["running_mean"].reshape(1, 2, 1, 1), state["running_var"].reshape(1, 2, 1, 1)
    w, b = state["weight"].reshape(1, 2, 1, 1), state["bias"].reshape(1, 2, 1, 1)
    assert np.allclose(y, (x - m) / np.sqrt(v + 1e-5) * w + b)
    assert all(np.array_equal(bn.state_dict()[k], state[k]) for k in state)


def test_batchnorm_without_running_statistics_uses_the_batch_in_eval_too():
    bn = BatchNorm1d(3, track_running_stats=False, affine=False, dtype=np.float64)
    assert bn.state_dict() == {} and bn.parameters() == []
    x = draw(4, 3)
    assert np.allclose(bn.eval()(Tensor(x)).data, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5))


def test_batchnorm_starts_as_pytorch_and_keeps_its_dtype():
    bn = BatchNorm2d(4)
    assert np.array_equal(bn.weight.data, np.ones(4)) and np.array_equal(bn.bias.data, np.zeros(4))
    assert np.array_equal(bn.running_mean, np.zeros(4)) and np.array_equal(bn.running_var, np.ones(4))
    bn(Tensor(draw(2, 4, 2, 2)))  # a float64 batch: the float32 statistics stay float32
    assert bn.running_mean.dtype == bn.running_var.dtype == bn.weight.dtype == np.float32


@pytest.mark.parametrize(
    "layer, shape",
    [(BatchNorm1d(3, dtype=np.float64), (4, 3)), (BatchNorm1d(3, dtype=np.float64), (3, 3, 2)),
     (BatchNorm2d(2, dtype=np.float64), (3, 2, 2, 3)), (BatchNorm2d(2, momentum=None, dtype=np.float64), (2, 2, 2, 2))],
)  # fmt: skip
def test_batchnorm_gradients_in_training_flow_through_the_batch_statistics(layer, shape):
    layer = randomize(layer)
    x = draw(*shape)
    assert gradcheck(lambda t: weighted_sum(layer(t)), [x])
    assert gradcheck_params(lambda: weighted_sum(layer(Tensor(x))), dict(layer.named_parameters()), max_per_param=None)


def test_batchnorm_gradients_in_eval_by_gradcheck_module():
    model = nn.Sequential(nn.Linear(3, 4, seed=0), BatchNorm1d(4), nn.Tanh(), nn.Linear(4, 1, seed=1))
    model(Tensor(draw(8, 3).astype(np.float32)))  # running statistics that are not 0 and 1
    assert nn.gradcheck_module(model, nn.functional.mse_loss, draw(5, 3), draw(5, 1))


def test_batchnorm_refuses_wrong_input_naming_the_fix():
    with pytest.raises(ShapeError, match=r"BatchNorm2d\(3\) got input of shape \(2, 4, 5, 5\).*make num_features 4"):
        BatchNorm2d(3)(Tensor(np.zeros((2, 4, 5, 5))))
    with pytest.raises(ShapeError, match=r"BatchNorm2d takes input of shape \(N, C, H, W\), got shape \(2, 3\)"):
        BatchNorm2d(3)(Tensor(np.zeros((2, 3))))
    with pytest.raises(ShapeError, match=r"\(N, C\) or \(N, C, L\)"):
        BatchNorm1d(3)(Tensor(np.zeros((2, 3, 4, 5))))
    with pytest.raises(ValueError, match=r"more than one value per channel.*call \.eval\(\)"):
        BatchNorm1d(3)(Tensor(np.zeros((1, 3))))
    no_running = BatchNorm1d(3, track_running_stats=False).eval()  # batch statistics in eval too (it gave the bias)
    with pytest.raises(ValueError, match=r"more than one value per channel.*keep running statistics"):
        no_running(Tensor(np.ones((1, 3))))
    with pytest.raises(ValueError, match="momentum must lie in"):
        BatchNorm1d(3, momentum=1.5)
    with pytest.raises(TypeError, match="num_features must be an int"):
        BatchNorm1d(3.0)


# ---- LayerNorm and GroupNorm ----


def test_layernorm_normalises_each_sample_over_its_last_axes_in_any_mode():
    x = draw(2, 3, 4, 5)
    layer = LayerNorm((4, 5), dtype=np.float64)
    mean, var = x.mean(axis=(2, 3), keepdims=True), x.var(axis=(2, 3), keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-5)
    assert np.allclose(layer(Tensor(x)).data, expected) and np.allclose(layer.eval()(Tensor(x)).data, expected)
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"] and layer.weight.shape == (4, 5)


def test_groupnorm_normalises_each_samples_groups_of_consecutive_channels():
    x = draw(2, 6, 3)
    y = GroupNorm(3, 6, dtype=np.float64)(Tensor(x)).data
    groups = x.reshape(2, 3, 6)
    expected = (groups - groups.mean(-1, keepdims=True)) / np.sqrt(groups.var(-1, keepdims=True) + 1e-5)
    assert np.allclose(y, expected.reshape(x.shape))


@pytest.mark.parametrize(
    "layer, shape",
    [(LayerNorm(4, dtype=np.float64), (3, 4)), (LayerNorm((2, 3), bias=False, dtype=np.float64), (2, 2, 3)),
     (GroupNorm(2, 4, dtype=np.float64), (2, 4, 3)), (GroupNorm(1, 3, dtype=np.float64), (2, 3, 2, 2))],
)  # fmt: skip
def test_layernorm_and_groupnorm_gradients(layer, shape):
    layer = randomize(layer)
    x = draw(*shape)
    assert gradcheck(lambda t: weighted_sum(layer(t)), [x])
    assert gradcheck_params(lambda: weighted_sum(layer(Tensor(x))), dict(layer.named_parameters()), max_per_param=None)


def test_layernorm_and_groupnorm_refuse_wrong_input_naming_the_fix():
    with pytest.raises(ShapeError, match=r"LayerNorm\(\(4,\)\).*got input of shape \(2, 5\); make normalized_shape"):
        LayerNorm(4)(Tensor(np.zeros((2, 5))))
    with pytest.raises(ShapeError, match=r"GroupNorm\(2, 4\) takes input of shape \(N, 4, \.\.\.\), got shape \(2, 6"):
        GroupNorm(2, 4)(Tensor(np.zeros((2, 6, 3))))
    with pytest.raises(ValueError, match=r"num_channels \(6\) must be divisible by num_groups \(4\)"):
        GroupNorm(4, 6)
    with pytest.raises(ValueError, match="at least one axis"):
        LayerNorm(())
    with pytest.raises(TypeError, match="each size of normalized_shape must be an int, got float 4.0"):
        LayerNorm(4.0)


def test_reprs_show_the_sizes_as_pytorchs():
    assert repr(BatchNorm2d(16)) == "BatchNorm2d(16, eps=1e-05, momentum=0.1)"
    assert repr(BatchNorm1d(8, momentum=None, affine=False)) == "BatchNorm1d(8, eps=1e-05, momentum=None, affine=False)"
    assert repr(LayerNorm((3, 4), elementwise_affine=False)) == "LayerNorm((3, 4), eps=1e-05, elementwise_affine=False)"
    assert repr(GroupNorm(2, 8, eps=1e-3)) == "GroupNorm(2, 8, eps=0.001)"


# ---- buffers: saved, loaded and checked, never trained ----


def trained_net():
    net = nn.Sequential(nn.Linear(3, 4, seed=0), BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2, seed=1))
    for _ in range(3):
        net(Tensor(draw(6, 3).astype(np.float32)))
    return net


def test_buffers_are_in_the_state_dict_but_are_not_parameters():
    net = trained_net()
    assert [name for name, _ in net.named_buffers()] == [
        "layers.1.running_mean", "layers.1.running_var", "layers.1.num_batches_tracked",
    ]  # fmt: skip
    assert not any(b is p.data for b in net.buffers() for p in net.parameters())
    assert list(net.state_dict())[-3:] == [name for name, _ in net.named_buffers()]
    assert net.count_parameters() == 12 + 4 + 4 + 4 + 8 + 2  # the running statistics are not counted


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
def test_buffers_round_trip_through_save_and_load(tmp_path, suffix):
    if suffix == ".safetensors":
        pytest.importorskip("safetensors", reason="the safetensors extra is not installed")
    net, fresh = trained_net(), nn.Sequential(nn.Linear(3, 4), BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    nn.save(net, tmp_path / f"net{suffix}")
    nn.load(fresh, tmp_path / f"net{suffix}")
    for (name, a), b in zip(net.state_dict().items(), fresh.state_dict().values()):
        assert np.array_equal(a, b) and a.dtype == b.dtype, name
    x = Tensor(draw(5, 3).astype(np.float32))
    assert np.array_equal(net.eval()(x).data, fresh.eval()(x).data)


def test_a_state_with_buffers_of_the_wrong_kind_is_refused_before_anything_changes():
    bn = BatchNorm1d(2)
    before = bn.state_dict()
    for name, bad, message in [
        (
            "num_batches_tracked",
            np.array(1.0),
            "num_batches_tracked has dtype float64; it is a buffer, of integers",
        ),
        ("running_var", np.array([1, 2]), "running_var has dtype int64; it is a buffer, of floating point"),
        ("running_mean", np.array([0.0, np.nan]), "running_mean holds 1 NaN or infinite"),
        ("num_batches_tracked", np.array(2**63, np.uint64), "num_batches_tracked holds values that int64 cannot hold"),
    ]:
        state = bn.state_dict() | {"weight": np.full(2, 3.0), name: bad}
        with pytest.raises(ValueError, match=message):
            bn.load_state_dict(state)
        assert all(np.array_equal(bn.state_dict()[k], before[k]) for k in before)
    with pytest.raises(KeyError, match=r"missing \['num_batches_tracked'\]"):
        bn.load_state_dict({k: v for k, v in before.items() if k != "num_batches_tracked"})


def test_register_buffer_on_a_module_of_your_own():
    class Counter(nn.Module):
        def __init__(self):
            self.register_buffer("seen", 0)

        def forward(self, x):
            self.seen += 1
            return x

    counter = Counter()
    counter(1)
    assert counter.state_dict() == {"seen": 1} and counter.seen.dtype == np.int64
    counter.load_state_dict({"seen": np.array(5)})
    assert counter.seen == 5 and isinstance(counter.seen, np.ndarray)
    with pytest.raises(ValueError, match="already has an attribute 'training'"):
        counter.register_buffer("training", 1)
    with pytest.raises(ValueError, match="an identifier not starting with '_'"):
        counter.register_buffer("_hidden", 1)

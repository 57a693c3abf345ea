"""PyTorch's Module and Tensor methods for walking, freezing and converting a model (apply, children,
requires_grad_, to, cpu, float/double/half), zero_grad(set_to_none=), inference_mode and nn.utils."""

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor


def _model():
    return nn.Sequential(nn.Linear(3, 4, seed=0), nn.ReLU(), nn.BatchNorm1d(4), nn.Linear(4, 2, seed=1))


def test_apply_visits_children_first_then_the_module():
    model = _model()
    seen = []
    assert model.apply(lambda m: seen.append(type(m).__name__)) is model
    assert seen == ["Linear", "ReLU", "BatchNorm1d", "Linear", "Sequential"]
    assert [type(m).__name__ for m in model.children()] == seen[:-1]
    with pytest.raises(TypeError, match="must be callable"):
        model.apply(3)


def test_requires_grad_freezes_and_unfreezes_every_parameter():
    model = _model()
    count = len(model.parameters())
    assert model.requires_grad_(False) is model
    assert all(p.frozen for p in model.parameters()) and len(model.parameters()) == count
    model.requires_grad_()
    assert all(p.requires_grad for p in model.parameters())
    with pytest.raises(TypeError, match="True or False"):
        model.requires_grad_(1)
    with pytest.raises(TypeError, match="no requires_grad flag"):
        nn.MLP(2, [3, 1], seed=0).requires_grad_(False)


def test_tensor_requires_grad_():
    t = Tensor(np.ones(2))
    assert t.requires_grad_() is t and t.requires_grad
    with pytest.raises(RuntimeError, match="leaf tensors only"):
        (t * 2).requires_grad_(False)
    with pytest.raises(TypeError):
        Tensor(np.ones(2, np.int64)).requires_grad_()


def test_to_cpu_is_the_model_itself_and_other_devices_are_refused():
    torch = pytest.importorskip("torch", reason="torch.device is the spelling under test")
    model = _model()
    for device in ["cpu", "cpu:0", torch.device("cpu")]:
        assert model.to(device) is model and model.to(device=device) is model
    assert model.cpu() is model
    for device in ["cuda", "cuda:0", "mps", torch.device("meta")]:
        with pytest.raises(ValueError, match="on the CPU"):
            model.to(device)


@pytest.mark.parametrize(
    ("convert", "dtype"),
    [
        (lambda m: m.double(), np.float64),
        (lambda m: m.half(), np.float16),
        (lambda m: m.to(np.float64), np.float64),
        (lambda m: m.to("cpu", "float64"), np.float64),
        (lambda m: m.to(dtype=np.float64), np.float64),
    ],
)
def test_to_a_dtype_converts_parameters_grads_and_float_buffers_in_place(convert, dtype):
    model = _model()
    out = model(Tensor(np.ones((5, 3), np.float32))).sum()
    out.backward()
    params = model.parameters()
    before = [p.data.copy() for p in params]
    assert convert(model) is model
    assert model.parameters() == params  # the same objects: an optimizer made before still holds them
    for p, old in zip(params, before, strict=True):
        assert p.dtype == dtype and p.grad.dtype == dtype
        np.testing.assert_array_equal(p.data, old.astype(dtype))
    assert model[2].running_mean.dtype == dtype
    assert model[2].num_batches_tracked.dtype.kind == "i"  # a count stays one


def test_to_a_torch_dtype():
    torch = pytest.importorskip("torch", reason="torch's dtypes are the spelling under test")
    model = _model().to(torch.float64)
    assert all(p.dtype == np.float64 for p in model.parameters())


@pytest.mark.parametrize(("arg", "error"), [(np.int64, TypeError), ("complex", TypeError), ("nonsense", ValueError)])
def test_to_refuses_what_is_no_float_dtype_or_cpu_and_changes_nothing(arg, error):
    model = _model()
    with pytest.raises(error):
        model.to(arg)
    assert all(p.dtype == np.float32 for p in model.parameters())


def test_to_refuses_micrograds_values():
    with pytest.raises(TypeError, match="Python floats"):
        nn.MLP(2, [3, 1], seed=0).double()


def test_zero_grad_set_to_none():
    model = nn.Linear(2, 2, seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)
    x = Tensor(np.ones((1, 2), np.float32))
    for zero in (model.zero_grad, opt.zero_grad):
        model(x).sum().backward()
        held = model.W.grad
        zero(set_to_none=False)
        assert model.W.grad.shape == held.shape and not model.W.grad.any() and model.W.grad.dtype == np.float32
        zero()
        assert model.W.grad is None
    with pytest.raises(TypeError, match="True or False"):
        model.zero_grad(set_to_none="no")


def test_zero_grad_without_set_to_none_leaves_an_unreached_grad_none_and_an_infinite_one_zero():
    a, b = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2), requires_grad=True)
    a.grad = np.array([np.inf, 1.0])
    autograd.zero_grad([a, b], set_to_none=False)
    assert a.grad.tolist() == [0.0, 0.0] and b.grad is None


def test_inference_mode_is_no_grad_as_a_block_and_a_decorator():
    x = Tensor(np.ones(2), requires_grad=True)
    with autograd.inference_mode():
        assert not (x * 2).requires_grad
    with autograd.no_grad(), autograd.inference_mode(False):  # PyTorch's turns grad mode back on
        assert (x * 2).requires_grad

    @autograd.inference_mode()
    def doubled(t):
        return t * 2

    assert not doubled(x).requires_grad and autograd.is_grad_enabled()

    @autograd.inference_mode  # bare, as PyTorch's allows
    def tripled(t):
        return t * 3

    assert not tripled(x).requires_grad and tripled.__name__ == "tripled"
    with pytest.raises(TypeError, match="True or False"):
        autograd.inference_mode("yes")


def test_nn_utils_holds_the_clipping():
    assert nn.utils.clip_grad_norm_ is nn.clip_grad_norm_ and nn.utils.clip_grad_value_ is nn.clip_grad_value_


@pytest.mark.parametrize("make", [lambda ps: nn.Adam(ps, lr=0.1), lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9)])
def test_an_optimizers_moments_made_before_a_dtype_conversion_are_refused_not_kept_in_the_old_precision(make):
    model = nn.Linear(3, 2, seed=0)
    opt = make(model.parameters())
    model(Tensor(np.ones((4, 3), np.float32))).sum().backward()
    opt.step()
    model.double()
    opt.zero_grad()
    model(Tensor(np.ones((4, 3)))).sum().backward()
    before = model.W.data.copy()
    with pytest.raises(TypeError, match="convert the model first"):
        opt.step()
    np.testing.assert_array_equal(model.W.data, before)


def test_a_shared_layer_is_one_module_and_apply_reaches_it_once():
    class Twice(nn.Module):
        def __init__(self):
            self.a = nn.Linear(2, 2, seed=0)
            self.b = self.a
            self.both = [self.a, nn.Sequential(self.a)]

        def forward(self, x):
            return self.b(self.a(x))

    model = Twice()
    before = model.a.W.data.copy()
    calls = []

    def halve(m):
        calls.append(type(m).__name__)
        if isinstance(m, nn.Linear):
            with autograd.no_grad():
                m.W.data *= 0.5

    model.apply(halve)
    np.testing.assert_array_equal(model.a.W.data, before * 0.5)
    assert calls == ["Linear", "Sequential", "Twice"]
    assert [name for name, _ in model.named_modules()] == ["", "a", "both.1"]
    assert [name for name, _ in model.named_children()] == ["a", "both.1"]


def test_pytorchs_clipping_spellings_port_as_written():
    t = Tensor(np.zeros(2), requires_grad=True)
    t.grad = np.array([3.0, 4.0])
    assert nn.utils.clip_grad_norm_([t], float("inf"), foreach=True) == 5.0  # a norm logged, nothing clipped
    assert t.grad.tolist() == [3.0, 4.0]
    assert nn.utils.clip_grad_norm_([t], 1.0, norm_type="inf") == 4.0
    nn.utils.clip_grad_value_([t], float("inf"), foreach=False)
    assert t.grad.tolist() == pytest.approx([0.75, 1.0], rel=1e-5)


def test_fit_refuses_a_model_frozen_whole_before_training():
    X, y = nn.data.blobs(30, centers=2, seed=0)
    model = nn.Sequential(nn.Linear(2, 2, seed=0)).requires_grad_(False)
    with pytest.raises(ValueError, match="every parameter the optimizer holds is frozen"):
        nn.fit(model, nn.functional.cross_entropy, nn.SGD(model.parameters(), lr=0.1), (X, y), epochs=1)


def test_zero_grad_without_set_to_none_zeros_a_create_graph_gradient_as_an_array():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x * x).sum().backward(create_graph=True)
    autograd.zero_grad([x], set_to_none=False)
    assert isinstance(x.grad, np.ndarray) and x.grad.tolist() == [0.0, 0.0]


def test_requires_grad__true_on_a_computed_tensor_that_requires_it_changes_nothing():
    y = Tensor(np.ones(2), requires_grad=True) * 2
    assert y.requires_grad_() is y and y.requires_grad
    assert nn.Linear(2, 2).requires_grad_(np.bool_(False)).W.frozen


def test_to_the_dtype_a_model_has_changes_nothing_and_an_overflow_converts_nothing():
    model = nn.Sequential(nn.Linear(2, 2, seed=0), nn.BatchNorm1d(2))
    out = model(Tensor(np.ones((3, 2), np.float32))).sum()
    model.float()
    out.backward()  # the arrays were left as they were: the graph is still valid
    with autograd.no_grad():
        model[0].W.data[0, 0] = 1e5
    with pytest.raises(ValueError, match="does not fit float16"):
        model.half()
    assert all(p.dtype == np.float32 for p in model.parameters()) and model[1].running_var.dtype == np.float32

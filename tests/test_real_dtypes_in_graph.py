"""Only floating-point tensors take part in a graph, as in PyTorch: requires_grad is checked when set
(not only in the constructor), a cast to an integer or bool dtype leaves the graph, and a cast or a
clip bound that would make a tensor complex (or text) is refused."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor


def _torch():
    return pytest.importorskip("torch", reason="PyTorch is the reference here")


# ---- requires_grad, set after construction ----


@pytest.mark.parametrize("data", [np.array([1, 2]), np.array([True, False]), np.array([1, 2], np.uint8)])
def test_requires_grad_on_an_integer_or_bool_tensor_is_refused_as_torch_refuses_it(data):
    torch = _torch()
    t = Tensor(data)
    with pytest.raises(TypeError, match=f"only floating-point tensors can require gradients, got dtype {data.dtype}"):
        t.requires_grad = True
    assert t.requires_grad is False
    t.requires_grad = False  # saying no is fine, as in PyTorch
    with pytest.raises(RuntimeError, match="only Tensors of floating point and complex dtype can require gradients"):
        torch.tensor(data).requires_grad = True


def test_the_reviewed_integer_case_gets_no_gradient():
    t = Tensor(np.array([1, 2]))
    with pytest.raises(TypeError, match="astype"):  # the message names the fix
        t.requires_grad = True
    with pytest.raises(RuntimeError, match="does not require grad"):
        (t * 2.5).sum().backward()
    assert t.grad is None


@pytest.mark.parametrize("value", [1, 0, "yes", None, 1.0])
def test_requires_grad_must_be_a_bool_when_set(value):
    torch = _torch()
    t = Tensor(np.ones(2))
    with pytest.raises(TypeError, match="requires_grad must be True or False"):
        t.requires_grad = value
    assert t.requires_grad is False
    with pytest.raises(RuntimeError, match="requires_grad must be a bool"):
        torch.ones(2).requires_grad = value


def test_requires_grad_set_on_a_float_leaf_takes_effect():
    t = Tensor(np.array([1.0, 2.0]))
    t.requires_grad = np.bool_(True)
    assert t.requires_grad is True  # a Python bool, whatever was given
    (t * 3.0).sum().backward()
    assert t.grad.tolist() == [3.0, 3.0]
    t.requires_grad = False
    assert not (t * 3.0).requires_grad


@pytest.mark.parametrize("value", [False, True])
def test_requires_grad_of_a_computed_tensor_cannot_change_as_in_torch(value):
    torch = _torch()
    y = Tensor(np.ones(2), requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="leaf tensors only.*detach"):
        y.requires_grad = value
    assert y.requires_grad is True
    ty = torch.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf variables"):
        ty.requires_grad = value


# ---- astype ----


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, bool])
def test_an_integer_or_bool_cast_leaves_the_graph_as_in_torch(dtype):
    torch = _torch()
    u = Tensor(np.array([1.7, 2.2]), requires_grad=True)
    cast = u.astype(dtype)
    assert cast.dtype == np.dtype(dtype) and cast.requires_grad is False and cast.op is None
    assert cast.data.tolist() == np.array([1.7, 2.2]).astype(dtype).tolist()
    torch_dtype = {np.int64: torch.int64, np.int32: torch.int32, np.uint8: torch.uint8, bool: torch.bool}[dtype]
    assert torch.tensor([1.7, 2.2], requires_grad=True).to(torch_dtype).requires_grad is False


def test_the_reviewed_cast_passes_no_gradient():
    u = Tensor(np.array([1.7, 2.2]), requires_grad=True)
    w = Tensor(np.array([1.0, 1.0]), requires_grad=True)
    (u.astype(np.int64) * 2.5 * w).sum().backward()  # the cast is a constant factor of w's term
    assert u.grad is None and w.grad.tolist() == [2.5, 5.0]


def test_a_float_cast_stays_in_the_graph():
    u = Tensor(np.array([1.5, 2.5]), requires_grad=True)
    (u.astype(np.float32) * 2).sum().backward()
    assert u.grad.dtype == np.float64 and u.grad.tolist() == [2.0, 2.0]
    c = u.clone()
    assert c.op.name == "astype" and c.requires_grad


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64, str, object, "datetime64[s]"])
def test_a_cast_to_no_real_dtype_is_refused(dtype):
    u = Tensor(np.array([1.5, 2.5]), requires_grad=True)
    with pytest.raises(TypeError, match="Tensors hold real numbers.*t.numpy\\(\\).astype"):
        u.astype(dtype)
    with pytest.raises(TypeError, match="Tensors hold real numbers"):
        Tensor(np.array([1, 2])).astype(dtype)  # without a gradient too: no Tensor of it exists


# ---- clip's bounds ----


@pytest.mark.parametrize(
    "lo, hi",
    [(0.5j, None), (None, 1 + 0j), (np.array([0.5j, 0.0]), None), ("a", None), (None, [1j, 2.0])],
)
def test_a_clip_bound_that_is_no_real_number_is_refused(lo, hi):
    u = Tensor(np.array([1.7, 2.2]), requires_grad=True)
    with pytest.raises(TypeError, match="clip: (lo|hi) must be a real number"):
        u.clip(lo, hi)
    with pytest.raises(TypeError, match="clip: (lo|hi) must be a real number"):
        u.clamp(lo, hi)


def test_real_clip_bounds_of_every_form_still_work():
    torch = _torch()
    data = np.array([-1.0, 0.5, 2.0])
    u = Tensor(data, requires_grad=True)
    for lo, hi in [(0.0, 1.0), (np.float32(0), None), (np.array([0.0, 0.0, 0.0]), [1.0, 1.0, 1.5]), (-1, 2)]:
        u.grad = None
        clipped = u.clip(lo, hi)
        clipped.sum().backward()
        t = torch.tensor(data, requires_grad=True)
        bounds = [None if b is None else torch.tensor(np.asarray(b, float)) for b in (lo, hi)]
        expected = torch.clamp(t, *bounds)
        expected.sum().backward()
        assert clipped.data.tolist() == expected.tolist() and u.grad.tolist() == t.grad.tolist()


def test_activation_parameters_that_are_no_real_numbers_are_refused():
    x = Tensor(np.array([-1.0, 1.0]), requires_grad=True)
    with pytest.raises(TypeError, match="negative_slope must be a real number"):
        autograd.leaky_relu(x, 0.1j)
    with pytest.raises(TypeError, match="min_val must be a real number"):
        autograd.hardtanh(x, min_val=-1j)

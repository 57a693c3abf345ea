"""Reductions under PyTorch's spellings beside numpy's (dim, keepdim, correction), their argument checks, and
random graphs through every reduction against finite differences, first and second order."""

import numpy as np
import pytest
from hypothesis import given

from autograd import Tensor, grad, testing_reductions
from autograd.testing import judged_gradcheck, tensor_expressions

REDUCTIONS = ["sum", "mean", "max", "min", "prod", "logsumexp", "var", "std", "norm", "argmax", "argmin", "any", "all"]


@pytest.mark.parametrize("name", REDUCTIONS)
def test_pytorch_spelling_beside_numpys(name):
    x = Tensor(np.arange(1.0, 7.0).reshape(2, 3) ** 1.5)
    chosen = {"correction": 0} if name in ("var", "std") else {}  # said, since numpy's and PyTorch's defaults differ
    numpy_style = getattr(x, name)(axis=1, keepdims=True)
    torch_style = getattr(x, name)(dim=1, keepdim=True, **chosen)
    if name in ("max", "min"):  # PyTorch's max(dim) and min(dim) give (values, indices)
        torch_style = torch_style.values
    assert torch_style.shape == (2, 1) and np.array_equal(numpy_style.data, torch_style.data)
    with pytest.raises(TypeError, match="axis=.*dim="):
        getattr(x, name)(axis=1, dim=1, **chosen)
    with pytest.raises(TypeError, match="keepdims=.*keepdim="):
        getattr(x, name)(keepdims=True, keepdim=True, **chosen)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_the_softmax_family_takes_dim(name):
    x = Tensor(np.arange(6.0).reshape(2, 3))
    assert np.array_equal(getattr(x, name)(dim=0).data, getattr(x, name)(axis=0).data)
    assert np.array_equal(getattr(x, name)().data, getattr(x, name)(-1).data)
    assert not np.array_equal(getattr(x, name)(0).data, getattr(x, name)(-1).data)
    with pytest.raises(TypeError, match="axis=.*dim="):
        getattr(x, name)(axis=0, dim=0)


def test_running_ops_take_dim():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    assert np.array_equal(x.cumsum(dim=0).data, np.cumsum(x.data, 0))
    assert np.array_equal(x.cumprod().data, np.cumprod(x.data))  # no axis: flattened, as numpy
    with pytest.raises(TypeError, match="axis=.*dim="):
        x.cumsum(axis=0, dim=0)
    with pytest.raises(np.exceptions.AxisError, match="out of bounds"):
        x.cumsum(2)
    with pytest.raises(TypeError, match="one int"):
        x.cumprod((0, 1))


def test_var_takes_ddof_or_correction_and_defaults_to_numpys():
    x = Tensor([1.0, 2.0, 4.0], dtype=np.float64)
    assert x.var().item() == pytest.approx(np.var(x.data))  # ddof=0
    assert x.var(correction=1).item() == x.var(ddof=1).item() == pytest.approx(np.var(x.data, ddof=1))
    with pytest.raises(TypeError, match="ddof=.*correction="):
        x.std(ddof=1, correction=1)
    with pytest.raises(ValueError, match="ddof=3.*n - ddof = 0"):
        x.var(ddof=3)
    with pytest.raises(ValueError, match="ddof=1"):
        Tensor([[1.0, 2.0]]).std(axis=0, ddof=1)
    with pytest.raises(ValueError, match="ddof"):
        x.var(ddof=-1)


def test_norm_arguments():
    x = Tensor([3.0, -4.0])
    assert x.norm().item() == x.norm(p=2).item() == x.norm("fro").item() == 5.0
    assert x.norm(p=1).item() == 7.0 and x.norm(np.inf).item() == 4.0
    with pytest.raises(TypeError, match="ord=.*p="):
        x.norm(1, p=1)
    with pytest.raises(ValueError, match="1, 2 or inf"):
        x.norm(3)


def test_bad_axes_and_empty_arg_reductions():
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(TypeError, match="axis must be"):
        x.prod(axis=1.5)
    with pytest.raises(np.exceptions.AxisError):
        x.var(axis=2)
    with pytest.raises(TypeError, match="one int"):
        x.argmax(axis=(0, 1))
    with pytest.raises(ValueError, match="empty"):
        Tensor(np.ones((0,))).argmin()


# ---- the strategies' steps through these ops ----

STEPS = tuple(testing_reductions.KINDS) + ("*", "+", "tanh")


@given(tensor_expressions(kinds=STEPS))
def test_random_graphs_through_reductions_match_finite_differences(expr):
    assert judged_gradcheck(expr, expr.inputs)


@given(tensor_expressions(kinds=STEPS, max_ops=4))
def test_random_graphs_through_reductions_second_derivatives(expr):
    first = grad(expr, argnums=tuple(range(len(expr.inputs))))
    assert judged_gradcheck(lambda *xs: sum(((g * g).sum() for g in first(*xs)), 0 * xs[0].sum()), expr.inputs)

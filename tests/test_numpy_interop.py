"""numpy's ufuncs and functions on Tensors are chainrule's differentiable ops: numpy-style code
differentiates (HIPS autograd's habit), checked against finite differences; what chainrule has no
op for raises a TypeError naming it, never converting the Tensor and dropping its gradient."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Tensor, grad, gradcheck
from autograd.testing import arrays

X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
POSITIVE = np.abs(X) + 0.5


def test_hips_autograds_example():
    """HIPS autograd's README: the gradient of a function written with numpy."""
    f = lambda x: np.sum(np.tanh(x) ** 2)  # noqa: E731
    x = np.array([0.1, -0.5, 2.0])
    assert np.allclose(grad(f)(x), 2 * np.tanh(x) * (1 - np.tanh(x) ** 2), rtol=1e-12)
    assert gradcheck(f, [x])


# numpy-style functions of one input, each through chainrule's ops
UFUNCS = {
    "exp log sqrt": lambda x: np.exp(x) + np.log(np.sqrt(x)),
    "trig": lambda x: np.sin(x) * np.cos(x) + np.tan(x / 4) + np.arctan(x) + np.arcsin(x / 4) + np.arccos(x / 4),
    "hyperbolic": lambda x: np.tanh(x) + np.sinh(x) + np.cosh(x) + np.arcsinh(x) + np.arctanh(x / 4),
    "logs and exps": lambda x: np.log1p(x) + np.expm1(x) + np.log2(x) + np.log10(x) + np.exp2(x),
    "negative, absolute, square, reciprocal": lambda x: (
        -np.negative(x) * np.absolute(x) + np.square(x) / np.reciprocal(x)
    ),
    "operators from numpy's side": lambda x: (
        np.add(1.0, x) * np.multiply(x, 2.0) - np.subtract(3.0, x) / np.divide(x, 2.0)
    ),
    "powers": lambda x: np.power(x, 3) + np.power(2.0, x) + np.power(x, x) + np.float_power(x, 0.5),
    "arrays on the left": lambda x: np.array([1.0, 2.0, 3.0]) * x + np.ones(3) / x - np.full(3, 2.0) ** x,
    "binary functions": lambda x: np.maximum(x, 1.0) + np.minimum(2.0, x) + np.arctan2(x, 1.5) + np.hypot(x, x),
    "logaddexp": lambda x: np.logaddexp(x, -x),
}


@pytest.mark.parametrize("name", UFUNCS)
@given(x=arrays((2, 3), 0.6, 2.4).filter(lambda a: np.all(np.abs(a - 1) > 0.05) and np.all(np.abs(a - 2) > 0.05)))
def test_ufuncs_differentiate(name, x):
    f = UFUNCS[name]
    out = f(Tensor(x, requires_grad=True))
    assert isinstance(out, Tensor) and out.requires_grad
    assert np.allclose(out.data, f(x))  # the same numbers as numpy on the array
    assert gradcheck(lambda t: (f(t) * np.arange(1.0, 4.0)).sum(), [x])


def test_remainders_differentiate_between_their_jumps():
    x = np.array([[0.6, 1.1, 1.3], [1.7, 2.0, 2.3]])  # no multiple of 0.7 or 0.45 near, nor 3.1 / x whole
    f = lambda t: np.remainder(t, 0.7) + np.fmod(t, 0.45) * np.remainder(3.1, t)  # noqa: E731
    assert np.allclose(f(Tensor(x)).data, f(x))
    assert gradcheck(lambda t: (f(t) ** 2).sum(), [x])


# numpy functions of one input, each a chainrule op
FUNCTIONS = {
    "reductions": lambda t: np.sum(t, axis=0) + np.mean(t, axis=0) + np.max(t, 0) + np.min(t, axis=0, keepdims=True)[0],
    "more reductions": lambda t: np.prod(t, axis=0) + np.amax(t, axis=0) * np.amin(t) + np.var(t, axis=0, ddof=1),
    "std and norm": lambda t: np.std(t, axis=1, keepdims=True) + np.linalg.norm(t, axis=0) + np.linalg.norm(t),
    "running": lambda t: np.cumsum(t, axis=1) * np.cumprod(t, axis=0),
    "shapes": lambda t: np.reshape(np.transpose(t), (2, 3)) + np.ravel(t).reshape(2, 3) + np.swapaxes(t.T, 0, 1),
    "more shapes": lambda t: np.squeeze(np.expand_dims(t, 0), 0) * np.flip(t, axis=1) + np.broadcast_to(t[0], (2, 3)),
    "combinations": lambda t: np.concatenate([t, t * 2], axis=1)[:, 1:4] + np.stack([t, t], axis=0).sum(axis=0),
    "where and clip": lambda t: np.where(X > 0, t, -t) + np.clip(t, -0.9, 1.9) + np.clip(t, a_min=0.3, a_max=None),
    "dot and matmul": lambda t: np.dot(t, t.T) @ np.matmul(t, np.ones((3, 3))) + np.dot(2.0, t)[:, :2].sum(),
    "copy": lambda t: np.copy(t) * t,
    "ufunc methods": lambda t: np.add.reduce(t, axis=0) + np.multiply.reduce(t, axis=1).sum() + np.add.accumulate(t)[1],
}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_functions_differentiate(name):
    f = FUNCTIONS[name]
    out = f(Tensor(X, requires_grad=True))
    assert isinstance(out, Tensor) and out.requires_grad
    assert np.allclose(out.data, f(X))  # the same numbers as numpy on the array
    assert gradcheck(lambda t: (f(t) ** 2).sum(), [X])


@given(x=arrays((3,), -2, 2))
def test_a_numpy_style_function_of_several_tensors(x):
    def loss(w, b):
        return np.mean(np.square(np.tanh(np.dot(np.stack([x, x**2]), w) + b)))

    assert gradcheck(loss, [np.array([0.5, -1.0, 0.25]), np.array(0.3)])


def test_inspections_run_on_the_data():
    t = Tensor(X, requires_grad=True)
    assert np.shape(t) == (2, 3) and np.ndim(t) == 2 and np.size(t) == 6
    assert np.allclose(t, X) and np.array_equal(np.isclose(t, X), np.ones((2, 3), bool))
    assert np.argmax(t).item() == 2 and np.argmin(t, axis=1).data.tolist() == [1, 2]
    assert np.argsort(t, axis=1).tolist() == np.argsort(X, axis=1).tolist()
    assert np.count_nonzero(t) == 6 and np.result_type(t) == np.float64
    assert np.any(t > 1).item() and not np.all(t > 0).item()
    assert [a.tolist() for a in np.where(t > 1)] == [[0, 1], [2, 0]]
    zeros = np.zeros_like(t)
    assert isinstance(zeros, Tensor) and zeros.shape == (2, 3) and not zeros.requires_grad


@pytest.mark.parametrize("ufunc", [np.greater, np.less_equal, np.equal, np.not_equal, np.isnan, np.isfinite])
def test_comparisons_and_tests_are_constants(ufunc):
    t = Tensor(X, requires_grad=True)
    out = ufunc(t, 0.5) if ufunc.nin == 2 else ufunc(t)
    expected = ufunc(X, 0.5) if ufunc.nin == 2 else ufunc(X)
    assert isinstance(out, Tensor) and out.dtype == np.bool_ and not out.requires_grad
    assert np.array_equal(out.data, expected)


def test_an_array_times_a_tensor_goes_to_the_tensor():
    t = Tensor(X, requires_grad=True)
    for out in (
        np.ones(3) * t,
        np.ones(3) + t,
        np.ones(3) - t,
        np.ones(3) / t,
        np.float64(2.0) * t,
        np.ones((3, 2)).T @ t.T,
    ):
        assert isinstance(out, Tensor) and out.requires_grad
    assert (np.ones(3) < t).dtype == np.bool_


def test_asarray_gives_the_data_of_a_tensor_without_grad():
    t = Tensor(X)
    assert np.asarray(t) is t.data and np.array_equal(np.array(t), X)


@pytest.mark.parametrize(
    "convert",
    [
        np.asarray,
        np.array,
        lambda t: np.sum([t, t]),
        lambda t: np.array([t, t]),
        lambda t: np.mean([t.sum(), 1.0]),
        lambda t: Tensor([t, t]),
    ],
)
def test_numpy_refuses_to_convert_a_tensor_that_wants_a_gradient(convert):
    """numpy's own code on a list of Tensors (and Tensor() of such a list) would compute outside the
    graph and drop the gradient silently; the conversion is refused, naming the way that keeps it."""
    t = Tensor(X, requires_grad=True)
    with pytest.raises(TypeError, match=r"requires grad.*t\.data.*autograd\.stack"):
        convert(t)
    assert np.array_equal(np.asarray(t.detach()), X) and t.numpy() is t.data  # the numbers, asked for by name


UNSUPPORTED = [
    (lambda t: np.partition(t, 1), "np.partition is not supported"),
    (lambda t: np.cbrt(t), "np.cbrt has no chainrule op"),
    (lambda t: np.linalg.inv(t[:, :2]), "np.linalg.inv is not supported"),
    (lambda t: np.maximum.accumulate(t), "np.maximum.accumulate is not supported"),
    (lambda t: np.add.outer(t, t), "np.add.outer is not supported"),
    (lambda t: np.exp(t, out=np.empty((2, 3))), "np.exp.*out="),
    (lambda t: np.exp(t, dtype=np.float32), "np.exp on a Tensor takes no keyword"),
    (lambda t: np.sum(t, dtype=np.float32), "np.sum on a Tensor does not take dtype="),
    (lambda t: np.max(t, initial=3.0), "np.max on a Tensor does not take initial="),
    (lambda t: np.mean(t, where=X > 0), "np.mean on a Tensor does not take where="),
    (lambda t: np.cumsum(t, out=np.empty(6)), "np.cumsum on a Tensor does not take out="),
    (lambda t: np.reshape(t, 6, order="F"), "order='C' only"),
    (lambda t: np.linalg.norm(t, 1), "matrix norm"),
    (lambda t: np.dot(t.reshape(1, 2, 3), t.T), "more than 2 dims"),
    (lambda t: np.round(t, 2), "decimals=2"),
]


@pytest.mark.parametrize("call, message", UNSUPPORTED)
def test_what_chainrule_has_no_op_for_raises_naming_it(call, message):
    with pytest.raises(TypeError, match=message):
        call(Tensor(X, requires_grad=True))


def test_in_place_numpy_into_an_array_raises():
    a = np.ones((2, 3))
    with pytest.raises(TypeError, match=r"a = a \+ t"):
        a += Tensor(X, requires_grad=True)
    assert np.all(a == 1)  # untouched


@given(st.sampled_from(["sum", "mean", "max", "min", "prod"]), st.sampled_from([None, 0, 1, (0, 1)]), st.booleans())
def test_numpy_reductions_are_the_methods(name, axis, keepdims):
    t = Tensor(X, requires_grad=True)
    out = getattr(np, name)(t, axis=axis, keepdims=keepdims)
    assert out.op is getattr(t, name)(axis=axis, keepdims=keepdims).op
    assert np.array_equal(out.data, getattr(np, name)(X, axis=axis, keepdims=keepdims))


def test_autograd_functions_take_numpy_names_too():
    t = Tensor(X, requires_grad=True)
    assert np.array_equal(np.absolute(t).data, autograd.abs(t).data)
    assert np.array_equal(np.rint(t).data, np.rint(X))  # chainrule's round: half to even, as numpy
    assert np.array_equal(np.round(t).data, np.round(X)) and np.round(t).op.name == "round"

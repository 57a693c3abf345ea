"""prod, var, std, norm, cumsum, cumprod, argmax, argmin, any and all against PyTorch, over drawn
shapes, axes (None, an int, a negative int, a tuple) and keepdims, in float64 and float32: forward,
gradient and second derivative (tests/torch_reference.py compares). Entries are drawn from a grid
of quarters, so zeros (prod, cumprod, the zero vector of norm), ties (argmax, the inf-norm) and
constant inputs (std) come up often; those edges are also checked one by one below. Then numpy's
and PyTorch's spellings of the arguments, the errors, and the strategies' steps."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch_reference import DTYPES, EXAMPLES, check, torch  # without torch: skipped

from autograd import Tensor, grad, gradcheck
from autograd.testing import shapes

QUARTERS = st.sampled_from([-2.0, -1.5, -1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 1.5, 2.0])


def grid_arrays(shape):
    return hnp.arrays(np.float64, shape, elements=QUARTERS)


@st.composite
def shape_and_axis(draw, min_dims=0):
    shape = draw(shapes(min_dims, 3, 4))
    n = len(shape)
    if n == 0:
        return shape, None
    single = st.integers(-n, n - 1)
    several = st.lists(single, min_size=1, max_size=n, unique_by=lambda a: a % n).map(tuple)
    return shape, draw(st.one_of(st.none(), single, several))


def torch_over(fn, axis, keepdims, ndim):
    """fn(x, dim=-1) over `axis` in torch: the reduced dims moved last and flattened into one."""

    def reduce(x):
        axes = sorted(range(ndim) if axis is None else {a % ndim for a in np.atleast_1d(axis)})
        kept = [d for d in range(ndim) if d not in axes]
        flat = x.reshape(-1) if ndim == 0 else x.permute(*kept, *axes).reshape(*[x.shape[d] for d in kept], -1)
        out = fn(flat)
        return out.reshape([1 if d in axes else x.shape[d] for d in range(ndim)]) if keepdims else out

    return reduce


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape_axis=shape_and_axis(), keepdims=st.booleans())
def test_prod_with_zeros(dtype, data, shape_axis, keepdims):
    shape, axis = shape_axis
    x = data.draw(grid_arrays(shape), label="x")
    torch_fn = torch_over(lambda t: t.prod(dim=-1), axis, keepdims, len(shape))
    check(lambda t: t.prod(axis=axis, keepdims=keepdims), torch_fn, [x], dtype)


@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape_axis=shape_and_axis(min_dims=1), keepdims=st.booleans(), ddof=st.sampled_from([0, 1]))
def test_var_and_std(name, dtype, data, shape_axis, keepdims, ddof):
    shape, axis = shape_axis
    axes = range(len(shape)) if axis is None else np.atleast_1d(axis)
    n = int(np.prod([shape[a] for a in axes]))
    if n <= ddof:
        ddof = 0
    x = data.draw(grid_arrays(shape), label="x")
    dim = tuple(range(len(shape))) if axis is None else axis
    check(
        lambda t: getattr(t, name)(axis=axis, ddof=ddof, keepdims=keepdims),
        lambda t: getattr(torch, name)(t, dim=dim, correction=ddof, keepdim=keepdims),
        [x],
        dtype,
    )


@pytest.mark.parametrize("order", [1, 2, np.inf])
@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape_axis=shape_and_axis(), keepdims=st.booleans())
def test_norm(order, dtype, data, shape_axis, keepdims):
    shape, axis = shape_axis
    x = data.draw(grid_arrays(shape), label="x")
    at_zero_vector = order == 2 and bool(np.any(np.linalg.vector_norm(x, axis=axis) == 0))
    check(
        lambda t: t.norm(order, axis=axis, keepdims=keepdims),
        lambda t: torch.linalg.vector_norm(t, ord=order, dim=axis, keepdim=keepdims),
        [x],
        dtype,
        second=not at_zero_vector,  # torch's is NaN there: test_norm_at_the_zero_vector
    )


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape=shapes(0, 3, 4))
def test_running_sums_and_products(name, dtype, data, shape):
    axis = data.draw(st.none() | st.integers(-max(len(shape), 1), max(len(shape), 1) - 1), label="axis")
    x = data.draw(grid_arrays(shape), label="x")

    def torch_fn(t):
        t = t.reshape(-1) if axis is None else t
        return getattr(t, name)(dim=0 if axis is None else axis)

    check(lambda t: getattr(t, name)(axis=axis), torch_fn, [x], dtype)


@pytest.mark.parametrize("name", ["argmax", "argmin", "any", "all"])
@given(data=st.data(), shape=shapes(1, 3, 4), keepdims=st.booleans())
def test_constant_reductions_match_numpy_and_torch(name, data, shape, keepdims):
    """First occurrence at ties, as both; the results are constants (no graph, no gradient)."""
    axis = data.draw(st.none() | st.integers(-len(shape), len(shape) - 1), label="axis")
    x = data.draw(grid_arrays(shape), label="x")
    out = getattr(Tensor(x, requires_grad=True), name)(axis=axis, keepdims=keepdims)
    expected = getattr(np, name)(x, axis=axis, keepdims=keepdims)
    assert out.dtype == expected.dtype and out.shape == expected.shape and not out.requires_grad
    assert np.array_equal(out.data, expected)
    t = torch.from_numpy(x)
    torch_out = getattr(t, name)() if axis is None else getattr(t, name)(dim=axis, keepdim=keepdims)
    if axis is None and keepdims:
        torch_out = torch_out.reshape((1,) * len(shape))
    assert np.array_equal(out.data, torch_out.numpy())


# ---- the edges, one by one against torch ----

EDGES = {
    "prod, one zero": (lambda t: t.prod(), lambda t: t.prod(), [[2.0, 0.0, -3.0]]),
    "prod, two zeros": (lambda t: t.prod(), lambda t: t.prod(), [[2.0, 0.0, -3.0, 0.0]]),
    "prod, all zeros": (lambda t: t.prod(axis=0), lambda t: t.prod(dim=0), [[[0.0, 0.0], [0.0, 1.0]]]),
    "cumprod, zeros": (lambda t: t.cumprod(0), lambda t: t.cumprod(0), [[1.5, 0.0, 2.0, 0.0, -1.0]]),
    "cumprod, a zero first": (lambda t: t.cumprod(0), lambda t: t.cumprod(0), [[0.0, 2.0, -3.0]]),
    "norm 1 at zeros": (lambda t: t.norm(1), lambda t: torch.linalg.vector_norm(t, 1), [[0.0, -2.0, 0.0]]),
    "norm inf, ties": (
        lambda t: t.norm(np.inf),
        lambda t: torch.linalg.vector_norm(t, float("inf")),
        [[2.0, -2.0, 1.0]],
    ),
    "norm inf at the zero vector": (
        lambda t: t.norm(np.inf),
        lambda t: torch.linalg.vector_norm(t, float("inf")),
        [[0.0, 0.0]],
    ),
    "std of a constant": (lambda t: t.std(axis=1), lambda t: t.std(dim=1, correction=0), [[[1.5] * 3, [0.0, 1, 2]]]),
    "var of a constant": (lambda t: t.var(ddof=1), lambda t: t.var(), [[2.0, 2.0]]),
    "cumprod, a second derivative that cancels (float32)": (
        lambda t: t.cumprod(),
        lambda t: t.reshape(-1).cumprod(0),
        [[[-1.5] * 4, [-0.25] + [-1.5] * 3, [-1.5] * 4, [-1.5] * 4]],
    ),
    "a 0-d tensor": (lambda t: t.prod() + t.norm() + t.cumsum(0).sum(), lambda t: t.prod() + t.norm() + t, [1.5]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("edge", EDGES)
def test_edges_against_torch(edge, dtype):
    chain, torch_fn, inputs = EDGES[edge]
    check(chain, torch_fn, inputs, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_norm_at_the_zero_vector(dtype):
    """The 2-norm's gradient at the zero vector is 0, as PyTorch's. It has no Hessian there: ours is
    0 too (the derivative of that 0), where PyTorch's is NaN (0 * inf inside its formula)."""
    x = [[0.0, 0.0], [3.0, 4.0]]
    check(lambda t: t.norm(axis=1), lambda t: t.norm(dim=1), [x], dtype, second=False)
    hvp = grad(lambda t: (grad(lambda u: u.norm(axis=1).sum())(t) * np.array([[1.0, -2.0], [0.5, 1.0]])).sum())
    assert np.all(hvp(np.array(x, dtype=dtype))[0] == 0)


def test_product_gradients_at_zeros_are_exact():
    x = Tensor([3.0, 0.0, 2.0, -1.0], dtype=np.float64, requires_grad=True)
    x.prod().backward()
    assert x.grad.tolist() == [0.0, -6.0, 0.0, 0.0]
    y = Tensor([[0.0, 2.0, 0.0]], dtype=np.float64, requires_grad=True)
    y.prod(axis=1).backward(np.ones(1))
    assert y.grad.tolist() == [[0.0, 0.0, 0.0]]


def test_product_gradients_where_the_product_underflows_or_overflows():
    """out / x would be 0 / x or inf / x there: the products of the others are formed instead."""
    tiny = Tensor([1e-200, 1e-200, 2.0], dtype=np.float64, requires_grad=True)  # 2e-400 underflows
    tiny.prod().backward()
    assert tiny.grad.tolist() == [2e-200, 2e-200, 0.0]
    huge = Tensor([1e200, 1e200, 0.5], dtype=np.float64, requires_grad=True)  # 5e399 overflows
    with np.errstate(over="ignore", invalid="ignore"):  # inf products, and 0 · inf where they are masked
        huge.cumprod(0).backward(np.array([0.0, 0.0, 1.0]))
    assert huge.grad.tolist() == [5e199, 5e199, np.inf]


def test_product_gradients_where_the_gradient_times_the_product_underflows():
    """A small g times a small product underflows (1e-200 · 1e-200), the answer g · out / x need not:
    hypothesis found t · prod(t) at t = 9.8e-224 sending back 0 for 9.8e-224."""
    x = Tensor([[1e-200, 4.0]], dtype=np.float64, requires_grad=True)
    (x.prod(axis=1) * 1e-200).backward(np.ones(1))
    assert x.grad.tolist() == [[4e-200, 0.0]]  # 1e-200 · 1e-200 is below every float
    y = Tensor([1e-200, 4.0], dtype=np.float64, requires_grad=True)
    y.cumprod(0).backward(np.array([0.0, 1e-200]))
    assert y.grad.tolist() == [4e-200, 0.0]


def _exact_cumprod_gradient(x, g):
    """∂L/∂xᵢ = Σ_{k≥i} g_k Π_{j≤k, j≠i} x_j in rational arithmetic, then rounded once to float32."""
    x, g = ([Fraction(float(v)) for v in np.array(a, np.float32)] for a in (x, g))
    n = len(x)
    sums = [sum(g[k] * math.prod(x[j] for j in range(k + 1) if j != i) for k in range(i, n)) for i in range(n)]
    with np.errstate(over="ignore"):
        return np.array([float(v) if abs(v) < 2**1024 else math.copysign(math.inf, v) for v in sums]).astype(np.float32)


@pytest.mark.parametrize(
    "x, g",
    [
        ([1e38, 0.875, 1.0, -3.0, 0.5], [2.0, 0.4, -2.0, -1.25, 1.5]),  # was +inf at index 1 (torch: -1e37)
        ([1e38, 1.0, -3.0, 0.5], [0.0, -2.0, -1.25, 1.5]),  # was +inf at index 1, where it is -5e37
        ([0.0, 1e38, 2.0, -0.94, 1e30], [-1.0, 1.5, 1.0, -2.0, 0.0]),  # was NaN at index 0, where it is inf
    ],
)
def test_float32_product_gradients_whose_terms_overflow_on_their_way_are_the_rounded_exact_ones(x, g):
    """One term g_k Π x_j past float32's range made another entry's finite gradient inf or NaN: the
    rule now runs in float64 for float32, rounded once, as the forward."""
    t = Tensor(np.array(x, np.float32), requires_grad=True)
    with np.errstate(over="ignore"):  # the entries whose own gradient overflows
        t.cumprod(0).backward(np.array(g, np.float32))
    assert t.grad.dtype == np.float32 and t.grad.tolist() == _exact_cumprod_gradient(x, g).tolist()


def test_a_float32_product_is_rounded_once_as_sum_and_cumprod_are():
    """Rounded at each step, [1e30, 1e30, 1e-30, 2]'s product overflowed to inf (and with a 0, NaN) where
    it is 2e30, the last entry of its cumprod; torch's prod rounds each step too."""
    x = np.array([1e30, 1e30, 1e-30, 2.0], np.float32)
    with np.errstate(over="ignore"):  # cumprod's second entry, 1e60, is beyond float32
        assert Tensor(x).prod().item() == Tensor(x).cumprod(0).data[-1] == np.float32(2e30)
    assert Tensor(np.array([1e30, 1e30, 1e-30, 0.0], np.float32)).prod().item() == 0.0
    t = Tensor(np.array([1e30, 1e20, 0.0, 1e-30], np.float32), requires_grad=True)
    t.prod().backward(np.float32(1e-10))  # the product of the others, 1e20, overflows float32 on its own
    exact = math.prod(Fraction(float(np.float32(v))) for v in (1e30, 1e20, 1e-30, 1e-10))  # 10000000516.1
    assert t.grad.tolist() == [0.0, 0.0, float(np.float32(exact)), 0.0]


@given(x=grid_arrays((4,)))
def test_second_derivatives_of_products_match_finite_differences_at_zeros(x):
    first = grad(lambda t: t.prod() + t.cumprod(0).sum())
    assert gradcheck(lambda t: (first(t) * np.array([1.0, -2.0, 0.5, 3.0])).sum(), [x])


# ---- spellings and errors ----

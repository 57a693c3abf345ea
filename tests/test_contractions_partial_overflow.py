"""matmul, einsum and what is built on them (tensordot, dot, linear, their gradients) where products or
partial sums overflow but the exact result fits the float range: right to rounding (against exact
fractions), inf only where the exact result is beyond it, and numpy's overflow warning only then."""

import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn
from autograd import Tensor

BIG = np.finfo(np.float64).max
EPS = Fraction(float(np.finfo(np.float64).eps))
TINY = Fraction(float(np.finfo(np.float64).smallest_subnormal))

huge = st.floats(1e300, BIG) | st.floats(-BIG, -1e300) | st.floats(-1e3, 1e3) | st.floats(1e-300, 1e-10)


def _close(got: float, exact: Fraction, slack: Fraction) -> None:
    """got is exact to within `slack`; inf where exact is beyond the range (either near its edge)."""
    beyond = Fraction(BIG) + Fraction(2) ** 970
    if abs(exact) - slack >= beyond:
        assert np.isinf(got) and (got > 0) == (exact > 0)
    elif abs(exact) + slack < beyond or np.isfinite(got):
        assert np.isfinite(got), (got, exact)
        assert abs(Fraction(float(got)) - exact) <= slack, (got, float(exact))


def _check_product(a: np.ndarray, b: np.ndarray, got: np.ndarray) -> None:
    """Each entry of got = a @ b (matrices) within a dot product's rounding of the exact one."""
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            terms = [Fraction(x) * Fraction(y) for x, y in zip(a[i], b[:, j])]
            # a dot product's rounding, and its products' below the normal floats (8e-488 is 0)
            slack = (len(terms) + 1) * (EPS * sum(map(abs, terms)) + TINY)
            _close(float(got[i, j]), sum(terms), slack)


def _quiet(f):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # results past the range warn: not the point here
        return f()


@given(st.integers(1, 3), st.integers(1, 5), st.integers(1, 3), st.data())
def test_matmul_and_its_gradients_are_right_where_the_exact_result_fits(m, k, n, data):
    a = np.array(data.draw(st.lists(huge, min_size=m * k, max_size=m * k))).reshape(m, k)
    b = np.array(data.draw(st.lists(huge, min_size=k * n, max_size=k * n))).reshape(k, n)
    g = np.array(data.draw(st.lists(huge, min_size=m * n, max_size=m * n))).reshape(m, n)
    x, w = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    out = _quiet(lambda: x @ w)
    _check_product(a, b, out.data)
    _quiet(lambda: out.backward(g))
    _check_product(g, b.T, x.grad)  # g @ Bᵀ
    _check_product(a.T, g, w.grad)  # Aᵀ @ g


def test_the_example_and_every_shape():
    """[1e308, 1e308, -1e308] @ ones(3) was inf (numpy's and PyTorch's too); vector, matrix, batched, einsum,
    tensordot, dot, linear."""
    v = np.array([1e308, 1e308, -1e308])
    assert (Tensor(v) @ Tensor(np.ones(3))).item() == 1e308
    assert Tensor(v).dot(Tensor(np.ones(3))).item() == 1e308
    assert autograd.einsum("i,i->", Tensor(v), Tensor(np.ones(3))).item() == 1e308
    assert autograd.tensordot(Tensor(v), Tensor(np.ones(3)), 1).item() == 1e308
    batch = Tensor(np.stack([np.stack([v, -v]), np.stack([v, np.ones(3)])]))  # (2, 2, 3)
    np.testing.assert_array_equal((batch @ Tensor(np.ones((2, 3, 1)))).data[..., 0], [[1e308, -1e308], [1e308, 3]])
    np.testing.assert_array_equal((batch @ Tensor(np.ones(3))).data, [[1e308, -1e308], [1e308, 3]])
    np.testing.assert_array_equal((Tensor(np.ones(3)) @ Tensor(np.stack([v, v]).T)).data, [1e308, 1e308])
    out = nn.functional.linear(Tensor(v.reshape(1, 3)), Tensor(np.ones((1, 3))), Tensor(np.array([-1e308])))
    assert out.item() == 0.0
    np.testing.assert_array_equal(autograd.einsum("bij,bj->bi", batch, Tensor(np.ones((2, 3)))).data[1], [1e308, 3])


@pytest.mark.parametrize("dtype, top", [(np.float32, 3e38), (np.float16, 6e4)])
def test_narrower_floats(dtype, top):
    v = np.array([top, top, -top], dtype)
    out = Tensor(v, dtype=dtype) @ Tensor(np.ones(3, dtype), dtype=dtype)
    assert out.dtype == dtype and out.item() == float(dtype(top))
    assert autograd.einsum("i,i->", Tensor(v, dtype=dtype), Tensor(np.ones(3, dtype), dtype=dtype)).item() == float(
        dtype(top)
    )


def test_a_gradient_that_overflows_on_the_way():
    """y = x @ W at x = [1, 0, 0]: x's gradient g @ Wᵀ sums W's rows [1e308, 1e308, -1e308] (was inf)."""
    x = Tensor(np.array([[1.0, 0.0, 0.0]]), requires_grad=True)
    w = Tensor(np.tile([1e308, 1e308, -1e308], (3, 1)), requires_grad=True)
    (x @ w).backward(np.ones((1, 3)))
    np.testing.assert_array_equal(x.grad, [[1e308, 1e308, 1e308]])
    # create_graph: the gradient is itself a recorded matmul
    x.grad = None
    (x @ w).backward(Tensor(np.ones((1, 3))), create_graph=True)
    assert isinstance(x.grad, Tensor)
    np.testing.assert_array_equal(x.grad.data, [[1e308, 1e308, 1e308]])


def test_numpy_warns_only_where_the_result_is_past_the_range():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert (Tensor(np.array([1e308, 1e308, -1e308])) @ Tensor(np.ones(3))).item() == 1e308
        assert Tensor(np.array([1e308, 1e308, -1e308])).sum().item() == 1e308
        x = Tensor(np.array([1e308, 1e308, -1e308]), requires_grad=True)
        x.sum().backward()
    with pytest.warns(RuntimeWarning, match="overflow"):
        assert np.isinf((Tensor(np.array([1e308, 1e308])) @ Tensor(np.ones(2))).item())
    with pytest.warns(RuntimeWarning, match="overflow"):
        assert np.isinf(Tensor(np.array([1e308, 1e308])).sum().item())


def test_infinities_and_nan_among_the_entries_give_what_they_do():
    """inf·1 + 1e308·-1 + 1e308·-1 is inf (whatever order the sum takes); inf - inf is NaN (with numpy's
    warning), as IEEE arithmetic gives them."""
    assert (Tensor(np.array([np.inf, 1e308, 1e308])) @ Tensor(np.array([1.0, -1.0, -1.0]))).item() == np.inf
    assert (Tensor(np.array([np.inf, 1e308, 1e308])) @ Tensor(np.array([-1.0, 1.0, 1.0]))).item() == -np.inf
    with pytest.warns(RuntimeWarning, match="invalid"):
        assert np.isnan((Tensor(np.array([np.inf, -np.inf, 1e308])) @ Tensor(np.ones(3))).item())


def test_an_infinity_times_an_entry_that_scaling_flushes_to_zero_stays_infinite():
    """inf·1e-300 + 1·1e300 is inf (numpy's, PyTorch's); the second try scales [1e-300, 1e300] by 2**-486 (for its
    1e300), 1e-300 to 0, and gave inf·0 = NaN; the first try's inf is kept where the second gives NaN."""
    a, b = np.array([np.inf, 1.0]), np.array([1e-300, 1e300])
    assert (Tensor(a) @ Tensor(b)).item() == np.inf
    assert (Tensor(a[None]) @ Tensor(b[:, None])).data.tolist() == [[np.inf]]
    assert autograd.einsum("i,i->", Tensor(-a), Tensor(b)).item() == -np.inf
    assert (
        Tensor(np.array([np.inf, 1e308, 1e308, -1e308])) @ Tensor(np.array([1e-300, 1e300, 1.0, 1.0]))
    ).item() == np.inf


def test_three_operands_whose_scaled_entries_lose_what_counts_are_refused():
    """a's 1e-300 is the whole answer (1e308·1e308·0 + 1e-300·1·1), but scaled with a's 1e308 it falls below
    the floats; numpy's first try is NaN (1e308·1e308·0): unsure, so refused, not 0."""
    a = Tensor(np.array([[1e308, 1e-300]]))
    b = Tensor(np.array([[1e308, 0.0], [0.0, 1.0]]))
    c = Tensor(np.array([[0.0], [1.0]]))
    with pytest.raises(FloatingPointError, match="einsum"):
        print(autograd.einsum("ij,jk,kl->il", a, b, c))


def test_convolutions_and_their_gradients():
    """conv2d of [1e308, 1e308, -1e308] by a kernel of ones was inf; its weight's gradient (x summed against
    g) and its input's (g summed over the windows, conv_transpose2d's sums) too."""
    x = Tensor(np.array([[[[1e308, 1e308, -1e308]]]]), requires_grad=True)
    w = Tensor(np.ones((1, 1, 1, 3)), requires_grad=True)
    out = nn.functional.conv2d(x, w)
    assert out.item() == 1e308
    point = Tensor(np.ones((1, 1, 1, 1)), requires_grad=True)
    nn.functional.conv2d(x, point).backward(np.ones((1, 1, 1, 3)))
    assert point.grad.item() == 1e308
    z = Tensor(np.zeros((1, 1, 1, 3)), requires_grad=True)
    nn.functional.conv2d(z, w, padding=(0, 2)).backward(np.array([[[[1e308, 1e308, -1e308, 1.0, 1.0]]]]))
    np.testing.assert_array_equal(z.grad, [[[[1e308, 1.0, -1e308 + 2.0]]]])
    with pytest.warns(RuntimeWarning, match="overflow"):  # 1e308 + 1e308 is past the range
        spread = nn.functional.conv_transpose2d(Tensor(np.array([[[[1e308, 1e308, -1e308]]]])), w)
    np.testing.assert_array_equal(spread.data, [[[[1e308, np.inf, 1e308, 0.0, -1e308]]]])


def _overflowing_step(case: str, dtype: type, batch: int) -> tuple:
    """A model, an input and the loss's weight of each output, where one product overflows on the way to a result
    that fits: the output (x @ W), the hidden layer's gradient (g @ W2.T) or the weight's (x.T @ g), each
    big + big - big."""
    big = np.finfo(dtype).max / 1.8
    if case == "output":
        model = nn.Sequential(nn.Linear(3, 1, seed=0, dtype=dtype))
        model[0].W.data[...] = [[big], [big], [-big]]
        return model, np.ones((batch, 3), dtype), 1 / batch  # outputs of big that sum to big
    if case == "hidden gradient":  # h[:, 0] is 0, so the big row of W2 adds nothing forward
        model = nn.Sequential(nn.Linear(2, 3, bias=False, seed=0, dtype=dtype), nn.Linear(3, 3, seed=1, dtype=dtype))
        model[0].W.data[...] = [[0, 1, 1], [0, 1, 1]]
        model[1].W.data[0] = [big, big, -big]
        return model, np.full((batch, 2), 0.25, dtype), 1
    model = nn.Sequential(nn.Linear(2, 1, seed=0, dtype=dtype))
    model[0].W.data[...] = [[0], [1]]
    return model, np.array([[big, 1], [big, 1], [-big, 1]], dtype), 1


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    ("case", "batch"), [("output", 1), ("output", 4), ("hidden gradient", 1), ("hidden gradient", 3), ("weight", 3)]
)
def test_a_compiled_replay_gives_eagers_numbers_and_no_warning(dtype, case, batch):
    """compile's matmul kernel wrote numpy's product into its buffer: its replays gave inf for the output, a hidden
    layer's gradient and a weight's where eager gave 1e308 (float32: 1.9e38), with numpy's overflow warning."""

    def run(compiled):
        model, x, weight = _overflowing_step(case, dtype, batch)

        def step(x):
            model.zero_grad()
            out = model(Tensor(x))
            (out * np.full(out.shape, weight, dtype)).sum().backward()  # a C-contiguous g, as a loss's: the kernel's
            return out

        f = autograd.compile(step, strict=True) if compiled else step
        outs = [f(x).data.copy() for _ in range(4)]
        return [*outs, *(p.grad.copy() for p in model.parameters())]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        eager, replayed = run(False), run(True)
    assert max(np.abs(a).max() for a in eager) > np.finfo(dtype).max / 8  # the example overflows on the way
    for a, b in zip(eager, replayed, strict=True):
        np.testing.assert_array_equal(a, b)

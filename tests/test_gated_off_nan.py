"""gated_off_nan, the rule of relu, clip, hardtanh, relu6 and hardsigmoid: its one read of g and x together (their
dot product) gives what gated(g, unknown_at_nan(factor, x)) gives, its two reads apart, bit for bit, wherever
either holds a NaN or an infinity, where the dot product overflows with every entry finite, and on other layouts."""

import numpy as np
import pytest

from autograd import Tensor
from autograd.rule_functions import gated, gated_off_nan, unknown_at_nan

BIG = {np.float32: 3e38, np.float64: 1e308}


def _cases(dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 5)).astype(dtype)
    g = rng.standard_normal((6, 5)).astype(dtype)
    yield "finite", g, x
    for where, value in [((1, 2), np.nan), ((0, 0), np.inf), ((3, 4), -np.inf)]:
        for into_x in (True, False):
            gg, xx = g.copy(), x.copy()
            (xx if into_x else gg)[where] = value
            yield f"{value} in {'x' if into_x else 'g'}", gg, xx
    gg, xx = g.copy(), x.copy()
    xx[2, 1], gg[2, 1] = np.inf, 0.0  # inf * 0 in the dot product: NaN there, yet g is finite
    yield "inf in x where g is 0", gg, xx
    yield "a dot product past the range", np.full((6, 5), BIG[dtype], dtype), np.full((6, 5), BIG[dtype], dtype)
    yield "x transposed", g, np.ascontiguousarray(x.T).T
    yield "g of another dtype", g.astype(np.float16), x


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_one_read_gives_the_two_reads_bits(dtype):
    for name, g, x in _cases(dtype):
        factor = x > 0
        with np.errstate(invalid="ignore", over="ignore"):
            want = gated(g, unknown_at_nan(factor, x))
            got = gated_off_nan(g, factor, x)
        assert got.dtype == want.dtype, name
        assert np.array_equal(got, want, equal_nan=True), name
        assert np.array_equal(np.signbit(got), np.signbit(want)), name


def test_relu_backward_at_nan_and_inf():
    """relu's gradient through the one read: NaN where x is NaN, 0 where relu is flat whatever g is there."""
    x = Tensor(np.array([[np.nan, -1.0, 2.0, np.inf]]), requires_grad=True)
    x.relu().backward(np.array([[1.0, np.inf, 3.0, 4.0]]))
    assert np.array_equal(x.grad, [[np.nan, 0.0, 3.0, 4.0]], equal_nan=True)


# each op that takes gated_off_nan: how to call it on a Tensor, where it is not flat, and 1 over its slope there
_FLAT_ON_A_PIECE = {
    "relu": (lambda t: t.relu(), lambda x: x > 0, 1.0),
    "relu6": (lambda t: t.relu6(), lambda x: (x > 0) & (x < 6), 1.0),
    "hardtanh": (lambda t: t.hardtanh(), lambda x: (x > -1) & (x < 1), 1.0),
    "hardsigmoid": (lambda t: t.hardsigmoid(), lambda x: (x > -3) & (x < 3), 6.0),
    "clip": (lambda t: t.clip(-0.5, 0.5), lambda x: (x >= -0.5) & (x <= 0.5), 1.0),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(_FLAT_ON_A_PIECE))
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_each_op_of_the_one_read_at_nan_and_inf(name, dtype, layout):
    """Every op whose rule is gated_off_nan, through a plain backward: NaN where x is NaN, 0 where the op is
    flat whatever g holds there (inf, NaN), g times the slope elsewhere (hardsigmoid's: divided by 6); with
    NaN and inf in x or g, and without."""
    call, inside, over = _FLAT_ON_A_PIECE[name]
    rng = np.random.default_rng(1)
    for spoil in ("none", "x", "g", "both"):
        x = (rng.standard_normal((5, 4)) * 4).astype(dtype)
        g = rng.standard_normal((5, 4) if layout == "contiguous" else (4, 5)).astype(dtype)
        if spoil in ("x", "both"):
            x[0, 0], x[1, 1], x[2, 2] = np.nan, np.inf, -np.inf
        if spoil in ("g", "both"):
            g.reshape(-1)[[3, 7, 11]] = [np.nan, np.inf, -np.inf]
        t = Tensor(x, requires_grad=True)
        (call(t) if layout == "contiguous" else call(t.T)).backward(g)
        gx = g if layout == "contiguous" else g.T
        with np.errstate(invalid="ignore"):
            want = np.where(np.isnan(x), np.nan, np.where(inside(x), gx / dtype(over), 0)).astype(dtype)
        assert t.grad.dtype == dtype
        assert np.array_equal(t.grad, want, equal_nan=True), (spoil, t.grad, want)

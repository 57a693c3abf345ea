"""gated_off_nan, the rule of relu, clip, hardtanh, relu6 and hardswish: its one read of g and x together (their
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

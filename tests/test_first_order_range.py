"""First derivatives of the op table's binary ops where a step of the rule left the floats and the derivative did not:
a tiny divisor's −a/b² (−(g/b)·out: g/b overflowed), a float32 tiny base's b·a^(b−1) (a^(b−1) overflowed), and
hypot's x/hypot where hypot itself overflowed (float32's hypot(3e38, 3e38)). Each is within 2 ulps of mpmath's
derivative at the inputs as rounded to the dtype, on Tensor (and Value in float64), with the op taken from the table
by name; the points were found by viz's "on paper" check (a step "came out inf/0") run over every unary and binary
op at subnormals, near 1 and near the largest float of each dtype."""

import warnings

import mpmath as mp
import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, elementwise_grad
from autograd.op_table import TABLE

NAMES = {op.name for op in TABLE}
# each op's partial derivatives on paper, in mpmath
ON_PAPER = {
    "div": lambda a, b, dtype: (1 / b, -a / b**2),
    # b − 1 as the dtype rounds it (every formula's own error, |ln a|·ε: 16 float32 ulps at a = 1e-40)
    "power": lambda a, b, dtype: (b * a ** mp.mpf(float(dtype(b) - dtype(1))), a**b * mp.log(a)),
    "hypot": lambda a, b, dtype: (a / mp.hypot(a, b), b / mp.hypot(a, b)),
}
# (op, dtype, inputs, which input's derivative was wrong, what it was)
CASES = [
    ("div", np.float64, (5e-324, 1e-310), 1, -np.inf),  # −4.94e296
    ("div", np.float32, (1e-45, 1e-40), 1, -np.inf),  # −1.4e35
    ("div", np.float32, (3e-39, 1e-42), 1, -np.inf),  # −3.0e45 overflows on paper too: still −inf
    ("power", np.float32, (1e-45, 1e-45), 0, np.inf),  # 1
    ("power", np.float32, (1e-40, 1e-3), 0, np.inf),  # 9.1e36
    ("hypot", np.float32, (3e38, 3e38), 0, 0.0),  # 0.7071
    ("hypot", np.float32, (3e38, -2e38), 1, 0.0),  # −0.5547
    ("hypot", np.float64, (1.5e308, 1.5e308), 0, 0.0),
    # hypot subnormal, rounded to a few bits: x/hypot was 1 for 0.7071 (PyTorch 2.13's too), 27 ulps off at 1e-310
    ("hypot", np.float64, (5e-324, 5e-324), 0, 1.0),
    ("hypot", np.float64, (1e-310, 1e-310), 0, 0.7071067811865536),
    ("hypot", np.float64, (1e-320, -3e-320), 1, -1.0),  # −0.9487
    ("hypot", np.float32, (1e-45, 1e-45), 0, 1.0),
    ("hypot", np.float32, (1e-40, 3e-40), 0, 0.3162),
]


def _expected(name, dtype, args, which):
    with mp.workdps(60):
        exact = ON_PAPER[name](*(mp.mpf(float(dtype(a))) for a in args), dtype)[which]
    with np.errstate(over="ignore"):
        return dtype(float(exact))


def _ulps(got, expected):
    return abs(
        int(np.asarray(got).view(np.int64 if got.dtype == np.float64 else np.int32))
        - int(np.asarray(expected).view(np.int64 if got.dtype == np.float64 else np.int32))
    )


def _tensor_slope(name, dtype, args, which):
    inputs = [Tensor(np.array([a, 2.0], dtype), requires_grad=True) for a in args]
    getattr(autograd, name)(*inputs).sum().backward()
    return np.asarray(inputs[which].grad)[0]


@pytest.mark.parametrize("name, dtype, args, which, before", CASES)
def test_a_slope_whose_rule_left_the_floats_is_what_it_is_on_paper(name, dtype, args, which, before):
    assert name in NAMES
    expected = _expected(name, dtype, args, which)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # g / b's own overflow, the dividend's slope (inf)
        got = _tensor_slope(name, dtype, args, which)
        on_value = None
        if dtype is np.float64:
            values = [Value(a) for a in args]
            getattr(autograd, name)(*values).backward()
            on_value = np.float64(values[which].grad)
    assert got.dtype == dtype
    for slope in [got] if on_value is None else [got, on_value]:  # Value's hypot is math's, Tensor's numpy's: 1 ulp
        _assert_close(slope, expected, before)


def _assert_close(got, expected, before):
    if np.isinf(expected):
        assert got == expected, (got, before)
    else:
        assert np.isfinite(got) and np.sign(got) == np.sign(expected) and _ulps(got, expected) <= 2, (got, expected)


@pytest.mark.parametrize("dtype, a, b", [(np.float64, 5e-324, 1e-310), (np.float32, 1e-45, 1e-40)])
def test_a_tiny_divisor_s_curvatures_overflow_signed_not_nan(dtype, a, b):
    """2a/b³ and −6a/b⁴ overflow: +inf and −inf, as before the rescaling (a guard: its unused piece, taken at the
    real inputs, made NaN here through 0 · inf); the ordinary entry beside keeps its bits."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        first = elementwise_grad(lambda t: Tensor(np.array([a, 3.0], dtype)) / t)
        second = elementwise_grad(first)
        third = elementwise_grad(second)
        at = Tensor(np.array([b, 3.0], dtype))
        assert [np.asarray(f(at))[0] for f in (second, third)] == [np.inf, -np.inf]
        assert np.asarray(second(at))[1] == np.asarray(second(Tensor(np.array([3.0], dtype))))[0]  # its bits beside


def test_hypot_s_curvature_where_hypot_overflowed_is_on_paper():
    """d²hypot/da² = b²/hypot³ at float32's (3e38, 3e38): 1.18e-39 (a subnormal), not 0 or NaN."""
    share = elementwise_grad(lambda t: autograd.hypot(t, Tensor(np.array([3e38], np.float32))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the forward's own overflow: hypot is inf
        got = np.asarray(elementwise_grad(share)(Tensor(np.array([3e38], np.float32))))[0]
    with mp.workdps(40):
        a = mp.mpf(float(np.float32(3e38)))
        expected = np.float32(float(a**2 / mp.hypot(a, a) ** 3))
    assert got.dtype == np.float32 and abs(int(got.view(np.int32)) - int(expected.view(np.int32))) <= 2


@pytest.mark.parametrize(
    "dtype, x", [(np.float64, 5e-324), (np.float64, 1e-310), (np.float32, 1e-45), (np.float32, 1e-40)]
)
def test_hypot_s_curvature_beside_a_subnormal_origin_is_on_paper_or_overflows_signed(dtype, x):
    """d²hypot/da² = b²/hypot³ and d²hypot/da∂b = −ab/hypot³ at (x, x), 1/(2√2·x) in size: beyond the floats there,
    +inf and −inf (both were NaN, as PyTorch 2.13's: a subnormal hypot's rounding, then inf − inf)."""
    a, b = Tensor(np.array([x], dtype)), Tensor(np.array([x], dtype))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = np.asarray(elementwise_grad(elementwise_grad(lambda t: autograd.hypot(t, b)))(a))[0]
        mixed = np.asarray(elementwise_grad(lambda s: elementwise_grad(lambda t: autograd.hypot(t, s))(a))(b))[0]
    with mp.workdps(40):
        exact = mp.mpf(float(dtype(x)))
        expected = float(exact**2 / mp.hypot(exact, exact) ** 3)
    beyond = expected > float(np.finfo(dtype).max)
    assert got.dtype == dtype and got == (np.inf if beyond else pytest.approx(expected, rel=1e-6))
    assert mixed == (-np.inf if beyond else pytest.approx(-expected, rel=1e-6))


@pytest.mark.parametrize(
    "dtype, a, b, slope", [(np.float64, 5e-324, 1e-310, -4.94e296), (np.float32, 1e-45, 1e-40, -1.4e35)]
)
def test_a_tiny_divisor_s_rescaled_slope_beside_a_zero_dividend_leaves_its_zero(dtype, a, b, slope):
    """div([a, 0], [b, b])'s d/db: the rescaled slope at a, and −0 at 0 (0/b is flat in b; PyTorch 2.13 too), where
    the rescaled entry's array took the product at 0 unmended: inf · 0 made NaN there."""
    divisor = Tensor(np.array([b, b], dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # g / b's own overflow
        (Tensor(np.array([a, 0.0], dtype)) / divisor).sum().backward()
    got = np.asarray(divisor.grad)
    assert got[0] == pytest.approx(slope, rel=1e-3) and got[1] == 0 and np.signbit(got[1])


def test_the_scalar_engine_s_ordinary_division_takes_no_look_for_a_tiny_divisor(monkeypatch):
    """Value's d/db at an ordinary point is a finite float, returned at once: the look for an overflowed g / b (and
    the NaN mending) made div's rule 10% dearer on the scalar engine, where it is the hot op (callgrind)."""
    from autograd import rule_powers

    def looked(*args):
        raise AssertionError("looked for an overflowed g / b at a finite slope")

    monkeypatch.setattr(rule_powers, "_g_over_b_overflowed", looked)
    a, b = Value(3.0), Value(2.0)
    (a / b).backward()
    assert (a.grad, b.grad) == (0.5, -0.75)

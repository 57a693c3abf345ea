"""Rules at extreme magnitudes, against mpmath at 500 bits: where the gradient is a normal float64,
a rule must not round an intermediate to 0 or inf on the way. Rules mostly form their local
derivative first and multiply g by it last, so g's size never enters a product that the answer
does not need (g · out underflows at 1e-300 · 1e-50 where the answer is 1e-250); where the
derivative itself can overflow, a bounded factor of g comes first (div: -(g / b) · out), so float16
and a g of 0 stay right. Cases from a scan of every op over 1e-310..1e308 and g from 5e-324
to 1.7e308; where the derivative itself under- or overflows, g cannot help it and it is not here.
"""

import math

import numpy as np
import pytest
from mpmath_ulps import held_precision

import autograd as ag
from autograd import Tensor, Value

mp = pytest.importorskip("mpmath")  # installed with the reference extra (torch's sympy)
_mpmath_at_500_bits = held_precision(bits=500)
TINY = np.finfo(np.float64).tiny


def _div(a, b):
    return 1 / b, -a / b**2


def _power(a, b):
    return b * a ** (b - 1), a**b * mp.log(a)


def _hypot(a, b):
    return a / mp.hypot(a, b), b / mp.hypot(a, b)


def _log10(x):
    return (1 / (x * mp.log(10)),)


# name: (function on nodes, its derivatives in mpmath, inputs, g); both engines where a Value has it
ELEMENTWISE = {
    "div, the divisor (g·out underflows)": (ag.div, _div, (-1e-150, -1e-100), 1e-300),
    "div, the divisor (g·out overflows)": (ag.div, _div, (-1e300, -1e200), 1e300),
    "power, the base (g·b underflows)": (ag.power, _power, (1e-300,) * 2, 1e-300),
    "power, the exponent (g·out overflows)": (ag.power, _power, (2.0, 0.5), 1.7e308),
    "x ** 2 (g·2 overflows)": (lambda x: x**2, lambda x: (2 * x,), (-0.5,), 1.7e308),
    "sqrt (g·0.5 underflows)": (ag.sqrt, lambda x: (1 / (2 * mp.sqrt(x)),), (5e-324,), 5e-324),
    "hypot near 0": (ag.hypot, _hypot, (1e-100, 1e-100), 1e-300),
    "hypot far out": (ag.hypot, _hypot, (1e300, 1e300), 1e100),
    "atan2 (g·b underflows)": (
        ag.atan2,
        lambda a, b: (b / (a * a + b * b), -a / (a * a + b * b)),
        (-1e-100, -1e-150),
        1e-300,
    ),
    "asinh (x² + 1 overflows)": (ag.asinh, lambda x: (1 / mp.sqrt(x * x + 1),), (1e300,), 1.0),
    "acosh (x² - 1 overflows)": (ag.acosh, lambda x: (1 / mp.sqrt(x * x - 1),), (1e160,), 1.0),
    "erf (g·2/√π overflows)": (ag.erf, lambda x: (2 / mp.sqrt(mp.pi) * mp.exp(-x * x),), (-20.0,), 1.7e308),
    "erfc (g·2/√π overflows)": (ag.erfc, lambda x: (-2 / mp.sqrt(mp.pi) * mp.exp(-x * x),), (-20.0,), 1.7e308),
    "exp2 (g·out overflows)": (ag.exp2, lambda x: (2**x * mp.log(2),), (0.5,), 1.7e308),
    "expm1 (out + 1 cancels)": (ag.expm1, lambda x: (mp.exp(x),), (-700.0,), 1.0),
    "log2 at a subnormal (x·ln 2 drops bits)": (ag.log2, lambda x: (1 / (x * mp.log(2)),), (1e-320,), 1e-320),
    "log10 near the largest float (x·ln 10 overflows)": (ag.log10, _log10, (1.7e308,), 1e20),
}

# name: (function on a Tensor, its gradient in mpmath given the entries, x, g)
REDUCTIONS = {
    "prod (g·out underflows)": (lambda t: t.prod(), lambda x: [x[1], x[0]], [1e-100, 1e-100], 1e-200),
    "cumprod (g·out underflows)": (lambda t: t.cumprod(0)[1], lambda x: [x[1], x[0]], [1e-100, 1e-100], 1e-200),
    "cumprod (the sum overflows)": (lambda t: t.cumprod(0).sum(), lambda x: [1 + x[1], x[0]], [1e308, 1.0], 1.0),
    "var (g·(x - mean) overflows)": (
        lambda t: t.var(),
        lambda x: [2 * (v - sum(x) / len(x)) / len(x) for v in x],
        list(np.linspace(-1e3, 1e3, 1000)),
        1e306,
    ),
    "std (g / std underflows)": (lambda t: t.std(), lambda x: [-mp.mpf(1) / 2, mp.mpf(1) / 2], [0.0, 1e70], 1e-300),
    "std (g / std overflows)": (lambda t: t.std(), lambda x: [-mp.mpf(1) / 2, mp.mpf(1) / 2], [0.0, 1e-70], 1e307),
    "norm (g / norm overflows)": (lambda t: t.norm(), lambda x: [1, 0], [1e-70, 0.0], 1e300),
    "norm (g / norm underflows)": (lambda t: t.norm(), lambda x: [1 / mp.sqrt(2)] * 2, [1e70, 1e70], 1e-300),
    # the softmax family where one entry's softmax is near 1 (1 - s cancels) or the logits are large
    "cross_entropy at its confident label": (
        lambda t: ag.cross_entropy(t.reshape(1, 2), np.array([0])),
        lambda x: [-_others(x), _others(x)],
        [50.0, 0.0],
        1.0,
    ),
    "softmax at its largest entry": (
        lambda t: (t.softmax(axis=0) * np.array([1.0, 0.0])).sum(),
        lambda x: [_others(x) * (1 - _others(x)), -_others(x) * (1 - _others(x))],
        [50.0, 0.0],
        1.0,
    ),
    "log_softmax at its largest entry": (
        lambda t: (t.log_softmax(axis=0) * np.array([1.0, 0.0])).sum(),
        lambda x: [_others(x), -_others(x)],
        [50.0, 0.0],
        1.0,
    ),
    "logsumexp of large logits": (
        lambda t: t.logsumexp(axis=0),
        lambda x: [1 / (1 + mp.e), mp.e / (1 + mp.e)],
        [1e12, 1e12 + 1],
        1.0,
    ),
}


def _others(x):
    """softmax(x)[1] of two logits: the share of all but the largest, x[0]."""
    return 1 / (1 + mp.exp(x[0] - x[1]))


def close(got: float, exact) -> bool:
    """Within float64's rounding of a few operations, and the exact value a normal float or 0."""
    assert exact == 0 or TINY <= abs(exact) < np.finfo(np.float64).max, "a gradient that is not a normal float"
    return abs(mp.mpf(got) - exact) <= 1e-13 * abs(exact)


@pytest.mark.parametrize("engine", [Value, Tensor])
@pytest.mark.parametrize("case", ELEMENTWISE)
def test_elementwise_gradients_at_extreme_magnitudes(case, engine):
    fn, derivatives, inputs, g = ELEMENTWISE[case]
    nodes = [engine(x) if engine is Value else Tensor(x, dtype=np.float64, requires_grad=True) for x in inputs]
    fn(*nodes).backward(g if engine is Value else np.float64(g))
    exact = [mp.mpf(g) * d for d in derivatives(*(mp.mpf(x) for x in inputs))]
    assert all(close(float(n.grad), e) for n, e in zip(nodes, exact)), ([float(n.grad) for n in nodes], exact)


@pytest.mark.parametrize("case", REDUCTIONS)
def test_reduction_gradients_at_extreme_magnitudes(case):
    fn, gradient, x, g = REDUCTIONS[case]
    t = Tensor(x, dtype=np.float64, requires_grad=True)
    with np.errstate(over="ignore"):  # the forward of cumprod's sum is inf there; its gradient is not
        fn(t).backward(np.float64(g))
    exact = [mp.mpf(g) * d for d in gradient([mp.mpf(v) for v in x])]
    assert all(close(got, e) for got, e in zip(t.grad.tolist(), exact)), (t.grad.tolist(), exact)


# where the local derivative itself overflows: float16 at ordinary sizes, a g of 0 from a masked entry
# name: (function, inputs, dtype, g, its derivatives in mpmath: the last input's is checked; None: 0 for g = 0)
SMALL_DTYPES = {
    "div's divisor in float16 (a/b² overflows)": (ag.div, (1.0, 0.002), np.float16, 1e-3, _div),
    "div's divisor, a g of 0 (a/b² overflows)": (ag.div, (1.0, 0.003), np.float16, 0.0, None),
    "div's divisor, a g of 0, float64": (ag.div, (1.0, 1e-200), np.float64, 0.0, None),
    "div's divisor, a g of 0 where a/b overflows": (ag.div, (1.0, 1e-320), np.float64, 0.0, None),
    "div's subnormal divisor of a 0 (g / b overflows)": (ag.div, (0.0, 5e-324), np.float64, 1.0, _div),
    "log10 in float16 (g / x overflows)": (ag.log10, (1e-5,), np.float16, 1.0, _log10),
    "log10 at a subnormal (g / x overflows)": (ag.log10, (4e-309,), np.float64, 1.0, _log10),
}


@pytest.mark.parametrize("case", SMALL_DTYPES)
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # a/b's own, and a's gradient g / b
def test_gradients_where_the_local_derivative_overflows(case):
    fn, inputs, dtype, g, derivative = SMALL_DTYPES[case]
    nodes = [Tensor([x], dtype=dtype, requires_grad=True) for x in inputs]
    fn(*nodes).backward(np.array([g], dtype))
    got = nodes[-1].grad[0]
    assert got.dtype == dtype
    if derivative is None:
        assert got == 0, "a g of 0 sends back 0"
    else:  # the exact gradient rounded to the dtype, give or take its last bit
        exact = float(mp.mpf(float(np.asarray(g, dtype))) * derivative(*(mp.mpf(float(n.data[0])) for n in nodes))[-1])
        assert abs(float(got) - exact) <= 2 * float(np.spacing(dtype(exact))), (float(got), exact)


@pytest.mark.parametrize(("a", "b", "g"), [(0.0, 5e-324, 1.0), (1.0, 1e-320, 0.0)])
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_a_values_divisor_gets_0_where_its_gradient_is_0_but_a_factor_overflows(a, b, g):
    """-g·a/b² is 0 at a == 0 or g == 0; g / b or a / b overflowing beside it made NaN (inf · 0)."""
    num, den = Value(a), Value(b)
    (num / den).backward(g)
    assert float(den.grad) == 0


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # 0 / 0 and 1 / 0, the NaNs and infinities meant
def test_div_puts_0_only_where_inf_times_0_made_nan_of_its_divisors_gradient():
    """A NaN divisor's gradient stays NaN (as PyTorch's), and the zeros beside a NaN keep their sign."""
    a = Tensor([0.0, 1.0, 0.0, 0.0], dtype=np.float64, requires_grad=True)
    b = Tensor([np.nan, np.nan, 2.0, 0.0], dtype=np.float64, requires_grad=True)
    (a / b).backward(np.array([1.0, 0.0, 1.0, 1.0]))
    assert np.isnan(b.grad[:2]).all() and np.isnan(b.grad[3])
    assert b.grad[2] == 0 and np.signbit(b.grad[2])  # -(1 / 2) · 0, as without the NaN beside it
    num, den = Value(0.0), Value(math.nan)
    (num / den).backward()
    assert math.isnan(den.grad)


def test_logsumexp_of_a_row_holding_inf_sends_0_to_its_finite_entries():
    """softmax of such a row is NaN throughout; PyTorch sends 0 off the infinity, and so does this."""
    t = Tensor([np.inf, 0.0, 1.0], dtype=np.float64, requires_grad=True)
    with np.errstate(invalid="ignore"):
        t.logsumexp(axis=0).backward()
    assert np.isnan(t.grad[0]) and t.grad[1:].tolist() == [0.0, 0.0]

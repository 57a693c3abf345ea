"""Every partial derivative of a ** b of orders 1-4, in every order of ∂a and ∂b, on both engines, float64 and float32,
against mpmath at 50 digits: at tiny, subnormal and ordinary a (negative a under whole b), b whole, half-whole and
general, and at a = 0 their limits as a → 0⁺. Differentiating the rule's products lost or overflowed terms: at
(1e-300, 2) ∂³/∂b∂a² was −1377.55 for −1378.55 (a^b underflowed beside 1/a²), ∂²/∂b∂a −1.3816e-297 for −1.3806e-297;
∂³/∂a³ at (1e-300, 0) and (1e-300, 1) NaN for 0; third derivatives at a = 0 raised NotImplementedError."""

import itertools
import math

import numpy as np
import pytest
from mpmath_ulps import held_precision, mp
from nested_partials import nested

import autograd
from autograd import Tensor

held = held_precision(dps=50)

# each partial by the inputs it is taken in, in order: (1, 0) is d/da of d/db
PARTIALS = [w for n in (1, 2, 3, 4) for w in itertools.product((0, 1), repeat=n)]
EXPONENTS = [0.0, 1.0, 2.0, 3.0, 0.5, 1.5, 2.5, -1.0, -0.5, 0.7]
# the worst error measured is 62 ulp, ∂⁴/∂a∂b³ at (0.3, 2.5): a^1.5·L²·(2.5·L + 3), L = ln 0.3, whose own condition
# number in a there is ~240 (2.5·L + 3 = −0.01); elsewhere within 8 ulp
ULPS = 64


def _falling(b, n):
    return mp.fprod([b - i for i in range(n)])


def _exact_at(a, b, n, m):
    """∂ⁿ/∂aⁿ ∂ᵐ/∂bᵐ a^b by Leibniz's rule, the falling factorial's derivatives by mpmath's diff."""
    a, b = mp.mpf(a), mp.mpf(b)
    if a < 0:  # only whole b: a polynomial in a, and no real log for m >= 1
        return _falling(b, n) * a ** (b - n) if m == 0 else mp.nan
    terms = (mp.binomial(m, k) * mp.diff(lambda t: _falling(t, n), b, k) * mp.log(a) ** (m - k) for k in range(m + 1))
    return a ** (b - n) * mp.fsum(terms)


def _exact(a, b, which, dtype):
    """The partial as a float of dtype; at a = 0 its limit as a → 0⁺, read off at 10^-(10^4) and 10^-(10^8)."""
    n, m = which.count(0), which.count(1)
    if a == 0 and b == 0 and which == (1, 1):
        return math.nan  # beside d/db's hold (tests/test_power_held_slope_at_zero.py)
    if a == 0:
        near, nearer = (_exact_at(mp.mpf(10) ** -(10**k), b, n, m) for k in (4, 8))
        if nearer == 0:
            return 0.0
        if abs(nearer) > 1e3 * abs(near):
            return math.copysign(math.inf, nearer)
        if abs(nearer) < 1e-3 * abs(near):
            return math.copysign(0.0, nearer)  # a zero approached from one side: its sign is checked
        value = nearer
    else:
        value = _exact_at(a, b, n, m)
    if mp.isnan(value):
        return math.nan
    if abs(value) > np.finfo(dtype).max:
        return math.copysign(math.inf, value)
    return float(np.float64(value).astype(dtype)) if value != 0 else None  # exactly 0: either sign


def _ours(engine, a, b, which, dtype):
    if engine == "value":
        return nested(lambda x, y: x**y, which)(a, b)
    got = nested(lambda x, y: (x**y).sum(), which)(Tensor(np.array([a], dtype)), Tensor(np.array([b], dtype)))
    return float(got[0])


def _ulps(ours, exact, dtype):
    if exact is None:
        return 0.0 if ours == 0 else math.inf
    if math.isnan(exact) or math.isinf(exact) or exact == 0:
        same = math.isnan(ours) if math.isnan(exact) else ours == exact
        return 0.0 if same and math.copysign(1, ours) == math.copysign(1, exact) else math.inf
    unit = max(float(np.spacing(dtype(abs(exact)))), float(np.finfo(dtype).smallest_subnormal))
    return abs(ours - exact) / unit


def _wrong(engine, a, dtype, partials, exponents):
    """The partials off by more than ULPS (a NaN, an infinity or a zero of another sign: any difference)."""
    wrong = []
    with np.errstate(all="ignore"):
        for b, which in itertools.product(exponents, partials):
            a_, b_ = float(dtype(a)), float(dtype(b))
            if a_ < 0 and b_ != int(b_):
                continue
            if engine == "value" and _value_refuses(a_, b_):
                continue
            ours, exact = _ours(engine, a_, b_, which, dtype), _exact(a_, b_, which, dtype)
            if _ulps(ours, exact, dtype) > ULPS:
                wrong.append((b_, which, ours, exact))
    return wrong


def _value_refuses(a, b):
    """A Value's a ** b raises where it is beyond the floats (5e-324 ** −1, 0 ** −1), and so do its d/da's
    a ** (b − 1) at a = 0 under 0 < b < 1, whose value is +inf."""
    try:
        autograd.Value(a) ** b
    except ArithmeticError:
        return True
    return a == 0 and 0 < b < 1


def _first_held_at_zero(partials):
    """d/db alone at a = 0 is held at 0 for b >= 0 (PyTorch's; its limit is −inf at b = 0): not this file's."""
    return [w for w in partials if w != (1,)]


CASES = [("value", np.float64), ("tensor", np.float64)]


@pytest.mark.parametrize(("engine", "dtype"), CASES)
def test_the_reported_third_derivatives_at_a_tiny_base(engine, dtype):
    third = 3 + 2 * math.log(1e-300)  # ∂³(a^b)/∂b∂a² = a^(b−2)·((2b − 1) + b(b − 1)·ln a) at b = 2
    for which in ((1, 0, 0), (0, 1, 0), (0, 0, 1)):
        assert _ours(engine, 1e-300, 2.0, which, dtype) == pytest.approx(third, rel=1e-15)
    with np.errstate(all="ignore"):
        for b in (0.0, 1.0):
            assert _ours(engine, 1e-300, b, (0, 0, 0), dtype) == 0.0


@pytest.mark.parametrize("a", [1e-300, 1e-200, 5e-324, 1e-310, -1e-300])
@pytest.mark.parametrize(("engine", "dtype"), CASES)
def test_every_partial_to_the_third_at_a_tiny_or_subnormal_base(engine, dtype, a):
    assert _wrong(engine, a, dtype, PARTIALS[:14], [0.0, 1.0, 2.0, 0.5, 1.5, -1.0]) == []


@pytest.mark.parametrize("a", [1e-40, 1e-45, -1e-30])
def test_every_partial_to_the_third_at_a_tiny_or_subnormal_float32_base(a):
    assert _wrong("tensor", a, np.float32, PARTIALS[:14], [0.0, 1.0, 2.0, 0.5, 1.5, -1.0]) == []


@pytest.mark.parametrize(("engine", "dtype"), CASES)
def test_every_partial_at_a_zero_base_is_its_limit(engine, dtype):
    """The third and fourth ones raised NotImplementedError where both inputs were differentiated; the mixed second
    ones under 0 < b < 1 were NaN: each is now its limit as a → 0⁺ (6 for ∂³/∂a³ at b = 3, −inf for ∂³/∂a²∂b)."""
    assert _wrong(engine, 0.0, dtype, _first_held_at_zero(PARTIALS), EXPONENTS) == []


def test_every_entry_of_a_tensor_at_a_zero_base_beside_others():
    """One Tensor of bases 0 and 2: the third derivative's entry at 0 is its limit, the other its value."""

    def slope(f):
        return lambda x, y: autograd.grad(lambda x, y: f(x, y).sum(), (0, 1))(x, y)[0]

    third = slope(slope(slope(lambda x, y: x**y)))(Tensor(np.array([0.0, 2.0])), Tensor(np.array([3.0, 3.0])))
    assert list(third) == [6.0, 6.0]


@pytest.mark.slow
@pytest.mark.parametrize("a", [1e-300, 5e-324, 1e-310, 0.3, 2.5, 0.0, -0.7, -1e-300, -2.5])
@pytest.mark.parametrize(("engine", "dtype"), CASES)
def test_every_partial_to_the_fourth(engine, dtype, a):
    partials = _first_held_at_zero(PARTIALS) if a == 0 else PARTIALS
    assert _wrong(engine, a, dtype, partials, EXPONENTS) == []


@pytest.mark.slow
@pytest.mark.parametrize("a", [1e-30, 1e-40, 1e-45, 0.3, 2.5, 0.0, -0.7, -1e-30])
def test_every_float32_partial_to_the_fourth(a):
    partials = _first_held_at_zero(PARTIALS) if a == 0 else PARTIALS
    assert _wrong("tensor", a, np.float32, partials, EXPONENTS) == []


@pytest.mark.parametrize(
    ("point", "which", "expected"),
    [
        ((0.5, math.inf), (1, 0, 0), -0.0),  # a^b flat 0 under an infinite b: a zero signed as pₙ(b)·(ln a)^m
        ((2.0, -math.inf), (1, 0, 0), 0.0),
        ((1.0, 1e300), (1, 0, 0), 2e300),  # ln a = 0 exactly: 2b − 1, where inf · 0 was NaN
        ((math.nan, 2.0), (0, 0, 0), 0.0),  # a polynomial's derivative past its degree: 0 at a NaN base (PyTorch's)
        ((math.inf, 2.0), (0, 0, 0), 0.0),
        ((math.inf, 2.0), (0, 0), 2.0),  # Horner's first step was 0 · ln(inf)
        ((math.nan, 2.0), (1, 0, 0), math.nan),  # ln a of a NaN base stays NaN (it was taken at 1: 3.0)
    ],
)
@pytest.mark.parametrize(("engine", "dtype"), CASES)
def test_the_edge_points_past_the_first_order(engine, dtype, point, which, expected):
    with np.errstate(all="ignore"):
        got = _ours(engine, *point, which, dtype)
    if math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == expected and math.copysign(1, got) == math.copysign(1, expected)

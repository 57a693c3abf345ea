"""i0, i0e, i1, i1e, erfcx, ndtr, log_ndtr and ndtri against mpmath over their ranges (the figures in
docs/edge-points.md), their derivatives of higher order where a closed form divides by 0 or cancels (I₁'s
I₁/x at 0, erfcx' far right, log Φ' far left), and what a Value refuses where a Tensor gives ±inf."""

import math

import numpy as np
import pytest
from cpu_time import cpu_seconds_at_most
from mpmath_ulps import held_precision, nth, ulps

import autograd
from autograd import Tensor, Value
from autograd import bessel_forwards as bessel
from autograd import normal_forwards as normal

mp = pytest.importorskip("mpmath", reason="mpmath (torch's sympy installs it) is the reference of these tests")
_mpmath_at_40_digits = held_precision(dps=40)
RNG = np.random.default_rng(11)


def _signed(lo, hi, k):
    return np.exp(RNG.uniform(lo, hi, k)) * RNG.choice([-1.0, 1.0], k)


def _erfcx(x):
    if x > 1000:  # mpmath's erfc loses its digits this far right: the asymptotic series, 5 terms exact here
        z = 1 / (2 * x * x)
        return (1 - z + 3 * z**2 - 15 * z**3 + 105 * z**4) / (x * mp.sqrt(mp.pi))
    with mp.workdps(80):
        return mp.exp(x * x) * mp.erfc(x)


def _ndtri(p):
    """Newton's method on log Φ(x) = log p at 50 digits (mpmath's erfinv(2p − 1) needed 360 digits at 5e-324 to
    hold 2p − 1 whole: 12 s for these points, now 0.8 s; the two agree to 1e-40)."""
    if p > 0.5:
        return -_ndtri(1 - p)  # exact: p is a float's value
    with mp.workdps(50):
        target, x = mp.log(p), -mp.sqrt(-2 * mp.log(p)) if p < 0.3 else mp.mpf(0)
        for _ in range(100):
            step = (mp.log(mp.ncdf(x)) - target) * mp.ncdf(x) / mp.npdf(x)
            x -= step
            if abs(step) <= mp.mpf(10) ** -45 * abs(x):
                return x
    raise AssertionError(f"no root for {p}")


# name: (our float64 forward, mpmath's, the points, the most ulps measured there)
CASES = {
    "i0": (bessel.tensor_i0, lambda x: mp.besseli(0, x), np.r_[RNG.uniform(-30, 30, 200), _signed(-30, 6.57, 100)], 3),
    "i0e": (
        bessel.tensor_i0e,
        lambda x: mp.exp(-abs(x)) * mp.besseli(0, x),
        np.r_[RNG.uniform(-30, 30, 200), _signed(-30, 30, 100)],
        3,
    ),
    "i1": (bessel.tensor_i1, lambda x: mp.besseli(1, x), np.r_[RNG.uniform(-30, 30, 200), _signed(-30, 6.57, 100)], 3),
    "i1e": (
        bessel.tensor_i1e,
        lambda x: mp.exp(-abs(x)) * mp.besseli(1, x),
        np.r_[RNG.uniform(-30, 30, 200), _signed(-30, 30, 100)],
        3,
    ),
    "erfcx": (normal.tensor_erfcx, _erfcx, np.r_[RNG.uniform(-26, 30, 200), np.exp(RNG.uniform(-20, 300, 100))], 3),
    "ndtr": (normal.tensor_ndtr, mp.ncdf, np.r_[RNG.uniform(-38.5, 8, 200), -np.exp(RNG.uniform(-20, 3.65, 60))], 4),
    "log_ndtr": (
        normal.tensor_log_ndtr,
        lambda x: mp.log1p(-mp.ncdf(-x)) if x > 0 else mp.log(mp.ncdf(x)),
        np.r_[RNG.uniform(-40, 10, 200), -np.exp(RNG.uniform(-20, 300, 60)), np.exp(RNG.uniform(-20, 3.6, 60))],
        4.5,
    ),
    "ndtri": (
        normal.tensor_ndtri,
        _ndtri,
        np.r_[RNG.uniform(0, 1, 200), np.exp(RNG.uniform(-744, 0, 100)), 1 - np.exp(RNG.uniform(-36, 0, 40))],
        3,
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_float64_forward_is_mpmath_s_to_a_few_ulps(name):
    forward, exact, xs, most = CASES[name]
    truth = [exact(mp.mpf(float(x))) for x in xs]
    finite = [abs(r) < 1.7e308 for r in truth]
    ours = forward(xs)[finite]
    assert ulps(ours, [r for r, f in zip(truth, finite) if f], 52, -1074).max() <= most


@pytest.mark.parametrize("name", CASES)
def test_float32_forward_is_rounded_once(name):
    """Computed in float64 and rounded once: within half an ulp of float32 (and a hair: float64's few ulps)."""
    forward, exact, xs, _ = CASES[name]
    xs = xs[np.abs(xs) < 3e38].astype(np.float32)
    if name == "ndtri":
        xs = xs[(xs > 0) & (xs < 1)]  # 0 and 1 once rounded: −inf and inf
    truth = [exact(mp.mpf(float(x))) for x in xs]
    kept = [1.2e-38 < abs(r) < 3.4e38 for r in truth]
    ours = forward(xs)
    assert ours.dtype == np.float32
    assert ulps(ours[kept], [r for r, k in zip(truth, kept) if k], 23, -149).max() <= 0.5001


@pytest.mark.parametrize(
    "name, exact, points",
    [
        ("i1", lambda x: mp.besseli(1, x), [0.0, 0.5, -0.9, 1.0, 3.0, -20.0]),
        ("i0", lambda x: mp.besseli(0, x), [0.0, 0.7, -4.0]),
        ("i1e", lambda x: mp.exp(-abs(x)) * mp.besseli(1, x), [0.4, -0.6, 2.0, -9.0, 29.9, 35.0, -50.0, 1e4]),
        ("i0e", lambda x: mp.exp(-abs(x)) * mp.besseli(0, x), [0.4, -0.6, 2.0, -9.0, 29.9, 35.0, -50.0, 1e4]),
        ("erfcx", lambda x: mp.exp(x * x) * mp.erfc(x), [-3.0, 0.5, 7.9, 8.0, 12.0, 300.0]),
        ("log_ndtr", lambda x: mp.log(mp.ncdf(x)), [-60.0, -3.0, 0.0, 2.0, 9.0]),
    ],
)
@pytest.mark.parametrize("order", [1, 2, 3])
def test_derivatives_of_higher_order_are_mpmath_s_on_both_engines(name, exact, points, order):
    """The third derivative of I₁ at 0 is 3/8: its rule's I₁/x is a series within |x| < 1, not 0/0 patched
    by a constant, whose derivatives would be 0. Within 1e-11; the third derivative of erfcx within 1e-10: its
    closed form 2x·erfcx − 2/√π, differentiated twice more, cancels up to where its series takes over at 8
    (2.1e-11 at 7.9, measured)."""
    f = getattr(autograd, name)
    for x in points:
        with mp.workdps(60):
            truth = float(mp.diff(lambda t: exact(t), mp.mpf(x), order))
        on_value = nth(f, order)(x)
        on_tensor = float(nth(lambda t: f(t).sum(), order)(Tensor(np.array([x])))[0])
        for ours in (float(on_value), on_tensor):
            rel = 1e-10 if name == "erfcx" and order == 3 else 1e-11
            assert ours == pytest.approx(truth, rel=rel, abs=1e-300), (name, x, order, ours, truth)


@pytest.mark.parametrize("order", [1, 2, 3])
def test_ndtri_s_derivatives_of_higher_order(order):
    """1/φ(x), x/φ(x)², (1 + 2x²)/φ(x)³ at x = Φ⁻¹(p) (mpmath's derivatives would step outside (0, 1) at 1e-100)."""
    for p in (1e-100, 0.01, 0.5, 0.97):
        x = _ndtri(mp.mpf(p))
        slope = 1 / mp.npdf(x)
        truth = float([slope, x * slope**2, (1 + 2 * x * x) * slope**3][order - 1])
        on_value = nth(autograd.ndtri, order)(p)
        on_tensor = float(nth(lambda t: autograd.ndtri(t).sum(), order)(Tensor(np.array([p])))[0])
        for ours in (float(on_value), on_tensor):
            assert ours == pytest.approx(truth, rel=1e-11), (p, order, ours, truth)


def test_erfcx_slope_far_right_keeps_its_digits():
    """2x·erfcx(x) − 2/√π agrees with −1/(√π·x²) to nothing at 1e8 (PyTorch's formula: 0 or noise there); the
    asymptotic series from 8 gives it whole."""
    for x in (8.0, 50.0, 1e4, 1e8, 1e150):
        exact = float(2 * x * _erfcx(mp.mpf(x)) - 2 / mp.sqrt(mp.pi)) if x < 1e3 else -1 / (math.sqrt(math.pi) * x * x)
        v = Value(x)
        autograd.erfcx(v).backward()
        assert v.grad == pytest.approx(exact, rel=1e-14)
    t = Tensor(np.array([math.inf, 1e300]), requires_grad=True)
    autograd.erfcx(t).sum().backward()
    assert t.grad.tolist() == [0.0, 0.0]  # its limit, and −1/(√π·x²) underflowed


def test_log_ndtr_slope_at_the_tails():
    """φ/Φ ≈ −x far left, where φ and Φ both underflow; 0 far right, where erfcx(−x/√2) overflows."""
    t = Tensor(np.array([-1e10, -40.0, 40.0, 1e10]), requires_grad=True)
    autograd.log_ndtr(t).sum().backward()
    assert t.grad[0] == pytest.approx(1e10, rel=1e-15) and t.grad[1] == pytest.approx(40.02497, rel=1e-6)
    assert t.grad[2:].tolist() == [0.0, 0.0]
    for x in (-40.0, 40.0):  # a Value too: no OverflowError from erfcx's rule far right
        v = Value(x)
        autograd.log_ndtr(v).backward()
        assert v.grad == float(t.grad[1 if x < 0 else 2])


@pytest.mark.parametrize(
    "name, x, error",
    [
        ("i0", 714.0, OverflowError),
        ("i1", -714.0, OverflowError),
        ("erfcx", -27.0, OverflowError),
        ("log_ndtr", -1e155, OverflowError),
        ("ndtri", 0.0, ValueError),
        ("ndtri", 1.0, ValueError),
        ("ndtri", 1.5, ValueError),
    ],
)
def test_a_value_refuses_what_a_tensor_gives_as_inf_or_nan(name, x, error):
    with pytest.raises(error):
        getattr(autograd, name)(Value(x))
    y = getattr(autograd, name)(Tensor(np.array([x]))).data[0]
    assert math.isinf(y) or (name == "ndtri" and math.isnan(y) and x > 1)


def test_derivatives_where_pytorch_s_overflow_or_cancel():
    """I₀' and I₁' are +inf beyond 713.98 (inf − inf, NaN, in PyTorch's I₀ − I₁/x); log Φ' is about −x far
    left, 1e150 at −1e150 (PyTorch's inf)."""
    t = Tensor(np.array([714.0, -714.0, 1e300]), requires_grad=True)
    autograd.i1(t).backward(np.ones(3))  # not .sum(): inf + (−inf)
    assert t.grad.tolist() == [math.inf] * 3
    t = Tensor(np.array([714.0, -714.0]), requires_grad=True)
    autograd.i0(t).backward(np.ones(2))  # not .sum(): inf + (−inf)
    assert t.grad.tolist() == [math.inf, -math.inf]
    t = Tensor(np.array([-1e150]), requires_grad=True)
    autograd.log_ndtr(t).sum().backward()
    assert t.grad[0] == pytest.approx(1e150, rel=1e-15)


def test_edges_of_the_scaled_and_the_unscaled():
    """I₀ stays finite up to 713.98 (e^x alone overflows from 709.78); the scaled forms are finite everywhere."""
    assert math.isfinite(autograd.i0(713.9)) and math.isfinite(autograd.i1(-713.9))
    assert autograd.i1(-713.9) < 0
    x = np.array([0.0, -0.0, 1e-320, np.inf, -np.inf, np.nan])
    assert autograd.i0e(x).tolist()[:5] == [1.0, 1.0, 1.0, 0.0, 0.0]
    i1e = autograd.i1e(x)
    assert math.copysign(1, i1e[1]) == -1 and i1e[2] == 5e-321 and i1e[3:5].tolist() == [0.0, 0.0]
    assert np.isnan(i1e[5]) and np.isnan(autograd.i0(x)[5])


@pytest.mark.parametrize("name", ["i0", "i0e", "i1", "i1e", "erfcx", "ndtr", "log_ndtr"])
def test_forwards_on_arrays_are_whole_array_numpy(name):
    """1e5 elements in well under a second (a Python loop per element took 0.8 s: 8 s per million)."""
    x = np.random.default_rng(3).uniform(-40.0, 40.0, 100_000)
    forward = getattr(autograd, name)
    with cpu_seconds_at_most(0.3):
        forward(x)


def test_erfcx_overflows_to_inf_where_e_to_the_x_squared_does():
    """From −26.64 to −26.7 e^(x²) overflows before the cancelling x²'s tail is added (inf − inf: NaN; a
    Python OverflowError before): +inf, where erfcx itself is beyond every float, and a Value's refusal."""
    x = np.array([-26.628, -26.64, -26.65, -26.7, -26.71])  # erfcx(−26.629) is 1.823e308
    y = autograd.erfcx(Tensor(x)).data
    assert math.isfinite(y[0]) and y[1:].tolist() == [math.inf] * 4
    with pytest.raises(OverflowError, match="too large"):
        autograd.erfcx(Value(-26.65))


def test_ndtr_is_0_however_far_left():
    """Φ(x) is below the smallest subnormal from −38.5; from −1.3e154 x² held exactly overflows (NaN before)."""
    x = np.array([-40.0, -1e154, -1.4e154, -1e200, -1e300, -np.inf])
    assert autograd.ndtr(Tensor(x)).data.tolist() == [0.0] * 6
    assert autograd.ndtr(Value(-1e200)).data == 0.0


def test_log_ndtr_s_third_derivative_far_left():
    """(log Φ)''' = r'' for r = φ/Φ, about −2/x³ far left: through √(2/π)/erfcx(−x/√2) its second derivative cancels
    to 1/u² of its terms (4e-10 off at −1000, 4e-6 at −1e5, the wrong sign at −1e100); Mills' series −x/Σ
    (−1)ᵏ(2k−1)!!/x²ᵏ, from −10, keeps them. Truth: that series in mpmath at 700 digits."""
    for x in (-10.0, -37.0, -1000.0, -1e5, -1e100):
        with mp.workdps(700):  # x + r is −1/x, and r'' −2/x³: 400 digits cancel at −1e100
            t = mp.mpf(x)
            r = -t / mp.fsum((-1) ** k * mp.fac2(2 * k - 1) / t ** (2 * k) for k in range(30))
            r1 = -r * (t + r)
            exact = [r, r1, -(r1 * (t + r) + r * (1 + r1))]
        for order in (1, 2, 3):
            assert nth(autograd.log_ndtr, order)(x) == pytest.approx(float(exact[order - 1]), rel=1e-13), (x, order)

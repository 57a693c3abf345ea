"""bessel_j0, bessel_j1, bessel_y0, bessel_y1, modified_bessel_k0/k1 and their scaled forms against mpmath: the
float64 forwards in ulps (right up to the zeros of J and Y below 25, where the series about each zero holds their
digits; beyond, in ulps of the envelope √(2/πx), as every closed form's), float32's rounded once, derivatives
of higher order (J₁/x at 0, e^x·(K₀ − K₁) far out), and what a Value refuses where a Tensor gives ±inf or NaN."""

import math

import numpy as np
import pytest
from cpu_time import cpu_seconds_at_most
from mpmath_ulps import held_precision, nth, ulps

import autograd
from autograd import Tensor, Value
from autograd import bessel_jy_forwards as jy
from autograd import bessel_k_forwards as k

mp = pytest.importorskip("mpmath", reason="mpmath (torch's sympy installs it) is the reference of these tests")
_mpmath_at_40_digits = held_precision(dps=40)
RNG = np.random.default_rng(30)
J0_ZEROS = [2.404825557695773, 5.520078110286311, 14.930917708487787, 24.352471530749302]
Y1_ZEROS = [2.197141326031017, 5.429681040794135, 24.33194257135691]


# the default run checks every 5th point (every piece of each forward still has some), the slow run all of them:
# mpmath's Y and K take 5-200 ms a point (K from 10 to 100, Y at 1e300), 30 s for the whole sweep
EVERY = [pytest.param(5, id="every-5th"), pytest.param(1, id="all", marks=pytest.mark.slow)]


def _near(zeros):
    """Points beside each zero, 1e-12 to 1e-3 away on either side."""
    return np.array([z + s * 10.0**e for z in zeros for s in (-1, 1) for e in (-12, -7, -3)])


NEAR_ZERO = np.r_[RNG.uniform(0, 25, 150), np.exp(RNG.uniform(-30, 0, 30))]
K_TAYLOR = np.linspace(1.1, 24.9, 17)  # one in each of e^x·Kₙ's Taylor pieces, 1 to 25 (the random points missed them)
# name: (our float64 forward, mpmath's, points below 25 (or all of K's), the most ulps measured there)
CASES = {
    "bessel_j0": (jy.tensor_j0, lambda x: mp.besselj(0, x), np.r_[NEAR_ZERO, -NEAR_ZERO[:20], _near(J0_ZEROS)], 3),
    "bessel_j1": (
        jy.tensor_j1,
        lambda x: mp.besselj(1, x),
        np.r_[NEAR_ZERO, -NEAR_ZERO[:20], _near([3.8317059702075125, 22.760084380592772])],
        2.5,
    ),
    "bessel_y0": (
        jy.tensor_y0,
        lambda x: mp.bessely(0, x),
        np.r_[NEAR_ZERO, _near([0.8935769662791675, 3.957678419314858])],
        2.5,
    ),
    "bessel_y1": (jy.tensor_y1, lambda x: mp.bessely(1, x), np.r_[NEAR_ZERO, _near(Y1_ZEROS)], 3),
    "modified_bessel_k0": (
        k.tensor_k0,
        lambda x: mp.besselk(0, x),
        np.r_[np.exp(RNG.uniform(-700, 6.6, 200)), K_TAYLOR],
        3.5,
    ),
    "modified_bessel_k1": (
        k.tensor_k1,
        lambda x: mp.besselk(1, x),
        np.r_[np.exp(RNG.uniform(-700, 6.6, 200)), K_TAYLOR],
        4.5,
    ),
    "scaled_modified_bessel_k0": (
        k.tensor_k0e,
        lambda x: mp.exp(x) * mp.besselk(0, x),
        np.r_[np.exp(RNG.uniform(-700, 700, 200)), K_TAYLOR],
        3,
    ),
    "scaled_modified_bessel_k1": (
        k.tensor_k1e,
        lambda x: mp.exp(x) * mp.besselk(1, x),
        np.r_[np.exp(RNG.uniform(-700, 700, 200)), K_TAYLOR],
        3,
    ),
}


def _truth(exact, xs):
    return [exact(mp.mpf(float(x))) for x in xs]


@pytest.mark.parametrize("every", EVERY)
@pytest.mark.parametrize("name", CASES)
def test_float64_forward_is_mpmath_s_to_a_few_ulps(name, every):
    forward, exact, xs, most = CASES[name]
    xs = xs[::every]
    truth = _truth(exact, xs)
    kept = [1e-300 < abs(r) < 1.7e308 for r in truth]  # K₀ and K₁ beyond 745 are 0, below 1e-308 inf
    ours = forward(xs)[kept]
    assert ulps(ours, [r for r, f in zip(truth, kept) if f], 52, -1074).max() <= most


@pytest.mark.parametrize("every", EVERY)
@pytest.mark.parametrize("name", ["bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1"])
def test_beyond_25_within_two_ulps_of_the_envelope(name, every):
    """Hankel's series from 25: P·cos χ − Q·sin χ cancels at each zero, so the error is one of the envelope's size
    √(2/πx) (PyTorch's is up to 1e17 of its ulps at 1e300)."""
    forward, exact, _, _ = CASES[name]
    xs = np.r_[RNG.uniform(25, 60, 40), np.exp(RNG.uniform(4, 690, 40))][::every]
    for x, y in zip(xs, forward(xs)):
        envelope = mp.sqrt(2 / (mp.pi * x)) * mp.mpf(2) ** -52
        assert abs(mp.mpf(float(y)) - exact(mp.mpf(float(x)))) <= 2 * envelope, x


@pytest.mark.parametrize("every", EVERY)
@pytest.mark.parametrize("name", CASES)
def test_float32_forward_is_rounded_once(name, every):
    """Computed in float64 and rounded once: within half an ulp of float32 (and a hair: float64's few ulps)."""
    forward, exact, xs, _ = CASES[name]
    xs = xs[::every][np.abs(xs[::every]) < 3e38].astype(np.float32)
    truth = _truth(exact, xs)
    kept = [1.2e-38 < abs(r) < 3.4e38 for r in truth]
    ours = forward(xs)
    assert ours.dtype == np.float32
    assert ulps(ours[kept], [r for r, f in zip(truth, kept) if f], 23, -149).max() <= 0.5001


def _k_derivative(nu, n, x):
    """Kᵥ⁽ⁿ⁾(x) = (−1/2)ⁿ·Σ C(n, j)·K_|ν−n+2j|(x) (from Kᵥ' = −(Kᵥ₋₁ + Kᵥ₊₁)/2; mpmath's diff of besselk took
    97 s at 300 and 1e4)."""
    return (-0.5) ** n * mp.fsum(mp.binomial(n, j) * mp.besselk(abs(nu - n + 2 * j), x) for j in range(n + 1))


def _scaled_k_derivative(nu, n, x):
    """(e^x·Kᵥ)⁽ⁿ⁾ = e^x·Σ C(n, j)·Kᵥ⁽ʲ⁾(x)."""
    return mp.exp(x) * mp.fsum(mp.binomial(n, j) * _k_derivative(nu, j, x) for j in range(n + 1))


# name: (its nth derivative at x in mpmath, the points)
DERIVATIVES = {
    "bessel_j0": (lambda n, x: mp.besselj(0, x, derivative=n), [0.0, 0.5, -2.4, 7.0, 30.0, -100.0]),
    "bessel_j1": (lambda n, x: mp.besselj(1, x, derivative=n), [0.0, 0.3, -0.9, 1.0, 3.83, 40.0]),
    "bessel_y0": (lambda n, x: mp.bessely(0, x, derivative=n), [0.2, 0.89, 3.0, 26.0, 1e3]),
    "bessel_y1": (lambda n, x: mp.bessely(1, x, derivative=n), [0.2, 2.2, 9.0, 31.0]),
    "modified_bessel_k0": (lambda n, x: _k_derivative(0, n, x), [0.01, 0.9, 2.0, 300.0]),
    "modified_bessel_k1": (lambda n, x: _k_derivative(1, n, x), [0.01, 0.9, 2.0, 300.0]),
    "scaled_modified_bessel_k0": (lambda n, x: _scaled_k_derivative(0, n, x), [0.3, 2.0, 1e4]),
    "scaled_modified_bessel_k1": (lambda n, x: _scaled_k_derivative(1, n, x), [0.3, 2.0, 1e4]),
}
# points where mpmath's K takes 0.1-0.2 s (each third derivative sums ten of them), checked in the slow run only
SLOW_DERIVATIVE_POINTS = {
    "modified_bessel_k0": [20.0],
    "modified_bessel_k1": [20.0],
    "scaled_modified_bessel_k0": [29.9, 35.0],
    "scaled_modified_bessel_k1": [29.9, 35.0],
}


@pytest.mark.parametrize("slow_points", [pytest.param(False, id="quick"), pytest.param(True, marks=pytest.mark.slow)])
@pytest.mark.parametrize("name", DERIVATIVES)
@pytest.mark.parametrize("order", [1, 2, 3])
def test_derivatives_of_higher_order_are_mpmath_s_on_both_engines(name, order, slow_points):
    """J₁'''(0) is −3/8: the rule's J₁/x is a series within |x| < 1, not 0/0. e^x·(K₀ − K₁) is its asymptotic
    series from 30 (its closed form had lost 14 bits at 1e4). Within 1e-11; for J and Y beyond 25, of the
    envelope √(2/πx), the size of the value's own error there."""
    f = getattr(autograd, name)
    exact, points = DERIVATIVES[name]
    for x in SLOW_DERIVATIVE_POINTS.get(name, []) if slow_points else points:
        truth = float(exact(order, mp.mpf(x)))
        on_value = nth(f, order)(x)
        on_tensor = float(nth(lambda t: f(t).sum(), order)(Tensor(np.array([x])))[0])
        for ours in (float(on_value), on_tensor):
            scale = math.sqrt(2 / (math.pi * abs(x))) if name.startswith("bessel") and abs(x) > 25 else 0.0
            assert abs(ours - truth) <= 1e-11 * max(abs(truth), scale, 1e-300), (name, x, order, ours, truth)


@pytest.mark.parametrize("name", ["bessel_y0", "bessel_y1", *(n for n in CASES if "modified" in n)])
def test_a_value_refuses_what_a_tensor_gives_as_inf_or_nan(name):
    """Y and K are defined for x > 0: a Tensor gives ∓inf at ±0 and NaN below (PyTorch's), a Value a ValueError."""
    f = getattr(autograd, name)
    for x in (0.0, -0.0, -1.0, -math.inf):
        with pytest.raises(ValueError, match=f"{name} needs a positive input"):
            f(Value(x))
    y = f(Tensor(np.array([0.0, -0.0, -1.0, math.inf]))).data
    edge = -math.inf if name.startswith("bessel") else math.inf
    assert y[:2].tolist() == [edge, edge] and np.isnan(y[2]) and y[3] == 0.0


def test_limits_and_symmetry_of_j():
    """J₀ even, J₁ odd (−0.0 kept), both 0 at ±inf, their limit (PyTorch's NaN); NaN stays NaN."""
    x = np.array([0.0, -0.0, math.inf, -math.inf, math.nan, -3.0, 3.0])
    j0, j1 = autograd.bessel_j0(x), autograd.bessel_j1(x)
    assert j0[:4].tolist() == [1.0, 1.0, 0.0, 0.0] and j0[5] == j0[6] and np.isnan(j0[4])
    assert math.copysign(1, j1[1]) == -1 and j1[2:4].tolist() == [0.0, 0.0] and j1[5] == -j1[6] and np.isnan(j1[4])


def test_k_underflows_where_it_is_below_every_float_and_the_scaled_form_does_not():
    x = np.array([700.0, 740.0, 745.2, 746.0, 1e300])
    kx = autograd.modified_bessel_k0(x)
    assert kx[0] > 0 and kx[1] > 0 and kx[3:].tolist() == [0.0, 0.0]
    assert kx[1] == pytest.approx(float(mp.besselk(0, 740)), rel=1e-12)  # e^−x as e^(−x/2) twice: not subnormal
    assert autograd.scaled_modified_bessel_k1(x)[-1] == pytest.approx(math.sqrt(math.pi / 2) * 1e-150, rel=1e-15)


@pytest.mark.parametrize("name", CASES)
def test_forwards_on_arrays_are_whole_array_numpy(name):
    """1e5 elements in well under a second (whole-array numpy: no loop per element)."""
    x = np.random.default_rng(3).uniform(0.01, 40.0, 100_000)
    forward = getattr(autograd, name)
    with cpu_seconds_at_most(0.3):
        forward(x)


def test_log_terms_hold_on_subnormals():
    """Y₀ and K₀ are finite at the smallest subnormal (−474, 744.6), Y₁ and K₁ ∓inf: ln(x/2) was ln of a rounded
    x/2 there (0 at 5e-324: Y₀ −inf, Y₁ NaN; 3.9e-4 off at 1.5e-323), now ln x − ln 2 below 1e-300."""
    xs = np.array([5e-324, 1.5e-323, 2.5e-322, 1e-310])
    for name in ("bessel_y0", "modified_bessel_k0", "scaled_modified_bessel_k0"):
        forward, exact, _, _ = CASES[name]
        assert ulps(forward(xs), _truth(exact, xs), 52, -1074).max() <= 2, name
    for name, edge in (
        ("bessel_y1", -math.inf),
        ("modified_bessel_k1", math.inf),
        ("scaled_modified_bessel_k1", math.inf),
    ):
        assert getattr(autograd, name)(xs).tolist() == [edge] * 4, name


def test_wronskians_hold_on_every_piece():
    """J₁·Y₀ − J₀·Y₁ = 2/(πx) and I₀·K₁ + I₁·K₀ = 1/x (e^−x·I times e^x·K: the same), to a few ulps at 4000 points
    from 0 to 1e300: a wrong center, coefficient or bound of any piece of J, Y or K would show (mpmath's sweep
    checks only some points in the default run)."""
    x = np.r_[np.linspace(0.01, 40, 4000), np.exp(RNG.uniform(-30, 690, 1000))]
    j0, j1, y0, y1 = (getattr(autograd, f"bessel_{n}")(x) for n in ("j0", "j1", "y0", "y1"))
    assert np.abs((j1 * y0 - j0 * y1) * (math.pi * x / 2) - 1).max() < 4e-15
    k0, k1 = autograd.scaled_modified_bessel_k0(x), autograd.scaled_modified_bessel_k1(x)
    assert np.abs((autograd.i0e(x) * k1 + autograd.i1e(x) * k0) * x - 1).max() < 4e-15
    small = x[x < 700]
    k0, k1 = autograd.modified_bessel_k0(small), autograd.modified_bessel_k1(small)
    assert np.abs((autograd.i0(small) * k1 + autograd.i1(small) * k0) * small - 1).max() < 4e-15

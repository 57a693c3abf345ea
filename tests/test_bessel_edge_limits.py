"""Every Bessel op's derivatives of orders 0-3 at the edge points (±0, subnormals, huge, ±inf, NaN) on both
engines: the limit there (mpmath's sign of a pole, ±inf where the true value is above every float), never a
NaN a formula's inf − inf or 0 · inf made; and mpmath's numbers beside the pole pieces' bound 1e-20."""

import math
import warnings

import numpy as np
import pytest
from mpmath_ulps import nth
from test_elementwise_bessel_jyk import _k_derivative, _scaled_k_derivative

import autograd
from autograd import Tensor, Value

mp = pytest.importorskip("mpmath", reason="mpmath (torch's sympy installs it) is the reference of these tests")
INF, NAN = math.inf, math.nan
TINY = 5e-324

# name: ((x, (f, f', f'', f''')), ...), the limits (pairs: in a dict 0.0 and −0.0 are one key); a Value gives
# the same wherever its forward gives a number
LIMITS = {
    "i0": ((INF, (INF, INF, INF, INF)), (-INF, (INF, -INF, INF, -INF)), (1e300, (INF, INF, INF, INF))),
    "i1": ((INF, (INF, INF, INF, INF)), (-INF, (-INF, INF, -INF, INF)), (-1e300, (-INF, INF, -INF, INF))),
    # a subnormal x: I₁(x)/x's 1/2 though i1e(x) rounds to 0. At ±0, the kink, the mean of the sides' (the limit
    # they share: i0e''(0) and i1e's third derivative at 0 were 0 and −1/8, |x|'s sign(0) in each derivative)
    "i0e": (
        (TINY, (1.0, -1.0, 1.5, -2.5)),
        (-TINY, (1.0, 1.0, 1.5, 2.5)),
        (0.0, (1.0, -0.0, 1.5, 0.0)),
        (-0.0, (1.0, -0.0, 1.5, 0.0)),
    ),
    # at ±inf and where the slope −|x|^(−3/2)/(2√(2π)) rounds to 0 (1.87e215), zeros signed as the true values
    # (they were +0 at every order)
    "i1e": (
        (TINY, (0.0, 0.5, -1.0, 1.875)),
        (-TINY, (-0.0, 0.5, 1.0, 1.875)),
        (0.0, (0.0, 0.5, 0.0, 1.875)),
        (-0.0, (-0.0, 0.5, 0.0, 1.875)),
        (INF, (0.0, -0.0, 0.0, -0.0)),
        (-INF, (-0.0, -0.0, -0.0, -0.0)),
        (1e216, (None, -0.0, 0.0, -0.0)),
        (-1e300, (None, -0.0, -0.0, -0.0)),
    ),
    "bessel_y0": ((0.0, (-INF, INF, -INF, INF)), (-0.0, (-INF, INF, -INF, INF)), (TINY, (None, INF, -INF, INF))),
    "bessel_y1": ((0.0, (-INF, INF, -INF, INF)), (-0.0, (-INF, INF, -INF, INF)), (TINY, (-INF, INF, -INF, INF))),
    "modified_bessel_k0": ((-0.0, (INF, -INF, INF, -INF)), (TINY, (None, -INF, INF, -INF))),
    "modified_bessel_k1": ((-0.0, (INF, -INF, INF, -INF)), (TINY, (INF, -INF, INF, -INF))),
    # at +inf e^x·Kₙ ~ √(π/2x) falls to 0 with derivatives of alternating sign: ∓0 (the third was +0)
    "scaled_modified_bessel_k0": (
        (0.0, (INF, -INF, INF, -INF)),
        (-0.0, (INF, -INF, INF, -INF)),
        (INF, (0.0, -0.0, 0.0, -0.0)),
    ),
    "scaled_modified_bessel_k1": (
        (0.0, (INF, -INF, INF, -INF)),
        (TINY, (INF, -INF, INF, -INF)),
        (INF, (0.0, -0.0, 0.0, -0.0)),
    ),
}
NAMES = ["i0", "i0e", "i1", "i1e", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1"]
NAMES += ["modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1"]


def _on_tensor(name, order, x):
    f = getattr(autograd, name)
    return (
        float(nth(lambda t: f(t).sum(), order)(Tensor(np.array([x])))[0])
        if order
        else float(f(Tensor(np.array([x]))).data[0])
    )


@pytest.mark.parametrize("name", LIMITS)
def test_each_derivative_is_its_limit_at_the_edge_points_on_both_engines(name):
    """I₁'(±inf) was NaN (the docs said +inf), I₀''(±inf) and I₁''(1e300) too; Y₁'(0), e^x·K₀'(0) NaN (their
    closed forms' inf − inf), K₁'(−0.0) NaN; i0e''(5e-324) 1 (not 3/2), i0e''(0) 0, i1e'(inf) +0. Where the limit
    is ±inf, numpy's overflow or division warning may come with it (the result is above every float), never an
    invalid value's (Y₀''(0) warned of one: mul's rule formed a constant factor's gradient, inf · 0, that nothing
    needed)."""
    f = getattr(autograd, name)
    for x, limits in LIMITS[name]:
        for order, limit in enumerate(limits):
            if limit is None:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("error" if math.isfinite(limit) else "ignore")
                warnings.filterwarnings("error", "invalid value", RuntimeWarning)
                ours = [_on_tensor(name, order, x)]
                # a Value refuses I's overflow (1e300) and Y's and K's x ≤ 0 (test_elementwise_bessel_jyk.py)
                if abs(x) != 1e300 and (x > 0 or name.startswith("i")):
                    ours.append(float(nth(f, order)(x)) if order else float(f(Value(x)).data))
            for got in ours:
                assert got == limit and math.copysign(1, got) == math.copysign(1, limit), (x, order, got)


@pytest.mark.parametrize("name", NAMES)
def test_nan_in_nan_out_at_every_order(name):
    for order in range(4):
        assert math.isnan(_on_tensor(name, order, NAN))


def _exact(name, n, x):
    """The nth derivative in mpmath."""
    if name == "bessel_y1":
        return mp.bessely(1, x, derivative=n)
    nu = 0 if "k0" in name else 1
    return (_scaled_k_derivative if name.startswith("scaled") else _k_derivative)(nu, n, x)


@pytest.mark.parametrize("name", ["bessel_y1", *(n for n in NAMES if "_k" in n)])
def test_beside_the_pole_pieces_bound_mpmath_s_to_a_few_ulps(name):
    """Below 1e-20 a derivative is its pole's leading term (c/x, c/x²): within 4 ulps of mpmath on both sides
    of the bound, at each order."""
    f = getattr(autograd, name)
    with mp.workdps(60):
        for x in (3e-300, 1e-25, 9.9e-21, 1.01e-20, 1e-18):
            for order in (1, 2, 3):
                truth = float(_exact(name, order, mp.mpf(x)))
                if math.isinf(truth):
                    continue
                for ours in (_on_tensor(name, order, x), float(nth(f, order)(x))):
                    assert abs(ours - truth) <= 4 * math.ulp(truth), (x, order, ours, truth)


def test_i_derivatives_are_inf_from_where_i0_overflows_and_mpmath_s_just_below():
    """I₁''(715) and I₀'''(715) were NaN (inf · 0: cosh stood in for I₁' only from |x| = 720, I₀ overflowing from
    713.98690854396826); now ±inf there at every order (I₀' = I₁ is its own forward), and within 4 ulps of mpmath
    just below."""
    for name, nu in (("i0", 0), ("i1", 1)):
        for x in (713.99, 719.999, -715.0):
            for order in (1, 2, 3) if nu else (2, 3):
                got = _on_tensor(name, order, x)
                sign = 1 if x > 0 or (nu + order) % 2 == 0 else -1
                assert got == sign * INF, (name, x, order, got)
        with mp.workdps(40):
            for x in (713.98, 713.9869085439682):
                for order in (1, 2, 3):
                    # Iᵥ⁽ᵏ⁾ = 2⁻ᵏ·Σⱼ C(k, j)·I_(ν−k+2j) (mpmath's derivative= takes seconds here)
                    terms = (math.comb(order, j) * mp.besseli(abs(nu - order + 2 * j), x) for j in range(order + 1))
                    truth = float(mp.fsum(terms) / 2**order)
                    got = _on_tensor(name, order, x)
                    assert abs(got - truth) <= 4 * math.ulp(truth), (name, x, order, got, truth)

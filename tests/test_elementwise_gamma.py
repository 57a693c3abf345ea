"""lgamma, digamma and polygamma against mpmath where PyTorch is no reference (its trigamma is 2.6e-10
relative off in float64), over wide ranges: tiny and huge arguments, negative non-integers, the poles;
their choices at the poles and at ±inf against torch's, with the two departures where torch's number has
no limit behind it; second and third derivatives on both engines; torch's order polygamma(n, x)."""

import math
from typing import Any

import numpy as np
import pytest
from mpmath_ulps import held_precision

import autograd
from autograd import Tensor, Value, grad, gradcheck, lgamma_zeros
from autograd import gamma_forwards as forward

mp = pytest.importorskip("mpmath", reason="mpmath (torch's sympy installs it) is the reference of these tests")
_mpmath_at_40_digits = held_precision(dps=40)
RNG = np.random.default_rng(7)
# where mpmath's ψ⁽ⁿ⁾, n >= 1, is slowest
SLOW = ("tiny", "huge", "(-1e15, -10)")
RANGES = {
    "tiny": 10 ** RNG.uniform(-310, -3, 40),
    "(0, 3)": RNG.uniform(0, 3, 80),
    "near digamma's zero": 1.4616321449683622 + RNG.uniform(-1e-3, 1e-3, 20),
    "(3, 100)": RNG.uniform(3, 100, 60),
    "huge": 10 ** RNG.uniform(2, 300, 30),
    "(-1/2, 0)": -RNG.uniform(0, 0.5, 40),
    "(-10, -1/2)": -RNG.uniform(0.5, 10, 60),
    "(-1e15, -10)": -(10 ** RNG.uniform(1, 15, 30)),
}


def _errors(ours, exact, scale):
    """|ours − exact| in units of the last place of `scale` (both ±inf or both 0: no error)."""
    same = (ours == exact) | (np.isinf(ours) & np.isinf(exact) & (np.sign(ours) == np.sign(exact)))
    with np.errstate(invalid="ignore"):  # inf − inf where both are the same inf: put right by `same`
        return np.where(same, 0.0, np.abs(ours - exact) / np.spacing(np.abs(scale)))


def _exact(f, xs):
    """mpmath's f at xs, and the xs, the poles (whole numbers <= 0) left out."""
    xs = np.array([x for x in xs if x > 0 or x != round(x)])
    return np.array([float(f(mp.mpf(float(x)))) for x in xs]), xs


def _psi(n: int, x: Any) -> Any:
    """mpmath's ψ⁽ⁿ⁾(x); below -10 by reflection, ψ⁽ⁿ⁾(x) = (-1)ⁿ ψ⁽ⁿ⁾(1 - x) - π dⁿ/dxⁿ cot(πx), each side
    mpmath's at 40 digits: its ψ⁽ⁿ⁾ of n >= 1 recurs up from x one step at a time, which at -1e15 never ends."""
    if x > -10:
        return mp.psi(n, x)
    return (-1) ** n * mp.psi(n, 1 - x) - mp.pi * mp.diff(lambda t: mp.cot(mp.pi * t), x, n)


@pytest.mark.parametrize("where", RANGES)
def test_lgamma_is_mpmath_s_to_a_few_units_in_the_last_place(where):
    """Within 4 ulp (at its minimum, 1.4616, lgamma(x + 1) − log x cancelled by 3, 5 ulp at 1.4616581521340066:
    now a series there); below −1/2 within 10 (10 at −2.605, between the two zeros of (−3, −2), where
    |lgamma| < 0.12: the reflection there was 408 ulp off)."""
    exact, xs = _exact(lambda x: mp.log(abs(mp.gamma(x))), RANGES[where])
    assert _errors(forward.lgamma(xs), exact, exact).max() <= (10 if where == "(-10, -1/2)" else 4)


def test_lgamma_about_its_minimum_is_within_1_ulp():
    """Over [1.2, 1.75), the series about its minimum x₀: lgamma(x + 1) − log x and the series about 2 were up to
    7 ulp off (at 1.4794457093256557), their terms cancelling by up to 3."""
    xs = np.concatenate(
        [np.random.default_rng(52).uniform(1.2, 1.75, 150), 1.4616321449683622 + np.spacing(1.5) * np.arange(-3, 4)]
    )
    xs = np.append(xs, [1.4794457093256557, 1.4616581521340066, 1.2, np.nextafter(1.75, 0)])
    exact, xs = _exact(lambda x: mp.log(abs(mp.gamma(x))), xs)
    assert _errors(forward.lgamma(xs), exact, exact).max() <= 1


def test_the_series_about_x0_are_mpmath_s():
    """ψ's zero x₀ (two doubles, their sum to 1e-32), lgamma(x₀) (two doubles) and ψ⁽ᵏ⁾(x₀)/k!, ψ's Taylor
    coefficients there (lgamma's are them over k + 1), each the double nearest mpmath's."""
    with mp.workdps(50):
        x0 = mp.findroot(lambda x: mp.psi(0, x), 1.46)
        assert abs(forward._ROOT + mp.mpf(forward._ROOT_REST) - x0) < mp.mpf(1e-32)
        minimum = mp.loggamma(x0)
        assert (forward._MINIMUM, forward._MINIMUM_REST) == (float(minimum), float(minimum - float(minimum)))
        expected = [float(mp.psi(k, x0) / mp.factorial(k)) for k in range(1, len(forward._AT_ROOT) + 1)]
    assert list(forward._AT_ROOT) == expected


def _near_lgamma_s_zeros() -> np.ndarray:
    """Points at and around each zero of lgamma in (−30, −2) (one in each half of (m − 1/2, m + 1/2), m <= −2,
    but m = −2's upper half): the nearest doubles, a few ulp off, and a tenth to nine tenths of the way to
    the pole (for a zero nearer the pole than any double, the doubles next to the pole)."""
    points = []
    for row, (r0, _) in enumerate(lgamma_zeros._ZEROS):
        m = -(row // 2 + 2)
        if row == 1 or m < -29:
            continue
        x0 = m + r0
        if x0 == m:
            points += list(m - np.sign(row % 2 - 0.5) * np.spacing(float(m)) * np.array([-1, -3, -100]))
        else:
            points += list(x0 + np.spacing(x0) * np.array([-30, -3, -1, 0, 1, 3, 30]))
            points += list(x0 - r0 * np.array([-0.3, 0.1, 0.9]))
    return np.array(points)


def test_lgamma_near_its_negative_zeros_is_within_5_ulp_of_itself():
    """log(π/|sin πx|) and lgamma(1 − x), each up to 60, cancelled there (lgamma(−2.4570247382208006) =
    5.6e-17 came out 2.2e-16, 1.3e16 ulp off); torch's (glibc's) is within 1."""
    exact, xs = _exact(lambda x: mp.log(abs(mp.gamma(x))), _near_lgamma_s_zeros())
    assert _errors(forward.lgamma(xs), exact, exact).max() <= 5


@pytest.mark.parametrize("n", [0, 1, 2, 3])
@pytest.mark.parametrize("where", RANGES)
def test_polygamma_is_mpmath_s_to_a_few_units_in_the_last_place(n, where):
    """x > 0: within 3 ulp (digamma too near its zero, where the recurrence alone was 1759 ulp off: a Taylor
    series there). Below 0, by reflection, within 6 ulp of max(|ψ⁽ⁿ⁾(x)|, 1): the terms cancel near ψ⁽ⁿ⁾'s
    zeros (104 ulp of ψ''(−0.49) = 1e-3)."""
    xs = RANGES[where][: 30 if not n else 4 if where in SLOW else 6]  # mpmath takes up to seconds a point
    exact, xs = _exact(lambda x: _psi(n, x), xs)
    negative = where.startswith("(-")
    scale = np.maximum(np.abs(exact), 1.0) if negative else exact
    assert _errors(forward.polygamma(n, xs), exact, scale).max() <= (6 if negative else 3)


def test_higher_orders_keep_their_digits_where_n_factorial_and_the_power_leave_the_range():
    """n!/yⁿ⁺¹ by mantissa and exponent apart: 100!/(1e4)¹⁰¹ is 9e-245 where 1e4⁻¹⁰¹ alone underflows."""
    for n, x in [(10, 0.3), (40, 2.5), (100, 1e4), (160, 50.0), (5, 1e-60), (4, 1e70)]:
        exact = float(mp.psi(n, mp.mpf(x)))
        assert _errors(forward.polygamma(n, np.array([x])), np.array([exact]), np.array([exact]))[0] <= 4, (n, x)


def test_poles_and_infinities_are_torch_s_but_where_torch_has_no_limit_behind_its_number():
    torch = pytest.importorskip("torch")
    points = np.array([0.0, -0.0, -1.0, -2.0, -7.0, np.inf, -np.inf, np.nan, 5e-324, -1e300, 1e308])
    t = torch.from_numpy(points)
    np.testing.assert_array_equal(forward.lgamma(points), torch.lgamma(t).numpy())
    np.testing.assert_array_equal(forward.polygamma(0, points), torch.digamma(t).numpy())
    np.testing.assert_array_equal(
        forward.polygamma(1, points[[0, 1, 5, 6, 7, 8]]), [np.inf, np.inf, 0, np.nan, np.nan, np.inf]
    )
    assert torch.polygamma(1, t[2:3]).item() == pytest.approx(6.58e32, rel=1e-2)  # torch's: finite at a pole
    # even n: −inf from the right of 0, +inf from the left, NaN at −1 (the two sides differ); torch: −inf at all
    np.testing.assert_array_equal(forward.polygamma(2, points[:3]), [-np.inf, np.inf, np.nan])
    assert torch.polygamma(2, t[:3]).tolist() == [-np.inf] * 3
    # ±0 at +inf (ψ⁽ⁿ⁾ → 0 with the sign of (−1)ⁿ⁺¹); torch's NaN from n = 2
    assert [math.copysign(1, forward.polygamma(n, np.array([np.inf]))[0]) for n in (1, 2, 3)] == [1, -1, 1]
    assert math.isnan(torch.polygamma(2, torch.tensor([np.inf], dtype=torch.float64)).item())


@pytest.mark.parametrize("name", ["lgamma", "digamma", "polygamma"])
def test_a_value_refuses_a_pole_a_tensor_gives_torch_s_inf_or_nan(name):
    with pytest.raises(ValueError, match=f"{name}.*pole at each integer <= 0"):
        getattr(autograd, name)(Value(-3.0))
    with pytest.raises(ValueError, match=name):
        getattr(autograd, name)(Value(0.0))
    assert np.isinf(getattr(autograd, name)(Tensor(np.array([0.0]))).data[0])


def test_derivatives_of_every_order_are_the_next_polygamma_on_both_engines():
    x = 0.7
    assert grad(autograd.lgamma)(x) == forward.polygamma(0, np.float64(x))
    assert grad(grad(autograd.lgamma))(x) == forward.polygamma(1, np.float64(x))
    assert grad(grad(grad(autograd.digamma)))(x) == forward.polygamma(3, np.float64(x))
    t = Tensor(np.array([0.3, 2.5, -1.5]), requires_grad=True, dtype=np.float64)
    (g,) = autograd.gradients(t.polygamma(2).sum(), [t], create_graph=True)
    (h,) = autograd.gradients(g.sum(), [t])
    np.testing.assert_array_equal(h, forward.polygamma(4, t.data))
    for f in (autograd.lgamma, autograd.digamma, lambda v: autograd.polygamma(v, n=3)):
        assert gradcheck(grad(f), [1.3]) and gradcheck(grad(f), [-2.4])


def test_polygamma_takes_torch_s_order_and_refuses_an_n_that_is_not_a_whole_number():
    t = Tensor(np.array([0.5, 4.0]), dtype=np.float64)
    np.testing.assert_array_equal(autograd.polygamma(2, t).data, autograd.polygamma(t, n=2).data)
    np.testing.assert_array_equal(autograd.polygamma(2, t).data, t.polygamma(2).data)
    assert autograd.polygamma(3, 1.5) == forward.polygamma(3, np.float64(1.5))
    with pytest.raises(TypeError, match=r"polygamma\(n, input\), PyTorch's order: n must be an int"):
        autograd.polygamma(t, 2)
    for n in (1.5, -1, 161):
        with pytest.raises(ValueError, match="polygamma: n must be a whole number from 0 to 160"):
            t.polygamma(n)


def test_float32_is_computed_in_float64_and_rounded_once():
    x = np.float32(RNG.uniform(0.1, 20, 50))
    for f, exact in (
        (forward.lgamma, lambda v: mp.log(mp.gamma(v))),
        (lambda a: forward.polygamma(1, a), lambda v: mp.psi(1, v)),
    ):
        out = f(x)
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out, np.float32([float(exact(mp.mpf(float(v)))) for v in x]))


def test_polygamma_just_below_zero_is_its_pole_s_limit():
    """ψ⁽ⁿ⁾(x) ~ n!/|x|ⁿ⁺¹ (+inf) as x rises to 0: at x = −5e-324 and −1e-310 it was NaN for every n (the reflection's
    cot overflowed, and a polynomial's 0 · inf), and so was lgamma's gradient there; now +inf, as PyTorch's."""
    x = np.array([-5e-324, -1e-310])
    for n in range(4):
        assert forward.polygamma(n, x).tolist() == [math.inf, math.inf]
    slope = Tensor(x, requires_grad=True)
    with np.errstate(all="ignore"):
        autograd.lgamma(slope).sum().backward()
    assert slope.grad.tolist() == [math.inf, math.inf]

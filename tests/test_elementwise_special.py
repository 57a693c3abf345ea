"""The special functions of the op table where PyTorch is no reference: against mpmath, erfinv over (-1, 1)
to its tails, logit near 1/2 and sinc's derivative near 0 (where torch's cancel); and their second
derivatives on both engines against mpmath (the PyTorch tests compare them at random points)."""

import math

import mpmath
import numpy as np
import pytest
from mpmath_ulps import held_precision

import autograd
from autograd import Tensor, Value, elementwise_grad, grad

_mpmath_at_40_digits = held_precision(dps=40)


def _ulps(actual, exact):
    return abs(mpmath.mpf(actual) - exact) / math.ulp(float(exact))


ERFINV_POINTS = (
    [k / 64 for k in range(-63, 64)]
    + [s * (1 - 2.0**-k) for k in range(2, 54) for s in (1, -1)]
    + [10.0**-k for k in range(1, 308, 11)]
    + [0.5 + 1e-12, 0.5 - 1e-12]
)


def test_erfinv_is_within_a_few_ulps_of_mpmath_to_its_tails():
    worst = max(_ulps(autograd.erfinv(y), mpmath.erfinv(y)) for y in ERFINV_POINTS)
    assert worst <= 2
    on_tensors = autograd.erfinv(Tensor(np.array(ERFINV_POINTS))).data
    assert np.array_equal(on_tensors, [autograd.erfinv(y) for y in ERFINV_POINTS])  # both engines, one solver


def test_erfinv_in_float32_is_the_float64_result_rounded():
    y = np.array(ERFINV_POINTS[:127], np.float32)
    out = autograd.erfinv(Tensor(y)).data
    assert out.dtype == np.float32
    assert np.array_equal(out, np.array([autograd.erfinv(float(v)) for v in y], np.float32))


def test_erfinv_at_and_beyond_plus_minus_1():
    t = Tensor(np.array([1.0, -1.0, 1.5, -0.0]), requires_grad=True)
    out = autograd.erfinv(t)
    out.backward(np.ones(4))  # not sum(): inf + -inf
    assert out.data[:2].tolist() == [math.inf, -math.inf] and math.isnan(out.data[2])
    assert math.copysign(1.0, out.data[3]) == -1.0
    assert t.grad[:2].tolist() == [math.inf, math.inf]
    with pytest.raises(ValueError, match="erfinv needs an input in"):
        Value(1.0).erfinv()


@pytest.mark.parametrize("x", [0.5 + 1e-10, 0.5 - 1e-10, 0.75, 0.25, 0.2, 1e-200, 1 - 2.0**-50])
def test_logit_keeps_its_digits(x):
    exact = mpmath.log(mpmath.mpf(x) / (1 - mpmath.mpf(x)))
    assert _ulps(autograd.logit(x), exact) <= 2
    assert _ulps(autograd.logit(Tensor(np.array([x]))).data[0], exact) <= 2


def _sinc_slope_exact(x):
    with mpmath.workdps(700):  # the formula cancels some 2·|log10 x| digits: room for them all
        z = mpmath.pi * x
        return +((mpmath.cos(z) - mpmath.sin(z) / z) / x)


@pytest.mark.parametrize("x", [1e-300, 1e-8, -1e-3, 0.2, 0.3, 1 / math.pi - 1e-9, 1 / math.pi + 1e-9, -0.7, 2.5])
def test_sinc_derivative_keeps_its_digits_near_0(x):
    exact = _sinc_slope_exact(mpmath.mpf(x))
    assert float(abs(autograd.grad(autograd.sinc)(x) - exact) / abs(exact)) < 1e-14
    t = Tensor(np.array([x, 2.0]), requires_grad=True)
    autograd.sinc(t).sum().backward()
    assert float(abs(t.grad[0] - exact) / abs(exact)) < 1e-14


def test_sinc_at_0_is_1_with_derivative_0_and_second_derivative_minus_pi_squared_over_3():
    assert autograd.sinc(0.0) == 1.0
    d2 = autograd.grad(autograd.grad(autograd.sinc))
    assert autograd.grad(autograd.sinc)(0.0) == 0.0
    assert d2(0.0) == pytest.approx(-(math.pi**2) / 3, rel=1e-15)


# name: (the function in mpmath, points): second derivatives on both engines against mpmath's
SMOOTH = {
    "erfinv": (mpmath.erfinv, [-0.9, -0.3, 0.0, 0.6, 0.99]),
    "logit": (lambda x: mpmath.log(x / (1 - x)), [0.05, 0.3, 0.5, 0.8]),
    "sinc": (lambda x: mpmath.sinc(mpmath.pi * x), [-2.3, -0.3, 0.05, 0.31, 0.32, 1.7]),
    "entr": (lambda x: -x * mpmath.log(x), [0.1, 1.0, 2.5]),
    "ndtr": (mpmath.ncdf, [-8.0, -1.0, 0.0, 2.0]),
    "rsqrt": (lambda x: 1 / mpmath.sqrt(x), [0.1, 1.0, 7.0]),
    "reciprocal": (lambda x: 1 / x, [-2.0, 0.3]),
    "square": (lambda x: x * x, [-2.0, 0.3]),
}


@pytest.mark.parametrize("name", SMOOTH)
def test_second_derivatives_on_both_engines_match_mpmath(name):
    exact_fn, points = SMOOTH[name]
    f = getattr(autograd, name)
    for x in points:
        exact = mpmath.diff(exact_fn, mpmath.mpf(x), 2)
        on_values = autograd.grad(autograd.grad(f))(x)
        on_tensors = autograd.grad(lambda t: autograd.grad(lambda u: f(u).sum())(t).sum())(np.array([x]))[0]
        for got in (on_values, on_tensors):
            assert float(abs(got - exact)) <= 1e-12 * max(1.0, float(abs(exact))), (name, x, got, exact)


@pytest.mark.parametrize("name, pole", [("xlogy", 0.0), ("xlog1py", -1.0)])
def test_x_log_second_derivatives(name, pole):
    """∂²/∂x∂y = 1/(y − pole), ∂²/∂y² = −x/(y − pole)², ∂²/∂x² = 0, on both engines."""
    f = getattr(autograd, name)
    x, y = 1.5, pole + 0.4
    dx, dy = (autograd.grad(f, argnums=i) for i in (0, 1))
    assert autograd.grad(dx, argnums=1)(x, y) == pytest.approx(1 / 0.4, rel=1e-14)
    assert autograd.grad(dy, argnums=1)(x, y) == pytest.approx(-x / 0.16, rel=1e-14)
    assert autograd.grad(dx, argnums=0)(x, y) == 0.0
    a, b = Tensor(np.array([x]), requires_grad=True), Tensor(np.array([y]), requires_grad=True)
    ga, gb = autograd.gradients(f(a, b).sum(), [a, b], create_graph=True)
    (hab,) = autograd.gradients(ga.sum(), [b])
    (hbb,) = autograd.gradients(gb.sum(), [b])
    assert hab.data[0] == pytest.approx(1 / 0.4, rel=1e-14) and hbb.data[0] == pytest.approx(-x / 0.16, rel=1e-14)


def test_logit_eps_is_checked():
    with pytest.raises(ValueError, match=r"eps must be in \[0, 0.5\]"):
        autograd.logit(0.3, eps=0.6)
    with pytest.raises(ValueError, match="eps must be"):
        autograd.logit(Tensor(np.array([0.3])), eps=math.nan)
    assert autograd.logit(0.0, eps=0.25) == autograd.logit(0.25)


def test_values_refuse_where_there_is_no_real_result():
    for call, match in [
        (lambda: Value(2.0).logit(), "logit needs an input in"),
        (lambda: Value(-1.0).entr(), "entr needs a non-negative input"),
        (lambda: Value(math.inf).frac(), "frac needs a finite input"),
        (lambda: Value(math.inf).sinc(), "sinc needs a finite input"),
        (lambda: autograd.xlogy(Value(1.0), -2.0), "xlogy needs a positive y where x is nonzero"),
    ]:
        with pytest.raises(ValueError, match=match):
            call()


@pytest.mark.parametrize("x", [1e20, -1e20, 1.7e308, 2.0**53 + 2, 2.0**52 + 1, -(2.0**52 + 3)])
def test_sinc_of_a_huge_whole_number_is_0_with_its_slopes(x):
    """From 2^52 every float is whole: sinc(x) is 0, sinc' = cos(πx)/x = ±1/x, sinc'' = −2·sinc'/x, sinc''' ≈ −π²·sinc'.
    π·x rounded is no multiple of π there: sinc(1e20) was −1.3e-21 and sinc'(1e20) 9.2e-21 (for 1e-20); from 5.7e307
    π·x overflowed, and sinc(1.7e308) and its derivatives were NaN; at an odd x, π·(x mod 2) = π rounded is no
    multiple of π either: sinc(2^52 + 1) was 8.7e-33, sinc'' 1.3e-32 for 9.9e-32. On a Tensor and a Value alike."""
    slope = (1 if x % 2 == 0 else -1) / x  # cos(πx) = ±1
    expected = [slope, -2 * slope / x, -(math.pi**2) * slope]
    for f in (lambda t: autograd.sinc(t), lambda t: autograd.sinc(t) * 1.0):
        assert np.asarray(f(Tensor(np.array([x, 0.0])))).tolist() == [0.0, 1.0]  # beside a 0, whose sinc is 1
        tensor_f, value_f = f, f
        for want in expected:
            tensor_f, value_f = elementwise_grad(tensor_f), grad(value_f)
            for got in (float(np.asarray(tensor_f(Tensor(np.array([x, 0.25, 0.0]))))[0]), value_f(x)):
                assert got == pytest.approx(want, rel=1e-15, abs=1e-320), (x, got, want)
    assert autograd.sinc(Value(x)).data == 0


def test_sinc_of_a_whole_float32_is_0_with_its_slopes():
    """Every float32 from 2^23 is whole, but the look for whole numbers began at float64's 2^52: sinc(float32
    2^23 + 2) was 1.65e-8 (π·x rounded to float32, no multiple of π), its slope 1.07e-7 for 1.19e-7 = 1/x (10% off);
    at an odd one π·(x mod 2) is π rounded to float32, whose sine is −8.7e-8: sinc''(2^23 + 1) was 6.1e-14 for
    2/x² = 2.8e-14. 0, ±1/x and ∓2/x² now, beside an entry that is not whole."""
    xs = np.array([2.0**23 + 2, -(2.0**24), 1e38, 2.0**23 + 1, 2.0**23 - 1.5], np.float32)
    whole = xs[:4].astype(float)
    slopes = np.where(whole % 2 == 0, 1.0, -1.0) / whole
    out = np.asarray(autograd.sinc(Tensor(xs)))
    assert out.dtype == np.float32 and out[:4].tolist() == [0.0] * 4  # float32 kept (its sign of (−1)^k was float64)
    first = elementwise_grad(autograd.sinc)
    for derivative, want in ((first, slopes), (elementwise_grad(first), -2 * slopes / whole)):
        got = np.asarray(derivative(Tensor(xs)))
        assert got.dtype == np.float32 and got[:4].tolist() == pytest.approx(want.tolist(), rel=1e-6), got


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_entr_at_a_negative_zero_has_the_derivatives_of_zero(dtype):
    """entr(−0.0) is entr(0) = 0, whose derivatives are the limits from the domain's side: +inf, −inf, +inf. The
    second, −1/x, was +inf at −0.0 (PyTorch 2.13's too), a wrong sign; float32 as float64."""
    first = elementwise_grad(autograd.entr)
    second, third = elementwise_grad(first), elementwise_grad(elementwise_grad(first))
    with np.errstate(divide="ignore"):
        got = [np.asarray(d(Tensor(np.array([-0.0, 0.0], dtype)))).tolist() for d in (first, second, third)]
    assert got == [[math.inf] * 2, [-math.inf] * 2, [math.inf] * 2]

"""lp_pool's gradient where the loss weight g meets the root's slope before the power's: the rule took g·S^(1/p - 1)
(a window's value, passed on through avg_pool) and only then p·x^(p-1), so that product left the floats where the
exact gradient g·(x/y)^(p-1) fits: 0 for g = 1e-300 at p = 1.5, x ~ 1e100 (exact 6.4e-301), inf for g = 1e300 at
x ~ 1e100 to 1e200 (exact 1e50 to 1e300), and 1.1e-5 off at p = 0.9, x ~ 1e-200 (a subnormal on the way); inf for
g = 1e291 at [1e-18, 2e-18], p = 2 (exact 4.5e290), 0 for g = 1e-300 at [1e-300, 2e-300] at every p (exact 1e-300 or
so). Such windows now take g·c·(x/y)^(p-1) straight (lp_pool_direct)."""

import mpmath
import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor

mpmath.mp.prec = 300

CASES = [
    (1.5, [1e100, 2e100], 1e-300),
    (0.9, [1e-200, 2e-200], 1e-300),
    (-1.5, [1e100, 1e200], 1e300),
    (-1.5, [1e150, 3e150], 1e300),
    (2.0, [1e100, 1e200], 1e300),
    (3.0, [1e100, 1e200], 1e300),
    (3.0, [1e150, 3e150], 1e300),
    (2.0, [1e-18, 2e-18], 1e291),
    (2.0, [1e-300, 2e-300], 1e-300),
    (7.0, [1e-300, 2e-300], 1e-300),
    (0.5, [1e-300, 2e-300], 1e-300),
    (1.5, [1e-200, 1e-100], 1e250),
    (1.5, [1e-160, 1e280], 1.0),  # a window taken scaled: 1e-160·2^-k was 0, its gradient 0 for 1e-220
]


def _exact_gradient(p: float, window: list, weight: float) -> list:
    q = mpmath.mpf(p)
    root = mpmath.fsum(mpmath.mpf(v) ** q for v in window) ** (1 / q)
    return [mpmath.mpf(weight) * (mpmath.mpf(v) / root) ** (q - 1) for v in window]


def _ulps(got: float, exact) -> float:
    ulp = mpmath.mpf(2) ** (mpmath.floor(mpmath.log(abs(exact), 2)) - 52)
    return float(abs(mpmath.mpf(got) - exact) / ulp)


@pytest.mark.parametrize(("p", "window", "weight"), CASES)
def test_gradient_in_range_whatever_the_loss_weight(p, window, weight):
    """Each exact gradient here is a normal float64; within lp_pool's ulp bound of it (2/|p| + 3)."""
    x = Tensor(np.array([[window]]), requires_grad=True)
    out = F.lp_pool1d(x, p, len(window))
    out.backward(np.full(out.shape, weight))  # the loss weight as backward's g (out * 1e300 is past the floats)
    for got, exact in zip(x.grad.ravel(), _exact_gradient(p, window, weight)):
        assert _ulps(float(got), exact) <= 2 / abs(p) + 3, (p, window, weight, float(got), mpmath.nstr(exact, 6))


def test_float32_gradient_in_range_whatever_the_loss_weight():
    """float32 at p = 1.5, x ~ 1e20, g = 1e-37: g·S^(-1/3) ~ 1e-47 left float32 (gradient 0; exact about 7e-38)."""
    window = [1e20, 2e20]
    x = Tensor(np.array([[window]], dtype=np.float32), requires_grad=True)
    out = F.lp_pool1d(x, 1.5, 2)
    out.backward(np.full(out.shape, 1e-37, np.float32))
    exact = _exact_gradient(1.5, [float(np.float32(v)) for v in window], float(np.float32(1e-37)))
    for got, want in zip(x.grad.ravel(), exact):
        assert abs(float(got) - float(want)) <= 4 * np.spacing(np.float32(want)), (float(got), float(want))


def test_overlapping_windows_and_ceil_mode_take_the_gradient_straight():
    """Windows of 3 at stride 2 with ceil_mode (the last window partial: its sum times 3/2, PyTorch's), x ~ 1e-18
    at p = 2 under g ~ 1e291 (g·y^(-1) past the floats: inf before): each entry's gradient the sum over its windows
    of g·c·(x/y)^(p-1), within 2/p + 3 ulp of mpmath."""
    row = np.array([1.0, -2.0, 1.5, 0.7, -1.2, 1.9, 0.4, 1.1]) * 1e-18
    weights = np.array([1.0, 0.6, 1.7, 0.9]) * 1e291
    x = Tensor(row[None, None], requires_grad=True)
    out = F.lp_pool1d(x, 2, 3, 2, ceil_mode=True)
    out.backward(weights[None, None])
    exact = [mpmath.mpf(0)] * len(row)
    for w, weight in enumerate(weights):
        at = [i for i in range(2 * w, 2 * w + 3) if i < len(row)]
        share = mpmath.mpf(3) / len(at)
        root = mpmath.sqrt(share * mpmath.fsum(mpmath.mpf(row[i]) ** 2 for i in at))
        for i in at:
            exact[i] += mpmath.mpf(weight) * share * mpmath.mpf(row[i]) / root
    for got, want in zip(x.grad.ravel(), exact):
        assert _ulps(float(got), want) <= 2 / 2 + 3, (float(got), mpmath.nstr(want, 6))


def test_second_derivatives_there_are_refused():
    """create_graph through such a window: a FloatingPointError naming the way out, not an inf."""
    x = Tensor(np.array([[[1e-18, 2e-18]]]), requires_grad=True)
    out = F.lp_pool1d(x, 2, 2)
    with pytest.raises(FloatingPointError, match="create_graph"):
        out.backward(np.full(out.shape, 1e291), create_graph=True)


@pytest.mark.parametrize(("p", "expected"), [(2, 0.5**0.5), (3, 0.5 ** (2 / 3))])
def test_a_window_whose_output_overflows_keeps_the_chains_gradient(p, expected):
    """[1.5e308, 1.5e308]: y = 2^(1/p)·1.5e308 is inf, its gradient (x/y)^(p-1) = 2^((1-p)/p) the chain's (taken
    scaled) as before; lp_pool_direct took the window straight with y = inf and gave 0 at p = 2 and 3 (pdist too)."""
    x = Tensor(np.array([[[1.5e308, 1.5e308]]]), requires_grad=True)
    out = F.lp_pool1d(x, p, 2)
    out.backward(np.ones(out.shape))
    assert np.allclose(x.grad.ravel(), expected, rtol=1e-14, atol=0), (p, x.grad.ravel())
    d = Tensor(np.array([[1.5e308, 1.5e308], [0.0, 0.0]]), requires_grad=True)
    F.pdist(d, p).sum().backward()
    assert np.allclose(d.grad.ravel(), [expected, expected, -expected, -expected], rtol=1e-14, atol=0), d.grad


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("p", "weight"), [(7.0, 5e11), (3.0, -1.2e12)])
def test_a_scaled_window_near_the_top_of_the_range(dtype, p, weight):
    """Windows of three equal x ~ 1.6e26 (float32; 8e295 in float64), taken scaled by 2^k up to 2·x: the chain's
    g·2^k times the root's slope (x/2^k)^(1-p)/p (up to 2^(p-1)/p) and the window's size left the floats, inf for
    the gradient g·3^((1-p)/p) (1.9e11 at p = 7, g = 5e11); lp_pool_direct's check of those steps took the slope
    as at most 1/p."""
    value = 1.56e26 if dtype == np.float32 else 1.56e26 * 2.0**896
    x = Tensor(np.full((1, 1, 3), value, dtype), requires_grad=True)
    out = F.lp_pool1d(x, p, 3)
    out.backward(np.full(out.shape, weight, dtype))
    exact = mpmath.mpf(float(dtype(weight))) * mpmath.mpf(3) ** ((1 - mpmath.mpf(p)) / p)
    ulp = float(np.spacing(dtype(abs(float(exact)))))
    bound = 0.5 + 1e-6 if dtype == np.float32 else (3 + 2) * (1 - 1 / p) + 4  # float32: in float64, rounded once
    for got in x.grad.ravel():  # taken straight (lp_pool_direct): the window's sum's rounding times 1 - 1/p, and 4
        assert abs(mpmath.mpf(float(got)) - exact) <= bound * ulp, (float(got), mpmath.nstr(exact, 10))


def test_a_scaled_window_whose_power_of_two_is_held_above_it():
    """float32 [1.9e-34, 4.4e-36, 1.0e-34] at p = 7: lp_pool_scaled holds 2^k at 2^-104 (2^k a normal float), 2^7.3
    above y, and the chain's g·2^k times the root's slope, brought back by 2^-k, is g·(2^k/y)^(p-1)/p: past float32
    under g = 8e27, whose gradients 7.9e27, 1.1e18, 1.9e26 were inf. (Such float32 windows are now taken in float64
    and rounded once: half an ulp.)"""
    row = np.array([1.9134878e-34, 4.3702540e-36, 1.0299059e-34], np.float32)
    weight = np.float32(8.0185369e27)
    x = Tensor(row[None, None], requires_grad=True)
    out = F.lp_pool1d(x, 7.0, 3)
    out.backward(np.full(out.shape, weight))
    root = mpmath.fsum(mpmath.mpf(float(v)) ** 7 for v in row) ** (mpmath.mpf(1) / 7)
    for got, v in zip(x.grad.ravel(), row):
        exact = mpmath.mpf(float(weight)) * (mpmath.mpf(float(v)) / root) ** 6
        ulp = float(np.spacing(np.float32(float(exact))))
        assert abs(mpmath.mpf(float(got)) - exact) <= (0.5 + 1e-6) * ulp, (float(got), mpmath.nstr(exact, 8))

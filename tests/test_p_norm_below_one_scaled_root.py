"""Rows that `_scale_below_one` scales by their largest |d| m, at small p: the root S ** (1/p) of the scaled sum
S (up to the number of entries) was taken before the product with m, and left the range where the distance fits:
float64 [1.27e-296, -1.19e-307, -5.79e-303, -1.96e-294] at p = 0.001 gave inf (S ** 1000 ~ 4 ** 1000) for the
exact 2.51e302 (PyTorch 2.13's is right), float32 [-1.15e-23, 1.11e-24, 1.06e-23, 1.08e-26] at p = 0.01 inf for
1.84e36. Against mpmath, in ulps (`test_p_norm_below_one_accuracy`'s)."""

import numpy as np
import pytest
from test_p_norm_below_one_accuracy import _bound, _exact, _ulps

import nn.functional as F
from autograd import Tensor


@pytest.mark.parametrize(
    "row, p, dtype",
    [
        ([1.27e-296, -1.19e-307, -5.79e-303, -1.96e-294], 0.001, np.float64),
        ([1e-290, 3e-291, -2e-300], 0.0008, np.float64),
        ([-1.15e-23, 1.11e-24, 1.06e-23, 1.08e-26], 0.01, np.float32),
        ([3e-25, -1e-26], 0.005, np.float32),
    ],
)
def test_a_scaled_rows_root_past_the_range_where_the_distance_fits(row, p, dtype):
    a = np.array([row], dtype)
    x = Tensor(a, requires_grad=True)
    with np.errstate(over="ignore"):
        out = F.pairwise_distance(x, Tensor(np.zeros_like(a)), p, eps=0.0)
        out.sum().backward()
    norm, slope = _exact(a[0], p)
    assert norm <= np.finfo(dtype).max
    assert _ulps(float(out.data.ravel()[0]), norm, dtype) <= _bound(dtype, p), (row, p, out.data, norm)
    for g, e in zip(x.grad[0], slope):  # past the range: the infinity of e's sign
        expected = _ulps(g, e, dtype) <= _bound(dtype, p) if abs(e) <= np.finfo(dtype).max else g == np.sign(e) * np.inf
        assert expected, (row, p, x.grad[0], slope)


@pytest.mark.parametrize(
    "row, p",
    [
        ([-7.189462912224515e-21, 6.3770979152651044e-24, -1.9410858068595456e-18, 4.3390569942022665e-26], 0.05),
        ([2.345764077394985e19, -1.5683458487657326e20, 7.63626658457872e19, 1.531762524052416e19], 0.4999999),
        ([-5.981278820155409e-17, 5.687775882961663e-21, 1.7562400980705365e-17, 1.9470635347788616e-28], 0.2),
    ],
)
def test_float32_below_one_half_rounded_once(row, p):
    """float32 at p < 1/2 is taken in float64 from d on and rounded once: distance and gradient correctly rounded
    (half an ulp, and the float64 rounding, ~(2/p + 3)·2^-29 of a float32 ulp). Its d/m and the norm's product with
    m were float32 steps of their own: gradients 1.25 ulp off for these rows (1.37 at p = 0.3)."""
    a = np.array([row], np.float32)
    x = Tensor(a, requires_grad=True)
    out = F.pairwise_distance(x, Tensor(np.zeros_like(a)), p, eps=0.0)
    out.sum().backward()
    norm, slope = _exact(a[0], p)
    assert x.grad.dtype == out.data.dtype == np.float32
    assert _ulps(float(out.data.ravel()[0]), norm, np.float32) <= 0.5 + 1e-6, (out.data, norm)
    assert max(_ulps(g, e, np.float32) for g, e in zip(x.grad[0], slope)) <= 0.5 + 1e-6, (x.grad[0], slope)

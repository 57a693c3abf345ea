"""Rows that `_scale_below_one` scales by their largest |d| m, at small p: the root S ** (1/p) of the scaled sum
S (up to the number of entries) was taken before the product with m, and left the range where the distance fits:
float64 [1.27e-296, -1.19e-307, -5.79e-303, -1.96e-294] at p = 0.001 gave inf (S ** 1000 ~ 4 ** 1000) for the
exact 2.51e302 (PyTorch 2.13's is right), float32 [-1.15e-23, 1.11e-24, 1.06e-23, 1.08e-26] at p = 0.01 inf for
1.84e36. Against mpmath, in ulps (`test_p_norm_below_one_accuracy_s45`'s)."""

import numpy as np
import pytest
from test_p_norm_below_one_accuracy_s45 import _bound, _exact, _ulps

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

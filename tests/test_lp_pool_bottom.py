"""lp_pool's float64 windows at the bottom of the floats. A window taken scaled has its largest |x| (smallest for
p < 0) over 2^k with k at least -1000 (2^-k of the gradient finite): where (x·2^1000)^p left the floats, the value
was lost, silently: [5e-324, 5e-324] at p = 20 gave 0 for 5e-324 (gradient [0, 0] for 0.518), [5.06e-321] * 2
0 for 5.24e-321. Such windows are now refused, on each replay of a compiled step too."""

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Tensor


@pytest.mark.parametrize(
    ("p", "row"),
    [(20.0, [5e-324, 5e-324]), (20.0, [5.06e-321, 1.7e-321]), (16.0, [5e-324, 5e-324]), (-40.0, [1e-310, 1e-310])],
)
def test_a_window_whose_scaled_sum_leaves_the_floats_is_refused(p, row):
    x = Tensor(np.array([[row]]), requires_grad=True)
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError, match="float64"):
        F.lp_pool1d(x, p, 2)


@pytest.mark.parametrize(("p", "row"), [(13.0, [5e-324, 5e-324]), (16.0, [1e-320, 1e-320]), (-20.0, [1e-310, 1e-310])])
def test_a_window_whose_scaled_sum_fits_is_not(p, row):
    """Near the line: (5e-324·2^1000)^13 = 2^-962 keeps its digits; at p = 16 [1e-320, 1e-320] sums to 2^-1007, a
    subnormal whose rounding moves y (1.04e-320) by 2^-59 of its ulp."""
    x = Tensor(np.array([[row]]), requires_grad=True)
    with np.errstate(all="ignore"):
        out = F.lp_pool1d(x, p, 2)
    assert out.data.ravel()[0] > 0


@pytest.mark.parametrize(("p", "recorded"), [(20.0, [1.0, 2.0]), (16.0, [1e-320, 1e-320])])
def test_a_compiled_call_refuses_it_too(p, recorded):
    """Recorded on ordinary windows, or on windows held at 2^-1000 whose sum fits (p = 16: the same scales), a
    call on [5e-324, 5e-324] raises as eager does."""
    run = autograd.compile(lambda x: F.lp_pool1d(x, p, 2).sum())
    with np.errstate(all="ignore"):
        for _ in range(3):
            run(Tensor(np.array([[recorded]])))
        with pytest.raises(FloatingPointError, match="float64"):
            run(Tensor(np.array([[[5e-324, 5e-324]]])))

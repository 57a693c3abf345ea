"""acosh's gradient within 3 ulps over 200,000 points near 1 and beyond, in float32 and float64, against its
exact slope 1/√((x − 1)(x + 1)) computed in a wider type (float64 for float32 inputs; numpy's long double, where it
has 64 bits, for float64 ones: either is exact to far below an ulp of the narrower). Written rsqrt(x − 1)·rsqrt(x + 1)
the slope took six roundings: 3.3 ulps off here (3.34 in float64 near 1, 3.30 in float32 on (1, 4]);
g / √(x − 1) / √(x + 1) takes four, as 1/(√(x − 1)·√(x + 1)) did: 2.8 at most, and acosh''(1) stays −inf
(tests/test_limits_at_infinity.py, test_limits_near_zero.py)."""

import numpy as np
import pytest

from autograd import Tensor, gradients, raw

RANGES = [(1.0, 1.0001), (1.0, 4.0), (4.0, 1e12)]
WIDER = {np.float32: np.float64, np.float64: np.longdouble}


def _points(low, high, dtype):
    """200,000 points log-uniform in (low, high], above 1 in `dtype`."""
    x = np.exp(np.random.default_rng(0).uniform(np.log(low), np.log(high), 200_000)).astype(dtype)
    return x[x > 1]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("low, high", RANGES)
def test_acosh_gradient_within_3_ulps(low, high, dtype):
    wide = WIDER[dtype]
    if np.finfo(wide).nmant < np.finfo(dtype).nmant + 8:
        pytest.skip("numpy's long double is float64 here: no wider type to judge float64 by")
    x = _points(low, high, dtype)
    a = Tensor(x, requires_grad=True)
    (slope,) = gradients(a.acosh().sum(), [a])
    exact = 1 / np.sqrt((x.astype(wide) - 1) * (x.astype(wide) + 1))
    errors = np.abs(np.asarray(raw(slope)).astype(wide) - exact) / np.spacing(exact.astype(dtype)).astype(wide)
    assert float(errors.max()) <= 3.0, f"acosh' off by {float(errors.max()):.2f} ulps in {np.dtype(dtype)}"

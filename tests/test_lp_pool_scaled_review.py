"""Review of lp_pool's scaled windows (nn/lp_pool_scaled.py): a window of tiny x is taken as 2^k·root(Σ (x·2^-k)^p)
with 2^k tiny, and the gradient on its way to x passed through 2^k times the exact gradient before 2^-k put it back:
where that product left the normal floats, the smaller entries' gradients lost digits or were 0 (1e-200 beside
1e-215 at p = 12: 0 where the exact gradient is 1e-165; 1e-260 beside 1e-200 at p = 3: 8.5e-5 off; float32 entries
within a factor 20 of the window's largest at p = 12: 24 % off)."""

import warnings

import mpmath
import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Tensor

mpmath.mp.prec = 200


def _exact_gradient(row, p):
    q = mpmath.mpf(p)
    root = mpmath.fsum(mpmath.mpf(float(v)) ** q for v in row) ** (1 / q)
    return [(mpmath.mpf(float(v)) / root) ** (q - 1) for v in row]


@pytest.mark.parametrize(
    ("p", "row", "dtype"),
    [
        (12.0, [1e-200, 1e-215], np.float64),
        (3.0, [1e-200, 1e-260], np.float64),
        (2.0, [1e-200, 1e-320], np.float64),
        (1.5, [3e-250, 1e-300, 2e-260, 5e-251], np.float64),
        (12.0, [2.56e-30, 1.09e-31, 2.34e-32, 3.9e-31], np.float32),
        (3.0, [1e-20, 1e-31, 2e-25, 3e-21], np.float32),
    ],
)
def test_a_scaled_window_gives_its_small_entries_their_gradient(p, row, dtype):
    """Each entry's gradient within 2/p + 3 ulps of the exact (x/root)^(p-1), a normal float (before: 0, or
    digits lost)."""
    data = np.array(row, dtype)
    x = Tensor(data[None, None], requires_grad=True)
    with np.errstate(all="ignore"):
        F.lp_pool1d(x, p, len(row)).sum().backward()
    digits = np.finfo(dtype).nmant
    for got, exact in zip(x.grad.ravel(), _exact_gradient(data, p)):
        assert abs(exact) > np.finfo(dtype).tiny
        ulp = mpmath.mpf(2) ** (mpmath.floor(mpmath.log(abs(exact), 2)) - digits)
        assert abs(mpmath.mpf(float(got)) - exact) <= (2 / p + 3) * ulp, (got, float(exact))


@pytest.mark.parametrize("p", [1.5, 3.0, 12.0])
def test_scaled_windows_of_unequal_entries_pass_gradgradcheck(p):
    """Windows of 1e-200 with entries 1e-3 to 1 of the largest (taken scaled): second derivatives too."""
    a = np.array([[[1.0, 0.3, 1e-3, 0.7, 0.02, 0.5]]])
    with np.errstate(all="ignore"):
        assert autograd.gradgradcheck(lambda x: F.lp_pool1d(x * 1e-200, p, 3, 1) / 1e-200, [a])


@pytest.mark.parametrize(
    ("p", "row", "dtype"),
    [
        (12.0, [2.84e35, 1e34], np.float32),
        (60.0, [1.7e308, 1e306], np.float64),
        (40.0, [3e38, 2.9e38], np.float32),
        (12.0, [7.4e306, 3e306], np.float64),
        (30.0, [2.0**999.5, 2.0**998], np.float64),
    ],
)
def test_windows_near_the_largest_float_at_large_p(p, row, dtype):
    """A window's power of two was kept 24 binades below the largest float's (2^104 in float32, 2^1000 in float64):
    above, its largest |x| scaled still overflowed at p, was left out as too large for the pass, and the window's
    value was its next entry's (float32 [2.84e35, 1e34] at p = 12: 1e34, gradient [0, 1]; torch's inf). Now each
    window's value and gradient within 2/p + 3 ulps of the exact ones."""
    data = np.array(row, dtype)
    x = Tensor(data[None, None], requires_grad=True)
    with np.errstate(all="ignore"):
        out = F.lp_pool1d(x, p, 2)
        out.sum().backward()
    q, digits = mpmath.mpf(p), np.finfo(dtype).nmant
    exact = mpmath.fsum(mpmath.mpf(float(v)) ** q for v in data) ** (1 / q)
    for got, want in [(out.data.ravel()[0], exact)] + list(zip(x.grad.ravel(), _exact_gradient(data, p))):
        ulp = mpmath.mpf(2) ** (mpmath.floor(mpmath.log(abs(want), 2)) - digits)
        assert abs(mpmath.mpf(float(got)) - want) <= (2 / p + 3) * ulp, (got, float(want))


@pytest.mark.parametrize(("kernel", "stride", "passes"), [(2, None, 1), (3, 1, 9), (2, (1, 2), 2)])
def test_scaled_windows_of_many_scales_take_few_passes(kernel, stride, passes, monkeypatch):
    """Each power of two in use was a pass over the whole input: a 32 x 32 image of entries from 1e-300 to 1e300
    at p = 3 took 100 or so (131 passes, 5.5 s and 680 MB at 256 x 256). Windows ceil(kernel/stride) apart never
    overlap, so a pass takes all of theirs at once: at most the kernel's size, one where the stride is the kernel.
    Values within 2/p + 3 ulps of mpmath's (the window's root) all the same."""
    import nn.lp_pool as lp_pool

    calls, (top, pool) = [], lp_pool._POOLS[2]
    monkeypatch.setitem(lp_pool._POOLS, 2, (top, lambda *a, **k: calls.append(1) or pool(*a, **k)))
    rng = np.random.default_rng(4)
    image = rng.uniform(0.5, 2.0, (1, 1, 32, 32)) * 10.0 ** rng.integers(-300, 300, (1, 1, 32, 32))
    with np.errstate(all="ignore"):
        out = F.lp_pool2d(Tensor(image), 3.0, kernel, stride)
    assert len(calls) <= passes + 2  # the plain pass and, where some |x|^p overflows, its pass without them
    steps = (kernel, kernel) if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    for (i, j), got in np.ndenumerate(out.data[0, 0]):
        window = image[0, 0, i * steps[0] : i * steps[0] + kernel, j * steps[1] : j * steps[1] + kernel]
        exact = mpmath.fsum(mpmath.mpf(float(v)) ** 3 for v in window.ravel()) ** (1 / mpmath.mpf(3))
        ulp = mpmath.mpf(2) ** (mpmath.floor(mpmath.log(exact, 2)) - 52)
        assert abs(mpmath.mpf(float(got)) - exact) <= (2 / 3 + 3) * ulp, (i, j, got, float(exact))


@pytest.mark.parametrize(
    ("p", "row"), [(2.0, [1e200, 2e200, 1.0, 1.0]), (3.0, [1e120, 2e120, 1.0, 1.0]), (3.0, [-1e150, 2e150, 1.0, 1.0])]
)
def test_a_scaled_window_warns_of_nothing(p, row):
    """Its right value and gradient came with numpy's "overflow encountered in power" (and "invalid value
    encountered in matmul" for [-1e150, 2e150] at p = 3): the first pass's powers, which the scaled pass replaces."""
    x = Tensor(np.array(row)[None, None], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.lp_pool1d(x, p, 2)
        out.sum().backward()
    assert np.isfinite(out.data).all() and np.isfinite(x.grad).all()


@pytest.mark.parametrize("p", [2.0, 3.0])
def test_a_window_whose_powers_fit_and_sum_overflows_warns_nothing(p):
    """Each x^p of the window fits, their sum does not (x near the largest float's p-th root): the window is taken
    scaled. avg_pool's mean of the x^p is inf there (its sum divided once), and the gradient 0 of that unscaled path
    met it in the sign's product: 0 * inf, "invalid value encountered in multiply" in backward (three more with
    second derivatives) beside right numbers."""
    row, v = np.array([0.9, 0.8, 0.85, 0.95]) * np.finfo(np.float64).max ** (1 / p), np.array([1.0, -2.0, 0.5, 3.0])
    x = Tensor(row.reshape(1, 1, 1, 4), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = F.lp_pool2d(x, p, (1, 4))
        y.sum().backward(create_graph=True)
        gradient, x.grad = x.grad, None
        (gradient * Tensor(v.reshape(1, 1, 1, 4))).sum().backward()
    xs = [mpmath.mpf(float(e)) for e in row]
    root = mpmath.fsum(e**p for e in xs) ** (1 / mpmath.mpf(p))
    u = [e / root for e in xs]  # H = (p - 1) / r (diag(u^(p-2)) - u^(p-1) u^(p-1)ᵀ)
    hv = [
        (p - 1)
        / root
        * (u[i] ** (p - 2) * v[i] - u[i] ** (p - 1) * mpmath.fsum(u[j] ** (p - 1) * v[j] for j in range(4)))
        for i in range(4)
    ]
    assert abs(y.item() / float(root) - 1) < 1e-15
    assert np.allclose(gradient.data.ravel(), [float(e) for e in _exact_gradient(row, p)], rtol=1e-14, atol=0)
    assert np.allclose(x.grad.ravel(), [float(e) for e in hv], rtol=1e-12, atol=0)

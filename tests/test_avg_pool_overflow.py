"""avg_pool's mean of a window whose sum passes the largest float is the mean, where it fits: four 1e308 average
to 1e308 (Tensor.mean's), where the sum divided once by the count gave inf (as torch's does). Inputs here are small
integers times 2**1020, so every sum is exact and each mean one rounding of it: torch's mean of the integers
(divided once) scaled by 2**1020 is the exact mean rounded, inf only where that passes the largest float."""

import warnings
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
from torch_reference import F, torch

import autograd
import nn
from autograd import Tensor, grad

SCALE = 1020  # 2**1020 times integers up to 15: a window of two sums past float64's largest, 2**1024
POOLS = {1: autograd.avg_pool1d, 2: autograd.avg_pool2d, 3: autograd.avg_pool3d}
TORCH = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


def _scaled(a):
    """a (exact, small) times 2**SCALE: past the range as inf, with numpy's warning silenced."""
    with np.errstate(over="ignore"):
        return np.ldexp(np.asarray(a, np.float64), SCALE)


@pytest.mark.parametrize("dtype, big", [(np.float64, 1e308), (np.float32, np.float32(3e38))])
@pytest.mark.parametrize("dims", [1, 2, 3])
def test_a_window_of_the_largest_floats_averages_to_their_mean(dtype, big, dims):
    """Four 1e308 average to 1e308 (float32: four 3e38 to 3e38), Tensor.mean's, where torch's is inf."""
    x = np.full((1, 1) + (2,) * dims, big, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a mean that fits warns of no overflow
        ours = POOLS[dims](Tensor(x, dtype=dtype), 2).data
    assert ours.dtype == dtype and ours.ravel().tolist() == [float(dtype(big))]
    assert ours.ravel()[0] == Tensor(x.ravel(), dtype=dtype).mean().data


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"padding": 1},
        {"padding": 1, "count_include_pad": False},
        {"padding": 1, "ceil_mode": True, "count_include_pad": False},
        {"ceil_mode": True},
        {"divisor_override": 3},
        {"divisor_override": 1},  # sums past the range: their "means" are inf
    ],
)
@pytest.mark.parametrize("dims", [1, 2, 3])
def test_means_and_gradients_are_the_exact_ones_rounded_once(options, dims):
    """Windows of 3 at stride 2 (overlapping) over integers up to 15 times 2**1020: each mean the exact one rounded
    once (inf past the range), the ordinary windows' bit for bit torch's; and the gradient for weights of integers
    times 2**1020 on the outputs, each input's shares added over the windows holding it, as torch's on the integers
    (scaled): two sums of up to 8 positive terms, each within 7 roundings of the exact one."""
    if dims == 1 and "divisor_override" in options:
        pytest.skip("avg_pool1d has no divisor_override, as PyTorch's")
    rng = np.random.default_rng(dims)
    ints = rng.integers(0, 16, (2, 2) + (5,) * dims).astype(np.float64)
    ints.reshape(-1)[::3] = 0.0  # small windows among the large ones
    t = Tensor(_scaled(ints), requires_grad=True)
    y = POOLS[dims](t, 3, 2, **options)
    leaf = torch.tensor(ints, requires_grad=True)
    reference = TORCH[dims](leaf, 3, 2, **options)
    assert np.array_equal(y.data, _scaled(reference.detach().numpy()))
    if "divisor_override" not in options:  # means that fit, of sums past the range (with an override, all past it)
        assert (np.isfinite(y.data) & (y.data > np.finfo(np.float64).max / 4)).any()
    weights = rng.integers(0, 16, y.shape).astype(np.float64)
    y.backward(_scaled(weights))
    reference.backward(torch.tensor(weights))
    expected = _scaled(leaf.grad.numpy())
    assert np.array_equal(np.isinf(t.grad), np.isinf(expected))
    np.testing.assert_allclose(t.grad, expected, rtol=14 * 2.0**-53)


def test_a_window_mean_is_the_fractions_one():
    """[1e308, 1e308, -3e307] (avg_pool1d, kernel 3) averages to 1.7e308 / 3 rounded once, the Fraction's, as does
    [1.7e308, 1.7e308, 0] to 3.4e308 / 3; and a window of [1.7e308, 1.7e308] to 1.7e308."""
    x = np.array([[[1e308, 1e308, -3e307, 1.7e308, 1.7e308, 0.0]]])
    ours = autograd.avg_pool1d(Tensor(x), 3).data.ravel().tolist()
    exact = [float(sum(map(Fraction, w)) / 3) for w in (x.ravel()[:3], x.ravel()[3:])]
    assert ours == exact
    assert autograd.avg_pool1d(Tensor(x[..., 3:5]), 2).data.ravel().tolist() == [1.7e308]


def test_a_mean_past_the_range_is_inf_with_numpys_warning():
    """divisor_override=1 over two 1e308: the "mean" is 2e308, past the range: inf, with numpy's overflow warning."""
    x = np.full((1, 1, 1, 2), 1e308)
    with pytest.warns(RuntimeWarning, match="overflow"):
        out = autograd.avg_pool2d(Tensor(x), (1, 2), divisor_override=1).data
    assert out.ravel().tolist() == [np.inf]


def test_float16_windows_past_its_range_average_to_their_mean():
    """float16's sums are float32's (60000 + 60000 fits there): the mean 60000, as before."""
    x = np.full((1, 1, 2, 2), 60000.0, np.float16)
    assert autograd.avg_pool2d(Tensor(x, dtype=np.float16), 2).data.ravel().tolist() == [60000.0]


@pytest.mark.parametrize("as_tensor", [True, False])
@pytest.mark.parametrize("size", [1, 2, (1, 2), 3])
def test_adaptive_means_of_the_largest_floats(as_tensor, size):
    """adaptive_avg_pool2d over windows of 1e308: 1e308, at a size that divides (an avg_pool), a size of 1 (a mean),
    one that does not (means along each axis, right before too), on a Tensor and on an array (whose size-1 mean was
    numpy's: inf)."""
    x = np.full((1, 2, 4, 4), 1e308)
    out = autograd.adaptive_avg_pool2d(Tensor(x) if as_tensor else x, size)
    assert np.all(np.asarray(out.data if as_tensor else out) == 1e308)


def test_the_gradient_of_the_gradient_averages_without_overflow():
    """The gradient's own gradient in the arriving weight g is each window's mean of what reaches it: weights of
    1e308 on the gradient give 1e308 per window (the sum, divided after, was inf)."""
    x = Tensor(np.zeros((1, 1, 4)), requires_grad=True)

    def weighted(g):
        (gx,) = grad(lambda t: (autograd.avg_pool1d(t, 2, 1) * g).sum())(x)
        return (gx * Tensor(np.full((1, 1, 4), 1e308))).sum()

    (gg,) = grad(weighted)(Tensor(np.full((1, 1, 3), 0.25), requires_grad=True))  # the loss itself fits
    assert gg.data.ravel().tolist() == [1e308] * 3


def test_a_compiled_step_replays_the_finite_means():
    """Under strict compile a step over windows of the largest floats replays the eager numbers, each call's own."""
    pool = nn.AvgPool2d(2)

    def step(x):
        y = pool(x)
        y.mean().backward()
        return y

    compiled = autograd.compile(step, strict=True)
    for big in (1.0, 1e308, 1.5e308, 3.0):
        x = Tensor(np.full((1, 1, 2, 4), big), requires_grad=True)
        out = compiled(x).data
        assert out.ravel().tolist() == [big, big] and x.grad.ravel().tolist() == [0.125] * 8


def test_local_response_norm_of_squares_past_the_range_is_mpmaths():
    """local_response_norm averages squares with avg_pool2d: squares of 1.3e154 (1.69e308) summed past the range gave
    a window of inf, an output and gradient of 0 (torch's too); now as mpmath's, y_c = x_c (1 + m_c)^-1/2."""
    mp.mp.dps = 40
    x = Tensor(np.full((1, 4, 1, 1), 1.3e154), requires_grad=True)
    y = nn.functional.local_response_norm(x, 4, alpha=1.0, beta=0.5, k=1.0)
    y.backward(np.ones(y.shape))
    xs, holds = [mp.mpf(1.3e154)] * 4, lambda c: range(max(c - 2, 0), min(c + 2, 4))  # the channels c's window holds
    m = [sum(xs[j] ** 2 for j in holds(c)) / 4 for c in range(4)]
    exact = [xs[c] / mp.sqrt(1 + m[c]) for c in range(4)]
    slope = [
        1 / mp.sqrt(1 + m[i]) - sum(xs[c] * xs[i] / 4 * (1 + m[c]) ** -1.5 for c in range(4) if i in holds(c))
        for i in range(4)
    ]
    np.testing.assert_allclose(y.data.ravel(), [float(v) for v in exact], rtol=1e-15)
    np.testing.assert_allclose(x.grad.ravel(), [float(v) for v in slope], rtol=1e-13)


@pytest.mark.parametrize("options", [{}, {"padding": 1, "count_include_pad": False}, {"ceil_mode": True}])
@pytest.mark.parametrize("dims", [2, 3])
def test_float32_means_are_the_exact_ones_rounded_once(options, dims):
    """float32 over integers up to 15 times 2**124 (its largest float is under 2**128): torch's float32 means of the
    integers (exact sums, one division) scaled by 2**124, where torch's of the scaled numbers is inf."""
    rng = np.random.default_rng(dims)
    ints = rng.integers(0, 16, (2, 2) + (5,) * dims).astype(np.float32)
    with np.errstate(over="ignore"):
        ours = POOLS[dims](Tensor(np.ldexp(ints, 124), dtype=np.float32), 3, 2, **options).data
        expected = np.ldexp(TORCH[dims](torch.tensor(ints), 3, 2, **options).numpy(), 124)
    assert ours.dtype == np.float32 and np.array_equal(ours, expected)
    assert (np.isfinite(ours) & (ours > np.finfo(np.float32).max / 4)).any()

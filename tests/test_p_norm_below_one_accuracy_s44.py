"""p-norms for 0 < p < 1 (pairwise_distance, cdist, normalize) against 200-bit mpmath references: the distance and
its gradient within 1 ulp at every row magnitude. Unscaled, S = sum |d|^p far from 1 had the rounding of 1/p
multiplied by ln S in S**(1/p): p=0.9 at a row of 3e300 was 216 ulp off. Scaled by the largest |d| in the
working dtype, an entry far below it (float32 1e-3 beside 3e37) goes subnormal (a first try had its slope 6e-6
off), and the slope must not pass through g · m (inf beside a difference of 1e300 for a loss weight of 2)."""

import mpmath as mp
import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor

mp.mp.prec = 200


def _reference(row: np.ndarray | list[str], p: float) -> tuple[float, list[float]]:
    """The norm and its gradient in 200 bits; entries given as strings past float64's range (2e308) too."""
    pp, exact = mp.mpf(p), [mp.mpf(x) if isinstance(x, str) else mp.mpf(float(x)) for x in row]
    total = sum(mp.power(abs(x), pp) for x in exact)
    slope = [
        0.0 if x == 0 else float(mp.power(total, 1 / pp - 1) * mp.power(abs(x), pp - 1) * mp.sign(x)) for x in exact
    ]
    return float(mp.power(total, 1 / pp)), slope


def _within_an_ulp(got: np.ndarray, want: np.ndarray, dtype: type) -> None:
    want = np.asarray(want, dtype)
    assert (np.abs(got.astype(np.float64) - want) <= np.spacing(np.abs(want))).all(), (got, want)


@pytest.mark.parametrize("p", [0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.99])
@pytest.mark.parametrize("size", [1e-310, 1e-300, 1e-100, 1.0, 1e100, 1e300, 3e300])
def test_pairwise_distance_and_its_gradient_within_an_ulp(p: float, size: float) -> None:
    rows = np.random.default_rng(int(p * 100) + 7).standard_normal((6, 4)) * size
    x = Tensor(rows, requires_grad=True)
    out = F.pairwise_distance(x, Tensor(np.zeros_like(rows)), p, eps=0.0)
    out.sum().backward()
    for row, got, slope in zip(rows, out.data, x.grad):
        value, want = _reference(row, p)
        _within_an_ulp(np.array([got]), [value], np.float64)
        _within_an_ulp(slope, want, np.float64)


@pytest.mark.parametrize("weight", [2.0, 1e10])
@pytest.mark.parametrize("p", [0.3, 0.5, 0.9])
def test_a_mixed_row_keeps_its_gradient_finite_and_right_for_large_loss_weights(weight: float, p: float) -> None:
    row = np.array([[1e300, 0.03, -1.0, 0.0]])
    x = Tensor(row, requires_grad=True)
    with np.errstate(over="ignore"):  # the loss itself, 1e300 x 1e10, is inf; its gradient is not
        loss = F.pairwise_distance(x, Tensor(np.zeros_like(row)), p, eps=0.0).sum() * weight
    loss.backward()
    _within_an_ulp(x.grad[0], np.array(_reference(row[0], p)[1]) * weight, np.float64)


def test_float32_entries_far_below_the_largest_keep_their_digits() -> None:
    row = np.array([[3e37, 1e-3, -2.0]], np.float32)
    x = Tensor(row, requires_grad=True)
    out = F.pairwise_distance(x, Tensor(np.zeros_like(row)), 0.5, eps=0.0)
    out.sum().backward()
    value, slope = _reference(row[0], 0.5)
    assert out.data.dtype == x.grad.dtype == np.float32
    _within_an_ulp(out.data, [value], np.float32)
    _within_an_ulp(x.grad[0], slope, np.float32)


def test_cdist_and_normalize_take_the_same_care() -> None:
    rows = np.array([[3e300, -1e299, 7.0], [1e-300, 2e-301, -5e-302]])
    x = Tensor(rows, requires_grad=True)
    F.cdist(x[None], Tensor(np.zeros((1, 1, 3))), p=0.9).sum().backward()
    for row, slope in zip(rows, x.grad):
        _within_an_ulp(slope, _reference(row, 0.9)[1], np.float64)
    unit = F.normalize(Tensor(rows), p=0.7, dim=1, eps=0.0).data
    for row, got in zip(rows, unit):
        norm = _reference(row, 0.7)[0]
        _within_an_ulp(got, [float(mp.mpf(float(v)) / mp.mpf(norm)) for v in row], np.float64)


@pytest.mark.parametrize("p", [0.3, 0.5, 0.9])
def test_a_difference_past_the_range_keeps_a_finite_right_gradient(p: float) -> None:
    x1, x2 = np.array([[1e308, 1.0, 0.0], [3.0, -1.0, 2.0]]), np.array([[-1e308, 0.0, 0.0], [1.0, 1.0, 1.0]])
    x = Tensor(x1, requires_grad=True)
    with np.errstate(over="ignore"):  # 1e308 - (-1e308) is inf, and so is the distance
        out = F.pairwise_distance(x, Tensor(x2), p, eps=0.0)
    out.sum().backward()
    assert out.data[0] == np.inf
    for row, slope in zip([["2e308", "1", "0"], x1[1] - x2[1]], x.grad):
        _within_an_ulp(slope, _reference(row, p)[1], np.float64)

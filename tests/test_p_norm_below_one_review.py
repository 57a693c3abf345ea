"""Review of `nn.p_norm_below_one` (R2 of session 45): first derivatives recorded for higher ones (create_graph) as
a plain backward's, and second derivatives for p just below 1 against mpmath."""

import mpmath
import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor, gradients, raw


def _slope(row, p, create_graph):
    x = Tensor(np.array([row]), requires_grad=True)
    with np.errstate(all="ignore"):
        out = F.pairwise_distance(x, Tensor(np.zeros((1, len(row)))), p, eps=0.0)
        (g,) = gradients(out.sum(), [x], create_graph=create_graph)
    return raw(g)[0]


@pytest.mark.parametrize("row, p", [([1e-310, -1e-310], 0.001), ([1e-318, -1e-318], 0.03)])
def test_first_derivative_under_create_graph_is_a_plain_backwards(row, p):
    """|d|^(p-1) past the range where the slope p·|d|^(p-1) is not: the plain backward takes it as
    (|d|·p^(1/(p-1)))^(p-1), the rule recorded for second derivatives took the plain power: [inf, -inf] for
    [5.36e300, -5.36e300] at [1e-310, -1e-310], p = 0.001 (main before the op: the plain backward's)."""
    plain, recorded = _slope(row, p, False), _slope(row, p, True)
    assert np.isfinite(plain).all()
    assert recorded.tolist() == plain.tolist()


def _exact_slope(d, q):
    norm = mpmath.fsum(abs(x) ** q for x in d if x) ** (1 / q)
    return [mpmath.sign(x) * (abs(x) / norm) ** (q - 1) if x else mpmath.mpf(0) for x in d]


def _exact_hvp(row, p, v):
    """The Hessian-vector product of ‖d‖_p by a central difference of the exact slope, at 400 bits."""
    with mpmath.workprec(400):
        d, q = [mpmath.mpf(x) for x in row], mpmath.mpf(p)
        h = mpmath.mpf(10) ** -60 * max(abs(x) for x in d)
        up = _exact_slope([x + h * w for x, w in zip(d, v)], q)
        down = _exact_slope([x - h * w for x, w in zip(d, v)], q)
        return np.array([float((a - b) / (2 * h)) for a, b in zip(up, down)])


@pytest.mark.parametrize("p", [0.9999, 1 - 1e-12, 1 - 2.0**-53])
@pytest.mark.parametrize("row", [[3.0, -1.5, 0.25, 2.0], [1e100, -3e99, 2e100, 1e99]])
def test_second_derivative_for_p_just_below_one(row, p):
    """Every entry of the Hessian holds a factor 1/p - 1 (tiny here), of which the root's rule took c - 1, c the
    float below 1/p: 3e-14 off at p = 0.9999, 5e-6 at 1 - 1e-12, and at p = 1 - 2^-53 (c = 1) the root's share
    was lost: 4.5e-2 off for [3, -1.5, 0.25, 2], 0.22 for rows of 1e100 (PyTorch 2.13's within 4e-14 of the largest
    entry there)."""
    v = [0.5, 1.0, -1.5, 0.25]
    x = Tensor(np.array([row]), requires_grad=True)
    (g,) = gradients(F.pairwise_distance(x, Tensor(np.zeros((1, 4))), p, eps=0.0).sum(), [x], create_graph=True)
    (h,) = gradients((g * Tensor(np.array([v]))).sum(), [x])
    exact = _exact_hvp(row, p, v)
    assert np.max(np.abs(raw(h)[0] - exact)) <= 1e-13 * np.max(np.abs(exact)), (raw(h)[0], exact)


@pytest.mark.parametrize("p", [5e-309, 1e-320])
@pytest.mark.parametrize("function", [F.pairwise_distance, F.cdist, F.pdist])
def test_p_whose_reciprocal_is_past_the_floats(function, p):
    """1/p past the largest float (p below 5.6e-309): an OverflowError ("integer division result too large for a
    float") from splitting 1/p into c + ε; the distance is inf, as main's before and torch 2.13's."""
    x = Tensor(np.array([[3.0, -1.5, 0.25, 2.0], [0.0, 0.0, 0.0, 0.0]]), requires_grad=True)
    with np.errstate(all="ignore"):
        out = function(x, p) if function is F.pdist else function(x, Tensor(np.zeros((2, 4))), p)
        out.sum().backward()
    assert np.isinf(raw(out)).any() and not np.isnan(raw(out)).any()
    assert (np.sign(x.grad[0]) == [1, -1, 1, 1]).all()

"""The 2-norm family at subnormal scale against mpmath: normalize (eps 0), cosine_similarity (eps 0) and the
gradients of norm and std. A subnormal norm is right to rounding but has few digits (‖[5e-324, 5e-324]‖ is
5e-324), so x/‖x‖ divided by it was [1, 1], not 1/√2: these are now within 2 ulps, as at any other scale."""

import math
import warnings

import numpy as np
import pytest

from autograd import Tensor
from nn.distances import cosine_similarity
from nn.functional import normalize

mp = pytest.importorskip("mpmath", reason="mpmath (torch's sympy installs it) is the reference of these tests")
ROWS = [[5e-324, 5e-324], [1e-320, 3e-320], [5e-324, 1e-323, 1.5e-323], [1e-310, 2e-310], [2.2e-308, 1e-320]]


def _unit(row):
    with mp.workdps(50):
        norm = mp.sqrt(mp.fsum(mp.mpf(v) ** 2 for v in row))
        return [float(mp.mpf(v) / norm) for v in row]


def _within(ours, exact, ulps=2):
    for a, b in zip(np.ravel(ours), exact):
        assert abs(a - b) <= ulps * math.ulp(b), (list(np.ravel(ours)), exact)


@pytest.mark.parametrize("row", ROWS)
def test_normalize_and_the_norms_gradient_are_mpmath_s_on_subnormal_rows(row):
    """A row of ones beside it keeps its own path; nothing warns (the results are all in range)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pair = np.array([row, [1.0] * len(row)])
        _within(normalize(Tensor(pair), eps=0.0).data[0], _unit(row))
        x = Tensor(np.array(row), requires_grad=True)
        x.norm().backward()
        _within(x.grad, _unit(row))


@pytest.mark.parametrize("row", ROWS)
def test_cosine_similarity_of_subnormal_rows_is_mpmath_s(row):
    turned = row[::-1]
    with mp.workdps(50):
        exact = float(mp.fsum(mp.mpf(a) * mp.mpf(b) for a, b in zip(_unit(row), _unit(turned))))
    ours = cosine_similarity(Tensor(np.array([row])), Tensor(np.array([turned])), eps=0.0).data
    assert abs(ours[0] - exact) <= 4 * math.ulp(exact), (ours, exact)


def test_std_gradient_of_a_subnormal_spread_is_mpmath_s():
    """It was 1.5e-4 off (-0.44550, not -0.44544): the subnormal std times the scale kept its rounding."""
    row = [1e-320, 3e-320, 4e-320]
    with mp.workdps(50):
        values = [mp.mpf(v) for v in row]
        mean = mp.fsum(values) / 3
        std = mp.sqrt(mp.fsum((v - mean) ** 2 for v in values) / 3)  # numpy's ddof 0, Tensor.std's default
        exact = [float((v - mean) / (3 * std)) for v in values]
    x = Tensor(np.array(row), requires_grad=True)
    x.std().backward()
    _within(x.grad, exact, ulps=4)


def test_float32_subnormal_rows_too():
    row = np.array([[1e-45, 1e-45]], dtype=np.float32)
    assert normalize(Tensor(row), eps=0.0).data.tolist() == [[np.float32(0.70710677)] * 2]

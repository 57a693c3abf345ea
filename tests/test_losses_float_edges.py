"""Losses at the edges of the float range. Those >= 0 by definition are never negative, not even -0.0:
cross_entropy of a row the model is sure of (log p = 0 at its label) gave -0.0, eagerly and compiled. And
losses whose squares overflow where the loss fits: cosine_embedding_loss of two equal rows of 1e200 was NaN
(it is 0), gaussian_nll_loss of a difference and variance of 1e200 inf (it is 5e199)."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn
from autograd import Tensor

F = nn.functional

logit = st.floats(-1e3, 1e3) | st.sampled_from([0.0, 40.0, 1000.0, -1000.0])
batches = st.integers(1, 4).flatmap(
    lambda n: st.tuples(
        st.lists(st.lists(logit, min_size=3, max_size=3), min_size=n, max_size=n),
        st.lists(st.integers(0, 2), min_size=n, max_size=n),
    )
)
OPTIONS = [{}, {"weight": np.array([2.0, 1.0, 0.5])}, {"label_smoothing": 0.0}, {"label_smoothing": 1e-300}]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("options", OPTIONS, ids=["plain", "weight", "smoothing 0", "smoothing tiny"])
@given(batch=batches)
def test_cross_entropy_is_never_negative(batch, options, reduction):
    rows, labels = batch
    logits = np.array(rows)
    by_label = F.cross_entropy(Tensor(logits), np.array(labels), reduction=reduction, **options)
    one_hot = np.eye(3)[labels]
    by_probability = F.cross_entropy(Tensor(logits), one_hot, reduction=reduction, **options)
    for loss in (by_label, by_probability):
        assert not np.any(np.signbit(loss.data)), loss.data


def test_a_sure_row_loses_plus_zero_compiled_too():
    logits = Tensor(np.array([[1000.0, -1000.0, 0.0]]), requires_grad=True)
    labels = np.array([0])
    step = autograd.compile(lambda x: F.cross_entropy(x, labels))
    for _ in range(2):  # recorded, then replayed
        loss = step(logits)
        assert loss.item() == 0 and not np.signbit(loss.item())
    assert not np.signbit(F.cross_entropy(logits, labels).item())


@pytest.mark.parametrize("size", [1e155, 1e200, 1e300])
def test_cosine_embedding_loss_of_large_rows(size):
    """Equal rows lose 0 and opposite rows 2 (label 1), with a finite gradient of the exact one's size."""
    x = Tensor(np.array([[size, size], [size, -size]]), requires_grad=True)
    y = np.array([[size, size], [-size, size]])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        loss = F.cosine_embedding_loss(x, y, np.array([1.0, 1.0]), reduction="none")
        loss.sum().backward()
    np.testing.assert_allclose(loss.data, [0.0, 2.0], atol=1e-15)
    assert np.all(np.isfinite(x.grad)) and np.all(np.abs(x.grad) <= 1 / size)


def test_gaussian_nll_loss_where_the_square_of_the_difference_overflows():
    x = Tensor(np.array([1e200, -3e160]), requires_grad=True)
    loss = F.gaussian_nll_loss(x, np.array([0.0, 0.0]), np.array([1e200, 1e160]), reduction="none")
    loss.sum().backward()
    np.testing.assert_allclose(loss.data, [0.5 * (math.log(1e200) + 1e200), 0.5 * (math.log(1e160) + 9e160)])
    np.testing.assert_allclose(x.grad, [1.0, -3.0])


@given(st.integers(1, 6), st.floats(-30, 30), st.integers(0, 2**32 - 1))
def test_cosine_embedding_loss_of_equal_rows_is_never_negative(width, exponent, seed):
    """1 - cos >= 0; the cosine of a row with itself rounded up to 1 + 2.2e-16 (a loss of -2.2e-16) at times."""
    rows = np.random.default_rng(seed).normal(size=(3, width)) * 10.0**exponent
    loss = F.cosine_embedding_loss(Tensor(rows), rows.copy(), np.ones(3), reduction="none")
    squares = (rows * rows).sum(axis=1)
    exact = 1e-12 / (squares + 1e-12)  # 1 - cos with PyTorch's eps: 1 - |x|²/(|x|² + eps)
    assert not np.any(np.signbit(loss.data))
    np.testing.assert_allclose(loss.data, exact, rtol=1e-6, atol=1e-15)


@pytest.mark.parametrize("size", [1e154, 1e300, 1.7e308])
def test_cosine_similarity_of_rows_whose_norm_overflows(size):
    """‖x‖ of [1.7e308, 1.7e308] is beyond the float range (inf), x/‖x‖ is not: the cosine was 0, not 1."""
    x = Tensor(np.array([[size, size], [size, -size]]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        cos = F.cosine_similarity(x, Tensor(np.array([[size, size], [size, size]])), dim=1)
        cos.sum().backward()
    np.testing.assert_allclose(cos.data, [1.0, 0.0], atol=4e-16)
    np.testing.assert_allclose(x.grad * size, [[0.0, 0.0], [0.5, 0.5]], atol=4e-16)


@given(
    st.lists(st.floats(-50, 50), min_size=2, max_size=5),
    st.floats(0.7, 60),
    st.sampled_from(["mean", "none"]),
)
def test_cross_entropy_of_a_sure_row_to_its_last_digits(others, margin, reduction):
    """A row whose label has p > 1/2 loses log(1 + Σ exp(xⱼ - x_label)): it was the log of the rounded sum, whose
    last bits were most of a loss below 1e-16 ([[40, 0, 0]], label 0: 0 where it is 8.5e-18; torch's 0 too).
    Below 2**-20 to its last digits; above, the rounding of 1 + rest is under 1e-9 of the loss."""
    mpmath = pytest.importorskip("mpmath")
    top = max(others) + margin
    row = np.array([[top, *others]])
    with mpmath.workdps(40):
        exact = float(mpmath.log1p(mpmath.fsum(mpmath.exp(mpmath.mpf(v) - mpmath.mpf(top)) for v in others)))
    loss = F.cross_entropy(Tensor(row), np.array([0]), reduction=reduction)
    # xⱼ - x_label rounds (by half an ulp of the larger): each exp is then off by as many ulp as that difference
    conditioning = 4 + 2 * max(abs(top - v) for v in others)
    if exact < 2.0**-20:
        assert abs(loss.data.item() - exact) <= conditioning * np.spacing(exact)
    else:
        assert loss.data.item() == pytest.approx(exact, rel=1e-9)
    compiled = autograd.compile(lambda x: F.cross_entropy(x, np.array([0]), reduction=reduction))
    assert compiled(Tensor(row)).data.item() == loss.data.item()

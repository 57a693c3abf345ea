"""autograd.cross_entropy and nn.functional.cross_entropy with ignore_index against PyTorch: values,
gradients and second derivatives with some, all and no rows ignored, and ignored rows of infinities
or NaN. Comparison: tests/torch_reference.py."""

import numpy as np
import pytest
from torch_reference import DTYPES, F, check, torch  # without torch: skipped

import autograd
from autograd import Tensor
from autograd import tensor_forwards as forward
from nn import functional as nnf

LOGITS = np.random.default_rng(3).standard_normal((5, 4)) * 2
IGNORED = {  # labels of LOGITS's rows, and the ignore_index
    "none ignored": ([0, 3, 1, 2, 1], -100),
    "none ignored, ignore_index a class": ([1, 3, 1, 2, 1], 0),
    "some, -100": ([-100, 3, 1, -100, 2], -100),
    "some, a class": ([0, 3, 0, 2, 1], 0),
    "some, above the classes": ([9, 3, 1, 9, 2], 9),
    "one kept": ([-100, -100, 1, -100, -100], -100),
    "all": ([-100] * 5, -100),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("api", ["autograd", "nn.functional"])
@pytest.mark.parametrize("labels, ignore_index", IGNORED.values(), ids=IGNORED.keys())
def test_cross_entropy_with_ignored_rows_matches_torch(labels, ignore_index, api, dtype):
    labels = np.array(labels)
    fn = {"autograd": autograd.cross_entropy, "nn.functional": nnf.cross_entropy}[api]
    check(
        lambda x: fn(x, labels, ignore_index=ignore_index),
        lambda x: F.cross_entropy(x, torch.from_numpy(labels), ignore_index=ignore_index),
        [LOGITS],
        dtype,
    )


def test_the_fast_path_is_unchanged_bit_for_bit():
    """No row ignored, with or without an ignore_index: the bits of the formulas the op had before it
    took one, -mean(log_softmax[rows, labels]) and (softmax - one hot) * (1 / batch), the label's
    s - 1 where s is above 1/2 as minus the sum of the row's other entries."""
    labels = np.array([1, 3, 1, 2, 1])
    s, hot = forward.softmax(LOGITS, axis=1), np.eye(4)[labels]
    near_1 = (hot == 1) & (s > 0.5)
    value = -np.mean(forward.log_softmax(LOGITS, axis=1)[np.arange(5), labels])
    gradient = np.where(near_1, 0 - (s * ~near_1).sum(axis=1, keepdims=True), s - hot) * (np.ones(()) / 5)
    assert 0 < near_1.sum() < 5, "rows of both kinds"
    for kw in ({}, {"ignore_index": -100}, {"ignore_index": 0}, {"ignore_index": 7}):
        x = Tensor(LOGITS.copy(), requires_grad=True)
        loss = autograd.cross_entropy(x, labels, **kw)
        loss.backward()
        assert loss.item() == value
        np.testing.assert_array_equal(x.grad, gradient)


# rows whose label is ignored, holding what must count for nothing (PyTorch's forward leaves them out too)
BAD_ROWS = {
    "-inf in some entries": [-np.inf, 1.0, -np.inf, 2.0],
    "all -inf": [-np.inf] * 4,
    "a NaN": [np.nan, 1.0, 2.0, 3.0],
    "+inf": [np.inf, 1.0, 2.0, 3.0],
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("row", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_an_ignored_row_of_infinities_or_nan_counts_for_nothing(row, dtype):
    """The loss is torch's; the gradient is torch's on the kept rows and 0 on the ignored one. (Where
    the ignored row's log-softmax is NaN, torch's gradient there is NaN, from its log_softmax backward
    multiplying NaN by the row's 0: pytorch/pytorch#11551, open. Its documentation says an ignored
    target does not contribute to the input gradient, and 0 is the derivative of a loss the row does
    not enter.)"""
    logits = LOGITS[:3].astype(dtype)
    logits[1] = row
    labels = np.array([2, 0, 1])
    x = Tensor(logits.copy(), requires_grad=True)
    with np.errstate(all="ignore"):
        loss = autograd.cross_entropy(x, labels, ignore_index=0)
        loss.backward()
    tx = torch.tensor(logits, requires_grad=True)
    expected = F.cross_entropy(tx, torch.from_numpy(labels), ignore_index=0)
    expected.backward()
    tol = {"rtol": 1e-12, "atol": 1e-12} if dtype == np.float64 else {"rtol": 1e-5, "atol": 1e-6}
    assert loss.dtype == dtype and np.isfinite(loss.item())
    np.testing.assert_allclose(loss.item(), expected.item(), **tol)
    np.testing.assert_allclose(x.grad[[0, 2]], tx.grad.numpy()[[0, 2]], **tol)
    assert x.grad[1].tolist() == [0.0] * 4
    if np.isfinite(tx.grad.numpy()[1]).all():
        assert tx.grad.numpy()[1].tolist() == [0.0] * 4  # where torch's is a number, it is ours

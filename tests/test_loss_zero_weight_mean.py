"""A mean over labels that weigh nothing is NaN, as torch's, and so is its gradient where labels are kept
(each one's share, its weight over the total, is 0 / 0); with every label ignored nothing flows: 0."""

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional

X = np.array([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0]])
CASES = [  # labels, class weights, label smoothing
    ([0, 2], [0.0, 1.0, 0.0], 0.0),
    ([0, 2], [0.0, 1.0, 0.0], 0.1),
    ([0, -100], [0.0, 1.0, 0.0], 0.0),
    ([-100, -100], [0.0, 1.0, 0.0], 0.0),
    ([-100, -100], None, 0.1),
]


def _ours_and_torch(loss: str, labels, weight, smoothing):
    y = np.array(labels)
    kw = {} if weight is None else {"weight": np.array(weight)}
    tkw = {} if weight is None else {"weight": torch.tensor(weight, dtype=torch.float64)}
    if smoothing:
        kw["label_smoothing"] = tkw["label_smoothing"] = smoothing
    x = Tensor(X, requires_grad=True)
    getattr(F, loss)(x, y, **kw).backward()
    t = torch.tensor(X, requires_grad=True)
    getattr(TF, loss)(t, torch.tensor(y), **tkw).backward()
    return x.grad, t.grad.numpy()


# nll_loss has no label smoothing
LOSS_CASES = [("cross_entropy", *case) for case in CASES] + [("nll_loss", *case) for case in CASES if not case[2]]


@pytest.mark.parametrize("loss, labels, weight, smoothing", LOSS_CASES)
def test_mean_over_nothing_is_nan_with_torchs_gradient(loss, labels, weight, smoothing):
    ours, theirs = _ours_and_torch(loss, labels, weight, smoothing)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    np.testing.assert_allclose(np.nan_to_num(ours), np.nan_to_num(theirs), rtol=1e-12)
    assert np.isnan(ours).any() == (labels != [-100, -100])  # kept labels that weigh 0: NaN; none kept: 0

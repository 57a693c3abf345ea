"""A mean over labels whose weights add up to 0 (all 0, or negative ones cancelling) is torch's quotient by 0,
NaN or ±inf, and its gradient is torch's entry by entry: ±inf, NaN where torch's steps meet inf - inf (a label's
entry) or 0 · inf (a weight of 0), 0 on ignored rows and everywhere when no row is kept (it was NaN on every
kept row, where torch has ±inf and 0 too)."""

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional

X = np.array([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0], [0.0, 0.0, -30.0]])
CASES = [  # labels, class weights, label smoothing
    ([0, 2, 2], [0.0, 1.0, 0.0], 0.0),
    ([0, 2, 2], [0.0, 1.0, 0.0], 0.1),
    ([0, -100, 2], [0.0, 1.0, 0.0], 0.0),
    ([-100, -100, -100], [0.0, 1.0, 0.0], 0.0),
    ([-100, -100, -100], None, 0.1),
    ([0, 1, 2], [1.0, -1.0, 0.0], 0.0),  # cancelling: the label weighing 0 a NaN row, the others ±inf
    ([0, 1, 2], [1.0, -1.0, 0.0], 0.2),
    ([0, 1, -100], [1.0, -1.0, 2.0], 0.0),
    ([0, 1, -100], [1.0, -1.0, 2.0], 0.3),  # no weight 0: ±inf and NaN mixed, as torch's smoothing adds them
    ([0, 1, 1], [2.0, -1.0, 5.0], 1.0),  # the label's part times 1 - e = 0: 0 · inf
]


def _ours_and_torch(loss: str, labels, weight, smoothing, dtype, create_graph=False):
    y = np.array(labels)
    kw = {} if weight is None else {"weight": np.array(weight, dtype)}
    tkw = {} if weight is None else {"weight": torch.tensor(weight, dtype=getattr(torch, np.dtype(dtype).name))}
    if smoothing:
        kw["label_smoothing"] = tkw["label_smoothing"] = smoothing
    x = Tensor(X.astype(dtype), requires_grad=True)
    with np.errstate(all="ignore"):
        ours = getattr(F, loss)(x, y, **kw)
        ours.backward(create_graph=create_graph)
    t = torch.tensor(X.astype(dtype), requires_grad=True)
    theirs = getattr(TF, loss)(t, torch.tensor(y), **tkw)
    theirs.backward()
    np.testing.assert_array_equal(ours.item(), theirs.item())
    return np.asarray(x.grad.data if create_graph else x.grad), t.grad.numpy()


# nll_loss has no label smoothing
LOSS_CASES = [("cross_entropy", *case) for case in CASES] + [("nll_loss", *case) for case in CASES if not case[2]]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("loss, labels, weight, smoothing", LOSS_CASES)
def test_mean_over_a_weight_sum_of_0_has_torchs_gradient(loss, labels, weight, smoothing, dtype):
    ours, theirs = _ours_and_torch(loss, labels, weight, smoothing, dtype)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    np.testing.assert_array_equal(np.isinf(ours), np.isinf(theirs))
    np.testing.assert_allclose(np.nan_to_num(ours), np.nan_to_num(theirs), rtol=1e-6)
    kept = [label for label in labels if label != -100]
    assert np.isfinite(ours).all() == (not kept)  # with no label kept, 0 everywhere


@pytest.mark.parametrize("loss, labels, weight, smoothing", [c for c in LOSS_CASES if c[1][0] != -100])
def test_the_recorded_rule_gives_the_same_entries(loss, labels, weight, smoothing):
    """backward(create_graph=True) runs the rule on nodes: the same entries as on arrays, torch's."""
    ours, theirs = _ours_and_torch(loss, labels, weight, smoothing, np.float64, create_graph=True)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    np.testing.assert_array_equal(np.nan_to_num(ours), np.nan_to_num(theirs))

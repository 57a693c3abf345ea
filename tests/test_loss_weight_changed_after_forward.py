"""A loss's class weights given as a Tensor and changed in place between the forward and the backward
(from_torch_state_dict writes into a Tensor weight, as torch's copy_ into its loss's buffer; or `w.data[...] = ...;
w.data = ...` by hand): the fused ops (cross_entropy of class indices, nll_loss, multi_margin_loss) read the weight in
backward, and gave the gradient of weights the forward never used ([-0.66, 0.33, 0.33] where the loss computed took
[1, 2, 3], whose gradient is [-0.17, 0.08, 0.08]), silently. The backward now refuses, as it does for any tensor an op
used, and as torch does."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from nn.export import from_torch_state_dict

LABELS = np.array([0, 2, 1])
LOSSES = {
    "cross_entropy": lambda z, w: F.cross_entropy(z, LABELS, weight=w),
    "smoothed": lambda z, w: F.cross_entropy(z, LABELS, weight=w, label_smoothing=0.1),
    "nll_loss": lambda z, w: F.nll_loss(z, LABELS, weight=w),
    "multi_margin_loss": lambda z, w: F.multi_margin_loss(z, LABELS, weight=w),
}


def counted_write(w: Tensor, values) -> None:
    held = w.data
    held[...] = values
    w.data = held  # the same array: a change made in place, as load_state_dict counts it


@pytest.mark.parametrize("loss", LOSSES)
def test_a_weight_changed_in_place_after_the_forward_is_refused_by_backward(loss):
    z = Tensor(np.random.default_rng(0).standard_normal((3, 3)), requires_grad=True)
    w = Tensor(np.array([1.0, 2.0, 3.0]))
    value = LOSSES[loss](z, w)
    counted_write(w, [100.0, 1.0, 1.0])
    with pytest.raises(RuntimeError, match=r"tensor of shape \(3,\) was changed in place after .* used it"):
        value.backward()


@pytest.mark.parametrize("loss", LOSSES)
def test_an_unchanged_weight_backwards_as_before(loss):
    z = Tensor(np.random.default_rng(0).standard_normal((3, 3)), requires_grad=True)
    w = Tensor(np.array([1.0, 2.0, 3.0]))
    LOSSES[loss](z, w).backward()
    z2 = Tensor(z.data.copy(), requires_grad=True)
    LOSSES[loss](z2, np.array([1.0, 2.0, 3.0])).backward()
    assert np.array_equal(z.grad, z2.grad)


def test_from_torch_state_dict_between_forward_and_backward_is_refused_at_backward():
    loss = nn.CrossEntropyLoss(weight=Tensor(np.array([1.0, 2.0, 3.0])))
    z = Tensor(np.zeros((2, 3)), requires_grad=True)
    value = loss(z, np.array([0, 2]))
    from_torch_state_dict(loss, {"weight": np.array([100.0, 1.0, 1.0])})
    with pytest.raises(RuntimeError, match="was changed in place after cross_entropy used it"):
        value.backward()

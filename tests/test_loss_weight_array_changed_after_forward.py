"""A loss's class weights given as a numpy array and written into between the forward and the backward (`w[...] =
...`, load_state_dict or from_torch_state_dict of a loss module's weight, which write into the array it holds): the
fused ops (cross_entropy of class indices, nll_loss, multi_margin_loss) keep the array itself, so that a compiled
step's replays read each call's numbers, and their rules read it again in backward: they gave the gradient of the
new weights, silently (cross_entropy's x.grad 0.27 off at [1, 2, 3] made [1, 5, 1]). The backward now refuses, as
it refuses a Tensor weight changed in place; a write that leaves the same numbers is no change."""

import warnings

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor, cross_entropy, multi_margin_loss, nll_loss
from nn.export import from_torch_state_dict

LABELS = np.array([0, 1, 2, 1])
X = np.random.default_rng(0).normal(size=(4, 3))
LOSSES = {
    "cross_entropy": lambda x, w: cross_entropy(x, LABELS, weight=w),
    "smoothed": lambda x, w: cross_entropy(x, LABELS, weight=w, label_smoothing=0.1, reduction="sum"),
    "nll_loss": lambda x, w: nll_loss(x, LABELS, weight=w),
    "multi_margin_loss": lambda x, w: multi_margin_loss(x, LABELS, weight=w),
}
MODULES = {
    "CrossEntropyLoss": nn.CrossEntropyLoss,
    "NLLLoss": nn.NLLLoss,
    "MultiMarginLoss": nn.MultiMarginLoss,
}
REFUSED = r"the array of shape \(3,\) given as {}'s weight was changed after {} used it"


def _refused(op: str) -> str:
    return REFUSED.format(op, op)


def _op_of(loss: str) -> str:
    return "cross_entropy" if loss == "smoothed" else loss


@pytest.mark.parametrize("loss", LOSSES)
def test_an_array_weight_written_into_after_the_forward_is_refused_by_backward(loss):
    x = Tensor(X, requires_grad=True)
    w = np.array([1.0, 2.0, 3.0])
    value = LOSSES[loss](x, w).sum()
    w[...] = [1.0, 5.0, 1.0]
    with pytest.raises(RuntimeError, match=_refused(_op_of(loss))):
        value.backward()
    assert x.grad is None


@pytest.mark.parametrize("loss", LOSSES)
def test_a_write_that_leaves_the_same_numbers_backwards_as_before(loss):
    x, x2 = Tensor(X, requires_grad=True), Tensor(X, requires_grad=True)
    w = np.array([1.0, 2.0, 3.0])
    value = LOSSES[loss](x, w).sum()
    w[...] = [9.0, 9.0, 9.0]
    w[...] = [1.0, 2.0, 3.0]
    value.backward()
    LOSSES[loss](x2, np.array([1.0, 2.0, 3.0])).sum().backward()
    assert np.array_equal(x.grad, x2.grad)


@pytest.mark.parametrize("changed", [[-0.0, 2.0, 3.0], [np.nan, 2.0, 3.0]], ids=["minus_zero", "nan"])
def test_the_numbers_are_compared_bit_for_bit(changed):
    """+0 made -0.0 is a change (a sign the rule may carry); a NaN left NaN is none (NaN != NaN as numbers)."""
    x = Tensor(X, requires_grad=True)
    w = np.array([0.0, 2.0, 3.0])
    value = cross_entropy(x, LABELS, weight=w, reduction="sum")
    w[...] = changed
    with pytest.raises(RuntimeError, match=_refused("cross_entropy")):
        value.backward()


def test_a_second_backward_of_a_kept_graph_is_refused_after_a_write():
    x = Tensor(X, requires_grad=True)
    w = np.array([1.0, 2.0, 3.0])
    value = cross_entropy(x, LABELS, weight=w)
    value.backward(retain_graph=True)
    w[0] = 7.0
    with pytest.raises(RuntimeError, match=_refused("cross_entropy")):
        value.backward()


SECOND_ORDER = {
    "cross_entropy": LOSSES["smoothed"],
    "multi_margin_loss": lambda x, w: multi_margin_loss(x, LABELS, p=2, weight=w),
}


@pytest.mark.parametrize("loss", SECOND_ORDER)
def test_create_graph_refuses_a_write_before_it_and_keeps_the_forwards_weights_after(loss):
    """Before the first backward the rule would read the new weights; after it, the gradient's graph holds what the
    rule made of the forward's, and a second derivative is theirs (multi_margin_loss's of p = 2: p = 1 has none)."""
    f = SECOND_ORDER[loss]
    w = np.array([1.0, 2.0, 3.0])
    x = Tensor(X, requires_grad=True)
    value = f(x, w)
    w[1] = 5.0
    with pytest.raises(RuntimeError, match=_refused(loss)):
        value.backward(create_graph=True)
    w[1] = 2.0
    second = []
    for weight in (w, np.array([1.0, 2.0, 3.0])):
        x = Tensor(X, requires_grad=True)
        f(x, weight).backward(create_graph=True)
        gx, x.grad = x.grad, None
        w[1] = 5.0  # after the first backward: read by nothing
        (gx * gx).sum().backward()
        second.append(x.grad)
    assert np.array_equal(*second)


class _Model(nn.Module):
    """A model whose class weights are its buffer, which its loss is built on (PyTorch's `weight=self.cw`)."""

    def __init__(self, loss):
        super().__init__()
        self.register_buffer("cw", np.array([1.0, 2.0, 3.0]))
        self.loss = loss(weight=self.cw)


@pytest.mark.parametrize("name", MODULES)
@pytest.mark.parametrize("load", ["load_state_dict", "from_torch_state_dict"])
def test_a_loss_modules_weight_loaded_between_forward_and_backward_is_refused(name, load):
    model = _Model(MODULES[name])
    x = Tensor(X, requires_grad=True)
    value = model.loss(x, LABELS)
    held = model.cw
    if load == "load_state_dict":
        model.load_state_dict({"cw": np.array([100.0, 1.0, 1.0])})
    else:
        from_torch_state_dict(model, {"cw": np.array([100.0, 1.0, 1.0]), "loss.weight": np.array([100.0, 1.0, 1.0])})
    assert model.cw is held and model.loss.weight is held  # written into the array held, which the graph's op holds
    op = {"CrossEntropyLoss": "cross_entropy", "NLLLoss": "nll_loss", "MultiMarginLoss": "multi_margin_loss"}[name]
    with pytest.raises(RuntimeError, match=_refused(op)):
        value.backward()


def test_nn_functional_passes_the_array_and_is_refused_too():
    x = Tensor(X, requires_grad=True)
    w = np.array([1.0, 2.0, 3.0])
    value = F.cross_entropy(x, LABELS, weight=w)
    w *= 2
    with pytest.raises(RuntimeError, match=_refused("cross_entropy")):
        value.backward()


@pytest.mark.parametrize("held", [False, True], ids=["argument", "held"])
def test_a_compiled_step_that_writes_into_its_weights_before_backward_is_refused_as_eagerly(held):
    """The recording call runs the step eagerly, and its backward refuses as eager's; the step never replays."""
    p = Tensor(np.ones(3), requires_grad=True)
    w_held = np.array([1.0, 2.0, 3.0])

    def step(x, w):
        w = w_held if held else w
        value = cross_entropy(Tensor(x) * p, LABELS, weight=w)
        w[...] = w * 2
        value.backward()
        return value.item()

    run = autograd.compile(step)
    for _ in range(3):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", autograd.CompileWarning)  # it writes into an array it reads: eagerly
            with pytest.raises(RuntimeError, match=_refused("cross_entropy")):
                run(X, np.array([1.0, 2.0, 3.0]))

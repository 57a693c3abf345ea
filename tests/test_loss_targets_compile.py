"""The targets of nn's pair losses (mse_loss, l1_loss, hinge_loss, binary_cross_entropy, huber) reach the ops
as the caller's own array where it has the predictions' dtype (copied only to be cast), so that a
compiled regression step feeds each call's targets and replays them (a copy made on every call was
data made outside the graph, and the step ran eagerly); a target Tensor stays a Tensor, its version
count guarding what a rule reads of it."""

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from nn import functional as F
from nn.losses_pairs import pairs

LOSSES = {
    "mse_loss": (F.mse_loss, lambda rng: rng.standard_normal((4, 2))),
    "l1_loss": (F.l1_loss, lambda rng: rng.standard_normal((4, 2))),
    "hinge_loss": (F.hinge_loss, lambda rng: np.where(rng.random((4, 2)) > 0.5, 1.0, -1.0)),
    "binary_cross_entropy": (lambda p, t: F.binary_cross_entropy(p.sigmoid(), t), lambda rng: rng.random((4, 2))),
}
# huber's and smooth_l1's two pieces come from ops on the difference, not from a mask read off its
# numbers: a recording where every |d| was below delta replays later steps where some are above
SPLIT = {
    "huber_loss": F.huber_loss,
    "smooth_l1_loss": lambda p, t: F.smooth_l1_loss(p, t, beta=0.5),
}


def _train(loss_fn, targets, compiled):
    model = nn.Linear(3, 2, seed=0, dtype=np.float64)
    opt = nn.SGD(model.parameters(), lr=0.1)

    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    run = autograd.compile(step, strict=True) if compiled else step
    rng = np.random.default_rng
    losses = [run(Tensor(rng(i).standard_normal((4, 3))), targets(rng(10 + i))) for i in range(5)]
    return losses, model.W.data.copy(), model.b.data.copy()


@pytest.mark.parametrize("loss_fn, targets", LOSSES.values(), ids=LOSSES.keys())
def test_a_compiled_step_replays_new_array_targets_as_eager(loss_fn, targets):
    eager = _train(loss_fn, targets, compiled=False)
    compiled = _train(loss_fn, targets, compiled=True)  # strict: a step that could not replay raises
    for got, expected in zip(compiled, eager):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_a_compiled_step_replays_targets_of_another_float_dtype(dtype):
    """float16 targets of a float64 model ran eagerly with a warning blaming the step (a helper's audit):
    the cast went through Tensor(), which made them float32 first, a copy outside the op table."""
    targets = lambda rng: rng.standard_normal((4, 2)).astype(dtype)  # noqa: E731
    eager = _train(F.mse_loss, targets, compiled=False)
    compiled = _train(F.mse_loss, targets, compiled=True)  # strict: a step that could not replay raises
    for got, expected in zip(compiled, eager):
        np.testing.assert_array_equal(got, expected)


def _near_then_far():
    """Targets near the predictions on the two recorded calls, far from them on the replays."""
    calls = iter(range(100))
    return lambda rng: rng.standard_normal((4, 2)) * (0.01 if next(calls) < 2 else 5.0)


@pytest.mark.parametrize("loss_fn", SPLIT.values(), ids=SPLIT.keys())
def test_a_compiled_huber_step_replays_differences_on_the_other_side_of_delta(loss_fn):
    eager = _train(loss_fn, _near_then_far(), compiled=False)
    compiled = _train(loss_fn, _near_then_far(), compiled=True)
    for got, expected in zip(compiled, eager):
        np.testing.assert_array_equal(got, expected)


def test_an_array_target_of_the_predictions_dtype_is_used_as_itself_and_others_are_cast():
    pred = Tensor(np.zeros((2, 2)), requires_grad=True)
    same = np.ones((2, 2))
    assert pairs(pred, same, "mse_loss")[0][1] is same
    for other in (np.ones((2, 2), dtype=np.float32), np.ones((2, 2), dtype=int), [[1, 1], [1, 1]]):
        ((_, t),) = pairs(pred, other, "mse_loss")
        assert t is not other and t.dtype == np.float64 and t.tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_a_cast_target_is_a_copy_that_later_changes_to_the_callers_array_do_not_reach():
    pred = Tensor(np.array([0.5, -0.2], dtype=np.float32), requires_grad=True)
    labels = np.array([1.0, -1.0])  # float64: cast to float32, a copy
    loss = F.hinge_loss(pred, labels)
    labels[:] = -labels
    loss.backward()
    assert pred.grad.tolist() == [-0.5, 0.5]  # d mean(relu(1 - t p)) / dp = -t / 2 for the labels given


def test_a_target_tensor_changed_in_place_before_backward_raises_as_any_tensor():
    pred = Tensor(np.array([0.5, -0.2]), requires_grad=True)
    labels = Tensor(np.array([1.0, -1.0]))  # pred's dtype: used as itself, its version count read
    loss = F.hinge_loss(pred, labels)  # the rule of p * t reads t
    labels[0] = -1.0
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()

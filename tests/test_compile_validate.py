"""autograd.validate: a check of a step's input data that a compiled step runs again on every
replay (a replay runs no Python of the step), before anything changes: nn's losses check their
targets so, and refuse bad ones on a replay as eagerly."""

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from nn import functional as F

LOSSES = {  # name: (loss of (scores, targets), good targets, a bad one, the type the targets are given as)
    "binary_cross_entropy": (
        lambda s, t: F.binary_cross_entropy(s.sigmoid(), t),
        lambda r: r.random((4, 2)),
        4.0,
        np.asarray,
    ),
    "hinge_loss": (F.hinge_loss, lambda r: np.where(r.random((4, 2)) > 0.5, 1.0, -1.0), 0.0, np.asarray),
    # kl_div's t log t of an array target is computed with numpy (data made outside the graph): a Tensor replays
    "kl_div": (lambda s, t: F.kl_div(s.log_softmax(axis=1), t), lambda r: r.random((4, 2)), -0.5, Tensor),
    "soft cross_entropy": (F.cross_entropy, lambda r: r.random((4, 2)), np.nan, np.asarray),
}


@pytest.mark.parametrize("loss_fn, good, bad, given_as", LOSSES.values(), ids=LOSSES.keys())
def test_a_replay_refuses_bad_targets_as_eager_does_and_changes_nothing(loss_fn, good, bad, given_as):
    model = nn.Linear(3, 2, seed=0, dtype=np.float64)
    opt = nn.SGD(model.parameters(), lr=0.1)

    def step(x, t):
        opt.zero_grad()
        loss = loss_fn(model(x), t)
        loss.backward()
        opt.step()
        return loss.item()

    run, rng = autograd.compile(step, strict=True), np.random.default_rng(0)
    x = Tensor(rng.standard_normal((4, 3)))
    for _ in range(3):  # two recordings, a replay
        run(x, given_as(good(rng)))
    targets = good(rng)
    targets[1, 0] = bad
    before = model.W.data.copy()
    with pytest.raises(ValueError, match="targets|labels|probabilities") as eager:
        step(x, given_as(targets.copy()))
    with pytest.raises(ValueError) as replayed:
        run(x, given_as(targets))
    assert str(replayed.value) == str(eager.value)
    np.testing.assert_array_equal(model.W.data, before)


def test_a_users_check_runs_on_each_replays_input():
    seen = []
    w = Tensor(np.ones(3), requires_grad=True)

    def positive(data):
        seen.append(np.asarray(data).copy())
        if (np.asarray(data) <= 0).any():
            raise ValueError("weights must be > 0")

    def step(x, weights):
        autograd.validate(positive, weights)
        loss = (w * x * weights).sum()
        loss.backward()
        return loss

    run = autograd.compile(step, strict=True)
    for k in range(1, 4):
        run(Tensor(np.ones(3)), np.full(3, float(k)))
    assert [s[0] for s in seen] == [1.0, 2.0, 3.0]  # the replay checked its own weights
    with pytest.raises(ValueError, match="weights must be > 0"):
        run(Tensor(np.ones(3)), np.array([1.0, -1.0, 1.0]))

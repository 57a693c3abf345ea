"""autograd.validate: a check of a step's input data that a compiled step runs again on every
replay (a replay runs no Python of the step), before anything changes: nn's losses check their
targets so, and refuse bad ones on a replay as eagerly."""

import gc

import numpy as np
import pytest
from compile_cases import training_step
from compile_faithful_cases import count_replays

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
    "kl_div": (lambda s, t: F.kl_div(s.log_softmax(axis=1), t), lambda r: r.random((4, 2)), -0.5, np.asarray),
    "kl_div of a Tensor": (lambda s, t: F.kl_div(s.log_softmax(axis=1), t), lambda r: r.random((4, 2)), -0.5, Tensor),
    "soft cross_entropy": (F.cross_entropy, lambda r: r.random((4, 2)), np.nan, np.asarray),
}


@pytest.mark.parametrize("loss_fn, good, bad, given_as", LOSSES.values(), ids=LOSSES.keys())
def test_a_replay_refuses_bad_targets_as_eager_does_and_changes_nothing(loss_fn, good, bad, given_as):
    model = nn.Linear(3, 2, seed=0, dtype=np.float64)
    step = training_step(model, nn.SGD(model.parameters(), lr=0.1), loss_fn)
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


def test_a_users_check_runs_on_each_replays_input(monkeypatch):
    """And its data, an input's watched view, is the recording's own: counted as stored by the step, it cost two
    passes over the whole heap a recording (gc.get_referrers, ~1 s each in a long run)."""
    seen, passes = [], []
    monkeypatch.setattr(gc, "get_referrers", lambda *objects: passes.append(len(objects)) or [])
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
    assert passes == []
    with pytest.raises(ValueError, match="weights must be > 0"):
        run(Tensor(np.ones(3)), np.array([1.0, -1.0, 1.0]))


@pytest.mark.parametrize("index, message", [(-1, "index -1 is out of range"), (7, "index 7 is out of range")])
def test_a_replay_refuses_embedding_indices_out_of_range_as_eager_does(index, message):
    """A replay took -1 as the last row (and trained it), and 7 gave numpy's bare IndexError."""
    table = nn.Embedding(5, 2, dtype=np.float64, seed=0)
    opt = nn.SGD(table.parameters(), lr=0.1)

    def step(i):
        opt.zero_grad()
        loss = table(i).sum()
        loss.backward()
        opt.step()
        return loss

    run = autograd.compile(step, strict=True)
    for i in ([0, 1], [2, 3], [1, 2]):
        run(np.array(i))
    before = table.weight.data.copy()
    with pytest.raises(IndexError, match=f"^Embedding {message}: this table has rows 0 to 4$"):
        run(np.array([index, 0]))
    np.testing.assert_array_equal(table.weight.data, before)


def test_a_float16_input_is_recorded_in_float16():
    """The recording's stand-in for the input was float32: every replay computed in float32."""

    def make():
        model = nn.Linear(4, 3, seed=0, dtype=np.float16)
        return training_step(model, nn.SGD(model.parameters(), lr=0.1)), model

    (eager, eager_model), (compiled, compiled_model) = make(), make()
    run = autograd.compile(compiled, strict=True)
    x, y = Tensor(np.ones((2, 4), np.float16), dtype=np.float16), np.array([0, 1])
    for _ in range(4):
        a, b = eager(x, y), run(x, y)
        assert a.dtype == b.dtype == np.float16 and a.item() == b.item()
    np.testing.assert_array_equal(eager_model.W.data, compiled_model.W.data)


def _trained(loss_fn, compiled, w):
    """Eight steps of a linear model on targets alternating one-hot and soft, `w` changed after five."""
    w.data = np.ones(3)
    model = nn.Linear(3, 3, seed=0, dtype=np.float64)
    step = training_step(model, nn.SGD(model.parameters(), lr=0.1), loss_fn)
    run = autograd.compile(step, strict=True) if compiled else step  # each replays: nothing runs eagerly
    targets = [np.eye(3)[[0, 1]], np.eye(3)[[2, 0]], np.full((2, 3), 1 / 3), np.eye(3)[[1, 2]]]
    x, out = Tensor(np.ones((2, 3))), []
    for i, t in enumerate(targets * 2):
        if i == 5:
            w.data = np.array([5.0, 0.1, 2.0])
        out.append(run(x, t).item())
    return out, model.W.data.copy()


def test_kl_div_replays_each_calls_target_entropy_and_loss_weights_are_read_live():
    """kl_div's t log t was numpy on the target: one-hot targets on the two recorded calls gave equal
    data (0), replayed as recorded for soft targets later (1.2014 for 0.1028). A constant Tensor of loss
    weights was copied, so a replay kept the recorded weights after `w.data = ...` (0.698 for 1.776)."""
    w = Tensor(np.array([1.0, 1.0, 1.0]))
    losses = {
        "kl_div": lambda s, t: F.kl_div(s.log_softmax(axis=1), t, reduction="batchmean"),
        "bce weight": lambda s, t: F.binary_cross_entropy(s.sigmoid(), t, weight=w),
        "bce pos_weight": lambda s, t: F.binary_cross_entropy_with_logits(s, t, pos_weight=w),
        "soft cross_entropy weight": lambda s, t: F.cross_entropy(s, t, weight=w),
        "soft cross_entropy smoothing": lambda s, t: F.cross_entropy(s, t, label_smoothing=0.1),
        "kl_div log_target": lambda s, t: F.kl_div(s.log_softmax(axis=1), t, log_target=True),
    }
    for name, loss_fn in losses.items():
        (eager, eager_w), (compiled, compiled_w) = _trained(loss_fn, False, w), _trained(loss_fn, True, w)
        assert eager == compiled and np.array_equal(eager_w, compiled_w), name


def test_weights_of_another_dtype_are_cast_by_an_op_and_never_replayed_stale(monkeypatch):
    """float64 weights beside float32 logits are cast by the astype op, data made from a constant Tensor's
    numbers, which each replay casts again as they are then: a change (in place, or `w.data` replaced) is
    replayed (it recorded the step again, 3 of 9 calls replayed). A copy cast with numpy (equal on the
    recorded calls, a replay reused it after `w.data` changed: 1.0225 where eager gives 0.7202) could not be
    pinned, and such a step ran eagerly."""
    x = Tensor(np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32))
    w, target = Tensor(np.array([1.0, 2.0, 3.0])), np.ones((4, 3), np.float32)
    step = lambda x, t: F.binary_cross_entropy_with_logits(x, t, weight=w)  # noqa: E731
    run = autograd.compile(step, strict=True)
    replays = count_replays(monkeypatch)
    for change in (lambda: None, lambda: w.data.__setitem__(slice(None), [5.0, 0.1, 7.0])):
        change()
        for _ in range(3):
            assert run(x, target).item() == step(x, target).item()
    w.data = np.array([0.5, 4.0, 2.0])
    for _ in range(3):
        assert run(x, target).item() == step(x, target).item()
    assert len(replays) == 7  # every call after the two recorded


def test_class_weights_picked_by_the_labels_are_read_live_on_each_replay(monkeypatch):
    """cross_entropy's class weights of the logits' dtype are the caller's Tensor, which the fused op
    picks by each call's labels: a replay reads its numbers as they are then, written in place or
    replaced, and gives eager's loss bit for bit."""
    x = Tensor(np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32))
    w, target = Tensor(np.array([1.0, 2.0, 3.0], np.float32)), np.array([0, 1, 2, 1])
    step = lambda x, t: F.cross_entropy(x, t, weight=w)  # noqa: E731
    run = autograd.compile(step, strict=True)
    replays = count_replays(monkeypatch)
    for _ in range(3):
        run(x, target)
    w.data[:] = [5.0, 0.1, 7.0]
    assert run(x, target).item() == step(x, target).item()
    w.data = np.array([0.5, 4.0, 2.0], np.float32)
    assert run(x, target).item() == step(x, target).item()
    assert len(replays) == 3
    w.data[:] = [5.0, 0.1, 7.0]
    assert run(x, target).item() == step(x, target).item()

"""Constants that the table's ops make from a compiled step's inputs (`x.float() / 255` of a uint8 batch,
`y * 1.0` of integer labels) are made again by each replay, as ops that need no gradient: such steps
replay with eager's numbers where they ran eagerly before, and a loss's check of them (autograd.validate)
is replayed with them. One changed in place, or read by Python outside such a check, is not what the op
made, or is beyond the tape: the step runs eagerly, as before. Also: a boolean mask input used as an
index, whose count of True sets the result's length."""

import warnings

import numpy as np
import pytest
from compile_faithful_cases import (
    assert_same,
    check_refused,
    check_replayed,
    count_replays,
    linear,
    training_step,
)

import autograd
from autograd import Tensor
from nn import functional as F

_RNG = np.random.default_rng(0)
IMAGES = [_RNG.integers(0, 256, (4, 3)).astype(np.uint8) for _ in range(5)]
LABELS = [np.array(y) for y in ([0, 1, 2, 1], [2, 2, 0, 1], [1, 0, 0, 2], [0, 0, 0, 0], [2, 1, 2, 1])]


def _classifier(loss_of, tensors=False):
    """Five SGD steps of a linear classifier on uint8 images, the loss loss_of(model, x, y)."""

    def scenario(compile):
        model, opt = linear(dtype=np.float32)
        run = compile(training_step(model, opt, loss_of))
        wrap = Tensor if tensors else (lambda a: a)
        return [run(wrap(x), wrap(y)) for x, y in zip(IMAGES, LABELS)], model.W.data.copy()

    return scenario


def test_a_uint8_batch_scaled_in_the_step_replays(monkeypatch):
    scenario = _classifier(lambda model, x, y: F.cross_entropy(model(Tensor(x).float() / 255), y))
    check_replayed(scenario, monkeypatch, replays_at_least=3)


def test_a_uint8_tensor_input_and_a_weight_from_integer_labels_replay(monkeypatch):
    def loss_of(model, x, y):
        out = model(x.float() / 255)
        weight = (y * 1.0 - 1).relu()  # the examples of class 2 pull their scores down
        return F.cross_entropy(out, y) + (out.sum(1) * weight).mean()

    check_replayed(_classifier(loss_of, tensors=True), monkeypatch, replays_at_least=3)


def test_a_constant_made_from_the_inputs_then_changed_in_place_runs_eagerly(monkeypatch):
    def loss_of(model, x, y):
        scaled = Tensor(x).float() / 255
        scaled[0] = 1.0  # no longer what the op made
        return F.cross_entropy(model(scaled), y)

    assert check_refused(_classifier(loss_of), "changed|outside the graph", monkeypatch) == 0


def test_targets_made_from_the_labels_that_a_loss_checks_are_checked_by_each_replay():
    """binary_cross_entropy checks its targets' numbers (in [0, 1]) through autograd.validate: a replay
    making them again checks them again, and a label of 2 on the fourth call is refused as eagerly."""
    labels = [np.array(y) for y in ([0, 1, 0, 1], [1, 0, 0, 1], [1, 1, 0, 0], [0, 2, 1, 1])]

    def losses(compile):
        model, opt = linear(dtype=np.float32)

        def step(x, y):
            opt.zero_grad()
            p = model(Tensor(x).float() / 255)[:, 0].sigmoid()
            loss = F.binary_cross_entropy(p, Tensor(y) * 1.0)
            loss.backward()
            opt.step()
            return loss.item()

        run, done = compile(step), []
        with pytest.raises(ValueError, match="targets must lie in"):
            for x, y in zip(IMAGES, labels):
                done.append(run(x, y))
        return done, model.W.data.copy()

    eager = losses(lambda f: f)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compiled = losses(autograd.compile)
    assert_same(compiled, eager)


def test_a_boolean_mask_input_as_an_index_replays_only_for_its_count_of_true(monkeypatch):
    """`out[mask]` has as many rows as the mask has True: a replay with another count made the recorded
    number of rows (numpy broadcast a row over the buffer: three times the loss, without a word)."""
    masks = [[1, 1, 1, 0], [1, 1, 0, 1], [0, 1, 1, 1], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 1, 1]]

    def scenario(compile):
        model, opt = linear(nout=1)

        def step(x, mask):
            opt.zero_grad()
            rows = model(x).sum(1)[mask]
            loss = (rows * rows).sum()
            loss.backward()
            opt.step()
            return loss.item()

        run = compile(step)
        return [run(Tensor(np.full((4, 3), 0.1 * (i + 1))), np.array(m, bool)) for i, m in enumerate(masks)]

    check_replayed(scenario, monkeypatch, replays_at_least=2)


def test_an_index_array_of_the_callers_changed_in_place_between_calls_records_again(monkeypatch):
    """An op keeps a copy of an index array (numpy's own would see a later change): a replay used the
    recorded copy after the caller changed the array, other rows than eager's. It is compared on each
    replay now, and a change records again; so is the array behind a view of it made in the step
    (`index[:2]`, a new object on each call). A slice beside them is no array to count."""
    index = np.array([0, 1, 2])
    mask = np.array([1, 1, 1, 0], bool)
    picks = [([0, 1, 2], [1, 1, 1, 0])] * 3 + [([3, 1, 0], [1, 1, 1, 0]), ([3, 1, 0], [1, 0, 0, 0])] * 2

    def scenario(compile):
        model, opt = linear(nout=1)

        def step(x):
            opt.zero_grad()
            out = model(x).sum(1)
            loss = (out[index] * out[index[:2]].sum()).sum() + out[mask].sum() + out[1:].sum()
            loss.backward()
            opt.step()
            return loss.item()

        run, losses = compile(step), []
        for i, (rows, kept) in enumerate(picks):
            index[:], mask[:] = rows, kept
            losses.append(run(Tensor(np.arange(12.0).reshape(4, 3) * 0.1 * (i + 1))))
        return losses

    eager = scenario(lambda f: f)
    replays = count_replays(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", autograd.CompileWarning)  # recorded too often: eager after a while
        assert_same(scenario(autograd.compile), eager)
    assert replays

"""Constants that autograd's own ops make from a compiled step's inputs (ops that need no gradient on
an integer Tensor input, on `Tensor(labels)` of an array input, on `x.detach()`) cannot be made again
by a replay. Equal on the two recorded calls, they were replayed as recorded: a weight from the
labels, the same on two batches, was reused for a third whose labels differ (found by two audits of
compile). Ops are seen as they run, so such a step now runs eagerly with a CompileWarning, unless
every input was the same on both recorded calls (full-batch training, which replays), or the constant
was made by the table's ops from the inputs and constants alone, and never read by Python: a replay
runs those ops again (`REPLAYED`)."""

import copy

import numpy as np
import pytest
from compile_faithful_cases import Runs, sgd_step, trained

import autograd
import nn
from autograd import Tensor
from nn import functional as F

WEIGHTS = {  # an extra factor of the loss, from the labels alone
    "clip of an integer input": lambda y: (y - 1).clip(0, None).sum(),
    "max of an integer input": lambda y: y.max(),
    "relu of a float copy": lambda y: (y * 1.0 - 1).relu().sum(),
    "==": lambda y: (y == 2).sum(),
    "2 == y": lambda y: (2 == y).sum(),
    ".gt": lambda y: y.gt(1).sum(),
    "np.count_nonzero": lambda y: np.count_nonzero(y.clip(1, None) - 1),
    "an integer cast": lambda y: y.long().max(),
    "clone": lambda y: (y.clone() - 1).clip(0, None).sum(),
    "one_hot": lambda y: autograd.one_hot(y, 3)[:, 2].sum(),
    "Tensor() in another dtype": lambda y: (Tensor(y.data, dtype=np.float64) - 1).relu().sum(),
}


# the cases made by the table's ops, comparisons and integer casts (y.long(), y.bool(), clone's cast: each replay
# casts that call's labels, compile_casts.integer_cast) alone (not one_hot, a copy or numpy): replayed
REPLAYED = {
    "an integer cast",
    "clone",
    "where with their mask",
    "masked_fill with their mask",
    "clip of an integer input",
    "max of an integer input",
    "relu of a float copy",
    "==",  # comparisons of tensors that need no gradient are made again by each replay (compile_masks)
    "2 == y",
    ".gt",
    "Tensor(t) of an array input",
    "t.detach() of a Tensor input",
    "a constant indexed by them",
}


def _faithful(name, loss_of, batches, nout=3):
    """SGD steps of a float64 nn.Linear(3, nout) on loss_of(model, x, y), compiled, give eager's numbers; the step
    ran eagerly with a CompileWarning (one, and no other warning) unless `name` replays."""
    eager = trained(loss_of, batches, False, nn.Linear(3, nout, seed=0, dtype=np.float64)).losses
    compiled, said, _, others = trained(loss_of, batches, True, nn.Linear(3, nout, seed=0, dtype=np.float64))
    assert compiled == eager and not others
    assert len(said) == (0 if name in REPLAYED else 1)


def _step(loss_of):
    """A training step of a fresh nn.Linear(3, 3) (float64, SGD) whose loss is loss_of(outputs, labels)."""
    model = nn.Linear(3, 3, seed=0, dtype=np.float64)
    return sgd_step(model, nn.SGD(model.parameters(), lr=0.1), loss_of)


def _classifier(weight):
    """The loss of a classifier's outputs and labels, weighted by weight(labels)."""
    return lambda out, y: F.cross_entropy(out, y) * (1 + weight(y))


def _on_outputs(loss_of):
    """loss_of(outputs, labels) as the harness's loss_of(model, x, y)."""
    return lambda model, x, y: loss_of(model(x), y)


@pytest.mark.parametrize("name", WEIGHTS)
def test_ops_on_an_integer_tensor_input_equal_on_both_recordings_run_eagerly_or_replay_them(name):
    rng = np.random.default_rng(0)
    labels = [[0, 1, 0, 1], [1, 0, 0, 1], [0, 0, 1, 1], [0, 2, 1, 1]]  # class 2 only on the fourth call
    batches = [(Tensor(rng.normal(size=(4, 3))), Tensor(np.array(y))) for y in labels]
    _faithful(name, _on_outputs(_classifier(WEIGHTS[name])), batches)


def _regression(weight, tensors):
    def loss_of(model, x, t):
        target = t if tensors else Tensor(t)
        return F.mse_loss(model(x if tensors else Tensor(x)), target) * (1 + weight(target))

    return loss_of


@pytest.mark.parametrize("tensors", [False, True], ids=["Tensor(t) of an array input", "t.detach() of a Tensor input"])
def test_ops_on_an_input_made_a_constant_are_replayed(tensors):
    rng = np.random.default_rng(1)
    pairs = [(rng.normal(size=(4, 3)), rng.uniform(1, 2, size=(4, 1))) for _ in range(4)]
    pairs[3][1][0, 0] = -1.0  # a negative target on the fourth call only
    batches = [(Tensor(x), Tensor(t)) if tensors else (x, t) for x, t in pairs]

    def weight(t):
        return (-(t.detach() if tensors else t)).relu().sum()

    name = "t.detach() of a Tensor input" if tensors else "Tensor(t) of an array input"
    _faithful(name, _regression(weight, tensors), batches, nout=1)


def test_a_step_with_such_constants_replays_while_every_input_stays_the_same():
    calls = Runs()
    step = _step(_classifier(lambda y: y.max()))

    def counted(x, y):
        calls.append(1)
        return step(x, y)

    x, y = Tensor(np.random.default_rng(2).normal(size=(4, 3))), Tensor(np.array([0, 1, 2, 1]))
    run = autograd.compile(counted, strict=True)
    for _ in range(4):
        run(x, y)
    assert len(calls) == 2  # two recordings, then replays


LABELS = [[0, 1, 0, 2], [0, 2, 0, 1], [0, 2, 0, 2], [1, 0, 1, 0]]  # clipped to 0/1: equal on calls 1 and 2 only
PICKS = {  # an op's keyword argument made from the labels: an index, labels, a mask
    "gather's index": lambda out, y: out.gather(1, y.clip(0, 1).reshape(-1, 1)).sum(),
    "an index tuple": lambda out, y: out[np.arange(4), y.clip(0, 1)].sum(),
    "cross_entropy's labels": lambda out, y: autograd.cross_entropy(out, y.clip(0, 1)),
    "where's condition": lambda out, y: autograd.where((y.clip(0, 1) == 1).reshape(-1, 1), out, 0.0).sum(),
}


# made by the op table's ops and comparisons from the inputs (y.clip, == 1): each replay makes them again from its
# inputs and gives the op the result (compile_entries.Entry.computed), so the step replays; the others are made by
# numpy outside the table
REMADE = {"cross_entropy's labels", "where's condition"}


@pytest.mark.parametrize("name", PICKS)
def test_a_keyword_argument_made_from_the_inputs_equal_on_both_recordings_runs_eagerly(name):
    rng = np.random.default_rng(3)
    batches = [(Tensor(rng.normal(size=(4, 3))), Tensor(np.array(y))) for y in LABELS]
    compiled, said, _, _ = trained(_on_outputs(PICKS[name]), batches, True)
    assert compiled == trained(_on_outputs(PICKS[name]), batches, False).losses
    assert bool(said) == (name not in REMADE)


_W = Tensor(np.array([1.0, 1.0, 5.0]))
PER_EXAMPLE = {  # a weight per example made from the labels, outside the graph (a third audit's cases)
    "a constant indexed by them": lambda y: _W[y],
    "a constant gathered by them": lambda y: _W.gather(0, y),
    "where with their mask": lambda y: autograd.where((y - 1).clip(0, None).bool(), 5.0, 1.0),
    "masked_fill with their mask": lambda y: autograd.ones(4, dtype=np.float64).masked_fill(
        (y - 1).clip(0, None).bool(), 5.0
    ),
    "np.greater": lambda y: 1.0 + np.greater(y, 1) * 4.0,
    "a numpy scalar compared": lambda y: 1.0 + (np.int64(1) < y) * 4.0,
    "copy.deepcopy": lambda y: 1.0 + (copy.deepcopy(y) * 4.0 - 4.0).clip(0, None),
    "np.asarray of them": lambda y: 1.0 + Tensor((np.asarray(y) > 1) * 4.0),
    "Tensor() of a list holding them": lambda y: 1.0 + (Tensor([y.data])[0] * 4.0 - 4.0).clip(0, None),
}


@pytest.mark.parametrize("name", PER_EXAMPLE)
def test_weights_made_from_the_labels_equal_on_both_recordings_run_eagerly_or_replay_them(name):
    def loss_of(out, y):
        return autograd.cross_entropy(out, y) + (out.sum(1) * PER_EXAMPLE[name](y)).mean()

    rng = np.random.default_rng(0)
    labels = [[0, 1, 0, 1], [1, 0, 0, 1], [1, 1, 0, 0], [0, 2, 1, 1]]  # class 2 first on the fourth call
    batches = [(Tensor(rng.normal(size=(4, 3))), Tensor(np.array(y))) for y in labels]
    _faithful(name, _on_outputs(loss_of), batches)


PINNED = {  # data made from the labels alone, which are the same array on the recorded calls
    "a weight y.max()": lambda out, y: F.cross_entropy(out, y) * (1 + y.max()),
    "a weight from a cast": lambda out, y: F.cross_entropy(out, y) * (1 + y.long().max()),
}


@pytest.mark.parametrize("loss_of", PINNED.values(), ids=PINNED.keys())
def test_data_made_from_an_input_the_same_on_both_recordings_replays_pinned_to_it(loss_of):
    """The labels are the same array on every call, the features not: the step replays until the labels change."""
    calls = Runs()
    step = _step(loss_of)

    def counted(x, y):
        calls.append(1)
        return step(x, y)

    run = autograd.compile(counted, strict=True)
    rng = np.random.default_rng(4)
    y = Tensor(np.array([0, 2, 1, 2]))
    for _ in range(4):
        run(Tensor(rng.normal(size=(4, 3))), y)
    assert len(calls) == 2  # two recordings, then replays
    run(Tensor(rng.normal(size=(4, 3))), Tensor(np.array([0, 1, 1, 2])))  # other labels: recorded again
    assert len(calls) == 3


def test_labels_made_in_the_step_and_checked_by_a_loss_are_made_again_by_each_replay():
    """Labels made from an input in the step (y.clip(0, 1)) were a read of numbers, and the step ran eagerly
    (a review found them replayed stale when the notes followed nn's raw() reads). They are made by the
    table's ops, which each replay runs again, and the loss's check of them is replayed too (validate)."""

    def bce(out, y):
        return F.binary_cross_entropy_with_logits(out[:, 0], y.clip(0, 1).float())

    rng = np.random.default_rng(0)
    labels = [[1, 2, 0, 1], [2, 1, 0, 2], [0, 0, 1, 2]]  # clipped to 0/1: the same on the first two calls
    batches = [(Tensor(rng.normal(size=(4, 3))), Tensor(np.array(y))) for y in labels]
    compiled, said, _, others = trained(_on_outputs(bce), batches, True)
    assert compiled == trained(_on_outputs(bce), batches, False).losses
    assert not said and not others


@pytest.mark.parametrize("change", ["in place", "rebound"])
def test_data_made_from_a_constant_of_the_callers_is_made_again_after_it_changes(change):
    """A temperature annealed between calls: `1.0 / temp` is made anew on each call outside the graph,
    equal on both recorded calls, and was replayed with the old temperature (found by an audit). The
    replays are pinned to the constant's numbers: a change records the step again."""
    rng = np.random.default_rng(0)
    batches = [(Tensor(rng.normal(size=(4, 3))), rng.integers(0, 3, 4)) for _ in range(4)]

    def losses(compiled):
        temp = Tensor(np.array(1.0))

        def calls():
            for i, batch in enumerate(batches):
                yield batch
                if i == 1 and change == "in place":  # between the second call and the third
                    temp.data[...] = 2.0
                elif i == 1:
                    temp.data = np.array(2.0)

        loss_of = _on_outputs(lambda out, y: F.cross_entropy(out * (1.0 / temp), y))
        return trained(loss_of, calls(), compiled, strict=True).losses

    assert losses(True) == losses(False)

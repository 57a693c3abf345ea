"""autograd.compile on steps that compute data from their inputs outside the graph (numpy on the
labels: an index, a mask, a count, a number): two recording calls with the same inputs cannot show
that this data depends on them, so the Program replays only those inputs and records again when
they change; the numbers are always eager's."""

import warnings

import numpy as np
import pytest
from compile_faithful_cases import Runs

import autograd
import nn
from autograd import CompileWarning, Tensor
from nn import functional as F

X = np.eye(3)
LABELS = ([0, 0, 0], [0, 0, 0], [0, 0, 0], [1, 2, 0], [1, 2, 0], [2, 2, 1], [0, 0, 0])


def picked(out, y):
    return -(out.log_softmax(axis=1)[np.arange(len(y)), y]).sum()  # an index array built from y


def weighted(out, y):
    return F.cross_entropy(out, y) * float(1 + np.mean(y))  # a number computed in Python from y


LOSSES = {
    "sum": lambda out, y: F.cross_entropy(out, y, reduction="sum"),
    "label smoothing": lambda out, y: F.cross_entropy(out, y, label_smoothing=0.1),
    "nll": lambda out, y: F.nll_loss(out.log_softmax(axis=1), y),
    "picked": picked,
    "weighted": weighted,
}


def run(loss, compiled):
    model = nn.Linear(3, 3, seed=0)
    optimizer = nn.SGD(model.parameters(), lr=0.5)

    def step(x, y):
        optimizer.zero_grad()
        value = loss(model(x), y)
        value.backward()
        optimizer.step()
        return value.item()

    run_step = autograd.compile(step) if compiled else step
    losses = [run_step(Tensor(X), np.array(y)) for y in LABELS]
    return losses, model.W.data.tolist(), model.b.grad.tolist()


@pytest.mark.parametrize("loss", LOSSES.values(), ids=LOSSES.keys())
def test_data_computed_from_the_labels_is_never_replayed_stale(loss):
    eager = run(loss, compiled=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompileWarning)  # the labels change the step: it may run eagerly
        assert run(loss, compiled=True) == eager


def test_a_step_whose_labels_are_fed_replays_new_labels_without_recording_again():
    calls = Runs()

    def loss(out, y):
        calls.append(1)  # the Python function runs only when the step is recorded (or eager)
        return F.cross_entropy(out, y)  # the fused mean: labels reach the op as they are

    eager = run(loss, compiled=False)
    calls.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert run(loss, compiled=True) == eager
    assert len(calls) == 2  # two recordings, then replays for every labels


def test_the_same_inputs_replay_while_they_stay_the_same():
    calls = Runs()

    def loss(out, y):
        calls.append(1)
        return picked(out, y)

    model = nn.Linear(3, 3, seed=0)
    step = autograd.compile(lambda x, y: loss(model(x), y))
    y = np.array([0, 1, 2])
    for _ in range(5):
        step(Tensor(X), y)
    assert len(calls) == 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompileWarning)
        assert step(Tensor(X), np.array([2, 1, 0])).item() == pytest.approx(picked(model(Tensor(X)), [2, 1, 0]).item())

"""Data a step computes outside the graph from its array inputs (a mask from the targets, ops on
`Tensor(targets)` that need no gradient) cannot be made again by a replay. Equal on the two recorded
calls, it said nothing of the third: a mask all True on two batches was replayed for a batch with a
missing target (-1), silently (found by an audit of nn.fit(compile=True)). Such a step now runs
eagerly with a CompileWarning, unless every input was the same on both recorded calls."""

import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import CompileWarning, Tensor
from nn import functional as F


def _masked_mse(out, t):
    mask = Tensor((t >= 0).astype(np.float64))  # numpy on the targets: 0 where one is missing
    return (((out - Tensor(t)) ** 2) * mask).sum() / mask.sum()


def _weighted_by_negatives(out, t):
    return F.mse_loss(out, t) * (1 + (-Tensor(t)).relu().sum())  # Tensor ops that need no gradient


def _data():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)), np.abs(rng.normal(size=(40, 1))) + 0.1
    y[33] = -1.0  # in the fifth batch of 8: both recorded batches have none
    return X, y


def _train(loss, compiled):
    X, y = _data()
    model = nn.Sequential(nn.Linear(3, 1, seed=0)).double()
    opt = nn.SGD(model.parameters(), lr=0.01)

    def step(x, t):
        opt.zero_grad()
        value = loss(model(Tensor(x)), t)
        value.backward()
        opt.step()
        return value.item()

    run = autograd.compile(step) if compiled else step
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        losses = [run(X[s : s + 8], y[s : s + 8]) for s in range(0, 40, 8)]
    return losses, [p.data.copy() for p in model.parameters()], [w.message for w in caught]


@pytest.mark.parametrize("loss", [_masked_mse, _weighted_by_negatives])
def test_data_made_from_the_inputs_equal_on_both_recordings_runs_eagerly_with_a_warning(loss):
    eager, compiled = _train(loss, False), _train(loss, True)
    assert compiled[0] == eager[0]
    for a, b in zip(compiled[1], eager[1]):
        np.testing.assert_array_equal(a, b)
    assert [type(m) for m in compiled[2]] == [CompileWarning]
    assert "from its array inputs" in str(compiled[2][0])


def test_such_a_step_replays_while_every_input_stays_the_same():
    """Full-batch training: the same arrays on every call, so the data made from them is the same too."""
    X, y = _data()
    model = nn.Sequential(nn.Linear(3, 1, seed=0)).double()
    opt = nn.SGD(model.parameters(), lr=0.01)
    calls = []

    def step(x, t):
        calls.append(1)
        opt.zero_grad()
        value = _masked_mse(model(Tensor(x)), t)
        value.backward()
        opt.step()
        return value.item()

    run = autograd.compile(step, strict=True)
    for _ in range(4):
        run(X, y)
    assert len(calls) == 2  # two recordings, then replays


def test_an_input_passed_through_np_asarray_is_still_that_input():
    """A recording's array inputs are StepInput views; np.asarray gives a view of the base class, which
    the tape knows as the input by the numbers it views, so targets passed through it are fed anew."""
    model = nn.Linear(3, 2, seed=0, dtype=np.float64)
    opt = nn.SGD(model.parameters(), lr=0.1)

    def step(x, y):
        opt.zero_grad()
        value = F.mse_loss(model(Tensor(x)), Tensor(np.asarray(y)))
        value.backward()
        opt.step()
        return value.item()

    run = autograd.compile(step, strict=True)  # strict: a step that could not replay raises
    rng = np.random.default_rng(1)
    batches = [(rng.normal(size=(4, 3)), rng.normal(size=(4, 2))) for _ in range(4)]
    compiled = [run(x, y) for x, y in batches]
    model2 = nn.Linear(3, 2, seed=0, dtype=np.float64)  # the same step, eagerly
    ref_opt = nn.SGD(model2.parameters(), lr=0.1)
    expected = []
    for x, y in batches:
        ref_opt.zero_grad()
        value = F.mse_loss(model2(Tensor(x)), Tensor(y))
        value.backward()
        ref_opt.step()
        expected.append(value.item())
    assert compiled == expected

"""Masks and integer casts of tensors a gradient flows to, in a compiled step. `(x * w).astype(np.int64)` was a
constant that a replay reused: all zeros on the two recorded calls (|x * w| < 1), zeros on every replay, where
eager's were -3..3 (loss 0.0 for 7.2). Masks of such tensors (`out > 0` for autograd.where or a product) ran the
step eagerly. Both keep their operand's shape, so each replay now makes them again from that call's numbers, as
ops that need no gradient: bit for bit eager's, gradients too, over changing data. A boolean index (`out[out >
0]`), whose shape follows the data, still runs eagerly, and the warning says why."""

import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor

CASES = {
    "where on a mask of the graph's numbers": lambda x, w: autograd.where((x * w) > 0, x * w, 0.0 * w).sum(),
    "a product with such a mask": lambda x, w: ((x * w) * ((x * w) > 0)).sum(),
    "a mask operator on such masks": lambda x, w: ((x * w) * (((x * w) > 0) & ~((x * w) > 2))).sum(),
    "astype(int64) of the graph's numbers": lambda x, w: (w * (x * w).astype(np.int64)).sum(),
    "long() of the graph's numbers": lambda x, w: (w * (x * w).long()).sum(),
    "astype(bool) of a cast of them": lambda x, w: (w * (x * w).astype(np.int64).astype(bool)).sum(),
    "astype(int32) of an input": lambda x, w: (w * x.astype(np.int32)).sum(),
}
# small numbers on the two recorded calls (casts all zero, masks alike), then larger ones
SCALES = [0.1, 0.1, 3.0, 0.5, 5.0, 2.0, 0.1]


def _run(compiled, body):
    w = Tensor(np.linspace(-1.0, 1.5, 6), requires_grad=True)

    def step(x):
        loss = body(Tensor(x), w)
        loss.backward()
        return loss.item()

    run, rng, out = (autograd.compile(step) if compiled else step), np.random.default_rng(1), []
    for scale in SCALES:
        w.grad = None
        out.append((run(rng.standard_normal(6) * scale), w.grad.copy()))
    return out, run


@pytest.mark.parametrize("case", CASES)
def test_a_mask_or_cast_of_the_graphs_numbers_replays_bit_for_bit(case):
    eager, _ = _run(False, CASES[case])
    with warnings.catch_warnings():
        warnings.simplefilter("error", autograd.CompileWarning)
        compiled, run = _run(True, CASES[case])
    assert all(r.program is not None for r in run.recordings.values())
    assert len({float(loss) for loss, _ in eager}) > 2, "the data changed"
    for (a, ga), (b, gb) in zip(eager, compiled):
        assert a == b or (np.isnan(a) and np.isnan(b))
        assert ga.tobytes() == gb.tobytes()


def test_a_replayed_cast_refuses_a_value_that_does_not_fit_as_eagerly():
    """A NaN met by a replay's cast: the replay stops, the call runs eagerly and raises eager's error."""
    w = Tensor(np.ones(3), requires_grad=True)

    def step(x):
        loss = (w * (Tensor(x) * w).astype(np.int32)).sum()
        loss.backward()
        return loss.item()

    run = autograd.compile(step)
    for _ in range(3):
        run(np.ones(3))
    assert all(r.program is not None for r in run.recordings.values())
    with pytest.raises(ValueError, match="astype"):
        step(np.array([1.0, np.nan, 2.0]))
    with pytest.raises(ValueError, match="astype"):
        run(np.array([1.0, np.nan, 2.0]))


@pytest.mark.parametrize(
    "index",
    [lambda x, out: out[x > 0], lambda x, out: out[out > 0]],
    ids=["a mask of the input", "a mask of the graph's numbers"],
)
def test_a_boolean_index_runs_eagerly_saying_its_shape_follows_the_data(index):
    w = Tensor(np.ones(6), requires_grad=True)

    def step(x):
        loss = index(Tensor(x), Tensor(x) * w).sum()
        loss.backward()
        return loss.item()

    run, rng = autograd.compile(step), np.random.default_rng(0)
    xs = [rng.standard_normal(6) for _ in range(4)]
    with pytest.warns(autograd.CompileWarning, match="boolean mask .* the result's shape, follows the data"):
        compiled = [run(x) for x in xs]
    assert compiled == [step(x) for x in xs]

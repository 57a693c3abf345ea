"""Labels or data a step takes from a view of an array input (`y[:2]`, `y[::2]`, `x[1:]`, `tokens[:, 1:]`, `y.ravel()`:
numpy's basic slicing, no copy) are made from that input, as the input itself is. Equal on the two recorded calls
(two batches whose first two labels agree), such a view was replayed as recorded: later batches trained on the
first batch's labels, without a warning (found by a differential fuzzer of whole training steps); then every such
step ran eagerly. A view is the input's memory at a fixed offset with fixed strides, which the recording reads off
the arrays (autograd/compile_views.py): a replay makes it again from each call's input, with eager's numbers. Where
that cannot be proven (a view of two inputs at once, an input of other strides, a copy, a one-hot made by numpy)
the step runs eagerly, saying why."""

import numpy as np
import pytest
from compile_faithful_cases import trained

import autograd
import nn
from autograd import Tensor
from nn import functional as F

STEPS = {
    "labels y[:2]": lambda model, x, y: F.cross_entropy(model(Tensor(x)[:2]), y[:2]),
    "labels y[::2]": lambda model, x, y: F.cross_entropy(model(Tensor(x)[::2]), y[::2]),
    "nll labels y[:2]": lambda model, x, y: F.nll_loss(F.log_softmax(model(Tensor(x)[:2]), axis=1), y[:2]),
    "data x[1:]": lambda model, x, y: F.cross_entropy(model(Tensor(x[1:])), np.zeros(3, np.int64)),
    # in a tuple index: its items were not looked into (a loss of 3.89 for eager's 2.11 on the third call)
    "index (rows, y[:2])": lambda model, x, y: -F.log_softmax(model(Tensor(x)[:2]), axis=1)[np.arange(2), y[:2]].sum(),
    # the input itself in a tuple index: known only as an input where it is the whole index (`out[y]`), in a tuple
    # it was taken for data made outside the graph, and the step ran eagerly ("keyword arguments that changed")
    "index (rows, y)": lambda model, x, y: -F.log_softmax(model(Tensor(x)), axis=1)[np.arange(4), y].sum(),
    "index (:, y)": lambda model, x, y: -F.log_softmax(model(Tensor(x)), axis=1)[:, y].sum(),
    "index [rows, y] as a list": lambda model, x, y: -F.log_softmax(model(Tensor(x)), axis=1)[[0, 1, 2, 3], y].sum(),
    "index (rows, Tensor(y))": lambda model, x, y: (
        -F.log_softmax(model(Tensor(x)), axis=1)[np.arange(4), Tensor(y)].sum()
    ),
    # a constant made of one by a function that is no op (its view not on the tape): 1.15 for eager's -0.58
    "one_hot(y[:2])": lambda model, x, y: -(model(Tensor(x)[:2]) * F.one_hot(y[:2], 3, np.float64)).sum(),
    "one_hot(Tensor(y[:2]))": lambda model, x, y: (
        -(model(Tensor(x)[:2]) * F.one_hot(Tensor(y[:2]), 3, np.float64)).sum()
    ),
}


def _batches(calls=6):
    """Batches whose labels differ on every call but for the first two calls' first and third labels, and whose
    inputs differ on every call but for their first two calls' rows 1 to 3."""
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal((4, 3)) for _ in range(calls)]
    ys = [np.array([k % 3, 2, (k + 1) % 3, 0]) for k in range(calls)]
    ys[1] = np.array([0, 2, 1, 2])  # y[:2] and y[::2] as call 0's, [0, 2] and [0, 1]; y[3] differs
    xs[1][1:] = xs[0][1:]
    return list(zip(xs, ys))


def _train(name, compiled):
    return trained(STEPS[name], _batches(), compiled, nn.Linear(3, 3, seed=0).double())[:2]


MADE_BY_NUMPY = {"one_hot(y[:2])", "one_hot(Tensor(y[:2]))"}  # a one-hot numpy makes of the view: no op to replay


@pytest.mark.parametrize("name", STEPS)
def test_a_view_of_an_input_is_made_again_from_each_calls_input(name):
    """Before compile_views these ran eagerly (the views, equal on both recordings, pinned the replays to input 1;
    the third call's differed); a replay now makes each view again from the call's input, bit for bit as eager."""
    eager, _ = _train(name, False)
    compiled, said = _train(name, True)
    assert compiled == eager  # the replays gave 4 to 5 other losses (call 0's labels), without a warning
    if name in MADE_BY_NUMPY:
        assert said and "a view of an array input" in said[0]
    else:
        assert not said


def test_a_view_of_one_column_is_not_taken_for_a_view_of_the_others():
    """Features, sample weights (all 1) and targets given as columns of one array (a CSV's): `Tensor(w[:, None])`
    is a view of w alone, equal on both recordings while w stays the same, so the step replays, pinned to w. Its
    memory lies within x's and t's bounds, which were taken for shared memory: the step ran eagerly, blaming
    data made from the inputs (before views were seen, it replayed)."""

    def loss_of(model, x, w, t):
        return (((model(Tensor(x)) - Tensor(t)) ** 2) * Tensor(w[:, None])).mean()

    data = np.random.default_rng(0).standard_normal((32, 5))
    data[:, 3] = 1.0
    batches = [(data[i : i + 8, :3], data[i : i + 8, 3], data[i : i + 8, 4:]) for i in range(0, 32, 8)]
    eager = trained(loss_of, batches, False, nn.Linear(3, 1, seed=0).double()).losses
    compiled, said, run, _ = trained(loss_of, batches, True, nn.Linear(3, 1, seed=0).double(), strict=True)
    assert compiled == eager and not said
    assert [r.program is not None for r in run.recordings.values()] == [True]


def test_labels_y_ravel_of_n_by_1_labels_replay():
    """`F.cross_entropy(out, y.ravel())` of (n, 1) labels, the commonest labels made in the step, ran eagerly (the
    labels changed from call to call); y.ravel() of a C-contiguous array is a view of it, made again by each replay."""
    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal((4, 3)), rng.integers(0, 3, (4, 1))) for _ in range(6)]

    def loss_of(model, x, y):
        return F.cross_entropy(model(Tensor(x)), y.ravel())

    eager = trained(loss_of, batches, False, nn.Linear(3, 3, seed=0).double()).losses
    compiled, said, run, _ = trained(loss_of, batches, True, nn.Linear(3, 3, seed=0).double(), strict=True)
    assert compiled == eager and not said
    assert [r.program is not None for r in run.recordings.values()] == [True]


LABELS_MADE_IN_THE_STEP = {  # each changes with the batch, and is no view of it: the step runs eagerly
    "y.ravel() of Fortran-ordered (2, 2) labels, a copy": (lambda y: np.asfortranarray(y.reshape(2, 2)), np.ravel),
    "nn's loss given y.clip(0, 1)": (Tensor, lambda y: y.clip(0, 1)),
}


@pytest.mark.parametrize("name", LABELS_MADE_IN_THE_STEP)
def test_labels_made_in_the_step_that_change_say_how_to_replay(name):
    """Labels made in the step (numpy's copy of an input, `y.ravel()` of a column; or by ops, which nn's losses
    read in Python) run the step eagerly, as they must; the warning said only that "keyword arguments (an index, a
    condition)" changed, naming neither the labels nor the way to have the step replayed."""
    given, made = LABELS_MADE_IN_THE_STEP[name]
    model = nn.Linear(3, 3, seed=0).double()
    run = autograd.compile(lambda x, y: F.cross_entropy(model(Tensor(x)), made(y)).item())
    rng = np.random.default_rng(0)
    with pytest.warns(autograd.CompileWarning) as said:
        for _ in range(3):
            run(rng.standard_normal((4, 3)), given(rng.integers(0, 3, 4)))
    (message,) = [str(w.message) for w in said if issubclass(w.category, autograd.CompileWarning)]
    assert "labels" in message and "an argument of its own" in message


def test_the_warning_for_labels_copied_in_the_step_names_copies_not_views():
    """Labels that numpy copied from the batch (`y.astype(np.int32)`) run the step eagerly; the warning gave
    `y.ravel()` of (n, 1) labels and `y[:2]` as the data a replay cannot make again, which are views, and replay."""
    loss_of = lambda model, x, y: F.cross_entropy(model(Tensor(x)), y.astype(np.int32))  # noqa: E731
    compiled, said, _, _ = trained(loss_of, _batches(), True, nn.Linear(3, 3, seed=0).double())
    assert compiled == trained(loss_of, _batches(), False, nn.Linear(3, 3, seed=0).double()).losses
    (message,) = said
    assert "y.astype(np.int32)" in message and "a view of an input" in message and "an argument of its own" in message
    assert "(numpy on an input: labels y.ravel() of (n, 1) labels, y[:2];" not in message


def test_labels_themselves_in_an_index_given_twice_say_so():
    """`out[np.arange(4), y]` of labels given twice (step(x, y, y)): which input the index's y is cannot be told,
    so the step runs eagerly; the warning blamed keyword arguments that changed (for a view of them, y[1:], it said
    that the inputs share memory: tests/test_compile_view_replays.py)."""
    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal((4, 3)), *[rng.integers(0, 3, 4)] * 2) for _ in range(4)]

    def loss_of(model, x, y, z):
        return -F.log_softmax(model(Tensor(x)), axis=1)[np.arange(4), y].sum()

    compiled, said, _, _ = trained(loss_of, batches, True, nn.Linear(3, 3, seed=0).double())
    assert compiled == trained(loss_of, batches, False, nn.Linear(3, 3, seed=0).double()).losses
    assert len(said) == 1 and "inputs 1 and 2 share memory" in said[0]

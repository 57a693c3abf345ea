"""A compiled step whose own code reads an array input's numbers with numpy (a mask `t >= 0`, np.where, np.clip,
int(y[0]), y.tolist(), t.mean() as a float, t[t > 0]) is seen doing so (autograd/compile_watched.py). What it made
of them came out the same on both recorded calls while the input did not, and was replayed as recorded for later
batches it did not fit: other numbers than eager's, silently. The step runs eagerly now, naming the input and the
read; an input equal on both recordings pins the replays to it. Reads by autograd and nn (Tensor(y), a loss's
labels) stay unseen, and nothing the step keeps or returns is other than eagerly."""

import cProfile
import ctypes
import pickle
import pstats
import types
import warnings

import numpy as np
import pytest
from compile_faithful_cases import trained

import autograd
import nn
from autograd import Tensor
from nn import functional as F


def _regression(mask_of):
    """A masked squared error whose mask `mask_of(t)` (an array, made with numpy from the targets)."""

    def loss_of(out, t):
        mask = Tensor(np.asarray(mask_of(t), dtype=np.float64))
        return (((out - Tensor(t)) ** 2) * mask).sum()

    return loss_of


READS = {
    "a ufunc (t >= 0)": _regression(lambda t: (t >= 0) * 1.0),
    "np.where": _regression(lambda t: np.where(t >= 0, 1.0, 0.0)),
    "np.isin": _regression(lambda t: 1.0 - np.isin(t, [-1.0])),
    "np.clip": _regression(lambda t: np.clip(t, 0.0, 1e-9) * 1e9),
    "t.mean() as a float": lambda out, t: ((out - Tensor(t)) ** 2).sum() * (1.0 if float(t.mean()) > 0 else -1.0),
    "t[t > 0]": lambda out, t: ((out - Tensor(t)) ** 2).sum() / len(t[t > 0]),
    "t.tolist()": lambda out, t: (((out - Tensor(t)) ** 2) * Tensor([[v > 0] for (v,) in t.tolist()])).sum(),
    "t.argmin()": lambda out, t: ((out - Tensor(t)) ** 2).sum() * float(t.argmin() < 4),
    "a loop over t": lambda out, t: ((out - Tensor(t)) ** 2).sum() * sum(1.0 for v in t if v > 0),
}


def _targets():
    """Five batches of 4: the first two (the recorded ones) all positive, the later ones with a negative target."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 3))
    t = np.abs(rng.normal(size=(20, 1))) + 0.1
    t[[9, 13, 14, 17, 18, 19]] = -1.0
    return [(x[s : s + 4], t[s : s + 4]) for s in range(0, 20, 4)]


def _train(loss_of, batches, compiled):
    """SGD steps of a float64 nn.Linear(3, 1) on loss_of(outputs, targets): the losses and what compile said."""
    return trained(
        lambda model, x, t: loss_of(model(Tensor(x)), t),
        batches,
        compiled,
        nn.Linear(3, 1, seed=0, dtype=np.float64),
        lr=0.01,
    )[:2]


@pytest.mark.parametrize("read", READS)
def test_data_the_step_made_of_an_input_with_numpy_is_not_replayed_for_other_numbers(read):
    batches = _targets()
    eager, _ = _train(READS[read], batches, False)
    compiled, said = _train(READS[read], batches, True)
    assert compiled == eager
    assert len(said) == 1 and "read the numbers of array input 1" in said[0]


def test_labels_made_with_np_clip_are_not_replayed():
    """np.clip(y, 0, 2) gave [0, 1, 2, 2] for the recorded labels [0, 1, 2, 3] and [0, 1, 2, 4]: replayed as
    those labels for every later batch."""
    rng = np.random.default_rng(1)
    labels = [[0, 1, 2, 3], [0, 1, 2, 4], [2, 2, 0, 1], [1, 0, 2, 2]]
    batches = [(rng.normal(size=(4, 3)), np.array(y)) for y in labels]

    def losses(compiled):
        return trained(lambda model, x, y: F.cross_entropy(model(Tensor(x)), np.clip(y, 0, 2)), batches, compiled)

    (compiled, said, _, others), eager = losses(True), losses(False).losses
    assert compiled == eager and not others
    assert len(said) == 1 and "read the numbers of array input 1" in said[0] and "np.clip" in said[0]


def test_an_input_read_with_numpy_and_equal_on_both_recordings_replays_while_it_stays_equal():
    """Targets the same on every call (a fixed mask's source): the step replays, pinned to them; other targets
    record again (and, differing then between the recordings, run eagerly)."""
    batches = _targets()
    same = [(x, batches[0][1]) for x, _ in batches[:4]] + [batches[4]] * 3
    eager, _ = _train(READS["a ufunc (t >= 0)"], same, False)
    compiled, said = _train(READS["a ufunc (t >= 0)"], same, True)
    assert compiled == eager and not said


def test_views_and_autograds_own_reads_are_no_reads():
    """Labels as views (y[1:], y.reshape) given to nn's loss, Tensor(x), x.T, the shape (np.shape, len, np.size,
    np.ones_like): no numbers read by the step's own code; the step replays."""
    rng = np.random.default_rng(2)
    batches = [(rng.normal(size=(4, 3)), rng.integers(0, 3, 5)) for _ in range(4)]
    model = nn.Linear(3, 3, seed=0, dtype=np.float64)

    def step(x, y):
        ones = Tensor(np.ones_like(x)) if np.shape(x) == x.shape and len(x) == np.size(x, 0) else None
        return F.cross_entropy(model(Tensor(x.T.T) * ones), y[1:].reshape(4)).item()

    run = autograd.compile(step, strict=True)
    assert [run(*b) for b in batches] == [step(*b) for b in batches]
    assert next(iter(run.recordings.values())).program is not None


def test_what_the_step_keeps_or_returns_of_its_inputs_is_as_eagerly():
    """The watched views never reach the caller: the input itself, x * 2, a view and nn.Batches of it, stored in
    a list or returned, are the plain arrays eager gives (the input the same object), on the recorded calls too."""
    rng = np.random.default_rng(3)
    batches = [(rng.normal(size=(4, 3)), rng.integers(0, 3, 4)) for _ in range(4)]
    model = nn.Linear(3, 3, seed=0, dtype=np.float64)
    kept = []

    def step(x, y):
        kept.append((x, x * 2, x[1:], nn.data.Batches(x, y, batch_size=2, shuffle=False)))
        return F.cross_entropy(model(Tensor(x)), y).item(), x, {"y": y}

    run = autograd.compile(step)
    with pytest.warns(autograd.CompileWarning, match="changed `kept` in place"):  # the list: eagerly from then on
        for x, y in batches[:2]:
            value, given, named = run(x, y)
            assert given is x and named["y"] is y and value == step(x, y)[0]
    for (x, doubled, view, loader), (given, _) in zip(kept[::2], batches):
        assert x is given and type(doubled) is np.ndarray and type(view) is np.ndarray
        assert type(loader.X) is np.ndarray and type(loader.y) is np.ndarray
        assert repr(view) == repr(given[1:]) and np.array_equal(doubled, given * 2)


_USERS_MODULE = """
import numpy as np
from autograd import Tensor

def masked_mse(out, t):
    mask = Tensor((t >= 0).astype(np.float64))
    return (((out - Tensor(t)) ** 2) * mask).sum() / mask.sum()
"""


def test_a_loss_in_a_users_module_named_like_numpys_is_the_steps_own_code():
    """fit(compile=True) calls the user's loss from nn's step; a loss kept in the user's module `numpy_losses` was
    taken for numpy's own code (its name begins with "numpy"), so its `t >= 0` mask counted as nn's and was
    replayed as recorded: epoch losses 0.9099 and 0.6688 where eager's are 0.8646 and 0.5830, without a warning."""
    module = types.ModuleType("numpy_losses")
    exec(_USERS_MODULE, module.__dict__)  # noqa: S102 (the user's module, so named)

    def weights(compiled):
        rng = np.random.default_rng(0)
        x, t = rng.normal(size=(40, 3)), np.abs(rng.normal(size=(40, 1))) + 0.1
        t[33] = -1.0  # in the fifth batch: the two recorded ones have no missing target
        model = nn.Linear(3, 1, seed=0, dtype=np.float64)
        data = nn.data.Batches(x, t, batch_size=8, shuffle=False)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            nn.fit(
                model,
                module.masked_mse,
                nn.SGD(model.parameters(), lr=0.05),
                data,
                epochs=2,
                metric=None,
                verbose=False,
                compile=compiled,
            )
        return model.W.data.tolist(), [
            str(w.message) for w in caught if issubclass(w.category, autograd.CompileWarning)
        ]

    (compiled, said), (eager, _) = weights(True), weights(False)
    assert compiled == eager
    assert len(said) == 1 and "read the numbers of array input 1" in said[0]


WAYS_OUT = {  # a branch on numbers taken through what gives the raw memory or a plain array of a watched input
    "y.__array__()": lambda y: y.__array__().max() > 1,
    "pickling y": lambda y: pickle.loads(pickle.dumps(y)).max() > 1,
    "y.flat": lambda y: max(y.flat) > 1,
    "y.data": lambda y: max(y.data) > 1,
    "y.ctypes": lambda y: max(y.ctypes.data_as(ctypes.POINTER(ctypes.c_int64))[:4]) > 1,
}


@pytest.mark.parametrize("way", WAYS_OUT)
def test_numbers_taken_through_a_way_out_of_the_watched_view_are_read(way):
    """Each of these gave a plain array or the raw memory without asking the watched view: a loss doubled where
    the labels hold a 2 was replayed undoubled (recorded labels [0, 1, 1, 1] and [1, 0, 1, 1]), silently."""
    rng = np.random.default_rng(4)
    labels = [[0, 1, 1, 1], [1, 0, 1, 1], [2, 1, 0, 0], [1, 2, 1, 1], [0, 0, 1, 1]]
    batches = [(rng.normal(size=(4, 3)), np.array(y, dtype=np.int64)) for y in labels]

    def losses(compiled):
        return trained(
            lambda model, x, y: F.cross_entropy(model(Tensor(x)), y) * (2.0 if WAYS_OUT[way](y) else 1.0),
            batches,
            compiled,
        )

    (compiled, said, _, others), eager = losses(True), losses(False).losses
    assert compiled == eager and not others
    assert len(said) == 1 and "read the numbers of array input 1" in said[0] and way.split("(")[0] in said[0]


def _positives(t):
    count = 0
    for v in t:  # (a loop of the step's own, in Python)
        count += v > 0
    return count


def _positive_rows(t):
    count = 0
    for row in t:  # each row a view of t, watched: its number read below
        count += row[0] > 0
    return count


@pytest.mark.parametrize("count", [_positives, _positive_rows])
def test_a_loop_over_a_long_input_tells_whose_loop_it_is_once(count):
    """A loop over a watched input walked the frames (whose code reads?) for each element or row, each call traced
    by the recording: a recorded call over 10**5 targets took 6.4 s where it took 0.75 s before inputs were
    watched, over 10**5 rows 16.4 s for 0.19 s (under load). Iterating a 1-d input is one read now, noted once;
    a table's rows stay watched views, whose loop it is told once (0.41 s and 1.6 s). Every row's read is seen."""
    rng = np.random.default_rng(5)
    w = Tensor(np.ones(3), requires_grad=True)

    def step(x, t):
        value = (Tensor(x) * w).sum() * float(count(t))
        value.backward()
        return value.item()

    run, profile = autograd.compile(step), cProfile.Profile()
    targets = [rng.uniform(1, 2, size=(20000, 2)[: 1 + (count is _positive_rows)]) for _ in range(2)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        profile.runcall(run, rng.normal(size=3), targets[0])
        run(rng.normal(size=3), targets[1])  # as many positive: the read alone tells the calls apart
    walks = sum(n for (_, _, name), (_, n, *_) in pstats.Stats(profile).stats.items() if name == "_by_the_step")
    assert walks < 100  # 20,000 for the elements, 40,000 for the rows (a view, then a read, each), before
    assert len(caught) == 1 and "read the numbers of array input 1" in str(caught[0].message)


def test_rows_of_an_input_taken_after_its_recording_are_plain():
    """A generator over the rows that the step returns, consumed by the caller once the call is over, gave them
    as they are eagerly: plain arrays (it raised AttributeError, the recording being gone)."""
    rng = np.random.default_rng(7)
    w = Tensor(np.ones(3), requires_grad=True)

    def step(x, t):
        value = (Tensor(x) * w).sum()
        value.backward()
        return value.item(), (row for row in t)

    run = autograd.compile(step)
    with pytest.warns(autograd.CompileWarning, match="what the step returns is not made the same way"):
        for _ in range(2):  # both recorded, the second found unreplayable: eagerly from then on
            t = rng.normal(size=(4, 2))
            _, rows = run(rng.normal(size=3), t)
            taken = list(rows)
            assert [type(row) for row in taken] == [np.ndarray] * 4 and np.array_equal(np.stack(taken), t)

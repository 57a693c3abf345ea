"""Python state a compiled step reads that compile could not follow by reading its code: a replay runs none of the
step's Python, so autograd.rand(n) with n from such state drew the recorded n. Each of these replayed stale data
silently (eager drew 5 rows from call 4 on, the replays 4): a helper held in dicts four levels down, or in a
dict of 40 items; a list of 40 lists or a dict of 40 dicts changed in place by the caller; a dict, list, set,
deque or array the step itself changes (a counter, a history); a mutable default argument; a dict read through a
bound `dict.get`; the clock and os.environ; next() on an iterator held four levels down; a function attribute.
Each now replays with eager's numbers (the helper followed as it runs, the change seen) or runs eagerly with a
CompileWarning naming the cause. Also steps that draw from Python's and numpy's global generators, a generator,
a class attribute. Session 32 found five more silent ones: a global read through globals()["NUMBER"]; an
array.array, a bytearray, and a memoryview's numbers changed in place by the caller; a list's length read through
its bound __len__ (a method-wrapper, where `dict.get` was followed)."""

import array
import collections
import functools
import os
import random
import time

import numpy as np
import pytest
from compile_faithful_cases import check_faithful, check_replayed

import autograd
from autograd import Tensor

STATE = {"n": 4}
ROWS = [4, 4, 4, 5, 5, 5]  # n on each call
NESTED = {"a": {"b": {"c": {"d": lambda: STATE["n"]}}}}
TABLE = {f"k{i}": (lambda: STATE["n"]) for i in range(40)}
LISTS = [[4] for _ in range(40)]
DICTS = {f"k{i}": {"n": 4} for i in range(40)}
COUNT = [0]
NUMBER, SIZES = 4, [4]  # read through globals()
BUFFER, BYTES, VIEW = array.array("i", [4]), bytearray([4]), memoryview(np.full(1, 4.0))
GROWN = [0] * 4  # its length read through its bound __len__


class _Config:
    n = 4


class _Box:
    pass


def _set_state(i):
    STATE["n"] = ROWS[i]


def _set_number(i):
    global NUMBER
    NUMBER = ROWS[i]


def _deep(value):
    box = _Box()
    box.b = _Box()
    box.b.c = _Box()
    box.b.c.d = _Box()
    box.b.c.d.value = value
    return box


def _counting_helpers():
    """Helpers four calls deep, the innermost keeping a count in a dict of its closure."""
    seen = {"calls": 0}

    def g4():
        seen["calls"] += 1
        return ROWS[seen["calls"] - 1]

    def g3():
        return g4()

    def g2():
        return g3()

    return lambda: g2()


def _case(take, before=lambda i: None, made=lambda: None):
    return take, before, made


# each: how the step takes n (from what `made()` gave), what the caller does before call i
CASES = {
    "a helper in dicts four levels down": _case(lambda _: NESTED["a"]["b"]["c"]["d"](), _set_state),
    "a helper in a dict of 40 items": _case(lambda _: TABLE["k7"](), _set_state),
    "a list of 40 lists changed in place": _case(lambda _: LISTS[0][0], lambda i: LISTS[0].__setitem__(0, ROWS[i])),
    "a dict of 40 dicts changed in place": _case(
        lambda _: DICTS["k3"]["n"], lambda i: DICTS["k3"].__setitem__("n", ROWS[i])
    ),
    "helpers four calls deep counting in a dict": _case(lambda held: held(), made=_counting_helpers),
    "a list the step appends to": _case(lambda held: held.append(1) or 4 + len(held) // 4, made=list),
    "a global count the step increments": _case(
        lambda _: COUNT.__setitem__(0, COUNT[0] + 1) or ROWS[COUNT[0] - 1], lambda i: i or COUNT.__setitem__(0, 0)
    ),
    "a set the step grows": _case(lambda held: held.add(len(held)) or 4 + len(held) // 4, made=set),
    "a deque the step pops": _case(lambda held: held.popleft(), made=lambda: collections.deque(ROWS)),
    "an array the step counts in": _case(
        lambda held: held.__setitem__(0, held[0] + 1) or ROWS[held[0] - 1], made=lambda: np.zeros(1, int)
    ),
    "a dict read through its bound get": _case(lambda held: held("n"), _set_state, lambda: STATE.get),
    "a lambda's default argument": _case(lambda held: held(), _set_state, lambda: lambda state=STATE: state["n"]),
    "an iterator four objects down": _case(lambda held: next(held.b.c.d.value), made=lambda: _deep(iter(ROWS))),
    "Python's random module": _case(lambda _: 4 + (random.random() > 0.5)),
    "numpy's global generator": _case(lambda _: int(np.random.randint(4, 6))),
    "a generator": _case(next, made=lambda: iter(n for n in ROWS)),
    "the clock": _case(lambda _: 4 + (time.time() < 0)),
    "os.environ": _case(lambda _: int(os.environ.get("CHAINRULE_TEST_ROWS", "4"))),
    "a class attribute": _case(lambda _: _Config.n, lambda i: setattr(_Config, "n", ROWS[i])),
    "a config four objects down": _case(lambda held: held.b.c.d.value["n"], made=lambda: _deep(STATE)),
    "a global read through globals()": _case(lambda _: globals()["NUMBER"], _set_number),
    "a list read through globals() changed in place": _case(
        lambda _: globals()["SIZES"][0], lambda i: SIZES.__setitem__(0, ROWS[i])
    ),
    "an array.array changed in place": _case(lambda _: BUFFER[0], lambda i: BUFFER.__setitem__(0, ROWS[i])),
    "a bytearray changed in place": _case(lambda _: BYTES[0], lambda i: BYTES.__setitem__(0, ROWS[i])),
    "a memoryview's numbers changed in place": _case(lambda _: int(VIEW[0]), lambda i: VIEW.__setitem__(0, ROWS[i])),
    "a list's bound __len__": _case(lambda held: held(), lambda i: i == 3 and GROWN.append(0), lambda: GROWN.__len__),
    "an array.array the step appends to": _case(
        lambda held: held.append(1) or 4 + len(held) // 4, made=lambda: array.array("i")
    ),
    "a 2-d memoryview the step counts in": _case(  # its warning iterated it: NotImplementedError
        lambda held: held.__setitem__((0, 0), held[0, 0] + 1) or ROWS[held[0, 0] - 1],
        made=lambda: memoryview(np.zeros((2, 2), int)),
    ),
}
REFUSED = {  # what the warning says where the step runs eagerly
    "helpers four calls deep counting in a dict": "changed `seen` in place \\(a dict: 1 item, keys 'calls'",
    "a list the step appends to": "changed `held` in place \\(a list: 1 item, 1;",
    "a global count the step increments": "changed `COUNT` in place \\(a list",
    "a set the step grows": "changed `held` in place \\(a set",
    "a deque the step pops": "changed `held` in place \\(a deque",
    "an array the step counts in": "changed `held` in place \\(a ndarray: shape \\(1,\\)",
    "an array.array the step appends to": "changed `held` in place \\(an array: 1 item, 1;",
    "a 2-d memoryview the step counts in": "changed `held` in place \\(a memoryview: shape \\(2, 2\\)",
    "an iterator four objects down": "next\\(\\) outside autograd.drawn",
    "Python's random module": "Python's random module",
    "numpy's global generator": "numpy's global generator",
    "a generator": "generator",
    "the clock": "the clock \\(time\\)",
    "os.environ": "os.environ",
}


def _losses(compile, case):
    """Six calls' losses and gradients, seeded alike."""
    take, before, made = CASES[case]
    autograd.manual_seed(0)
    random.seed(0)
    np.random.seed(0)
    global NUMBER
    STATE["n"], _Config.n, COUNT[0], NUMBER, SIZES[0], BUFFER[0], BYTES[0], VIEW[0] = 4, 4, 0, 4, 4, 4, 4, 4.0
    del GROWN[4:]
    for row in LISTS + list(DICTS.values()):
        row[0 if isinstance(row, list) else "n"] = 4
    w = Tensor(np.ones(1), requires_grad=True)
    held = made()

    def step(x):
        loss = (autograd.rand(take(held), dtype=np.float64) * w).sum() + (Tensor(x) * w).sum()
        loss.backward()
        return loss.item()

    run, out = compile(step), []
    for i in range(len(ROWS)):
        before(i)
        w.grad = None
        out.append((run(np.full(2, i + 1.0)), w.grad.tolist()))
    return out


@pytest.mark.parametrize("case", CASES)
def test_python_state_a_step_reads_replays_as_eager_or_runs_eagerly_saying_why(case, monkeypatch):
    check_faithful(lambda compile: _losses(compile, case), REFUSED.get(case), monkeypatch)


def test_a_mutable_default_argument_is_read_through_and_a_rebound_one_records_again(monkeypatch):
    """`def step(x, box=BOX)`: the caller changing BOX[0], or rebinding the default, records again."""
    box, w = [4], Tensor(np.ones(1), requires_grad=True)

    def losses(compile):
        autograd.manual_seed(0)

        def step(x, sizes=box):
            loss = (autograd.rand(sizes[0], dtype=np.float64) * w).sum() + (Tensor(x) * w).sum()
            loss.backward()
            return loss.item()

        run, out = compile(step), []
        for i in range(8):
            box[0] = 4 if i < 3 else 5
            if i == 6:
                step.__defaults__ = ([6],)
            out.append(run(np.ones(2)))
        step.__defaults__ = (box,)
        return out

    check_replayed(losses, monkeypatch)


def test_a_function_attribute_the_step_reads_is_guarded(monkeypatch):
    """`step.n` set by the caller between calls replayed the recorded n."""
    w = Tensor(np.ones(1), requires_grad=True)

    def losses(compile):
        autograd.manual_seed(0)

        def step(x):
            loss = (autograd.rand(step.n, dtype=np.float64) * w).sum() + (Tensor(x) * w).sum()
            loss.backward()
            return loss.item()

        run, out = compile(step), []
        for n in ROWS:
            step.n = n
            out.append(run(np.ones(2)))
        return out

    check_replayed(losses, monkeypatch)


def test_an_iterator_a_draw_advances_still_replays(monkeypatch):
    """next() inside autograd.drawn is the draw's, made again by each replay: not refused."""

    def losses(compile):
        w, sizes = Tensor(np.ones(1), requires_grad=True), iter([3] * 8)
        gen = np.random.default_rng(1)

        def step(x):
            loss = (autograd.drawn(lambda: gen.random(next(sizes))) * w).sum() + (Tensor(x) * w).sum()
            loss.backward()
            return loss.item()

        run = compile(step)
        return [run(np.ones(2)) for _ in range(5)], list(sizes)

    check_replayed(losses, monkeypatch, replays_at_least=3)


HISTORY = [0.0] * 10_000


@pytest.mark.parametrize("bound", [False, True], ids=["a global", "a partial's keyword"])
def test_the_warning_for_a_container_the_step_changes_names_it_and_stays_short(bound):
    """It showed the container's first items alone (`(0.0, 0.0, 0.0, ...)`), not which of the step's names held it."""
    w = Tensor(np.ones(1), requires_grad=True)

    def step(x, log=None):
        (HISTORY if log is None else log).append(1.0)
        loss = (Tensor(x) * w).sum()
        loss.backward()
        return loss.item()

    run = autograd.compile(functools.partial(step, log=[0.0] * 10_000) if bound else step)
    with pytest.warns(autograd.CompileWarning) as seen:
        [run(np.ones(2)) for _ in range(3)]
    message = str(seen[0].message)
    name = "log" if bound else "HISTORY"
    assert f"the step changed `{name}` in place (a list: 10001 items, 0.0, 0.0, 0.0, ...;" in message
    assert len(message) < 600
    del HISTORY[10_000:]


RECORD = [0.0].append


def test_a_list_the_step_changes_through_a_bound_method_is_named_by_it():
    """It was called "an item of `RECORD`", where the list is the method's object."""
    w = Tensor(np.ones(1), requires_grad=True)

    def step(x):
        RECORD(1.0)
        loss = (Tensor(x) * w).sum()
        loss.backward()
        return loss.item()

    run = autograd.compile(step)
    with pytest.warns(autograd.CompileWarning, match="the step changed `RECORD.__self__` in place \\(a list: 2 items"):
        [run(np.ones(2)) for _ in range(2)]

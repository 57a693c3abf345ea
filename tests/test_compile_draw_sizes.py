"""autograd.rand(n) with n from Python state the step reads: a replay draws the recorded shape (it runs none of the
step's Python), so where n changes the step must record again or run eagerly. Three ways went on drawing 4 rows
where eager drew 5, silently: n from a helper lambda held in a dict the step names (`SIZES["rows"]()`, reading a
global), from an iterator the step advances (`next(sizes)`, a generator, an itertools.count), and from a counter
kept by such a helper; so did helpers reached as methods (`self.rows()` of compile(trainer.step), `held.rows()`),
properties, partials, nested dicts and an object's function attributes. The helpers a step finds so are now its
own (their globals and cells read through: a change records again; a nonlocal assigned is refused), and an
iterator the step's names hold that moves outside a draw runs the step eagerly, saying so. Each compiled run
equals the eager one."""

import collections
import functools
import itertools

import numpy as np
import pytest
from compile_faithful_cases import check_faithful, check_replayed

import autograd
from autograd import Tensor

LENGTH = {"n": 4}
SIZES = {"rows": lambda: LENGTH["n"]}  # a helper in a dict: the step calls SIZES["rows"]()
_LENGTHS = [4, 4, 4, 4, 5, 5, 4]


def _counter():
    """A helper that counts its calls in a nonlocal: 4 rows for four calls, then 5."""
    calls = 0

    def rows():
        nonlocal calls
        calls += 1
        return 4 if calls <= 4 else 5

    return rows


def _sizes():
    yield from _LENGTHS


class _Sizes:
    """An iterator class of one's own: 4 for four calls, then 5."""

    def __init__(self):
        self.calls = 0

    def __iter__(self):
        return self

    def __next__(self):
        self.calls += 1
        return 4 if self.calls <= 4 else 5


class _QueuedSizes:
    """An iterator class keeping its place in an object it changes in place (a deque it pops), not in a number."""

    def __init__(self):
        self.queue = collections.deque(_LENGTHS)

    def __iter__(self):
        return self

    def __next__(self):
        return self.queue.popleft()


def _rows_of(key):
    return LENGTH[key]


class _Rows:
    """Helpers as methods: the step calls `held.rows()`, reads `held.size`, or calls `_Rows.fixed()`."""

    def rows(self):
        return LENGTH["n"]

    @property
    def size(self):
        return LENGTH["n"]

    @staticmethod
    def fixed():
        return LENGTH["n"]


class _Holder:
    """A plain object holding an iterator, as a trainer holds its schedule."""

    def __init__(self, sizes):
        self.sizes = sizes


# each: what the step's names hold, made anew for each run, and how the step takes n from it
CASES = {
    "a helper in a dict": (lambda: SIZES, lambda held: held["rows"]()),
    "a counter in a dict": (lambda: {"rows": _counter()}, lambda held: held["rows"]()),
    "a list iterator": (lambda: iter(_LENGTHS), next),
    "a generator": (_sizes, next),
    "an itertools.count": (lambda: itertools.count(), lambda held: 4 + next(held) // 4),
    "a map over a list": (lambda: map(int, _LENGTHS), next),
    "an iterator in a dict": (lambda: {"sizes": iter(_LENGTHS)}, lambda held: next(held["sizes"])),
    "an iterator on an object": (lambda: _Holder(iter(_LENGTHS)), lambda held: next(held.sizes)),
    "a bound __next__": (lambda: iter(_LENGTHS).__next__, lambda held: held()),
    "an iterator class of one's own": (_Sizes, next),
    "an iterator class popping a deque": (_QueuedSizes, next),
    "iter(f, sentinel)": (lambda: iter(list(reversed(_LENGTHS)).pop, None), next),
    "a partial in a dict": (lambda: {"rows": functools.partial(_rows_of, "n")}, lambda held: held["rows"]()),
    "a method of an object": (_Rows, lambda held: held.rows()),
    "a property of an object": (_Rows, lambda held: held.size),
    "a staticmethod of a class": (lambda: _Rows, lambda held: held.fixed()),
    "a helper in a nested dict": (lambda: {"sizes": {"rows": SIZES["rows"]}}, lambda held: held["sizes"]["rows"]()),
    "a helper an object holds": (lambda: _Holder(SIZES["rows"]), lambda held: held.sizes()),
}
REFUSED = {  # what the warning says, where the step runs eagerly
    "a counter in a dict": "assigns the global or nonlocal name 'calls'",
    "a list iterator": "iterator or a generator \\(list_iterator\\)",
    "a generator": "\\(generator\\)",
    "an itertools.count": "\\(count\\)",
    "a map over a list": "\\(map\\)",
    "an iterator in a dict": "\\(list_iterator\\)",
    "an iterator on an object": "\\(list_iterator\\)",
    "a bound __next__": "\\(list_iterator\\)",
    "an iterator class of one's own": "\\(_Sizes\\)|changes `_Sizes\\.calls`",
    "an iterator class popping a deque": "\\(_QueuedSizes\\)|changed `held.queue` in place \\(a deque",
    "iter(f, sentinel)": "\\(callable_iterator\\)",
}


def _losses(compile, case):
    """The step run once per length of _LENGTHS (LENGTH["n"] set first), seeded alike: what each call returned."""
    make, take = CASES[case]
    autograd.manual_seed(0)
    w = Tensor(np.ones(1), requires_grad=True)
    held = make()

    def step(x):
        loss = (autograd.rand(take(held), dtype=np.float64) * w).sum() + (Tensor(x) * w).sum()
        loss.backward()
        return loss.item()

    run, out = compile(step), []
    for n in _LENGTHS:
        LENGTH["n"] = n
        out.append(run(np.ones(2)))
    LENGTH["n"] = 4
    return out


@pytest.mark.parametrize("case", CASES)
def test_a_draws_size_from_python_state_is_eagers_on_every_call(case, monkeypatch):
    check_faithful(lambda compile: _losses(compile, case), REFUSED.get(case), monkeypatch)


def _drawing_from_an_iterator(compile):
    """Six calls of a step whose draw takes its size from an iterator when called; their losses and what is left of
    the iterator."""
    autograd.manual_seed(0)
    w = Tensor(np.ones(1), requires_grad=True)
    sizes = iter([3] * 8)
    gen = np.random.default_rng(1)

    def step(x):
        noise = autograd.drawn(lambda: gen.random(next(sizes)))
        loss = (noise * w).sum() + (Tensor(x) * w).sum()
        loss.backward()
        return loss.item()

    run = compile(step)
    return [run(np.ones(2)) for _ in range(6)], list(sizes)


def test_an_iterator_that_only_a_draw_advances_replays(monkeypatch):
    """A draw that takes its size from an iterator when called (inside autograd.drawn) is made again by each
    replay, which advances it as eagerly: no refusal, the numbers eager's, and the iterator where eager leaves it."""
    check_replayed(_drawing_from_an_iterator, monkeypatch, replays_at_least=4)


class _Watched(_Sizes):
    """An iterator class whose pickling methods note that they ran (reading its place must run none of its code)."""

    ran = []

    def __reduce__(self):
        _Watched.ran.append("__reduce__")
        return super().__reduce__()

    def __getstate__(self):
        _Watched.ran.append("__getstate__")
        return {}


@pytest.mark.parametrize("make", [lambda: iter(_LENGTHS), _Watched], ids=["a list iterator", "a class of one's own"])
def test_an_iterator_the_step_names_but_never_moves_replays_and_none_of_its_code_runs(make, monkeypatch):
    """An iterator class's place is read from its attributes (self.calls), not by its __reduce__ or __getstate__,
    which may do anything (this one's says that it has no state)."""

    def losses(compile):
        held, _Watched.ran = make(), []
        w = Tensor(np.ones(1), requires_grad=True)

        def step(x):
            if held is None:  # names it, never advances it
                return None
            loss = (Tensor(x) * w).sum()
            loss.backward()
            return loss.item()

        run = compile(step)
        return [run(np.ones(2)) for _ in range(4)], next(held), _Watched.ran

    check_replayed(losses, monkeypatch, replays_at_least=2)
    assert losses(lambda f: f) == ([2.0] * 4, 4, [])


class _Trainer:
    """A step as a method calling a helper method of its own class, which reads a global: `self.rows()`."""

    def __init__(self):
        self.w = Tensor(np.ones(1), requires_grad=True)

    def rows(self):
        return LENGTH["n"]

    def step(self, x):
        loss = (autograd.rand(self.rows(), dtype=np.float64) * self.w).sum() + (Tensor(x) * self.w).sum()
        loss.backward()
        return loss.item()


def test_a_method_the_step_calls_on_its_own_object_is_read_through(monkeypatch):
    """compile(trainer.step) whose size comes from self.rows() (a global read there) drew 4 rows where eager drew 5."""

    def losses(compile):
        autograd.manual_seed(0)
        run, out = compile(_Trainer().step), []
        for n in _LENGTHS:
            LENGTH["n"] = n
            out.append(run(np.ones(2)))
        LENGTH["n"] = 4
        return out

    check_replayed(losses, monkeypatch)

"""A setting a compiled step reads whose value the caller makes an equal one that eager tells apart records again:
a bool made 1 (or 1 made True) in a module's attribute, a config dict or a tuple of flags, which a guard kept as
the bool itself (`True == 1`), so a step testing `flag is True` replayed the recorded branch (eager's losses 9.0,
9.0 after the change, the replays' 6.0, 6.0); and a NaN whose sign the caller flips, in a setting or as the step's
argument, which a guard and a call's key kept as `float.hex()`, "nan" for both (a step reading its sign with
`math.copysign` gave eager's -3.0, the replays' 3.0); and a set's or a deque's 2 made 2.0, in a setting or a table
(`{2} == {2.0}`: a step sizing arrays by them replayed where eager raises TypeError). Each against eager, bit for
bit."""

import collections
import math
from decimal import Decimal

import numpy as np
import pytest
from compile_faithful_cases import check_replayed, run_changing, weighted_step

import nn
from autograd import Tensor


class Flagged(nn.Module):
    """A module whose forward branches on its attribute being the bool True, not merely equal to it."""

    def __init__(self, flag):
        super().__init__()
        self.flag = flag

    def forward(self, x):
        return x * (2.0 if self.flag is True else 3.0)


def _branch(flag):
    return 2.0 if flag is True else 3.0


def _sized(sizes):
    return sum(np.ones(n).sum() for n in sorted(sizes))  # eager raises TypeError for a float size


def _made_float(sizes):
    sizes.discard(2)
    sizes.add(2.0)


def _made_negative(numbers, zero=-0.0):
    numbers.discard(0)
    numbers.add(zero)


def _zero_of(numbers):
    return [x for x in numbers if x == 0][0]


CHANGES = {  # where the setting keeps its value, the caller's change, how the step reads it
    "a dict's True made 1": (lambda: {"flag": True}, lambda s: s.__setitem__("flag", 1), lambda s: _branch(s["flag"])),
    "a dict's 1 made True": (lambda: {"flag": 1}, lambda s: s.__setitem__("flag", True), lambda s: _branch(s["flag"])),
    "a list's tuple of flags": (lambda: [(True, 2)], lambda s: s.__setitem__(0, (1, 2)), lambda s: _branch(s[0][0])),
    "a NaN made -NaN": (lambda: [math.nan], lambda s: s.__setitem__(0, -math.nan), lambda s: math.copysign(1, s[0])),
    # a set's or a deque's items with their types: {2} == {2.0}
    "a set's 2 made 2.0": (lambda: {2, 3}, _made_float, _sized),
    "a table's set's 2 made 2.0": (lambda: [{2, 3}, *[1] * 40], lambda s: _made_float(s[0]), lambda s: _sized(s[0])),
    "a table's deque's 2 made 2.0": (
        lambda: [collections.deque([2, 3]), *[1] * 40],
        lambda s: s[0].__setitem__(0, 2.0),
        lambda s: _sized(s[0]),
    ),
    # a set's zero by its sign: {0.0} == {-0.0}
    "a set's 0.0 made -0.0": (lambda: {0.0, 3.0}, _made_negative, lambda s: math.copysign(1, min(s))),
    "a table's set's 0.0 made -0.0": (
        lambda: [{0.0, 3.0}, *[1] * 40],
        lambda s: _made_negative(s[0]),
        lambda s: math.copysign(1, min(s[0])),
    ),
    # a table's dict's key made an equal one of another type, kept last: `==` and the keys' order alike
    "a table's last key 39 made 39.0": (
        lambda: dict.fromkeys(range(40), 1),
        lambda s: s.__setitem__(39.0, s.pop(39)),
        lambda s: _sized(list(s)[-1:]),
    ),
    # a complex zero's sign, which array("d") could not read: 0j == complex(-0.0, 0)
    "a table's complex 0j made -0.0+0j": (
        lambda: [0j, *[1] * 40],
        lambda s: s.__setitem__(0, complex(-0.0, 0.0)),
        lambda s: math.copysign(1, s[0].real),
    ),
    "a set's complex 0j made -0.0+0j": (
        lambda: {0j, 3},
        lambda s: _made_negative(s, complex(-0.0, 0.0)),
        lambda s: math.copysign(1, _zero_of(s).real),
    ),
}


@pytest.mark.parametrize("kind", CHANGES)
def test_a_settings_value_made_an_equal_one_eager_tells_apart_records_again(kind, monkeypatch):
    make, change, read = CHANGES[kind]

    def scenario(compile):
        setting, run, out = make(), compile(weighted_step(lambda: read(setting))), []
        try:
            run_changing(lambda x: out.append(run(x)), lambda i: change(setting), x=np.ones(3))
        except TypeError as e:
            out.append(str(e))
        return out

    check_replayed(scenario, monkeypatch)


def test_a_modules_flag_made_1_records_again(monkeypatch):
    def scenario(compile):
        model, w = Flagged(True), Tensor(np.ones(3), requires_grad=True)

        def step(x):
            loss = model(Tensor(x) * w).sum()
            loss.backward()
            return loss.item()

        return run_changing(compile(step), lambda i: setattr(model, "flag", 1), x=np.ones(3))

    check_replayed(scenario, monkeypatch)


_LONG_EPS = np.finfo(np.longdouble).eps

ARGUMENTS = {  # an argument the step reads, equal by `==` to the one before it, and how the step tells them apart
    "a NaN made -NaN": (math.nan, -math.nan, lambda s: math.copysign(1.0, s)),
    "a complex 0j made -0.0+0j": (0j, complex(-0.0, 0.0), lambda s: math.copysign(1.0, s.real)),
    "a numpy complex 0j made -0.0+0j": (
        np.complex128(0j),
        np.complex128(complex(-0.0, 0.0)),
        lambda s: math.copysign(1.0, s.real),
    ),
    "a complex in a tuple": ((0j,), (complex(-0.0, 0.0),), lambda s: math.copysign(1.0, s[0].real)),
    "a Decimal 0 made -0": (Decimal("0"), Decimal("-0"), lambda s: math.copysign(1.0, s)),
    # a long double's 64-bit fraction, which a double's bits rounded away
    "a long double 1 made 1 + eps": (
        np.longdouble(1),
        np.longdouble(1) + _LONG_EPS,
        lambda s: float((s - 1) / _LONG_EPS),
    ),
}


@pytest.mark.parametrize("kind", ARGUMENTS)
def test_an_argument_made_an_equal_one_eager_tells_apart_records_again(kind, monkeypatch):
    """A call's argument is part of its recording's key: one `==` takes as equal (a zero's sign, a long double's
    last bits) replayed the recording of the other (`copysign`: eager's -3.0, the replays' 3.0)."""
    before, after, read = ARGUMENTS[kind]
    w = Tensor(np.ones(3), requires_grad=True)

    def step(x, setting):
        loss = (Tensor(x) * w * read(setting)).sum()
        loss.backward()
        return loss.item()

    def scenario(compile):
        run = compile(step)
        return [run(np.ones(3), s) for s in (before, before, before, after, after)]

    check_replayed(scenario, monkeypatch)


def test_a_large_deque_the_step_only_reads_replays_and_sees_its_items_types(monkeypatch):
    """A deque of more than 32 items was refused as changed in place by the step (its snapshot, a table's of a list
    made anew, never equal to the next): it replays now, and records again once its 2 is made 2.0."""

    def scenario(compile):
        sizes, out = collections.deque([2] * 40), []
        run = compile(weighted_step(lambda: _sized([sizes[0]])))
        try:
            run_changing(lambda x: out.append(run(x)), lambda i: sizes.__setitem__(0, 2.0), x=np.ones(3))
        except TypeError as e:
            out.append(str(e))
        return out

    check_replayed(scenario, monkeypatch)

"""A table a compiled step reads whose number the caller makes an equal one of another type between calls records
again: its snapshot's `==` took 0 for 0.0, 1 for 1.0, 2 for np.int64(2), 0.5 for np.float64(0.5), True for 1, so a
step making labels of it (`np.array(labels[:4])`) replayed the recorded ints where eager's cross_entropy refuses
float labels (TypeError), one sizing an array with it (`np.ones(sizes[1])`) replayed where eager raises, and one
scaling a float32 Tensor by it replayed float32 where eager gives float64. Only a zero's type was seen (and every
number's in a flat list more than 1/16 zeros); each item's type is compared now, in one pass in C. And a table of
many rows holding zeros is checked in a few passes in C, where each row's check was a Python call (50,000 rows: 216
million instructions a replay, 59 million in passes)."""

import copy
import sys
from fractions import Fraction

import numpy as np
import pytest
from compile_faithful_cases import check_refused, check_replayed, linear, run_changing

import autograd
from autograd import Tensor
from autograd.compile_guards import kept, settled
from nn import functional as F

SETS = {  # where the labels table keeps an int made an equal float
    "a list of labels, 0 made 0.0": (lambda: [k % 3 for k in range(40)], lambda t: t.__setitem__(0, 0.0)),
    "rows of labels, 0 made 0.0": (lambda: [[k % 3, 1] for k in range(40)], lambda t: t[3].__setitem__(0, 0.0)),
    "a dict of labels, 0 made 0.0": (lambda: {k: k % 3 for k in range(40)}, lambda t: t.__setitem__(0, 0.0)),
    "a list of labels, 1 made 1.0": (lambda: [1 + k % 2 for k in range(40)], lambda t: t.__setitem__(1, 1.0)),
    "rows of labels, 1 made 1.0": (lambda: [[1 + k % 2, 1] for k in range(40)], lambda t: t[3].__setitem__(0, 1.0)),
    "a dict of labels, 1 made 1.0": (lambda: {k: 1 + k % 2 for k in range(40)}, lambda t: t.__setitem__(2, 1.0)),
}


def _labels(table):
    if isinstance(table, dict):
        return [table[k] for k in range(4)]
    return [row[0] for row in table[:4]] if isinstance(table[0], list) else table[:4]


@pytest.mark.parametrize("kind", SETS)
def test_a_tables_int_made_an_equal_float_records_again(kind):
    make, change = SETS[kind]

    def scenario(compile):
        table = make()
        model, opt = linear()

        def step(x):
            opt.zero_grad()
            loss = F.cross_entropy(model(Tensor(x)), np.array(_labels(table)))
            loss.backward()
            opt.step()
            return loss.item()

        run, out = compile(step), []
        try:
            run_changing(lambda x: out.append(run(x)), lambda i: change(table), x=np.ones((4, 3)))
        except TypeError as e:
            out.append(str(e))
        return out

    eager = scenario(lambda f: f)
    assert eager[-1].startswith("cross_entropy needs integer class labels")
    assert scenario(autograd.compile) == eager


def _ones(n):
    return np.ones(n).sum()  # eager raises TypeError for a float size


TYPES = {  # a table of 40 numbers without zeros, the caller's change, what the step reads (scaling a float32 Tensor)
    "a scale 0.5 made np.float64(0.5)": ([0.5] * 40, lambda t: t.__setitem__(1, np.float64(0.5)), lambda t: t[1]),
    "a scale 2 made np.int64(2)": ([2] * 40, lambda t: t.__setitem__(1, np.int64(2)), lambda t: t[1]),
    "a scale 1 made Fraction(1)": ([1] * 40, lambda t: t.__setitem__(1, Fraction(1)), lambda t: t[1]),
    "a scale 1 made 1+0j": ([1] * 40, lambda t: t.__setitem__(1, 1 + 0j), lambda t: t[1]),
    "a size 2 made 2.0": ([2] * 40, lambda t: t.__setitem__(1, 2.0), lambda t: _ones(t[1])),
    "a row's size 2 made 2.0": (
        [[2, 3] for _ in range(40)],
        lambda t: t[1].__setitem__(0, 2.0),
        lambda t: _ones(t[1][0]),
    ),
    "a tuple's size 2 made 2.0": ([(2, 3)] * 40, lambda t: t.__setitem__(1, (2.0, 3)), lambda t: _ones(t[1])),
    "a dict's size 2 made 2.0": (dict.fromkeys(range(40), 2), lambda t: t.__setitem__(1, 2.0), lambda t: _ones(t[1])),
    "a mask's True made 1": (
        [True] * 40,
        lambda t: t.__setitem__(0, 1),
        lambda t: np.arange(4.0)[np.array(t[:4])].sum(),
    ),
}


@pytest.mark.parametrize("kind", TYPES)
def test_a_tables_number_made_an_equal_one_of_another_type_records_again(kind, monkeypatch):
    made, change, read = TYPES[kind]

    def scenario(compile):
        table = copy.deepcopy(made)
        w = Tensor(np.ones(3, np.float32), requires_grad=True)

        def step(x):
            out = Tensor(x) * w * read(table)
            out.sum().backward()
            return out

        run, out = compile(step), []
        try:
            run_changing(lambda x: out.append(run(x)), lambda i: change(table), x=np.full(3, 0.1, np.float32))
        except TypeError as e:
            out.append(str(e))
        return out

    check_replayed(scenario, monkeypatch)


@pytest.mark.parametrize("row", [list, tuple])
def test_a_table_of_rows_holding_zeros_is_checked_without_a_python_call_per_row(row):
    table = [row([float(k + 1), 0.0]) for k in range(1_000)]
    snapshot, calls = settled(table), []
    sys.setprofile(lambda frame, event, arg: calls.append(frame.f_code.co_name) if event == "call" else None)
    try:
        unchanged = kept(table, snapshot)
    finally:
        sys.setprofile(None)
    assert unchanged and len(calls) < 10, calls[:20]


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t[500].__setitem__(1, -0.0),  # a zero's sign
        lambda t: t[500].__setitem__(1, 0),  # an int for 0.0
        lambda t: t.__setitem__(500, [501.0, -0.0]),  # a row replaced by one equal to it
        lambda t: t.__setitem__(500, [501.0 + 0.0, 0.0 * 1.0]),  # rebuilt with equal objects: still unchanged
    ],
    ids=["-0.0", "int 0", "row -0.0", "row rebuilt"],
)
def test_a_table_of_rows_sees_a_zeros_sign_and_a_numbers_kind(change):
    table = [[float(k + 1), 0.0] for k in range(1_000)]
    snapshot = settled(table)
    change(table)
    rebuilt = table[500] == [501.0, 0.0] and str(table[500][1]) == "0.0" and type(table[500][1]) is float
    assert kept(table, snapshot) is rebuilt
    assert (settled(table) == snapshot) is rebuilt


def test_a_step_making_its_tables_number_an_equal_one_of_another_type_is_refused_saying_so(monkeypatch):
    """A step that makes a table's 1 a 1.0 itself (and back, on the next call) is refused, as any step changing a
    table in place is: a replay would not change it. The check around each replayed span leaves the types out (a
    pass over a large table on each), so the refusal named a constant that changed between calls instead."""
    w = Tensor(np.ones(3), requires_grad=True)

    def scenario(compile):
        table = [1] * 40

        def step(x):
            factor = 2.0 if type(table[1]) is int else 3.0
            table[1] = 1.0 if type(table[1]) is int else 1
            loss = (Tensor(x) * w * factor).sum()
            loss.backward()
            return loss.item()

        run = compile(step)
        return [run(np.ones(3)) for _ in range(6)]

    check_refused(scenario, "the step changed `table` in place", monkeypatch)

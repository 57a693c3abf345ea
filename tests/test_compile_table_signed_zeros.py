"""A table a compiled step reads, whose 0.0 the caller makes -0.0 between calls, records again: its snapshot's `==`
took -0.0 for 0.0, so a step telling them apart (`math.copysign(1.0, x)`, `1 / x` in numpy) replayed the recorded
sign (eager's losses -3.0, -3.0 from the change on, the replays' 3.0, 3.0); a zero beside an array in a row
(`[np.ones(2), 0.0]`, a table of such rows), or in a deque or a set a table holds, went unseen so. Each against
eager, bit for bit."""

import collections
import math

import numpy as np
import pytest
from compile_faithful_cases import check_replayed, run_changing, weighted_step

NUMBERS = [float(k) for k in range(40)]
NUMBERS[5] = 0.0
WITH_TEXT = [*NUMBERS[:39], "label"]

TABLES = {  # the table the step's name holds, and where it reads the zero
    "a flat list in a table": (lambda: [list(NUMBERS), [1.0] * 40], lambda t: t[0]),
    "a tuple in a table": (lambda: [tuple(NUMBERS), [1.0] * 40], lambda t: t[0]),
    "a dict in a table": (lambda: [dict(enumerate(NUMBERS))], lambda t: t[0]),
    "a table of numbers": (lambda: list(NUMBERS), lambda t: t),
    "a list of text and numbers": (lambda: list(WITH_TEXT), lambda t: t),
    "an int 0": (lambda: [0, *NUMBERS[1:]], lambda t: t),
    # beside an array (no flat container: its copy was compared by `==` alone)
    "a list beside an array": (lambda: [[np.ones(2), *NUMBERS[1:6]], [1.0] * 40], lambda t: t[0]),
    "a tuple beside an array": (lambda: [(np.ones(2), *NUMBERS[1:6]), [1.0] * 40], lambda t: t[0]),
    "a dict beside an array": (lambda: [dict(enumerate([np.ones(2), *NUMBERS[1:6]])), [1.0] * 40], lambda t: t[0]),
    "rows beside arrays": (lambda: [[np.ones(2), *NUMBERS[1:6]] for _ in range(40)], lambda t: t[0]),
    # a deque a table holds, compared by its items and their types (`==` alone for their signs)
    "a deque in a table": (lambda: [collections.deque(NUMBERS[:6]), *[1.0] * 40], lambda t: t[0]),
}


def _negated_zero(table, part):
    """-0.0 in place of the zero at 5: set in place, or, in a tuple, the tuple replaced."""
    inner = part(table)
    if isinstance(inner, tuple):
        table[0] = (*inner[:5], -0.0, *inner[6:])
    else:
        inner[5] = -0.0


@pytest.mark.parametrize("kind", TABLES)
def test_a_tables_zero_made_negative_records_again(kind, monkeypatch):
    make, part = TABLES[kind]

    def scenario(compile):
        table = make()
        step = weighted_step(lambda: math.copysign(1.0, part(table)[5]))
        return run_changing(compile(step), lambda i: _negated_zero(table, part), x=np.ones(3))

    check_replayed(scenario, monkeypatch)

"""The guards a compiled step keeps of the large tables its names hold (compile_containers.Items: a copy compared in
C). A table of lists was copied by a Python pass over every number, on each of a recording's replayed spans (a
draw, an optimizer's step): a step with 40 of them that appended to a global `[list(range(300_000))]` took 1.23 s
of CPU to record once (9.8 s for a longer step), and the warning's preview wrote out the inner list whole before cutting
it to 60 characters. A table of a dict or list subclass (a `defaultdict(list)`) was not copied at all, so a list it
held changed in place by the caller was never seen: the replays went on with the recorded number."""

import collections
import tracemalloc

import numpy as np
import pytest
from compile_faithful_cases import check_replayed, run_changing, weighted_step
from cpu_time import cpu_seconds_at_most

import autograd
import nn
from autograd import Tensor

HISTORY = [list(range(300_000))]


def test_a_step_appending_to_a_large_nested_list_is_refused_quickly():
    w = Tensor(np.ones(3), requires_grad=True)
    opt = nn.SGD([w], lr=0.1)

    def step(x):
        for _ in range(40):  # each a span of code a replay runs again: the table compared around each
            opt.zero_grad()
        loss = (Tensor(x) * w).sum()
        loss.backward()
        HISTORY[0].append(1)
        return loss.item()

    run = autograd.compile(step)
    with cpu_seconds_at_most(0.7), pytest.warns(autograd.CompileWarning) as seen:  # 1.23 s before, 0.22 s now
        run(np.ones(3))
    message = str(seen[0].message)
    assert "the step changed `HISTORY` in place (a list: 1 item, [0, 1, 2, 3, 4, 5, ...];" in message
    del HISTORY[0][300_000:]


SUBCLASSED = {
    "defaultdict": collections.defaultdict(list, {i: [float(i)] for i in range(40)}),
    "OrderedDict": collections.OrderedDict((i, [float(i)]) for i in range(40)),
    "list subclass": type("Rows", (list,), {})([float(i)] for i in range(40)),
}


@pytest.mark.parametrize("kind", SUBCLASSED)
def test_a_table_of_a_subclass_changed_in_place_records_again(kind, monkeypatch):
    table = SUBCLASSED[kind]

    def scenario(compile):
        table[5][0] = 5.0
        run = compile(weighted_step(lambda: table[5][0]))
        return run_changing(run, lambda i: table[5].__setitem__(0, table[5][0] + 1.0), np.ones(3), 5, 2, once=False)

    check_replayed(scenario, monkeypatch)


def _popped_and_set_again(table, i):
    table[0] = table.pop(0)  # moves key 0 last: a step iterating the table meets it last


HELD_ITEMS = {  # a table of 40 items (no setting: compared as a table), what the step reads, how the caller changes it
    "arrays": (lambda: [np.zeros(2) for _ in range(40)], lambda t: t[3][0], lambda t, i: t[3].__setitem__(0, i)),
    "0-d arrays": (lambda: [np.array(float(k)) for k in range(40)], lambda t: float(t[5]), lambda t, i: t[5].fill(i)),
    "lists of arrays": (lambda: [[np.zeros(1)] for _ in range(40)], lambda t: t[5][0][0], lambda t, i: t[5][0].fill(i)),
    "deques": (lambda: [collections.deque([0.0]) for _ in range(40)], lambda t: t[5][0], lambda t, i: t[5].append(i)),
    "sets": (lambda: [{0.0} for _ in range(40)], lambda t: len(t[5]), lambda t, i: t[5].add(float(i))),
    "bytearrays": (lambda: [bytearray([0]) for _ in range(40)], lambda t: t[5][0], lambda t, i: t[5].__setitem__(0, i)),
    "a tuple's lists": (
        lambda: tuple([0.0] for _ in range(40)),
        lambda t: t[5][0],
        lambda t, i: t[5].__setitem__(0, i),
    ),
    "a dict's order": (lambda: {k: float(k) for k in range(40)}, lambda t: list(t)[0], _popped_and_set_again),
}


@pytest.mark.parametrize("kind", HELD_ITEMS)
def test_a_tables_array_deque_set_or_order_changed_between_calls_records_again(kind, monkeypatch):
    """A table holding arrays, deques, sets or bytearrays kept them by identity alone, a tuple of more than 32 lists
    was not looked into, and a dict's order was not compared: one changed in place between calls (`TABLE[3][0] = 5`
    on an array) replayed the recorded number (eager's losses 6, 9, 12 from call 4, the replays' 0, 0, 0)."""
    make, read, change = HELD_ITEMS[kind]

    def scenario(compile):
        table = make()
        run = compile(weighted_step(lambda: float(read(table))))
        return run_changing(run, lambda i: change(table, i), x=np.ones(3), after=2, once=False)

    check_replayed(scenario, monkeypatch)


def test_a_list_of_many_images_is_too_large_to_compare():
    """A table's arrays were copied up to 10,000 numbers in all, the others kept by identity: an image past them
    changed in place replayed stale. 60,000 images (47M numbers) are too many to compare on every replay: TooLarge,
    found without copying them (a recording that keeps it runs eagerly: tests/test_compile_large_tables.py). Bounded by
    the memory it allocates, not by CPU time: its first call took 0.04 s of a 0.05 s bound here and 0.06 s in CI."""
    from autograd.compile_guards import TooLarge, settled

    images = [np.zeros(784) for _ in range(60_000)]  # 376 MB of numbers: a copy would allocate them again
    tracemalloc.start()
    try:
        assert isinstance(settled(images), TooLarge)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40e6, f"telling the list too large allocated {peak / 1e6:.0f} MB: it copied the images"

"""The guards of tables past 10,000 items (compile_containers.Items, compile_guards.TooLarge). A list or dict of more
than 10,000 items (a dict of more than 1,000), an array of more than 10,000 numbers, and a table's arrays past its
first 10,000 numbers were kept by identity alone: an item the caller changed between calls (`TABLE[5][0] = 7.0` on
a table of 20,000 lists) replayed the number read when recorded, silently (eager's losses 306, 309, 312 from call 4;
the replays' 15, 15, 15). Such tables are compared by value now, up to TABLE_ITEMS items and TABLE_NUMBERS numbers;
a larger one a step reads runs it eagerly with a CompileWarning naming it."""

import numpy as np
import pytest
from compile_faithful_cases import check_refused, check_replayed, run_changing, weighted_step
from cpu_time import cpu_seconds_at_most

from autograd.compile_containers import TABLE_ITEMS, TABLE_NUMBERS


def _replace(table, i):
    table[5] = float(i)


TABLES = {  # what the step reads (a Python number, baked by a recording), how the caller changes it between calls
    "a list of 20,000 lists": (
        lambda: [[float(k)] for k in range(20_000)],
        lambda t: t[5][0],
        lambda t, i: t[5].__setitem__(0, float(i)),
    ),
    "a tuple of 20,000 lists": (
        lambda: tuple([float(k)] for k in range(20_000)),
        lambda t: t[5][0],
        lambda t, i: t[5].__setitem__(0, float(i)),
    ),
    "a list of 20,000 numbers": (lambda: [float(k) for k in range(20_000)], lambda t: t[5] * 2.0, _replace),
    "a dict of 20,000 numbers": (lambda: {k: float(k) for k in range(20_000)}, lambda t: t[5] * 2.0, _replace),
    "a dict of 1,500 lists": (
        lambda: {k: [float(k)] for k in range(1_500)},
        lambda t: t[5][0],
        lambda t, i: t[5].__setitem__(0, float(i)),
    ),
    "a list of 20,000 arrays": (
        lambda: [np.full(3, float(k)) for k in range(20_000)],
        lambda t: float(t[5][0]),
        lambda t, i: t[5].__setitem__(0, float(i)),
    ),
    "a list of 100 images": (
        lambda: [np.full(784, float(k)) for k in range(100)],
        lambda t: float(t[50][0]),
        lambda t, i: t[50].__setitem__(0, float(i)),
    ),
    "an array of 20,000 numbers": (
        lambda: np.arange(20_000.0),
        lambda t: float(t[5]),
        lambda t, i: t.__setitem__(5, float(i)),
    ),
}


def _scenario(make, read, change):
    def scenario(compile):
        table = make()
        run = compile(weighted_step(lambda: read(table)))
        return run_changing(run, lambda i: change(table, i + 100), x=np.ones(3), after=2, once=False)

    return scenario


@pytest.mark.parametrize("kind", TABLES)
def test_a_large_tables_item_changed_between_calls_records_again(kind, monkeypatch):
    check_replayed(_scenario(*TABLES[kind]), monkeypatch)


def test_a_table_too_large_to_compare_runs_the_step_eagerly_naming_it(monkeypatch):
    """A list of TABLE_ITEMS + 1 lists: a copy made in Python on each recording, compared on each replay, would cost
    more than the step; kept by identity it could replay stale, so the step runs eagerly."""
    rows = TABLE_ITEMS + 1
    make = lambda: [[float(k)] for k in range(rows)]  # noqa: E731
    read, change = TABLES["a list of 20,000 lists"][1:]
    check_refused(_scenario(make, read, change), "the step reads `table` \\(a list of 100,001 items\\)", monkeypatch)


def test_images_past_the_numbers_compared_run_the_step_eagerly(monkeypatch):
    count = TABLE_NUMBERS // 784 + 1
    make = lambda: [np.zeros(784) for _ in range(count)]  # noqa: E731
    read, change = TABLES["a list of 100 images"][1:]
    check_refused(
        _scenario(make, read, change), f"`table` \\(a list of {count:,} items\\), a table too large", monkeypatch
    )


def test_an_array_too_large_to_compare_is_named_as_an_array(monkeypatch):
    """It was "a ndarray of 1000001 numbers", its size without the separators the bounds beside it have."""
    make = lambda: np.zeros(TABLE_NUMBERS + 1)  # noqa: E731
    read, change = TABLES["an array of 20,000 numbers"][1:]
    check_refused(_scenario(make, read, change), "`table` \\(an array of 1,000,001 numbers\\)", monkeypatch)


def test_a_large_table_is_compared_in_c():
    """A replay's comparison of a table of 50,000 lists, or 1,000 images: a pass in C, not one in Python a number."""
    from autograd.compile_guards import kept, settled

    for table in ([[float(k)] for k in range(TABLE_ITEMS // 2)], [np.zeros(784) for _ in range(1_000)]):
        snapshot = settled(table)
        with cpu_seconds_at_most(0.5):
            assert all(kept(table, snapshot) for _ in range(10))
        table[-1][0] = 1.0
        assert not kept(table, snapshot)


def test_the_bounds_are_the_items_and_numbers_they_say():
    """A table of exactly TABLE_ITEMS lists, or a list of exactly TABLE_NUMBERS numbers, is compared: each container
    was charged one more than its items, so that these, "more than" neither bound, ran the step eagerly."""
    from autograd.compile_containers import Items, TooLarge
    from autograd.compile_guards import settled

    for size, make in ((TABLE_ITEMS, lambda n: [[0.0] for _ in range(n)]), (TABLE_NUMBERS, lambda n: [0.0] * n)):
        assert settled(make(size)).__class__ is Items
        assert settled(make(size + 1)).__class__ is TooLarge

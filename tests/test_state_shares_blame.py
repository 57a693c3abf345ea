"""nn.state_shares names the right pair: when a state is refused, the later entry it names is the one whose write
changed the earlier one's values (its first write that did), not merely the first later entry over the same memory.
And its check costs about one copy of the shared memory (not three or four), and time linear in the entries."""

import re
import sys
import tracemalloc

import numpy as np
import pytest
from test_state_shares import views

from nn.state_shares import refuse_differing_shares


def test_the_entry_named_is_the_one_that_differs_not_one_that_agrees():
    whole = np.zeros(4, np.float32)
    entries = [
        ("whole", whole, np.ones(4, np.float32)),
        ("head", whole[:2], np.ones(2, np.float32)),  # agrees with whole where they meet
        ("tail", whole[2:], np.full(2, 5, np.float32)),  # differs
    ]
    with pytest.raises(ValueError, match=r"^'whole' and 'tail' share memory"):
        refuse_differing_shares(entries)


def replayed(base: np.ndarray, entries: list, upto: int) -> list[np.ndarray]:
    """The entries' views of a copy of `base` after writing the first `upto` of them in order."""
    copy = base.copy()
    start = base.__array_interface__["data"][0]
    placed = [
        np.ndarray(v.shape, v.dtype, copy, v.__array_interface__["data"][0] - start, v.strides) for _, v, _ in entries
    ]
    for view, (_, _, values) in zip(placed[:upto], entries[:upto], strict=True):
        view[...] = values
    return placed


def test_the_pair_named_is_where_a_write_first_undid_another():
    rng = np.random.default_rng(1)
    blamed = 0
    for _ in range(600):
        base = np.arange(24, dtype=np.float64)
        entries = [(f"e{k}", v, rng.integers(0, 2, v.shape).astype(v.dtype)) for k, v in enumerate(views(base, rng))]
        try:
            refuse_differing_shares(entries)
            continue
        except ValueError as e:
            names = re.findall(r"'(e\d+)'", str(e))
        k = int(names[0][1:])
        if len(names) == 1:  # one entry over its own memory twice: its own write leaves it wrong
            assert replayed(base, entries, k + 1)[k].tobytes() != entries[k][2].tobytes()
            continue
        j = int(names[1][1:])
        assert k < j
        before, after = replayed(base, entries, j)[k], replayed(base, entries, j + 1)[k]
        assert before.tobytes() == entries[k][2].tobytes(), (k, j)  # k held its values until j was written
        assert after.tobytes() != entries[k][2].tobytes(), (k, j)  # and j's write changed them
        blamed += 1
    assert blamed > 50


def test_checking_shared_memory_costs_about_one_copy_of_it():
    """The entries are written into scratch memory as large as the memory they share, once; reading them back
    compared them as bytes copies besides (3 times the model's size for a flat vector and its views, 4 for a
    parameter over part of a larger array)."""
    flat = np.zeros(1_000_000, np.float32)
    grid = np.zeros((1000, 1000), np.float32)[:, :500]  # its memory spans the whole grid
    cases = [
        (
            [("flat", flat, np.ones(flat.size, np.float32))]
            + [(f"p{k}", flat[k::10], np.ones(100_000, np.float32)) for k in range(10)],
            flat.nbytes,
        ),
        ([("grid", grid, np.ones(grid.shape, np.float32))], grid.base.nbytes),
    ]
    for entries, spanned in cases:
        tracemalloc.start()
        try:
            refuse_differing_shares(entries)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 1.5 * spanned, (peak, spanned)


def test_entries_whose_memory_interleaves_are_checked_in_time_linear_in_their_count():
    """2,000 columns of one matrix (each one's byte range spans nearly all of it, none sharing memory with another):
    every pair was tested with np.shares_memory, 2 million calls (1,000 columns took 2.7 s). Counted as the calls the
    check makes, which does not depend on the machine."""
    grid = np.zeros((50, 2000), np.float32)
    entries = [(f"c{k}", grid[:, k], np.zeros(50, np.float32)) for k in range(2000)]
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        calls += event in ("call", "c_call")

    sys.setprofile(count)
    try:
        refuse_differing_shares(entries)
    finally:
        sys.setprofile(None)
    assert calls < 40 * len(entries), calls
    entries[7] = ("c7", grid[:, 7], np.ones(50, np.float32))
    entries.append(("grid", grid, np.zeros(grid.shape, np.float32)))  # a later write that undoes c7's
    with pytest.raises(ValueError, match=r"^'c7' and 'grid' share memory"):
        refuse_differing_shares(entries)

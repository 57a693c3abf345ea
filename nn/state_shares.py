"""Loading a state writes each entry into the array the model holds (PyTorch's copy_), so two entries over shared
memory (one array under two names, a buffer that views a row of a parameter, a slice of another) would each undo
the other's values where they meet. `refuse_differing_shares` refuses that before anything is written, naming both
keys; entries that agree there (a state the model itself gave) load."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.array_utils import byte_bounds


def writes_in_place(held: Any, values: np.ndarray) -> bool:
    """Whether `values` (cast to the entry's dtype) can be written into `held`, the array the model holds: an array
    of its shape and dtype that numpy lets us write (a broadcast view, read-only, is replaced instead)."""
    fits = isinstance(held, np.ndarray) and (held.shape, held.dtype) == (values.shape, values.dtype)
    return fits and held.flags.writeable


def refuse_differing_shares(entries: list[tuple[str, Any, np.ndarray]]) -> None:
    """ValueError where two of `entries` (name, the array the model holds or None, the values to write, in the
    order they are written) share memory and the later write would change what the earlier one wrote (or one views
    its own memory twice, and its values differ there): after the load, an entry would not hold its values. Bitwise
    (+0 and -0 differ: one of them would not be what the state says). Pairs are found by their byte ranges first,
    sorted, then numpy's exact overlap test."""
    written = [(name, held, values) for name, held, values in entries if writes_in_place(held, values) and held.size]
    spans = sorted((byte_bounds(held), k) for k, (_, held, _) in enumerate(written))
    links: dict[int, set[int]] = {}
    for i, ((_, high), k) in enumerate(spans):
        for n in range(i + 1, len(spans)):
            (low, _), j = spans[n]
            if low >= high:
                break
            if np.shares_memory(written[k][1], written[j][1]):
                links.setdefault(k, set()).add(j)
                links.setdefault(j, set()).add(k)
    # an array neither C- nor F-contiguous may view some of its memory twice (a zero stride): each checked alone
    # first, so that in a group an entry left wrong was changed by a later one that shares its memory
    alone = [{k} for k, (_, held, _) in enumerate(written) if not _contiguous(held)]
    for group in alone + _groups(links):
        _check_group([written[k] for k in sorted(group)])


def _contiguous(array: np.ndarray) -> bool:
    return array.flags.c_contiguous or array.flags.f_contiguous


def _groups(links: dict[int, set[int]]) -> list[set[int]]:
    """The connected sets of entries that share memory (a tie of three is one set)."""
    groups, seen = [], set()
    for start in links:
        if start in seen:
            continue
        group, todo = set(), [start]
        while todo:
            k = todo.pop()
            if k not in group:
                group.add(k)
                todo.extend(links[k] - group)
        seen |= group
        groups.append(group)
    return groups


def _check_group(group: list[tuple[str, np.ndarray, np.ndarray]]) -> None:
    """Write the group's values, in order, into a scratch copy of the memory they span (the same offsets, strides and
    dtypes), and refuse if any entry does not read back its own values, naming it and the later entry whose write
    changed them. The model's memory is not touched."""
    views = _scratch_views(group)
    _write(views, group)
    wrong = next(
        (k for k, (view, (_, _, values)) in enumerate(zip(views, group, strict=True)) if _differ(view, values)), None
    )
    if wrong is None:
        return
    name, _, values = group[wrong]
    views = _scratch_views(group)  # replayed up to it, then one write at a time: the first that changes it is named
    _write(views[: wrong + 1], group[: wrong + 1])
    if _differ(views[wrong], values):
        raise ValueError(
            f"{name!r} views some of its memory more than once (a zero or overlapping stride), and the state "
            "gives it values that differ there: give them the same values, or make it an array of its own"
        )
    for j in range(wrong + 1, len(group)):
        _write(views[j : j + 1], group[j : j + 1])
        if _differ(views[wrong], values):
            later, other = group[j][:2]
            how = "are one array" if other is group[wrong][1] else "share memory (views of one array)"
            raise ValueError(
                f"{name!r} and {later!r} {how} in the model, and the state gives them values that differ where they "
                "meet (bitwise: loading one would change the other): give them the same values there, or make them "
                "arrays of their own (a copy)"
            )


def _scratch_views(group: list[tuple[str, np.ndarray, np.ndarray]]) -> list[np.ndarray]:
    """Views of zeroed scratch memory laid out as the group's arrays are over the memory they span."""
    bounds = [byte_bounds(held) for _, held, _ in group]
    low, high = min(b[0] for b in bounds), max(b[1] for b in bounds)
    scratch = np.zeros(high - low, np.uint8)
    return [
        np.ndarray(held.shape, held.dtype, scratch, held.__array_interface__["data"][0] - low, held.strides)
        for _, held, _ in group
    ]


def _write(views: list[np.ndarray], group: list[tuple[str, np.ndarray, np.ndarray]]) -> None:
    for view, (_, _, values) in zip(views, group, strict=True):
        view[...] = values


def _differ(view: np.ndarray, values: np.ndarray) -> bool:
    """Whether the two (of one dtype) differ in any bit, compared as unsigned integers of their width where there is
    one: no bytes copy of either (a model's size each), whatever their strides."""
    if view.dtype.itemsize in (1, 2, 4, 8):
        bits = np.dtype(f"u{view.dtype.itemsize}")
        return not np.array_equal(view.view(bits), values.view(bits))
    return np.ascontiguousarray(view).tobytes() != np.ascontiguousarray(values).tobytes()

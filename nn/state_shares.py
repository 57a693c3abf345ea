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
    (+0 and -0 differ: one of them would not be what the state says). Entries whose byte ranges overlap are found by
    one sweep over the ranges sorted, and each such run checked by replaying its writes (exact, whether or not they
    meet), so that entries that interleave (columns of one matrix) cost no test per pair."""
    written = [(name, held, values) for name, held, values in entries if writes_in_place(held, values) and held.size]
    for run in _overlapping([byte_bounds(held) for _, held, _ in written]):
        # one entry alone is checked too when it is neither C- nor F-contiguous: it may view its memory twice
        if len(run) > 1 or not _contiguous(written[run[0]][1]):
            _check_group([written[k] for k in sorted(run)])


def _overlapping(bounds: list[tuple[int, int]]) -> list[list[int]]:
    """The indices of `bounds` ([low, high) byte ranges) in runs whose ranges overlap one another, chained."""
    runs: list[list[int]] = []
    reach = None
    for (low, high), k in sorted((b, k) for k, b in enumerate(bounds)):
        if reach is not None and low < reach:
            runs[-1].append(k)
            reach = max(reach, high)
        else:
            runs.append([k])
            reach = high
    return runs


def _contiguous(array: np.ndarray) -> bool:
    return array.flags.c_contiguous or array.flags.f_contiguous


def _check_group(group: list[tuple[str, np.ndarray, np.ndarray]]) -> None:
    """Write the group's values, in order, into a scratch copy of the memory they span (the same offsets, strides and
    dtypes), and refuse if any entry does not read back its own values, naming it and the later entry whose write
    changed them. The model's memory is not touched."""
    views = _scratch_views(group)
    _write(views, group)
    wrong = next(
        (k for k, (view, (_, _, values)) in enumerate(zip(views, group, strict=True)) if differ(view, values)), None
    )
    if wrong is None:
        return
    name, _, values = group[wrong]
    views = _scratch_views(group)  # replayed up to it, then one write at a time: the first that changes it is named
    _write(views[: wrong + 1], group[: wrong + 1])
    if differ(views[wrong], values):
        raise ValueError(
            f"{name!r} views some of its memory more than once (a zero or overlapping stride), and the state "
            "gives it values that differ there: give them the same values, or make it an array of its own"
        )
    for j in range(wrong + 1, len(group)):
        _write(views[j : j + 1], group[j : j + 1])
        if differ(views[wrong], values):
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


def differ(view: Any, values: Any) -> bool:
    """Whether the two differ in any bit (+0 and -0 do; a shape or dtype that differs does), compared as unsigned
    integers of their width where there is one: no bytes copy of either (a model's size each), whatever their
    strides. The one rule by which a load tells two values of one entry apart (here, and in nn.export's keys of one
    tensor held under two names)."""
    view, values = np.asarray(view), np.asarray(values)
    if (view.shape, view.dtype) != (values.shape, values.dtype):
        return True
    if view.dtype.itemsize in (1, 2, 4, 8):
        bits = np.dtype(f"u{view.dtype.itemsize}")
        return not np.array_equal(view.view(bits), values.view(bits))
    return np.ascontiguousarray(view).tobytes() != np.ascontiguousarray(values).tobytes()

"""The guards of a step's buffers: arrays of the caller's that its graph takes as data (`Tensor(buf)`, a view
of one), which a replay reads as they are then, so that a batch buffer the caller fills in place before each
call (`buf[:] = batch`) replays. Guarded by value, as settings are, such a buffer recorded again on every
call; it is guarded by identity instead, wherever the step's names hold it: as a name's array, an object's
attribute (`state.x`) or an item of a dict, list or tuple (`buffers["x"]`). Its shape and dtype are guarded
too (strides follow the shape: numpy 2.4 deprecates setting them): set in place (`buf.shape = (2, 6)`), the
very same array holds other numbers where a replay reads them (a view the recording made of it)."""

from __future__ import annotations

from collections.abc import Container
from typing import Any

import numpy as np

from .compile_changes import named_where
from .compile_containers import too_large, too_large_why
from .compile_guards import MISSING, SCALARS, Same, Scalars, settled
from .compile_settings import Contents
from .type_names import type_name

_LAYOUT = ("shape", "dtype")  # about 0.6 us a buffer on each replay


def buffer_guards(guards: list[tuple[Any, str, Any]], constants: list[Any]) -> list[tuple[Any, str, Any]]:
    """`guards` (owner, name, snapshot), with the buffers (the arrays among the graph's `constants`, and those
    they are views of) by identity: a name's array left out (the name's own guard holds it by identity), an
    attribute or a container holding one given a snapshot `by_identity`; then each such buffer's layout."""
    # arrays only: a number among the constants (`loss * cfg["scale"]`) is no buffer, nor is None, an array's
    # base where it owns its data; kept by identity, an equal number set anew recorded the step again, and a
    # dict holding None took another kind of snapshot than at the recording before ("`cfg` changed")
    arrays = [x for x in constants if isinstance(x, np.ndarray)]
    data = {id(x) for x in arrays} | {id(x.base) for x in arrays if x.base is not None}
    kept, buffers = [], {}
    for owner, name, snapshot in guards:
        if owner.__class__ is Contents and isinstance(owner.held, np.ndarray) and id(owner.held) in data:
            buffers[id(owner.held)] = owner.held
            continue
        value = getattr(owner, name, MISSING)
        held = by_identity(value, data)
        if held is not None:
            buffers.update((id(x), x) for x in _held(value, data))
        kept.append((owner, name, snapshot if held is None else held))
    return kept + [(x, what, settled(getattr(x, what))) for x in buffers.values() for what in _LAYOUT]


def by_identity(value: Any, buffers: Container[int]) -> Any:
    """A guard's snapshot of `value` that holds the arrays among `buffers` (by id) by identity: Same of a buffer
    itself; of a list, tuple or dict holding one beside numbers, text and objects settled keeps by identity, a
    Scalars (unchanged while it holds the very same items; else, its buffers never equal to a settled array, a
    change: the step records again). None for anything else: its settled snapshot stands."""
    if id(value) in buffers:
        return Same(value)
    if value.__class__ not in (list, tuple, dict):
        return None
    items = list(value.values()) if value.__class__ is dict else list(value)
    if not any(id(item) in buffers for item in items):
        return None
    snapshots = [Same(item) if id(item) in buffers else settled(item) for item in items]
    if not all(s.__class__ is Same or item.__class__ in SCALARS for item, s in zip(items, snapshots)):
        return None  # a setting settled by value beside the buffer (a small array, a list): identity would not do
    keys = tuple(value) if value.__class__ is dict else ()
    snapshot = Scalars(("buffers", value.__class__.__name__, keys, *snapshots))
    snapshot.held = value.copy() if value.__class__ is not tuple else value
    return snapshot


def _held(value: Any, buffers: Container[int]) -> list[np.ndarray]:
    """The buffers `value` is or holds as an item (by_identity's)."""
    items = [value] if id(value) in buffers else value.values() if value.__class__ is dict else value
    return [x for x in items if id(x) in buffers and isinstance(x, np.ndarray)]


def too_large_read(guards: list[tuple[Any, str, Any]]) -> str:
    """Why a recording cannot be replayed whose `guards` (buffer_guards') keep a table too large to compare on every
    replay (compile_containers.TooLarge) that is no buffer, naming where the step's names hold it; or ""."""
    for owner, name, snapshot in guards:
        obj = too_large(snapshot)
        if obj is not None:
            where = named_where(owner.name) if owner.__class__ is Contents else f"`{type_name(owner)}.{name}`"
            return too_large_why(obj, where)
    return ""

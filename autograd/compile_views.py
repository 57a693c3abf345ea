"""Views of a compiled step's array inputs (`tokens[:, :-1]`, labels `y[:2]`, `y.ravel()`, `Tensor(x[1:])`) that
a replay makes again from each call's input: numpy made them from the input where compile does not look, but a
view is the input's memory at a fixed offset with fixed strides, which the recording reads off the arrays. Where
that relation is proven (every element of the view is an element of exactly one input, of the view's dtype, and
the op's copy of it, if it kept one, is laid out as a copy of the view is), a replay rebuilds the view with
`as_strided` from the new input (of the recorded strides: another layout records again). Elsewhere (an input of
other strides on the two recordings, a view of two inputs at once, a view of another dtype, a copy) compile keeps
treating such data as made outside the graph (compile_tape_entries.views_of_inputs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .compile_entries import CONSTANT, OP, Entry
from .compile_made import input_array, views_of
from .compile_sources import same
from .trees import flatten

_MAX_CHECKED = 1 << 24  # the input elements whose addresses a proof compares (a 128 MB address list at most)


@dataclass(frozen=True)
class View:
    """How a view is made from input `input`: the index of its first element in the input, its shape and
    strides (bytes), given an input of `strides` (the recordings' key holds its shape and dtype); `copied`:
    what an op kept was a copy of the view, C-contiguous (True) or in the view's own order ("K")."""

    input: int
    start: tuple[int, ...]
    shape: tuple[int, ...]
    strides: tuple[int, ...]
    input_strides: tuple[int, ...]
    copied: bool | str = False
    # how numpy makes it, where it is a basic slice of the input (`index`) or its reshape: 20 times faster than
    # as_strided, and the same layout for any input of the recorded shape and strides (`_how`)
    index: tuple[slice, ...] | None = None
    reshaped: bool = False

    def of(self, data: np.ndarray) -> np.ndarray:
        """The view made again from the input's array `data` (as_strided's read-only: no op writes its arguments)."""
        if self.index is not None:
            view = data[self.index]
        elif self.reshaped:
            view = data.reshape(self.shape)
        else:
            view = as_strided(
                data[tuple(slice(i, None) for i in self.start)], self.shape, self.strides, writeable=False
            )
        if self.copied is True:
            return np.ascontiguousarray(view)
        return view.copy(order="K") if self.copied else view


def input_arrays(inputs: list[Any]) -> list[tuple[int, np.ndarray]]:
    """(index, array) of the inputs that are non-empty arrays (or Tensors of them): what views are looked for in."""
    return [(k, a) for k, a in enumerate(map(input_array, inputs)) if isinstance(a, np.ndarray) and a.size]


def view_of(data: Any, inputs: list[Any], kept: Any = None, itself: bool = False) -> View | None:
    """How `data` (an array, a Tensor's) is made from one of `inputs`' arrays, or None where no input's memory
    holds it or that cannot be proven. `kept`: the copy an op kept of `data`, which a replay must give as such;
    `itself`: an input's array itself counts (a leaf of an index `(rows, y)`: no input where it is taken), before
    any input it is a view of (z = y[1:] given as z is the step's z, not y[1:] of the next call's y)."""
    data = input_array(data)
    arrays = input_arrays(inputs)
    found = {k for k, a in arrays if data is a} if itself else set()
    if not found:
        found = views_of(data, arrays) if isinstance(data, np.ndarray) else set()
    if len(found) != 1:
        return None
    (k,) = found
    a = arrays[[j for j, _ in arrays].index(k)][1]
    if data.dtype != a.dtype or a.size > _MAX_CHECKED or data.size > _MAX_CHECKED:
        return None
    offset = data.__array_interface__["data"][0] - a.__array_interface__["data"][0]
    places = _addresses(a.shape, a.strides)
    mine = offset + _addresses(data.shape, data.strides)
    if not np.isin(mine, places).all():  # an element outside the input (a neighbour's column): no fixed relation
        return None
    first = int(np.flatnonzero(places == offset)[0])
    start = tuple(int(i) for i in np.unravel_index(first, a.shape))
    copied: bool | str = False
    if kept is not None:
        copied = _copy_order(data, kept)
        if copied is None:
            return None
    view = View(k, start, data.shape, data.strides, a.strides, copied, *_how(data, a, start))
    again = view.of(a)
    if again.dtype != data.dtype or not np.array_equal(again, kept if kept is not None else data):
        return None  # never expected: the proof above says it is the same memory
    return view


def _how(view: np.ndarray, a: np.ndarray, start: tuple[int, ...]) -> tuple[tuple[slice, ...] | None, bool]:
    """(index, reshaped) of View: a basic slice of `a` (each axis stepped by a whole number of a's strides) or
    `a.reshape` that numpy makes as exactly `view` (its first element, shape and strides), else (None, False)."""
    if view.ndim == a.ndim:
        index = []
        for i, n, s, t in zip(start, view.shape, view.strides, a.strides):
            step = s // t if t and s % t == 0 and s // t > 0 else (1 if n == 1 else 0)
            if not step:
                break
            index.append(slice(i, i + step * (n - 1) + 1, step))
        if len(index) == a.ndim and _same_layout(a[tuple(index)], view):
            return tuple(index), False
    with np.errstate(all="ignore"):
        try:
            shaped = a.reshape(view.shape)
        except ValueError:
            return None, False
    return (None, True) if shaped.base is not None and _same_layout(shaped, view) else (None, False)


def _same_layout(x: np.ndarray, y: np.ndarray) -> bool:
    return (x.__array_interface__["data"][0], x.shape, x.strides) == (
        y.__array_interface__["data"][0],
        y.shape,
        y.strides,
    )


def _addresses(shape: tuple[int, ...], strides: tuple[int, ...]) -> np.ndarray:
    """The byte offsets of an array's elements from its first element's address, in C order."""
    total = np.zeros((), np.int64)
    for n, s in zip(shape, strides):
        total = total[..., None] + np.arange(n, dtype=np.int64) * s
    return total.ravel()


def _copy_order(view: np.ndarray, copy: Any) -> bool | str | None:
    """How an op's kept copy of `view` is laid out, as `View.copied` says: None where it is no plain copy."""
    if not isinstance(copy, np.ndarray) or copy.dtype != view.dtype or copy.shape != view.shape:
        return None
    if copy.flags.c_contiguous:
        return True
    return "K" if view.copy(order="K").strides == copy.strides else None


@dataclass(frozen=True)
class Viewed:
    """A keyword argument of an op that holds views of inputs (labels `y[:2]`, an index `(rows, y[:2])`): its
    leaves, each a View or the object itself (compared by value between recordings), and how to rebuild it."""

    leaves: tuple[Any, ...]
    rebuild: Any = field(compare=False)

    def of(self, inputs: list[Any]) -> Any:
        """The argument made again from the call's inputs' arrays."""
        return self.rebuild([x.of(inputs[x.input]) if isinstance(x, View) else x for x in self.leaves])

    def matches(self, other: Viewed) -> bool:
        """Whether `other` (the other recording's) is made the same way: the same views, the rest equal."""
        return self.views_match(other) and same(self.leaves, other.leaves)

    def views_match(self, other: Viewed) -> bool:
        """Whether `other` holds the same views at the same places, whatever the rest (rows numpy made of y)."""
        zero = [0] * len(self.leaves)
        places = [[x if isinstance(x, View) else None for x in v.leaves] for v in (self, other)]
        return places[0] == places[1] and same(self.rebuild(zero), other.rebuild(zero))

    def views(self) -> list[View]:
        """Its leaves that are views of inputs."""
        return [x for x in self.leaves if isinstance(x, View)]


def mark_views(entries: list[Entry], inputs: list[Any], copies: list[tuple[Any, Any]]) -> set[int]:
    """Mark the entries whose data a replay makes again from the inputs: a constant that is a view of one
    (`Entry.view`), an op's keyword arguments holding such views (`Entry.viewed`). Returns the ids of the arrays
    so marked (the views, and the copies ops kept of them): they are no data made outside the graph."""
    kept = {id(copy): original for original, copy in copies}
    arrays = input_arrays(inputs)
    marked: set[int] = set()
    for e in entries:
        if e.kind == CONSTANT:  # a view, or the copy an op kept of one (a loss's targets)
            view = _leaf_view(e.source, inputs, kept)
            if view is not None:
                e.view = view
                marked |= {id(e.source), id(kept.get(id(e.source), e.source))}
            e.overlapping = _overlapping(kept.get(id(e.source), e.source), arrays) if view is None else ()
        if e.kind != OP:
            continue
        fed = e.given_anew()
        for name, value in e.params.items():
            if name in fed:
                continue
            leaves, rebuild = flatten(value)
            found = [_leaf_view(x, inputs, kept, itself=True) for x in leaves]
            for v, x in zip(found, leaves):
                e.overlapping += _overlapping(kept.get(id(x), x), arrays) if v is None else ()
            if any(v is not None for v in found) and _rebuilds(rebuild, leaves):
                e.viewed += ((name, Viewed(tuple(v or x for v, x in zip(found, leaves)), rebuild)),)
                for v, x in zip(found, leaves):
                    if v is not None:
                        marked |= {id(x), id(kept.get(id(x), x))}
    return marked


def _rebuilds(rebuild: Any, leaves: list[Any]) -> bool:
    """Whether a replay can make the argument again around its leaves (a list subclass of a signature of its own,
    `Named(name, items)`, cannot: its views are then data made outside the graph, as before they were seen)."""
    try:
        rebuild(leaves)
    except Exception:
        return False
    return True


def _overlapping(x: Any, arrays: list[tuple[int, Any]]) -> tuple[int, ...]:
    """The inputs (by index) whose memory `x` shares, or that `x` is, where there are two or more (step(x, x)): no
    View is proven then, as which one it was made from cannot be told; () otherwise."""
    found = views_of(x, arrays) | {k for k, a in arrays if x is a} if isinstance(x, np.ndarray) else set()
    return tuple(sorted(found)) if len(found) > 1 else ()


def _leaf_view(x: Any, inputs: list[Any], kept: dict[int, Any], itself: bool = False) -> View | None:
    if not isinstance(x, np.ndarray):
        return None
    original = kept.get(id(x))
    return view_of(x, inputs, itself=itself) if original is None else view_of(original, inputs, x, itself)


def views_in(entries: list[Entry]) -> list[View]:
    """Every View of the tape's entries."""
    return [v for e in entries for v in ([e.view] if e.view is not None else []) + _param_views(e)]


def _param_views(e: Entry) -> list[View]:
    return [v for _, viewed in e.viewed for v in viewed.views()]


def address(data: Any) -> int:
    """Where an input's array starts in memory."""
    return int(input_array(data).__array_interface__["data"][0])

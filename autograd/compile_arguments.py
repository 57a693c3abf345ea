"""The arguments a recorded call of a compiled step is given: the caller's own lists and dicts (and their
subclasses), each input in them swapped for its stand-in (a watched view, a Tensor that requires grad) for the call
alone, so that what the step does to them (`batch["calls"] += 1`, `seen.append(loss)`) reaches the caller's objects
as eagerly; a tuple holding a stand-in made anew, of its own class (trees.remade). A replay runs none of the step's
Python, so a step that changed an argument in place, or set an attribute on one (`batch.last = loss`; on a tuple's
copy, put on the caller's tuple too), is told (`changed`) and runs eagerly."""

from __future__ import annotations

from typing import Any

import numpy as np

from .compile_watched import Watched, plain_array, same_layout
from .trees import remade


class Handed:
    """`args` and `kwargs` with the leaves numbered as trees.flatten((args, kwargs)) numbers them swapped for
    `stand_ins` (leaf number: stand-in): `call_args`, `call_kwargs`. `put_back()` puts the caller's leaves back
    where the step left a stand-in in place."""

    def __init__(self, args: tuple, kwargs: dict, stand_ins: dict[int, Any]) -> None:
        self.swaps: list[tuple[Any, Any, Any, Any]] = []  # (container, key, the caller's, its stand-in)
        self.snapshots: list[tuple[str, Any, list]] = []  # (where, container, its items by identity once swapped)
        # (where, the caller's container, the one handed: itself or a tuple's copy, its attributes as handed)
        self.attributes: list[tuple[str, Any, Any, dict]] = []
        self._count, self._stand_ins = 0, stand_ins
        self.call_args = tuple(self._walk(x, f"args[{k}]") for k, x in enumerate(args))
        self.call_kwargs = {name: self._walk(x, f"kwargs[{name!r}]") for name, x in kwargs.items()}

    def _walk(self, node: Any, where: str) -> Any:
        if not isinstance(node, dict | list | tuple):
            k, self._count = self._count, self._count + 1
            return self._stand_ins.get(k, node)
        if isinstance(node, tuple):
            items = [self._walk(x, f"{where}[{k}]") for k, x in enumerate(node)]
            made = node if all(a is b for a, b in zip(items, node)) else remade(node, items)
            return self._noting_attributes(where, node, made)
        # in trees.flatten's order, which numbered the leaves: a dict's items as dict keeps them, a list's in order
        pairs = list(dict.items(node)) if isinstance(node, dict) else enumerate(list(node))
        for key, old in pairs:
            new = self._walk(old, f"{where}[{key!r}]")
            if new is not old:  # as list's and dict's own do it: a subclass's __setitem__ is the user's
                (list.__setitem__ if isinstance(node, list) else dict.__setitem__)(node, key, new)
                self.swaps.append((node, key, old, new))
        self.snapshots.append((where, node, _items(node)))
        return self._noting_attributes(where, node, node)

    def _noting_attributes(self, where: str, node: Any, made: Any) -> Any:
        """`made`, handed for `node`, its attributes noted where it has a `__dict__` (a subclass's: `batch.last = loss`
        set by the step is a change a replay would not make)."""
        held = getattr(made, "__dict__", None)
        if isinstance(held, dict):
            self.attributes.append((where, node, made, dict(held)))
        return made

    def changed(self) -> str | None:
        """Where the step changed an argument of the call in place (`[0]['calls']`, the first), or None."""
        for where, node, items in self.snapshots:
            now = _items(node)
            if len(now) != len(items) or not all(map(_same, now, items)):
                return where
        for where, _, made, held in self.attributes:
            if _set_on(made, held):
                return where
        return None

    def put_back(self) -> None:
        """The caller's leaves back in its containers, where the step left a stand-in in place (or the input itself
        for its watched view, `batch["x"] *= 0.5`)."""
        for node, key, old, new in reversed(self.swaps):
            if isinstance(node, list):
                if key < len(node) and _same(node[key], new):
                    list.__setitem__(node, key, old)
            elif key in node and _same(dict.__getitem__(node, key), new):
                dict.__setitem__(node, key, old)
        for _, node, made, held in self.attributes:  # what the step set on a tuple's copy, on the caller's tuple
            if made is not node and _set_on(made, held):
                node.__dict__.clear()
                node.__dict__.update(made.__dict__)


def _same(a: Any, b: Any) -> bool:
    """Whether an argument's item is as handed: the same object, or for a watched view handed, an array of the same
    memory and layout (`batch["x"] *= 0.5` sets the item to a plain view of the input: a write into the input, which
    compile_tape tells, and no change of the container)."""
    return a is b or (b.__class__ is Watched and isinstance(a, np.ndarray) and same_layout(a, plain_array(b)))


def _set_on(made: Any, held: dict) -> bool:
    """Whether an attribute of `made` was set, added or removed since its `__dict__` was `held` (by identity)."""
    now = made.__dict__
    return now.keys() != held.keys() or any(now[k] is not v for k, v in held.items())


def _items(node: list | dict) -> list:
    """A list's items, a dict's keys and values, as a flat list (compared by identity)."""
    return list(node) if isinstance(node, list) else [x for pair in dict.items(node) for x in pair]


def changed_argument(where: str) -> str:
    """Why a step runs eagerly that changed an argument of its call in place."""
    return (
        f"the step changes its argument `{where}` in place (a list or dict given to it: an item set, added or "
        "removed; an attribute set on it, or on a tuple of its own class), which a replay would not do: it runs none "
        "of the step's Python. Return what the step computes and change the container outside the compiled step"
    )

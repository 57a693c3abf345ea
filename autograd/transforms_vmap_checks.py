"""What `vmap` checks of what it is given (in_axes and out_axes, randomness, chunk_size), of what f changes in
place and of what f returns, each refusal naming the fix. Types are PyTorch's and JAX's where they agree: an axis
out of range is numpy's AxisError, both a ValueError (JAX's, torch.func's for in_dims) and an IndexError (torch's
for out_dims)."""

from __future__ import annotations

import numbers
import weakref
from typing import Any

import numpy as np

from .graph import Node, raw
from .shape_args import is_int
from .tensor_class import Tensor
from .tensor_versions import DREW
from .type_names import type_name

Axes = Any  # an int, None, or a list, tuple or dict of them (a tree prefix of the arguments or outputs)

RANDOMNESS = ("error", "different")


def check_axes(axes: Axes, what: str, top: bool = False) -> None:
    """Refuse in_axes or out_axes (`what`) holding anything but ints and None in lists, tuples and dicts
    (a bool or a float is no axis), when vmap is made; at the top, in_axes is not a dict (it has one entry per
    positional argument, as JAX's and torch.func's)."""
    if top and isinstance(axes, dict):
        raise TypeError(
            f"vmap: {what} is an int, None, or a tuple with one entry per positional argument, got a dict: "
            f"for a dict argument, give ({axes!r},)"
        )
    if isinstance(axes, dict):
        for v in axes.values():
            check_axes(v, what)
    elif isinstance(axes, list | tuple):
        for v in axes:
            check_axes(v, what)
    elif axes is not None and not is_int(axes):
        raise TypeError(
            f"vmap: {what} holds {type_name(axes)} {axes!r}; each entry is an int (an axis) or None (not mapped), "
            "in tuples, lists or dicts matching the structure"
        )


def check_randomness(randomness: Any) -> None:
    """torch.func's randomness: 'error' or 'different' ('same' is refused: see vmap)."""
    if randomness == "same":
        raise ValueError(
            "vmap: randomness='same' is not supported: f runs once per index, and a draw from a generator other "
            "than the default one (a layer's seed) would differ between indices without a word. Draw outside vmap "
            "and pass the draw in with in_axes None, or give randomness='different'"
        )
    if not isinstance(randomness, str) or randomness not in RANDOMNESS:
        raise ValueError(f"vmap: randomness is 'error' or 'different', got {randomness!r}")


def check_chunk_size(chunk_size: Any) -> None:
    """torch.func's chunk_size: None or a positive int (it changes nothing here: f runs one index at a time)."""
    if chunk_size is None:
        return
    if not is_int(chunk_size):
        raise TypeError(f"vmap: chunk_size is None or a positive int, got {type_name(chunk_size)} {chunk_size!r}")
    if chunk_size < 1:
        raise ValueError(f"vmap: chunk_size is None or a positive int, got {chunk_size}")


def check_changes(notes: dict[int, weakref.ref], own: list[Any], earlier: dict[int, weakref.ref]) -> None:
    """Refuse f changing in place, at more than one index, one tensor's memory that is not of the index's own
    slices (`own`): one every index shares (a BatchNorm's running statistics, a tensor given with in_axes None),
    which the loop would change once per index where torch.func.vmap's one call on the whole batch changes it
    once (or refuses: a BatchNorm's). `notes` are this index's (`tensor_versions.noting`); `earlier` gathers
    them, weakly. Writes into the index's own slice (the caller's row, as torch's) or into tensors f makes pass."""
    for ref in list(notes.values()):
        data = ref()
        if data is None or data is DREW:
            continue
        seen = earlier.get(id(data))
        if seen is not None and seen() is data and not any(np.may_share_memory(data, x) for x in own):
            raise RuntimeError(
                f"vmap: f changed in place a tensor of shape {data.shape} that every index shares (a BatchNorm's "
                "running statistics in training, a parameter an optimizer steps, a tensor given with in_axes None): "
                "f runs once per index, so it would change once per index, where torch.func.vmap's one call on the "
                "whole batch changes it once (or refuses: a BatchNorm). Change it outside vmap, or put the module in "
                "eval mode (a BatchNorm: track_running_stats=False)"
            )
        earlier[id(data)] = weakref.ref(data)


def in_range(axis: int, leaf: Any, where: str, added: int = 0) -> int:
    """axis, counted from 0, of an argument's leaf (or with added=1 of an output with the new axis in it);
    numpy's AxisError where it is out of range, a TypeError where the leaf is no array at all."""
    what = "out_axes" if added else "in_axes"
    data = raw(leaf)
    if not isinstance(data, np.ndarray) and not _is_number(data):
        raise TypeError(
            f"vmap: {what} {axis} for {where}, which is {type_name(leaf)}: only arrays and Tensors are mapped; "
            "give it in_axes None (or pass it by keyword: keyword arguments are never mapped)"
        )
    rank = np.ndim(data) + added
    if rank == 0:
        listed = " (a list or tuple is a tree of its entries: np.array(...) of it maps over them)" * _in_a_list(where)
        raise np.exceptions.AxisError(
            f"vmap: in_axes {axis} for {where}, a number or 0-d array: it has no axis to map; give it in_axes "
            f"None{listed}"
        )
    if not -rank <= axis < rank:
        raise np.exceptions.AxisError(
            f"vmap: {what} {axis} for {where} of shape {np.shape(data)}{f' ({rank} axes with the stacked one)' * added}"
            f": the axis must be from {-rank} to {rank - 1}"
        )
    return int(axis) % rank


def check_output(value: Any, where: str) -> None:
    """Refuse an output vmap cannot stack: anything but numbers, arrays of numbers, Values and Tensors."""
    data = raw(value)
    if isinstance(value, Node) or _is_number(data):
        return
    if isinstance(data, np.ndarray | np.generic) and data.dtype.kind in "biufc":
        return
    shown = f" of dtype {data.dtype}" if isinstance(data, np.ndarray | np.generic) else f" {str(data)[:40]!r}"
    raise TypeError(
        f"vmap: f returned {where} as {type_name(data)}{shown}; vmap stacks numbers, arrays of numbers, Values and "
        "Tensors (in lists, tuples and dicts)"
    )


def _is_number(x: Any) -> bool:
    return isinstance(x, numbers.Number | np.number | np.bool_) and not isinstance(x, Tensor)


def _in_a_list(where: str) -> bool:
    """Whether the path `where` (`x[0]`, `p['w']`) ends at an entry of a list or tuple."""
    return where.endswith("]") and where[where.rfind("[") + 1 : -1].isdigit()

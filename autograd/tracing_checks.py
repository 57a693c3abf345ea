"""What the transforms check of what they are given and of what f returns: argnums, the leaves to
differentiate, f's outputs, and cotangents or tangents against the outputs or primals they go with.
Each refusal names the transform and what would do."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from .dtypes import REAL_KINDS
from .graph import Node, raw
from .shape_args import is_int
from .tensor_ops import ShapeError
from .trees import aligned, flatten
from .type_names import repr_of, type_name

Argnums = int | Sequence[int]


def check_argnums(argnums: Argnums, transform: str) -> tuple[tuple[int, ...], bool]:
    """The argument positions to differentiate, and whether one int was given (one answer, not a
    tuple). numpy's integers count as ints (a position read from an array); bools do not."""
    single = is_int(argnums)
    positions = (argnums,) if single else argnums
    if not isinstance(positions, tuple | list) or not positions or not all(is_int(i) for i in positions):
        raise TypeError(f"{transform}: argnums must be an int or a non-empty tuple of ints, got {repr_of(argnums)}")
    return tuple(int(i) for i in positions), single


def check_like(tree: Any, like: Any, transform: str, what: str, of: str) -> list[Any]:
    """The leaves of `tree` in the order of `like`'s (dict entries paired by key), refused unless the two
    have one structure and `tree`'s leaves hold real numbers of the shapes of `like`'s (a cotangent and
    its output, tangents and their primals)."""
    try:
        leaves = aligned(tree, like)
    except ValueError as e:
        raise ValueError(f"{transform}: the {what} must have the structure of {of}: {e}") from None
    like_leaves = flatten(like)[0]
    for k, (leaf, ref) in enumerate(zip(leaves, like_leaves)):
        data = raw(leaf)
        real = (
            data.dtype.kind in REAL_KINDS
            if isinstance(data, np.ndarray)
            else is_number(data) and not isinstance(data, bool)
        )
        if not real:  # text, None, a complex number: float() would take some, or fail naming none of this
            raise TypeError(
                f"{transform}: leaf {k} of the {what} is {type_name(data)} {data!r}; give real numbers, float "
                "arrays, Values or Tensors"
            )
        if np.shape(data) != np.shape(raw(ref)):
            raise ShapeError(
                f"{transform}: leaf {k} of the {what} has shape {np.shape(data)}, "
                f"but that of {of} has shape {np.shape(raw(ref))}"
            )
    return leaves


def check_leaf(leaf: Any, transform: str) -> None:
    data = raw(leaf)  # a bool is no number to differentiate (True + eps?), as JAX and PyTorch refuse it
    if isinstance(data, np.ndarray) and data.dtype.kind == "f" or is_number(data) and not isinstance(data, bool):
        return
    what = f"an array of dtype {data.dtype}" if isinstance(data, np.ndarray) else f"{type_name(data)} {data!r}"
    raise TypeError(
        f"{transform}: cannot differentiate with respect to {what}: the arguments differentiated must hold "
        "numbers, float arrays, Values or Tensors (in lists, tuples and dicts); pass others by keyword, "
        "or leave them out of argnums"
    )


# the transforms whose function may return bools among its outputs (a mask): their pullback is zero there
BOOLS_OUT = ("vjp", "jvp", "jacobian")


def check_output(out: Any, transform: str) -> None:
    """Refuse an output that holds no real numbers: text, a complex number (whose derivative is not one
    number), objects, and (for a gradient, which needs a loss) a bool; such an output was differentiated
    as a constant, to zeros."""
    data = raw(out)
    kinds = REAL_KINDS + ("b" if transform in BOOLS_OUT else "")  # a mask beside an output: a zero pullback
    if isinstance(data, np.ndarray | np.generic):
        real, kind = data.dtype.kind in kinds, f"{type_name(data)} of dtype {data.dtype}"
    else:
        real, kind = (
            isinstance(data, numbers.Real) and ("b" in kinds or not isinstance(data, bool)),
            type_name(data),
        )
    if not real:
        raise TypeError(f"{transform}: the function must return real numbers (a number, Value or Tensor), got {kind}")


def in_range(positions: tuple[int, ...], count: int, transform: str) -> tuple[int, ...]:
    if any(i >= count or i < -count for i in positions):
        raise IndexError(
            f"{transform}: argnums={positions if len(positions) > 1 else positions[0]} but the function was "
            f"called with {count} positional arguments (keyword arguments are never differentiated: pass the "
            "argument by position)"
        )
    normal = tuple(i % count for i in positions)
    if len(set(normal)) != len(normal):
        raise ValueError(f"{transform}: argnums {positions} names an argument twice")
    return normal


def is_number(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, Node)

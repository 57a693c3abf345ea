"""The arguments of `autograd.testing`'s expression strategies, refused where they would draw nothing or
fail inside a draw (in hypothesis's words, or at the first example) rather than at the call."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import numpy as np

from .modes import is_real
from .shape_args import is_int
from .type_names import type_name


def checked_kinds(
    who: str,
    kinds: Any,
    allowed: Collection[str],
    max_inputs: Any,
    max_ops: Any,
    bound: Any,
    tensor_kinds: Collection[str] = (),
) -> tuple[str, ...]:
    """`kinds` as a tuple, refused (with max_inputs, max_ops and bound) where they would draw nothing or
    fail inside a draw: a name not of `allowed` (one of `tensor_kinds` among scalars is named as such), a
    bound that leaves out every step."""
    for name, value in (("max_inputs", max_inputs), ("max_ops", max_ops)):
        if not is_int(value) or value < 1:
            error = ValueError if is_int(value) else TypeError
            raise error(f"{who}: {name} must be an int >= 1, got {type_name(value)} {value!r}")
    if not is_real(bound) or not bound > 0:
        raise ValueError(
            f"{who}: bound must be a number > 0 (steps whose values exceed it are left out), got {bound!r}"
        )
    if isinstance(kinds, str) or not isinstance(kinds, Sequence):
        raise TypeError(f"{who}: kinds must be a list of kind names, got {type_name(kinds)} {kinds!r}")
    if not kinds:
        raise ValueError(f"{who}: kinds is empty: give at least one of {', '.join(allowed)}")
    unknown = [k for k in kinds if k not in allowed]
    if unknown:
        tensors = " (tensor kinds: give them to tensor_expressions)" if set(unknown) <= set(tensor_kinds) else ""
        raise ValueError(f"{who}: kinds {unknown} are not among its kinds{tensors}: {', '.join(allowed)}")
    return tuple(kinds)


def float_dtype(who: str, dtype: Any) -> np.dtype:
    """`dtype` as numpy's, refused unless a float one: an expression's inputs are points to differentiate
    at, and integers or bools would make constants (gradcheck checks none of them)."""
    try:
        kind = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{who}: dtype must be a float dtype (np.float32, np.float64), got {dtype!r}") from None
    if kind.kind != "f":
        raise TypeError(
            f"{who}: dtype must be a float dtype (np.float32, np.float64), got {kind}: integers and bools are "
            "constants, no points to differentiate at"
        )
    return kind

"""Contractions on tensors: tensordot as permute, reshape and one matmul; einsum's subscripts made
explicit (no ellipsis, an output always written) and checked against the operands' shapes, so the
op table's one einsum entry and its rule see a single form."""

from __future__ import annotations

import math
import string
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import shape_args as args
from . import tensor_ops as ops
from .graph import raw
from .modes import short
from .ordered import check_ordered

LETTERS = string.ascii_letters  # the subscripts numpy and PyTorch take, in their sort order (A-Z, a-z)


def _contracted(dims: Any, a_ndim: int, b_ndim: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """tensordot's dims: n (a's last n with b's first n), or (a's dims, b's dims)."""
    if args.is_int(dims):
        if not 0 <= dims <= min(a_ndim, b_ndim):
            raise ValueError(f"tensordot: dims={dims} needs both tensors to have {dims} dims at least")
        return tuple(range(a_ndim - dims, a_ndim)), tuple(range(dims))
    check_ordered("tensordot", "dims", dims)  # {1, 0} would pair a's dim 0 with b's dim 1
    given = np.asarray(raw(dims)) if hasattr(dims, "__array__") else None  # an array, a Tensor, a torch tensor
    if given is not None and given.ndim in (1, 2) and given.dtype.kind in "iu":  # numpy's array, PyTorch's tensor
        dims = given.tolist()
    if not isinstance(dims, list | tuple) or len(dims) != 2:  # 1.5, "ab", an array: Python's unpacking words
        raise TypeError(f"tensordot: dims must be an int or a pair (a's dims, b's dims), got {short(dims)}")
    pairs = tuple(dims)
    for d in pairs:  # ({1, 0}, {0, 1}) would pair a's 0 with b's 0: PyTorch refuses a set, numpy takes it
        check_ordered("tensordot", "dims", d)
    a_dims, b_dims = ((d,) if args.is_int(d) else tuple(d) for d in pairs)
    if len(a_dims) != len(b_dims):
        raise ValueError(f"tensordot: dims {a_dims} and {b_dims} need the same length")
    return args.dims(a_dims, a_ndim, "tensordot"), args.dims(b_dims, b_ndim, "tensordot")


def tensordot(a: Any, b: Any, dims: Any = 2) -> Any:
    """The sum of products of a and b over pairs of dims (numpy's tensordot with axes=dims,
    PyTorch's with dims): the remaining dims of a, then those of b."""
    a_dims, b_dims = _contracted(dims, a.ndim, b.ndim)
    for i, j in zip(a_dims, b_dims):
        if a.shape[i] != b.shape[j]:
            raise ops.ShapeError(f"tensordot: dim {i} of {a.shape} and dim {j} of {b.shape} differ in length")
    free_a = [d for d in range(a.ndim) if d not in a_dims]
    free_b = [d for d in range(b.ndim) if d not in b_dims]
    inner = math.prod(a.shape[d] for d in a_dims)  # sizes spelled out, not -1: any of them may be 0
    left = a.permute(*free_a, *a_dims).reshape(math.prod(a.shape[d] for d in free_a), inner)
    right = b.permute(*b_dims, *free_b).reshape(inner, math.prod(b.shape[d] for d in free_b))
    return (left @ right).reshape(tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b))


def explicit_subscripts(subscripts: str, shapes: Sequence[tuple[int, ...]]) -> str:
    """numpy's and PyTorch's einsum subscripts as "ij,jk->ik": an ellipsis becomes unused letters
    (right-aligned, as broadcasting); with no "->" the output is the ellipsis's letters, then the
    letters used once in alphabetical order. Each letter's lengths must agree (or be 1: broadcast)."""
    spec = subscripts.replace(" ", "")
    inputs, arrow, output = spec.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: {subscripts!r} names {len(terms)} operands, got {len(shapes)}")
    plain = [t.replace("...", "") for t in [*terms, output]]
    if any(c not in LETTERS for t in plain for c in t) or "->" in output:
        raise ValueError(f"einsum: {subscripts!r} may hold letters, commas, one '->' and '...' only")
    spare = [c for c in LETTERS if c not in spec]
    widths = [len(s) - len(t.replace("...", "")) for t, s in zip(terms, shapes)]
    wide = max((w for t, w in zip(terms, widths) if "..." in t), default=0)
    ellipsis = "".join(spare[:wide])
    terms = [t.replace("...", ellipsis[wide - w :] if w else "") for t, w in zip(terms, widths)]
    if arrow:
        output = output.replace("...", ellipsis)
    else:
        used = "".join(plain[:-1])
        output = ellipsis + "".join(sorted(c for c in set(used) if used.count(c) == 1))
    _check_lengths(subscripts, terms, output, shapes)
    return ",".join(terms) + "->" + output


def _check_lengths(subscripts: str, terms: list[str], output: str, shapes: Sequence[tuple[int, ...]]) -> None:
    lengths: dict[str, int] = {}
    for i, (term, shape) in enumerate(zip(terms, shapes)):
        if len(term) != len(shape):
            raise ValueError(f"einsum: operand {i} has {len(shape)} dims, but {subscripts!r} names {len(term)}")
        seen: dict[str, int] = {}
        for c, n in zip(term, shape):
            if seen.setdefault(c, n) != n:
                raise ops.ShapeError(f"einsum: letter {c!r} repeats in operand {i} over dims of lengths {seen[c]}, {n}")
            if lengths.setdefault(c, n) != n and 1 not in (n, lengths[c]):
                raise ops.ShapeError(f"einsum: letter {c!r} stands for dims of lengths {lengths[c]} and {n}")
            lengths[c] = max(lengths[c], n)
    if len(set(output)) != len(output) or any(c not in lengths for c in output):
        raise ValueError(f"einsum: the output of {subscripts!r} must name distinct letters of the operands")

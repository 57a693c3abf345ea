"""The op table's shape and linear-algebra entries beyond reshape, transpose and indexing
(tensor-only entries): roll, pad, einsum. The rest of the family (flip, tile, gather, diagonal,
tensordot, ...) is made of entries (tensor_shapes, tensor_indexing, linalg) and needs no rule."""

from __future__ import annotations

import contextlib
import math
import string

import numpy as np

from .dtypes import no_bools
from .graph import raw
from .half_precision import adding_in
from .op_def import ANYWHERE, OpDef, tensor_op
from .op_table_tensor import unbroadcast
from .rule_functions import where
from .scaled_contractions import checked

_roll, _getitem, _einsum = (tensor_op(n) for n in ("roll", "getitem", "einsum"))
_LETTERS = string.ascii_letters


def _unpadded(g, widths):
    """Where the input sits in its padded output: each dim's slice between its two paddings."""
    return tuple(slice(before, n - after) for (before, after), n in zip(widths, np.shape(g)))


def _einsum_forward(*xs, subscripts):
    """numpy's einsum, right wherever its result fits (products or partial sums that overflowed are computed
    again, scaled_contractions). optimize: numpy's plain loop runs over every letter at once; its path uses
    BLAS, pair by pair. float16 in float32, rounded once: numpy's float16 einsum("ij->j") of 3000 rows of
    ones gave 2048."""
    no_bools("einsum", *xs)
    dtype = np.result_type(*xs)
    inputs, output = subscripts.split("->")
    lengths = {c: n for term, x in zip(inputs.split(","), xs) for c, n in zip(term, np.shape(x))}
    terms = math.prod(n for c, n in lengths.items() if c not in output)
    if adding_in(dtype) == dtype:
        return checked(lambda *ys: np.einsum(subscripts, *ys, optimize=True), xs, terms, "einsum")
    wide = checked(lambda *ys: np.einsum(subscripts, *ys, optimize=True, dtype=adding_in(dtype)), xs, terms, "einsum")
    return wide.astype(dtype)


def _einsum_vjp(g, out, *xs, subscripts, needs):
    """Each operand's gradient is one einsum of g with the other operands, written to that operand's
    letters. A letter summed in that operand alone (the gradient is constant along it) comes in as a
    vector of ones; a letter it repeats (a diagonal) is written again as a fresh letter, tied to the
    first by an identity matrix. Lengths of 1 that broadcast are summed back (unbroadcast), and a letter
    the other operands hold only at length 1 comes in as ones of this operand's length."""
    inputs, output = subscripts.split("->")
    terms = inputs.split(",")
    lengths = {}
    for term, x in zip(terms, xs):
        for c, n in zip(term, np.shape(x)):
            lengths[c] = n if lengths.get(c, 1) == 1 else lengths[c]  # numpy's broadcasting: 1 meets any, 0 too
    dtype = np.result_type(raw(g))
    grads = []
    for i, (term, x) in enumerate(zip(terms, xs)):
        if not needs[i]:
            grads.append(None)
            continue
        given = [(g, output)] + [(xs[j], terms[j]) for j in range(len(xs)) if j != i]
        known = {}  # each letter's length in the given operands, broadcast
        for y, t in given:
            for c, n in zip(t, np.shape(y)):
                known[c] = n if known.get(c, 1) == 1 else known[c]
        fresh = iter(c for c in _LETTERS if c not in subscripts)
        target, constants, ties = "", [], []
        for c in term:
            if c in target:
                again = next(fresh)
                constants.append((np.eye(lengths[c], dtype=dtype), c + again))
                ties.append((target.index(c), len(target)))
                target += again
            else:
                # a letter the others lack, or hold only at length 1 (broadcast to this operand's length)
                if c not in known or known[c] != lengths[c]:
                    constants.append((np.ones(lengths[c], dtype=dtype), c))
                target += c
        operands, letters = zip(*given, *constants)
        with np.errstate(invalid="ignore") if ties else contextlib.nullcontext():
            grad = _einsum(*operands, subscripts=",".join(letters) + "->" + target)
        if ties:  # off the diagonal the identity's 0 times an infinite or NaN g was NaN: 0 there, selected
            grad = where(grad, 0.0, cond=_on_diagonal([lengths[c] for c in term], ties))
        grads.append(unbroadcast(grad, np.shape(x)))
    return tuple(grads)


def _on_diagonal(shape: list[int], ties: list[tuple[int, int]]) -> np.ndarray:
    """Where the index along each tied pair of dims (a letter repeated in an operand) is the same."""
    index = np.indices(shape, sparse=True)
    mask = np.ones(shape, dtype=bool)
    for first, second in ties:
        mask &= index[first] == index[second]
    return mask


SHAPES: tuple[OpDef, ...] = (
    # the entries leaving one end come in at the other: the gradient rolls back by the same shifts
    OpDef(
        "roll",
        lambda g, out, x, *, shifts, axes: (_roll(g, shifts=tuple(-s for s in shifts), axes=axes),),
        None,
        lambda x, *, shifts, axes: np.roll(x, shifts, axes),
        api="Tensor.roll",
        formulas=("the gradient, rolled back",),
    ),
    # constant padding (widths: (before, after) per dim): the padding's entries are constants
    OpDef(
        "pad",
        lambda g, out, x, *, widths, value: (_getitem(g, index=_unpadded(g, widths)),),
        None,
        lambda x, *, widths, value: np.pad(x, widths, constant_values=value),
        api="autograd.pad",
        formulas=("the gradient without the padding",),
    ),
    # subscripts always explicit ("ij,jk->ik", no ellipsis: linalg.explicit_subscripts); a constant
    # operand's gradient is never formed: `skips`
    OpDef(
        "einsum",
        _einsum_vjp,
        None,
        _einsum_forward,
        (ANYWHERE, ANYWHERE),
        skips=True,
        api="autograd.einsum",
        formulas=("an einsum of the gradient with the other operands, back to this one's letters",) * 2,
        adds_up=True,
    ),
)

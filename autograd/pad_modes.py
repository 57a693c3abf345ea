"""pad's rules beyond numpy's, as PyTorch's F.pad: a negative width crops its side, and the modes
besides 'constant' ('reflect', 'replicate', 'circular') extend an axis with its own entries, gathered
by index (so each copy's gradient adds back to the entry it came from, as PyTorch's), one axis at a
time, on the 1 to 3 last dims of an input with channels (and a batch) before them."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .conv_limits import check_memory
from .half_precision import adding_in
from .tensor_ops import ShapeError

MODES = ("constant", "reflect", "replicate", "circular")
Widths = tuple[tuple[int, int], ...]


def crop(widths: Widths, shape: tuple[int, ...]) -> tuple[slice, ...] | None:
    """What a constant pad keeps of each axis before padding it (PyTorch's: the negative widths crop
    first), or None when nothing is cropped; a ShapeError where a crop is longer than its axis."""
    for axis, ((before, after), n) in enumerate(zip(widths, shape)):
        _check_crop(n, before, after, axis)
    if all(before >= 0 and after >= 0 for before, after in widths):
        return None
    return tuple(slice(max(-before, 0), n - max(-after, 0)) for (before, after), n in zip(widths, shape))


def check_dims(mode: str, ndim: int, widths: Widths, flat_pairs: int | None) -> None:
    """PyTorch's ranks for `mode`: a flat pad of k pairs (k of 1 to 3) fits an input of k + 1 dims (one
    example: channels first) or k + 2 (a batch); numpy's pad_width (flat_pairs None) fits where its
    padded dims are such a pad's last dims. A ShapeError, as PyTorch's NotImplementedError, elsewhere."""
    fitting = [k for k in (1, 2, 3) if ndim - k in (1, 2)]
    if flat_pairs is not None:
        fits, named = flat_pairs in fitting, f"a flat pad of the last {flat_pairs} dims"
    else:
        padded = _padded_dims(widths)
        fits, named = any(k >= padded for k in fitting), f"pad_width padding the last {padded} dims"
    if fits:
        return
    allowed = (
        f"pads the last {' or '.join(map(str, fitting))} dims of a {ndim}-d input"
        if fitting
        else "takes an input of 2 to 5 dims"
    )
    raise ShapeError(
        f"pad: mode={mode!r} pads the last 1, 2 or 3 dims of an input with channels (and a batch) before them, "
        f"as PyTorch's: it {allowed}, got {named} of a {ndim}-d input; name as many dims as it takes "
        "((0, 0) for a dim left as it is), reshape the input to (batch, channels, *padded dims) or "
        "(channels, *padded dims), or use mode='constant'"
    )


def check_extent(mode: str, shape: tuple[int, ...], widths: Widths, flat_pairs: int | None) -> None:
    """PyTorch's (2.13) bounds on what 'reflect' and 'replicate' take and leave, after `check_dims`: an
    input with entries along every dim but a batch's (the first, where the pad leaves two dims before
    its own), and a flat pad's dims left with entries along at least one of them (a 1-d pad: along its
    one). A dim left with fewer than none is refused too: PyTorch's reflection gives it a negative
    length (shape (0, 2, 1, -1) of (0, 2, 1, 1) cropped by (-1, -1)), its replication refuses it."""
    if mode == "circular":  # PyTorch's circle takes empty inputs: its bounds are `_check_widths`'s
        return
    batch = len(shape) - 2  # the pairs of a flat pad leaving a batch and channels before its dims
    # numpy's pad_width is taken as a flat pad with a batch where one fits (check_dims' rule)
    batched = batch in (1, 2, 3) and (_padded_dims(widths) <= batch if flat_pairs is None else flat_pairs == batch)
    empty = next((axis for axis, n in enumerate(shape) if n == 0 and (axis or not batched)), None)
    if empty is not None:
        raise ShapeError(
            f"pad: mode={mode!r} needs entries along every dim of its input but a batch's, as PyTorch's: dim "
            f"{empty} of shape {shape} has none; pad it with mode='constant', or leave it as it is"
        )
    if flat_pairs is None:  # numpy's pad_width does not crop: every dim keeps its entries
        return
    padded = range(len(shape) - flat_pairs, len(shape))
    left = [shape[axis] + sum(widths[axis]) for axis in padded]
    for axis, n in zip(padded, left):
        if n < 0:
            raise ShapeError(
                f"pad: widths {widths[axis]} crop {-min(widths[axis][0], 0) - min(widths[axis][1], 0)} entries "
                f"from axis {axis} of length {shape[axis]} and pad {max(widths[axis][0], 0) + max(widths[axis][1], 0)}"
                f", leaving {n} entries: crop less"
            )
    if max(left) < 1:
        which = f"axis {padded[0]}" if flat_pairs == 1 else f"each of axes {', '.join(map(str, padded))}"
        raise ShapeError(
            f"pad: mode={mode!r} with widths {_flat(widths, flat_pairs)} leaves 0 entries along {which}; it keeps "
            f"at least 1 along one of the dims it pads, as PyTorch's: crop less"
        )


def extended(x: Any, widths: Widths, mode: str) -> Any:
    """x with each axis extended by its (before, after) widths in `mode` (not 'constant'); a negative
    width crops its side. Every axis's widths and the memory of all it builds are checked before any
    index is made."""
    padded = [(axis, pair) for axis, pair in enumerate(widths) if any(pair)]
    for axis, (before, after) in padded:
        _check_widths(x.shape[axis], before, after, mode, axis)
    dtype = x.dtype
    # float16 over several axes in float32, rounded once: the gradient of each axis's pass, rounded to
    # float16 before the next adds it up, was 512 ulps off for 'reflect' and 528 for 'circular'
    wide = adding_in(dtype) if len(padded) > 1 else dtype
    check_size(x.shape, widths, mode, wide)
    x = x if wide == dtype else x.astype(wide)
    for axis, pair in padded:
        x = x[(slice(None),) * axis + (_sources(x.shape[axis], *pair, mode),)]
    return x if wide == dtype else x.astype(dtype)


def check_size(shape: tuple[int, ...], widths: Widths, mode: str, dtype: np.dtype) -> None:
    """Refuse at once, before any allocation, a pad whose arrays do not fit in memory (conv_limits'
    check, whose floor leaves small pads unchecked): per pass (one for 'constant', one per padded axis
    for the other modes) its result and, backward, its gradient, each at most the larger of the input
    and the output along every axis, and the input's gradient; and each axis's index and its two
    temporaries (intp), counted in entries of `dtype`."""
    sizes = [max(n, n + before + after) for n, (before, after) in zip(shape, widths)]
    passes = 1 if mode == "constant" else sum(1 for pair in widths if any(pair))
    per_entry = max(np.dtype(np.intp).itemsize // np.dtype(dtype).itemsize, 1)
    entries = 2 * (passes + 1) * math.prod(sizes) + 3 * per_entry * sum(sizes)
    what = f"widths {_flat(widths, _padded_dims(widths))}: the arrays it and its gradient build"
    check_memory("pad", what, entries, dtype, "use less padding")


def _flat(widths: Widths, pairs: int) -> tuple[int, ...]:
    """The widths of the last `pairs` dims as PyTorch's flat pad gives them: last dim first."""
    return tuple(w for pair in widths[::-1][:pairs] for w in pair)


def _padded_dims(widths: Widths) -> int:
    """How many last dims the widths pad or crop: from the first dim whose pair is not (0, 0)."""
    return next((len(widths) - axis for axis, pair in enumerate(widths) if pair != (0, 0)), 0)


def _check_crop(n: int, before: int, after: int, axis: int) -> None:
    """A ShapeError where widths (before, after) crop more entries than an axis of length n has."""
    if n + min(before, 0) + min(after, 0) < 0:
        raise ShapeError(
            f"pad: widths ({before}, {after}) crop {-min(before, 0) - min(after, 0)} entries from axis {axis} "
            f"of length {n}, more than it has: crop at most {n}"
        )


def _check_widths(n: int, before: int, after: int, mode: str, axis: int) -> None:
    """A ShapeError where `mode` cannot extend an axis of length n by (before, after), as PyTorch's."""
    if mode == "circular":
        _check_crop(n, before, after, axis)
    kept = n + min(before, 0) + min(after, 0)  # what a circle wraps
    limit = {"reflect": n - 1, "circular": kept}.get(mode)  # PyTorch's bounds: a reflection reaches n - 1
    if limit is not None and max(before, after) > limit:
        left = f" ({kept} left after cropping)" if mode == "circular" and kept != n else ""
        raise ShapeError(
            f"pad: mode={mode!r} pads axis {axis} of length {n}{left} by {max(before, after)}, more than its "
            f"{limit} allow: use less padding or mode='replicate'"
        )
    if n + before + after > np.iinfo(np.intp).max:  # numpy's arange of so many is empty, not an error
        raise ShapeError(
            f"pad: widths ({before}, {after}) extend axis {axis} of length {n} to {n + before + after} entries, "
            f"more than an array holds (2**63 - 1): use less padding"
        )


def _sources(n: int, before: int, after: int, mode: str) -> np.ndarray:
    """Which entry of an axis of length n each position of it, extended by before and after, copies.
    PyTorch's: a reflection or replication of the whole axis, then cropped; a circle of what is left
    after cropping."""
    if mode == "circular":
        kept = n + min(before, 0) + min(after, 0)
        return max(-before, 0) + np.arange(-max(before, 0), kept + max(after, 0)) % max(kept, 1)
    i = np.arange(-before, n + after)
    if mode == "reflect":  # about the edge entries, which are not repeated: 2 1 | 0 1 2 | 1 0
        return (n - 1) - np.abs((n - 1) - np.abs(i))
    return np.clip(i, 0, n - 1)  # replicate

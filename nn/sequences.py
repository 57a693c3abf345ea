"""Batches of sequences of different lengths, as torch.nn.utils.rnn's (nn.utils.rnn): padded to one length
(pad_sequence, unpad_sequence), or packed step by step without padding (PackedSequence, pack_padded_sequence,
pad_packed_sequence, pack_sequence, unpack_sequence), which RNN, LSTM and GRU take and give back, reading each
sequence for its own length only (the last state of each is the one at its length, not at the padded end).

Each is one gather of rows (the padding one constant row more), so the gradient reaches every input entry used
and nothing else, exactly."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, cat, check_fits, check_memory, full, raw, type_name

from .arguments import as_array, check_choice, check_fill, check_flag, check_number, layer_input
from .packed_sequence import PackedSequence, checked_packed, index_tensor, inverse


class LengthError(ValueError, RuntimeError):
    """Lengths a batch of sequences cannot have: a ValueError, as chainrule's refusals of values are, and a
    RuntimeError, as torch's of the same lengths, so ported `except RuntimeError:` still catches it."""


def _lengths(owner: str, lengths: Any) -> np.ndarray:
    """Lengths given as a list, an array or a Tensor of whole numbers (torch takes integral floats too)."""
    array = as_array(owner, "lengths", raw(lengths) if isinstance(lengths, Tensor) else lengths)
    if array.ndim != 1 or array.dtype.kind not in "iuf" or array.dtype == bool:
        raise TypeError(
            f"{owner}: lengths must be a list or 1-d array of whole numbers, one per sequence, got "
            f"{type_name(lengths)} of shape {array.shape} and {array.dtype}"
        )
    if array.dtype.kind == "f" and not np.all(np.isfinite(array) & (array == np.round(array))):
        raise TypeError(f"{owner}: lengths must be whole numbers, got {array.tolist()}")
    return array.astype(np.int64)


def pack_padded_sequence(
    input: Tensor, lengths: Any, batch_first: bool = False, enforce_sorted: bool = True
) -> PackedSequence:
    """Sequences padded (T, B, *) ((B, T, *) with batch_first), the first lengths[b] steps of each read,
    packed. With enforce_sorted the lengths must not increase (torch's ONNX form); else they are sorted here."""
    owner = "pack_padded_sequence"
    x = layer_input(owner, input)
    batch_first = check_flag(owner, "batch_first", batch_first)
    enforce_sorted = check_flag(owner, "enforce_sorted", enforce_sorted)
    if x.ndim < 2:
        raise ShapeError(f"{owner}: input must be (T, B, *) ((B, T, *) with batch_first=True), got shape {x.shape}")
    if batch_first:
        x = x.swapaxes(0, 1)
    steps, batch = x.shape[:2]
    n = _lengths(owner, lengths)
    if n.shape[0] != batch:
        raise ShapeError(f"{owner}: lengths must hold one length per sequence ({batch}), got {n.shape[0]}")
    if not n.size:
        raise LengthError(f"{owner}: the batch holds no sequences (B=0), and a pack needs one: give at least one")
    if n.min() <= 0:
        raise LengthError(
            f"{owner}: every length must be at least 1, got {int(n.min())}: leave empty sequences out of the batch"
        )
    if n.max() > steps:
        raise LengthError(
            f"{owner}: a length is {int(n.max())}, past the input's {steps} steps: give the sequences' true lengths"
        )
    if enforce_sorted and np.any(n[1:] > n[:-1]):
        raise LengthError(
            f"{owner}: lengths {n.tolist()} must not increase when enforce_sorted=True: sort the batch longest "
            "first, or pass enforce_sorted=False"
        )
    order = np.arange(batch) if enforce_sorted else np.argsort(-n, kind="stable")
    sizes = (n[None, :] > np.arange(int(n.max()))[:, None]).sum(1)
    data = x.reshape(steps * batch, *x.shape[2:])[packed_rows(sizes, order)]
    if enforce_sorted:
        return PackedSequence(data, index_tensor(sizes))
    return PackedSequence(data, index_tensor(sizes), index_tensor(order), index_tensor(inverse(order)))


def packed_rows(sizes: np.ndarray, order: np.ndarray) -> np.ndarray:
    """The rows a pack takes from sequences laid out (T * B, *) by step, B = len(order): at each step t the
    first sizes[t] sequences of `order` (longest first)."""
    batch = order.shape[0]
    return np.concatenate([t * batch + order[:size] for t, size in enumerate(sizes)])


def sorted_rows(sizes: np.ndarray, total: int) -> tuple[np.ndarray, np.ndarray]:
    """Where each step of each sequence (longest first) is in a packed `data` of batch `sizes`: (total, B) rows,
    the index of a padding row (one past the data) past a sequence's end; and the sorted lengths."""
    batch = int(sizes[0]) if sizes.size else 0
    lengths = (sizes[None, :] > np.arange(batch)[:, None]).sum(1)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    rows = np.full((total, batch), int(sizes.sum()), np.int64)
    for t, (start, size) in enumerate(zip(starts, sizes, strict=True)):
        rows[t, :size] = start + np.arange(size)
    return rows, lengths


def _with_padding(owner: str, data: Tensor, padding_value: float) -> Tensor:
    """`data` with one more row along its first axis, every entry `padding_value` (a constant), refused where the
    data's dtype cannot hold it (1e40 in float32 was padded as infinity, numpy's warning alone; torch refuses it)."""
    check_fits(padding_value, data.dtype, f"{owner}: padding_value", "; give a value the sequences' dtype holds")
    return cat([data, full((1, *data.shape[1:]), padding_value, dtype=data.dtype)], 0)  # an int exactly, as full's


def pad_packed_sequence(
    sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0, total_length: int | None = None
) -> tuple[Tensor, Tensor]:
    """The packed sequences padded to (T, B, *) ((B, T, *) with batch_first), T the longest or total_length,
    in the batch's order before packing, and their lengths (an int64 Tensor)."""
    owner = "pad_packed_sequence"
    data, sizes, unsorted = checked_packed(owner, sequence)
    batch_first = check_flag(owner, "batch_first", batch_first)
    value = check_fill(owner, "padding_value", padding_value)
    steps = sizes.shape[0]
    if total_length is not None:
        total_length = check_number(
            owner, "total_length", total_length, "an int >= 0 (or None)", lambda n: n >= 0, True
        )
        if total_length < steps:
            raise ValueError(
                f"{owner}: total_length={total_length} is shorter than the longest sequence ({steps} steps): "
                f"give at least {steps}, or None"
            )
    total = steps if total_length is None else total_length
    entries = total * int(sizes[0] if sizes.size else 0) * int(np.prod(data.shape[1:]))
    check_memory(
        owner, f"total_length={total}: the padded sequences", entries, data.dtype, "give a smaller total_length"
    )
    rows, lengths = sorted_rows(sizes, total)
    if unsorted is not None:
        rows, lengths = rows[:, unsorted], lengths[unsorted]
    padded = _with_padding(owner, data, value)[rows.T if batch_first else rows]
    return padded, index_tensor(lengths)


def pad_sequence(
    sequences: Any, batch_first: bool = False, padding_value: float = 0.0, padding_side: str = "right"
) -> Tensor:
    """Sequences (L_i, *) of one trailing shape, padded with padding_value to the longest: (L, B, *), (B, L, *)
    with batch_first; padding_side="left" puts the padding before each sequence."""
    owner = "pad_sequence"
    items = _sequences(owner, sequences)
    batch_first = check_flag(owner, "batch_first", batch_first)
    value = check_fill(owner, "padding_value", padding_value)
    left = check_choice(owner, "padding_side", padding_side, ("right", "left")) == "left"
    lengths = np.array([s.shape[0] for s in items], np.int64)
    longest, total = int(lengths.max()), int(lengths.sum())
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    steps = np.arange(longest)[:, None]
    shift = (longest - lengths)[None, :] if left else 0
    inside = (steps >= shift) & (steps < shift + lengths[None, :])
    rows = np.where(inside, starts[None, :] + steps - shift, total)
    padded = _with_padding(owner, cat(items, 0), value)[rows.T if batch_first else rows]
    return padded


def _sequences(owner: str, sequences: Any) -> list[Tensor]:
    """A list (or tuple) of Tensors (L_i, *) of one trailing shape, or a Tensor read along its first axis."""
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0)) if sequences.ndim else [sequences]
    if not isinstance(sequences, list | tuple):
        raise TypeError(f"{owner} takes a list of Tensors (L_i, *), got {type_name(sequences)}")
    if not sequences:
        raise ValueError(f"{owner}: the list of sequences is empty: give at least one")
    items = [layer_input(owner, s) for s in sequences]
    if any(s.ndim == 0 for s in items):
        raise ShapeError(f"{owner}: each sequence must have a first axis of steps (L_i, *), got a 0-d Tensor")
    trailing = {s.shape[1:] for s in items}
    if len(trailing) > 1:
        raise ShapeError(
            f"{owner}: the sequences' shapes after their first axis must agree, got {sorted(trailing)}; "
            "every step must have one shape"
        )
    return items


def pack_sequence(sequences: list[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Sequences (L_i, *) packed: pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=...)."""
    items = _sequences("pack_sequence", sequences)
    lengths = [s.shape[0] for s in items]
    return pack_padded_sequence(pad_sequence(items), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths: Any, batch_first: bool = False) -> list[Tensor]:
    """The sequences of a padded batch (T, B, *) ((B, T, *) with batch_first), each cut to its length."""
    owner = "unpad_sequence"
    x = layer_input(owner, padded_sequences)
    if check_flag(owner, "batch_first", batch_first):
        x = x.swapaxes(0, 1) if x.ndim >= 2 else x
    n = _lengths(owner, lengths)
    if x.ndim < 2 or n.shape[0] != x.shape[1]:
        raise ShapeError(f"{owner}: lengths ({n.shape[0]}) must be one per sequence of padded {x.shape}")
    if n.size and (n.min() < 0 or n.max() > x.shape[0]):
        raise LengthError(f"{owner}: lengths must be from 0 to the padded length {x.shape[0]}, got {n.tolist()}")
    return [x[: int(length), b] for b, length in enumerate(n)]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The sequences of a PackedSequence, in the batch's order before packing, each (L_i, *)."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)

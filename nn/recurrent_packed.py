"""RNN, LSTM and GRU on a PackedSequence, as torch's: the packed steps laid out padded (T, B, features) in
the packed order (longest first), each sequence's state kept unchanged past its length (so its last state is
the one at its own length, in both directions: the backward one starts at each sequence's own last step), the
output packed again, and the initial and last states in the batch's own order."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, cat, where, zeros

from .packed_sequence import PackedSequence, checked_packed, index_order
from .recurrent_steps import State
from .sequences import packed_rows, sorted_rows


def unpacked(owner: str, packed: PackedSequence, input_size: int) -> tuple[Tensor, np.ndarray]:
    """The packed input as (T, B, input_size), longest sequence first, zeros past each end, and the lengths."""
    data, sizes, _ = checked_packed(owner, packed)
    if data.ndim != 2 or data.shape[-1] != input_size:
        raise ShapeError(f"{owner}: a PackedSequence's data must be (steps, input_size={input_size}), got {data.shape}")
    if data.dtype.kind != "f":
        raise TypeError(f"{owner} takes floating-point input, got {data.dtype}: convert it first")
    rows, lengths = sorted_rows(sizes, sizes.shape[0])
    padded = cat([data, zeros(1, input_size, dtype=data.dtype)], 0)[rows]  # the row past the data: read by no step kept
    return padded, lengths


def held(lengths: np.ndarray, t: int, new: State, old: State) -> State:
    """The state after step t: the new one for the sequences that have a step t, the old one kept for the rest."""
    alive = (t < lengths)[:, None]
    return tuple(where(alive, n, o) for n, o in zip(new, old, strict=True))


def repacked(output: Tensor, packed: PackedSequence) -> PackedSequence:
    """The output (T, B, features) at the packed input's steps, packed as the input was (its batch sizes an
    int64 Tensor, as torch's, however the input's were given)."""
    _, sizes, _ = checked_packed("repacked", packed)
    steps, batch = output.shape[:2]
    data = output.reshape(steps * batch, output.shape[-1])[packed_rows(sizes, np.arange(batch))]
    batch_sizes = Tensor(sizes, dtype=np.int64)
    return PackedSequence(data, batch_sizes, packed.sorted_indices, packed.unsorted_indices)


def reordered(states: State, indices: Any) -> State:
    """States (layers * directions, B, size) with the batch taken in `indices`' order (None: as they are), the
    indices of a PackedSequence that checked_packed took."""
    order = index_order(indices)
    return states if order is None else tuple(s[:, order] for s in states)

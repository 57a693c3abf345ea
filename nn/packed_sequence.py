"""PackedSequence, as torch.nn.utils.rnn's, and its reading: the batch sizes and index sets checked as every reader
of one needs them (one made by hand may not fit), the index sets read in one place (index_order)."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from autograd import ShapeError, Tensor, raw, type_name

from .arguments import layer_input


class _Packed(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(_Packed):
    """Sequences packed by step, as torch's: `data` holds the first step of every sequence (longest first),
    then the second of those that have one, and so on; `batch_sizes[t]` how many sequences have a step t;
    `sorted_indices` the batch's order longest first (None where it was given so) and `unsorted_indices`
    its inverse (worked out from sorted_indices where left out, as torch's). Made by pack_padded_sequence or
    pack_sequence, or rebuilt from one's fields (`PackedSequence(f(p.data), p.batch_sizes, p.sorted_indices)`)."""

    __slots__ = ()

    def __new__(
        cls,
        data: Tensor,
        batch_sizes: Tensor,
        sorted_indices: Tensor | None = None,
        unsorted_indices: Tensor | None = None,
    ) -> PackedSequence:
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = index_tensor(inverse(index_order(sorted_indices)))
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """The same sequences with their data cast (`packed.to(torch.float64)`, `packed.to(x.device)`), as
        torch's: the batch sizes and indices as they are; the sequence itself where nothing changes."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else self._replace(data=data)

    def float(self) -> PackedSequence:
        """The data in float32 (`to(np.float32)`), as torch's."""
        return self.to(np.float32)

    def double(self) -> PackedSequence:
        """The data in float64, as torch's."""
        return self.to(np.float64)

    def half(self) -> PackedSequence:
        """The data in float16, as torch's."""
        return self.to(np.float16)

    def long(self) -> PackedSequence:
        """The data in int64 (a constant, as Tensor.long()), as torch's."""
        return self.to(np.int64)

    def int(self) -> PackedSequence:
        """The data in int32 (a constant, as Tensor.int()), as torch's."""
        return self.to(np.int32)

    def cpu(self) -> PackedSequence:
        """Self: chainrule's data is on the CPU already (as torch's on the CPU, and as Module.cpu())."""
        return self

    @property
    def is_cuda(self) -> bool:
        """False: chainrule computes on the CPU (torch's: whether the data is on a GPU)."""
        return False

    def is_pinned(self) -> bool:
        """False: no memory is pinned for a GPU (torch's answer for data on the CPU not pinned)."""
        return False


def index_tensor(values: np.ndarray) -> Tensor:
    """Indices (batch sizes, an order) as an int64 Tensor, as torch gives them."""
    return Tensor(np.asarray(values, np.int64), dtype=np.int64)


def checked_packed(owner: str, sequence: Any) -> tuple[Tensor, np.ndarray, np.ndarray | None]:
    """A PackedSequence's data, batch sizes, and unsorted indices (None: in order), checked as every reader of
    one (pad_packed_sequence, RNN, LSTM, GRU) needs it: whole batch sizes >= 1, not increasing, adding up to
    the data's rows, and indices that are orders of the batch, each the other's inverse (one made by hand may
    not be so)."""
    if not isinstance(sequence, PackedSequence):
        raise TypeError(
            f"{owner} takes a PackedSequence (pack_padded_sequence's or pack_sequence's), got {type_name(sequence)}"
        )
    given = np.asarray(raw(sequence.batch_sizes) if isinstance(sequence.batch_sizes, Tensor) else sequence.batch_sizes)
    numbers = given.dtype.kind in "iu" or (given.dtype.kind == "f" and bool(np.isfinite(given).all()))
    sizes = given.astype(np.int64) if numbers else np.zeros(0, np.int64)
    data = layer_input(owner, sequence.data)
    fits = given.ndim == 1 and given.size and np.array_equal(sizes, given) and sizes.min() >= 1
    if not fits or data.ndim < 1 or sizes.sum() != data.shape[0] or np.any(sizes[1:] > sizes[:-1]):
        raise ShapeError(
            f"{owner}: the PackedSequence's data and batch_sizes do not fit; make it with pack_padded_sequence or "
            "pack_sequence, not by hand"
        )
    order, unsorted = (index_order(i) for i in (sequence.sorted_indices, sequence.unsorted_indices))
    batch = np.arange(sizes[0])
    orders = all(i is None or np.array_equal(np.sort(i), batch) for i in (order, unsorted))
    if not orders or (order is not None and unsorted is not None and not np.array_equal(order[unsorted], batch)):
        raise ShapeError(
            f"{owner}: the PackedSequence's sorted_indices and unsorted_indices must each be an order of its "
            f"{batch.size} sequences (or None), the one the other's inverse; make it with pack_padded_sequence"
        )
    return data, sizes, unsorted


def index_order(given: Any) -> np.ndarray | None:
    """A PackedSequence's sorted or unsorted indices (a Tensor, an array or a list: torch code may build one) as
    a 1-d int64 array; None as it is; [-1], an order of no batch, where they are not whole numbers in 1-d. The one
    reader of them: checked_packed checks what it gives, the layers reorder their states by it."""
    if given is None:
        return None
    array = np.asarray(raw(given) if isinstance(given, Tensor) else given)
    whole = array.ndim == 1 and array.dtype.kind in "iu"
    return array.astype(np.int64) if whole else np.full(1, -1, np.int64)


def inverse(order: np.ndarray) -> np.ndarray:
    """The inverse of an order of a batch (unsorted_indices of sorted_indices), as torch's invert_permutation."""
    return np.argsort(order)

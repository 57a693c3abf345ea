"""EmbeddingBag and its function embedding_bag, as torch.nn's: the sum, mean or max of the rows of a table that
each bag of indices looks up, bags given as the rows of a 2-d input or as a 1-d input cut at `offsets`.

Each bag's rows are gathered into a (bags, longest bag, embedding_dim) block, the places past a bag's end (and
padding_idx's) masked out, and reduced along the bag: indexing, where, sum and max, so gradients of every order
(to the table and to per_sample_weights) are theirs."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, eager_only, guard, raw, validate, where

from .arguments import as_array, check_choice, check_count, check_flag, layer_input
from .arguments_factory import factory_dtype
from .embedding import _check
from .embedding_options import LOOKUP_OPTIONS, NORM_TYPE, by_frequency, checked_options, renorm_rows
from .embedding_table import RowTable, table_row
from .gradient_of import with_gradient_of

MODES = ("sum", "mean", "max")


def embedding_bag(
    input: Any,
    weight: Tensor,
    offsets: Any = None,
    max_norm: float | None = None,
    norm_type: float = NORM_TYPE,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Any = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """torch.nn.functional.embedding_bag: for each bag of integer indices, the sum, mean or max (`mode`) of the
    rows of `weight` (num_embeddings, embedding_dim) it looks up, giving (bags, embedding_dim). Bags are the rows
    of a 2-d `input`, or the pieces of a 1-d one starting at `offsets` (offsets[0] = 0; with
    `include_last_offset`, the last offset ends the last bag, as CSR). `per_sample_weights` (input's shape, mode
    "sum" only) weighs each row; indices equal to `padding_idx` are left out (a mean counts the others); an
    empty bag gives zeros. max_norm, norm_type, scale_grad_by_freq and sparse are embedding's."""
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        raise TypeError(
            f"embedding_bag: weight must be a 2-d Tensor (num_embeddings, embedding_dim), got "
            f"{type(weight).__name__} of shape {np.shape(raw(weight))}"
        )
    options = checked_options(
        "embedding_bag", max_norm=max_norm, norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse
    )
    last = check_flag("embedding_bag", "include_last_offset", include_last_offset)
    return bags("embedding_bag", input, weight, offsets, per_sample_weights, mode, last, padding_idx, **options)


def _mode(owner: str, mode: Any, scale_grad_by_freq: bool) -> str:
    mode = check_choice(owner, "mode", mode, MODES)
    if mode == "max" and scale_grad_by_freq:
        raise ValueError(
            f"{owner}: mode 'max' does not scale the gradient by the frequency (as PyTorch's): leave "
            "scale_grad_by_freq=False, or take mode 'sum' or 'mean'"
        )
    return mode


def bags(
    owner: str,
    indices: Any,
    weight: Tensor,
    offsets: Any,
    per_sample_weights: Any,
    mode: str,
    include_last_offset: bool,
    padding_idx: Any,
    max_norm: float | None = None,
    norm_type: float = NORM_TYPE,
    scale_grad_by_freq: bool = False,
) -> Tensor:
    """embedding_bag's and EmbeddingBag's computation, `owner` naming the caller in its errors; the mode checked
    here, against scale_grad_by_freq as set when called (a layer's may be set after its mode)."""
    mode = _mode(owner, mode, scale_grad_by_freq)
    index = as_array(owner, "input", raw(indices))
    validate(lambda index: _check(owner, index, weight.shape[0]), index)
    row = table_row(padding_idx, weight.shape[0], owner)
    places, kept = _places(owner, index, offsets, include_last_offset)
    weights = _sample_weights(owner, per_sample_weights, index, mode)
    if places.size and (offsets is not None or row is not None or weights is not None):
        # the bags' places are read from the numbers of the indices and offsets: a replay would keep them
        eager_only(f"{owner} with offsets, padding_idx or per_sample_weights cuts bags from the indices' numbers")
    if max_norm is not None:
        renorm_rows(owner, weight, index, max_norm, norm_type)
    table = by_frequency(owner, weight, index) if scale_grad_by_freq else weight
    if offsets is None and row is None:  # a 2-d input's rows, every place a bag's: the input itself (replayed)
        rows, summed = (table[index],) * 2
    else:
        flat = index.reshape(-1)
        looked_up = flat[places] if flat.size else np.zeros(places.shape, np.int64)
        if row is not None:
            kept = kept & (looked_up != row)
        rows = table[looked_up]  # (bags, longest, embedding_dim)
        summed = where(kept[..., None], rows, 0.0)
    if mode == "max" and places.shape[1]:
        return where(kept.any(axis=1, keepdims=True), _largest(where(kept[..., None], rows, -math.inf)), 0.0)
    if weights is not None:
        summed = summed * where(kept, weights.reshape(-1)[places], 0.0)[..., None]
    total = summed.sum(axis=1)
    if mode == "mean":
        return total / np.maximum(kept.sum(axis=1, keepdims=True), 1).astype(total.dtype)
    return total


def _largest(rows: Tensor) -> Tensor:
    """Each bag's largest rows (bags, longest, dim) -> (bags, dim), NaN kept, the gradient to the first of tied rows
    as torch's: by comparisons, which a compiled step makes again (max(dim=)'s indices would run it eagerly)."""
    largest = rows.amax(dim=1)
    tied = (rows == largest.unsqueeze(1)) | rows.isnan()  # a NaN is its bag's largest, as max(dim=)'s
    first = tied & (tied.cumsum(axis=1) == 1)
    return with_gradient_of(largest, where(first, rows, 0.0).sum(axis=1))


def _places(owner: str, index: np.ndarray, offsets: Any, include_last_offset: bool) -> tuple[np.ndarray, np.ndarray]:
    """Where each bag's indices are in the flattened input, (bags, longest bag), and which of those places are
    the bag's (the rest pad the shorter bags out), from a 2-d input's rows or a 1-d input's offsets."""
    if index.ndim == 2:
        if offsets is not None:
            raise ValueError(
                f"{owner}: a 2-d input is a batch of bags of one length, one a row, so offsets must be None; for "
                "bags of several lengths give a 1-d input and their offsets"
            )
        places = np.arange(index.size).reshape(index.shape)
        return places, np.ones(index.shape, bool)
    if index.ndim != 1:
        raise ShapeError(
            f"{owner} takes a 2-d input (bags, length) or a 1-d one with offsets, got input of shape {index.shape}"
        )
    starts, ends = _cuts(owner, offsets, index.size, include_last_offset)
    lengths = ends - starts
    span = np.arange(int(lengths.max(initial=0)))
    kept = span < lengths[:, None]
    return np.where(kept, starts[:, None] + span, 0), kept


def _cuts(owner: str, offsets: Any, size: int, include_last_offset: bool) -> tuple[np.ndarray, np.ndarray]:
    """Each bag's start and end in a 1-d input of `size` indices, from `offsets`, checked as PyTorch checks them."""
    if offsets is None:
        raise ValueError(f"{owner}: a 1-d input needs offsets, where each bag starts (1-d, offsets[0] = 0)")
    cuts = as_array(owner, "offsets", raw(offsets))
    if cuts.ndim != 1 or cuts.dtype.kind not in "iu":
        raise (ShapeError if cuts.dtype.kind in "iu" else TypeError)(
            f"{owner}: offsets must be a 1-d array of integers (where each bag starts), got {cuts.dtype} of shape "
            f"{cuts.shape}"
        )
    cuts = cuts.astype(np.int64)
    if cuts.size and cuts[0] != 0:
        raise ValueError(f"{owner}: offsets[0] must be 0 (the first bag starts the input), got {cuts[0]}")
    if np.any(np.diff(cuts) < 0) or (cuts.size and cuts[-1] > size):
        raise ValueError(
            f"{owner}: offsets must not decrease, and not pass the input's length {size}, got {cuts.tolist()}"
        )
    if include_last_offset:
        if cuts.size == 0 or cuts[-1] != size:
            # PyTorch's contract, unchecked there: with a shorter end, its float32 sum dropped the indices past
            # it, its float64 sum added them to the last bag
            raise ValueError(
                f"{owner}: with include_last_offset the last offset ends the last bag, at the input's length "
                f"{size}, got offsets {cuts.tolist()}: append {size}, or cut the input to the last offset"
            )
        return cuts[:-1], cuts[1:]
    return cuts, np.append(cuts[1:], size)


def _sample_weights(owner: str, weights: Any, index: np.ndarray, mode: str) -> Tensor | None:
    """per_sample_weights checked: None, or float weights of the input's shape, for mode "sum" (PyTorch's)."""
    if weights is None:
        return None
    if mode != "sum":
        raise ValueError(
            f"{owner}: per_sample_weights weigh the rows of a sum: give mode='sum' (PyTorch's take only it), "
            f"got mode={mode!r}"
        )
    weights = layer_input(owner, weights)
    if weights.shape != index.shape:
        raise ShapeError(
            f"{owner}: per_sample_weights must be of the input's shape {index.shape}, one per index, got "
            f"{weights.shape}"
        )
    return weights


class EmbeddingBag(RowTable):
    """The sums, means or maxes (`mode`) of bags of an Embedding's rows, as torch.nn.EmbeddingBag: `weight` a
    table of `num_embeddings` rows of `embedding_dim` numbers drawn from N(0, 1) (`seed`, chainrule's, by
    keyword), called as `bag(input, offsets=None, per_sample_weights=None)` (see embedding_bag). The options are
    PyTorch's, in its order, each checked when set: `padding_idx` (that row starts as zeros, and its indices
    are left out of their bags), max_norm, norm_type, scale_grad_by_freq, sparse (refused), include_last_offset,
    `_weight` (the table to start from, a copy), `device` (the CPU) and `dtype` (float32 unless given)."""

    kind = "EmbeddingBag"
    setting_checks = {
        **RowTable.setting_checks,
        "mode": lambda bag, mode: _mode("EmbeddingBag", mode, bag.scale_grad_by_freq),
        "include_last_offset": lambda bag, flag: check_flag("EmbeddingBag", "include_last_offset", flag),
    }

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        max_norm: float | None = None,
        norm_type: float = NORM_TYPE,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        _weight: Any = None,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
        device: Any = None,
        dtype: Any = None,
        *,
        seed: int | None = None,
    ) -> None:
        rows = check_count("EmbeddingBag", "num_embeddings", num_embeddings)
        dim = check_count("EmbeddingBag", "embedding_dim", embedding_dim)
        given, dtype = dtype, factory_dtype("EmbeddingBag", device, dtype)
        options = checked_options(
            "EmbeddingBag", max_norm=max_norm, norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse
        )
        mode = _mode("EmbeddingBag", mode, options["scale_grad_by_freq"])
        include_last_offset = check_flag("EmbeddingBag", "include_last_offset", include_last_offset)
        settings = {**options, "mode": mode, "include_last_offset": include_last_offset}
        self.keep_table((rows, dim), _weight, dtype, given, seed, padding_idx, settings)

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Any,
        freeze: bool = True,
        max_norm: float | None = None,
        norm_type: float = NORM_TYPE,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
    ) -> EmbeddingBag:
        """An EmbeddingBag holding a copy of `embeddings` (rows, embedding_dim), as torch.nn.EmbeddingBag's:
        `freeze` (the default) keeps the table as it is in training (a parameter still, saved and loaded)."""
        table, freeze = cls.pretrained_table(embeddings, freeze)
        options = (max_norm, norm_type, scale_grad_by_freq, mode, sparse, table, include_last_offset, padding_idx)
        bag = cls(*table.shape, *options)
        bag.weight.requires_grad = not freeze
        return bag

    def forward(self, input: Any, offsets: Any = None, per_sample_weights: Any = None) -> Tensor:
        # guard: a compiled step records again if one of them changes
        options = {name: guard(self, name) for name in LOOKUP_OPTIONS}
        mode, last, row = (guard(self, name) for name in ("mode", "include_last_offset", "padding_idx"))
        return bags("EmbeddingBag", input, self.weight, offsets, per_sample_weights, mode, last, row, **options)

    def extra_repr(self) -> str:
        shown = [f"{self.num_embeddings}, {self.embedding_dim}"]
        if self.max_norm is not None:
            shown.append(f"max_norm={self.max_norm}")
        if self.norm_type != NORM_TYPE:
            shown.append(f"norm_type={self.norm_type}")
        if self.scale_grad_by_freq:
            shown.append("scale_grad_by_freq=True")
        shown.append(f"mode={self.mode!r}")
        return ", ".join(shown + [f"padding_idx={self.padding_idx}"] * (self.padding_idx is not None))

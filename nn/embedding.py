"""Embedding and its function embedding: a table of vectors looked up by integer index, as torch.nn.Embedding."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from autograd import Op, Tensor, guard, raw, type_name, validate, where

from .arguments import as_array, check_count, check_flag
from .arguments_factory import factory_dtype
from .embedding_options import LOOKUP_OPTIONS, NORM_TYPE, by_frequency, checked_options, renorm_rows
from .embedding_table import RowTable, table_row


class Embedding(RowTable):
    """`weight` is a table of `num_embeddings` rows of `embedding_dim` numbers, drawn from N(0, 1)
    (PyTorch's default; `seed`, chainrule's, by keyword, makes it repeatable). Called on integer indices
    of any shape (an array, a list, an integer Tensor), it gives their rows, of shape indices.shape +
    (embedding_dim,). The gradient of a row used several times is the sum of its uses'. PyTorch's
    options, in its order: `padding_idx` (negative counts from the end): that row starts as zeros and
    gets no gradient, so training leaves it as it is (a padding token's vector); set later, it is
    checked as the constructor checks it (and kept counted from the start), that row's values staying
    as they are. `max_norm`: each row looked up whose `norm_type`-norm is above it is first scaled in
    place down to it. `scale_grad_by_freq`: each row's gradient divided by how often the batch looks it
    up. `sparse=True` is refused (gradients are dense here). `_weight`: the table to start from (a
    copy), `_freeze`: keep it out of training; see from_pretrained. `device` (the CPU) and `dtype`
    (float32 unless given, or `_weight`'s)."""

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = NORM_TYPE,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Any = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        seed: int | None = None,
    ) -> None:
        num_embeddings = check_count("Embedding", "num_embeddings", num_embeddings)
        embedding_dim = check_count("Embedding", "embedding_dim", embedding_dim)
        given = dtype
        dtype = factory_dtype("Embedding", device, dtype)
        options = checked_options(
            "Embedding", max_norm=max_norm, norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse
        )
        _freeze = check_flag("Embedding", "_freeze", _freeze)
        self.keep_table((num_embeddings, embedding_dim), _weight, dtype, given, seed, padding_idx, options)
        self.weight.requires_grad = not _freeze  # frozen: still a parameter of the model (saved, loaded)

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Any,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = NORM_TYPE,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding holding a copy of `embeddings` (rows, embedding_dim), in their floating dtype,
        as torch.nn.Embedding.from_pretrained: `freeze` (the default) keeps the table as it is in
        training, a frozen parameter (still saved and loaded); the padding row keeps its values; the
        other options are the constructor's."""
        table, freeze = cls.pretrained_table(embeddings, freeze)
        options = (max_norm, norm_type, scale_grad_by_freq, sparse)
        return cls(*table.shape, padding_idx, *options, _weight=table, _freeze=freeze)

    def forward(self, indices: Any) -> Tensor:
        # guard: a compiled step records again if one of them changes
        options = {name: guard(self, name) for name in LOOKUP_OPTIONS}
        return lookup("Embedding", indices, self.weight, guard(self, "padding_idx"), **options)

    def extra_repr(self) -> str:
        shown = [f"{self.weight.shape[0]}, {self.weight.shape[1]}"]
        defaults = {p.name: p.default for p in inspect.signature(lookup).parameters.values()}  # padding_idx's too
        names = ("padding_idx", *LOOKUP_OPTIONS)
        shown += [f"{name}={getattr(self, name)}" for name in names if getattr(self, name) != defaults[name]]
        return ", ".join(shown)


def embedding(
    input: Any,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = NORM_TYPE,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """torch.nn.functional.embedding: the rows of `weight` (num_embeddings, embedding_dim) at the integer
    indices `input` (any shape), of shape input.shape + (embedding_dim,); no gradient flows to row
    `padding_idx` (negative counts from the end). max_norm, norm_type, scale_grad_by_freq and sparse
    are nn.Embedding's (which calls the same look-up): max_norm changes `weight` in place."""
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        raise TypeError(
            f"embedding: weight must be a 2-d Tensor (num_embeddings, embedding_dim), got "
            f"{type_name(weight)} of shape {np.shape(raw(weight))}"
        )
    options = checked_options(
        "embedding", max_norm=max_norm, norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse
    )
    return lookup("embedding", input, weight, padding_idx, **options)


def lookup(
    owner: str,
    indices: Any,
    weight: Tensor,
    padding_idx: Any = None,
    max_norm: float | None = None,
    norm_type: float = NORM_TYPE,
    scale_grad_by_freq: bool = False,
) -> Tensor:
    """embedding's and Embedding's look-up, `owner` naming the caller in its errors; the options checked."""
    index = as_array(owner, "the index", raw(indices))
    validate(lambda index: _check(owner, index, weight.shape[0]), index)  # a compiled step's replays check it too
    # a row still (the table may have been replaced by a smaller one)
    row = table_row(padding_idx, weight.shape[0], owner)
    if max_norm is not None:
        renorm_rows(owner, weight, index, max_norm, norm_type)
    table = by_frequency(owner, weight, index) if scale_grad_by_freq else weight
    if row is None:
        return table[index]
    # its gradient zeroed in the graph, not by a mask of the indices made with numpy, which a compiled step
    # could not make again
    return _no_gradient_to_row(table, row=row)[index]


def _check(owner: str, index: np.ndarray, rows: int) -> None:
    """TypeError if `index` holds no integers, IndexError if one is out of range."""
    if index.dtype.kind not in "iu":
        raise TypeError(f"{owner} takes integer indices, got dtype {index.dtype}; cast them (indices.astype(np.int64))")
    outside = index[(index < 0) | (index >= rows)]
    if outside.size:
        raise IndexError(f"{owner} index {outside[0]} is out of range: this table has rows 0 to {rows - 1}")


def _table_view(table: np.ndarray, row: int) -> np.ndarray:
    return table.view()


def _rule_without_row(g: Any, out: Any, table: Any, row: int) -> tuple[Any]:
    """g with row `row` 0 (0 even where g is inf or NaN there), on arrays and, for second derivatives, Tensors."""
    keep = (np.arange(g.shape[0]) != row)[:, None]
    return ((where if isinstance(g, Tensor) else np.where)(keep, g, 0),)


# the table as it is, but no gradient flows to row `row` (PyTorch's padding_idx): the lookup's gradient of the
# padding row, the sum of its uses', is dropped
_no_gradient_to_row = Op("no_gradient_to_row", _table_view, _rule_without_row)

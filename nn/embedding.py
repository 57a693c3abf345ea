"""Embedding and its function embedding: a table of vectors looked up by integer index, as torch.nn.Embedding."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Op, ShapeError, Tensor, guard, raw, validate, where

from .arguments import as_array, check_count, check_flag, is_int, parameter_dtype
from .module import Module
from .rng import generator


class Embedding(Module):
    """`weight` is a table of `num_embeddings` rows of `embedding_dim` numbers, drawn from N(0, 1)
    (PyTorch's default; `seed` makes it repeatable). Called on integer indices of any shape (an
    array, a list, an integer Tensor), it gives their rows, of shape indices.shape + (embedding_dim,).
    The gradient of a row used several times is the sum of its uses'. `padding_idx` (negative counts
    from the end), as PyTorch's: that row starts as zeros and gets no gradient, so training leaves it
    as it is (a padding token's vector). Set later, padding_idx is checked as the constructor checks it
    (and kept counted from the start); that row's values stay as they are, as in PyTorch."""

    setting_checks = {"padding_idx": lambda emb, padding_idx: _row(padding_idx, emb.weight.shape[0])}

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        *,  # PyTorch's next are max_norm, norm_type...: given by position, they would be read as these
        dtype: Any = np.float32,
        seed: int | None = None,
    ) -> None:
        dtype = parameter_dtype("Embedding", dtype)
        num_embeddings = check_count("Embedding", "num_embeddings", num_embeddings)
        embedding_dim = check_count("Embedding", "embedding_dim", embedding_dim)
        table = generator(seed, "Embedding").standard_normal((num_embeddings, embedding_dim)).astype(dtype)
        self.weight = Tensor(table, requires_grad=True, dtype=dtype)
        self.padding_idx = padding_idx  # checked against the table (setting_checks)
        if self.padding_idx is not None:
            table[self.padding_idx] = 0.0

    @classmethod
    def from_pretrained(cls, embeddings: Any, freeze: bool = True, padding_idx: int | None = None) -> Embedding:
        """An Embedding holding a copy of `embeddings` (rows, embedding_dim), in their floating dtype,
        as torch.nn.Embedding.from_pretrained: `freeze` (the default) keeps the table as it is in
        training, a frozen parameter (still saved and loaded); the padding row keeps its values."""
        table = np.asarray(raw(embeddings))
        if table.dtype.kind != "f" or table.ndim != 2 or 0 in table.shape:
            raise ShapeError(
                f"Embedding.from_pretrained takes a 2-d table of floats (rows, embedding_dim), got "
                f"{table.dtype} of shape {table.shape}"
            )
        freeze = check_flag("Embedding.from_pretrained", "freeze", freeze)
        made = cls(*table.shape, padding_idx, dtype=table.dtype)
        made.weight.data[...] = table
        made.weight.requires_grad = not freeze
        return made

    def forward(self, indices: Any) -> Tensor:
        return lookup("Embedding", indices, self.weight, guard(self, "padding_idx"))  # guard: a compiled step
        # records again if padding_idx changes

    def extra_repr(self) -> str:
        padding = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.weight.shape[0]}, {self.weight.shape[1]}{padding}"


def embedding(input: Any, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """torch.nn.functional.embedding: the rows of `weight` (num_embeddings, embedding_dim) at the integer
    indices `input` (any shape), of shape input.shape + (embedding_dim,); no gradient flows to row
    `padding_idx` (negative counts from the end). nn.Embedding calls it."""
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        raise TypeError(
            f"embedding: weight must be a 2-d Tensor (num_embeddings, embedding_dim), got "
            f"{type(weight).__name__} of shape {np.shape(raw(weight))}"
        )
    return lookup("embedding", input, weight, padding_idx)


def lookup(owner: str, indices: Any, weight: Tensor, padding_idx: Any) -> Tensor:
    """embedding's and Embedding's look-up, `owner` naming the caller in its errors."""
    index = as_array(owner, "the index", raw(indices))
    validate(lambda index: _check(owner, index, weight.shape[0]), index)  # a compiled step's replays check it too
    if padding_idx is None:
        return weight[index]
    # a row still (the table may have been replaced by a smaller one); its gradient zeroed in the graph,
    # not by a mask of the indices made with numpy, which a compiled step could not make again
    return _no_gradient_to_row(weight, row=_row(padding_idx, weight.shape[0], owner))[index]


def _check(owner: str, index: np.ndarray, rows: int) -> None:
    """TypeError if `index` holds no integers, IndexError if one is out of range."""
    if index.dtype.kind not in "iu":
        raise TypeError(f"{owner} takes integer indices, got dtype {index.dtype}; cast them (indices.astype(np.int64))")
    outside = index[(index < 0) | (index >= rows)]
    if outside.size:
        raise IndexError(f"{owner} index {outside[0]} is out of range: this table has rows 0 to {rows - 1}")


def _row(padding_idx: Any, rows: int, owner: str = "Embedding") -> int | None:
    """padding_idx as a row of the table (a negative one counted from the end), or None."""
    if padding_idx is None:
        return None
    if not is_int(padding_idx):
        raise TypeError(
            f"{owner}: padding_idx must be an integer or None, got {padding_idx!r}"
            + ("; the third argument is padding_idx, as PyTorch's: give dtype by keyword (dtype=np.float64)")
            * (owner == "Embedding")
        )
    if not -rows <= padding_idx < rows:
        raise IndexError(
            f"{owner}: padding_idx {padding_idx} is not a row of a table of {rows} (-{rows} to {rows - 1})"
        )
    return int(padding_idx) % rows


def _table_view(table: np.ndarray, row: int) -> np.ndarray:
    return table.view()


def _rule_without_row(g: Any, out: Any, table: Any, row: int) -> tuple[Any]:
    """g with row `row` 0 (0 even where g is inf or NaN there), on arrays and, for second derivatives, Tensors."""
    keep = (np.arange(g.shape[0]) != row)[:, None]
    return ((where if isinstance(g, Tensor) else np.where)(keep, g, 0),)


# the table as it is, but no gradient flows to row `row` (PyTorch's padding_idx): the lookup's gradient of the
# padding row, the sum of its uses', is dropped
_no_gradient_to_row = Op("no_gradient_to_row", _table_view, _rule_without_row)

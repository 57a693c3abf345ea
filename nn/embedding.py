"""Embedding and its function embedding: a table of vectors looked up by integer index, as torch.nn.Embedding."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from autograd import Op, ShapeError, Tensor, guard, raw, repr_of, type_name, validate, where

from .arguments import as_array, check_count, check_flag, is_int
from .arguments_factory import factory_dtype, parameter_dtype
from .embedding_options import LOOKUP_OPTIONS, NORM_TYPE, OPTION_CHECKS, by_frequency, checked_options, renorm_rows
from .module import Module
from .parameter import check_parameters
from .rng import generator


class Embedding(Module):
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

    setting_checks = {
        "padding_idx": lambda emb, padding_idx: _row(padding_idx, emb.weight.shape[0]),
        **{name: lambda emb, value, check=check: check("Embedding", value) for name, check in OPTION_CHECKS.items()},
    }

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
        if _weight is None:
            sizes = {"num_embeddings": num_embeddings, "embedding_dim": embedding_dim}
            check_parameters("Embedding", sizes, [(num_embeddings, embedding_dim)], dtype)
            table = generator(seed, "Embedding").standard_normal((num_embeddings, embedding_dim)).astype(dtype)
        else:
            table = _given_table(_weight, (num_embeddings, embedding_dim), given)
        _row(padding_idx, num_embeddings)  # checked before anything is kept
        self.weight = Tensor(table, requires_grad=True, dtype=table.dtype)
        self.weight.requires_grad = not _freeze  # frozen: still a parameter of the model (saved, loaded)
        self.padding_idx = padding_idx  # kept as setting_checks makes it
        if self.padding_idx is not None and _weight is None:  # a table given keeps its padding row, as PyTorch's
            table[self.padding_idx] = 0.0
        for name, value in options.items():
            setattr(self, name, value)

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
        table = np.asarray(raw(embeddings))
        if table.dtype.kind != "f" or table.ndim != 2 or 0 in table.shape:
            raise ShapeError(
                f"Embedding.from_pretrained takes a 2-d table of floats (rows, embedding_dim), got "
                f"{table.dtype} of shape {table.shape}"
            )
        freeze = check_flag("Embedding.from_pretrained", "freeze", freeze)
        options = (max_norm, norm_type, scale_grad_by_freq, sparse)
        return cls(*table.shape, padding_idx, *options, _weight=table, _freeze=freeze)

    @property
    def num_embeddings(self) -> int:
        """PyTorch's name of the table's number of rows."""
        return self.weight.shape[0]

    @property
    def embedding_dim(self) -> int:
        """PyTorch's name of the length of each row."""
        return self.weight.shape[1]

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


def _given_table(weight: Any, shape: tuple[int, int], dtype: Any, owner: str = "Embedding") -> np.ndarray:
    """A copy of `_weight` (a Tensor, an array), which must be a table of floats of `shape`, in `dtype`
    if given, else in its own (`owner`: Embedding or EmbeddingBag, for the messages)."""
    table = np.asarray(raw(weight))
    if table.dtype.kind != "f" or table.shape != shape:
        raise ShapeError(
            f"{owner}: _weight must be a 2-d table of floats of shape {shape} (num_embeddings, embedding_dim), "
            f"got {table.dtype} of shape {table.shape}"
        )
    return table.astype(table.dtype if dtype is None else parameter_dtype(owner, dtype))  # a copy


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
    row = _row(padding_idx, weight.shape[0], owner)  # a row still (the table may have been replaced by a smaller one)
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


def _row(padding_idx: Any, rows: int, owner: str = "Embedding") -> int | None:
    """padding_idx as a row of the table (a negative one counted from the end), or None."""
    if padding_idx is None:
        return None
    if not is_int(padding_idx):
        raise TypeError(
            f"{owner}: padding_idx must be an integer or None, got {repr_of(padding_idx)}"
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

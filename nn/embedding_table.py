"""What nn.Embedding and nn.EmbeddingBag share: the table (rows drawn from N(0, 1), the padding row zeros, or a copy
of a table given), padding_idx and PyTorch's look-up options kept as settings checked when set, from_pretrained's
table, and the table's sizes by PyTorch's names."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, raw, repr_of

from .arguments import check_flag, is_int
from .arguments_factory import parameter_dtype
from .embedding_options import OPTION_CHECKS
from .module import Module
from .parameter import check_parameters
from .rng import generator


class RowTable(Module):
    """A layer holding `weight`, a table of num_embeddings rows of embedding_dim numbers."""

    kind = "Embedding"  # the layer's name in messages

    setting_checks = {
        "padding_idx": lambda layer, row: table_row(row, layer.weight.shape[0], layer.kind),
        **{name: lambda layer, value, check=check: check(layer.kind, value) for name, check in OPTION_CHECKS.items()},
    }

    def keep_table(
        self,
        shape: tuple[int, int],
        weight: Any,
        dtype: np.dtype,
        given: Any,
        seed: Any,
        padding_idx: Any,
        settings: dict[str, Any],
    ) -> None:
        """`weight` made and kept with padding_idx and the layer's other `settings` (each checked already): a copy
        of the table `weight` given (in dtype `given` if given, else its own; its padding row as given, as
        PyTorch's), or rows drawn from N(0, 1) in `dtype` by `seed`, the padding row zeros. Everything is checked
        before anything is kept."""
        row = table_row(padding_idx, shape[0], self.kind)
        if weight is None:
            check_parameters(self.kind, {"num_embeddings": shape[0], "embedding_dim": shape[1]}, [shape], dtype)
            table = generator(seed, self.kind).standard_normal(shape).astype(dtype)
            if row is not None:
                table[row] = 0.0
        else:
            table = given_table(weight, shape, given, self.kind)
        self.weight = Tensor(table, requires_grad=True, dtype=table.dtype)
        self.padding_idx = padding_idx  # kept as setting_checks makes it
        for name, value in settings.items():
            setattr(self, name, value)

    @classmethod
    def pretrained_table(cls, embeddings: Any, freeze: Any) -> tuple[np.ndarray, bool]:
        """from_pretrained's `embeddings` as an array, which must be a 2-d table of floats, and `freeze` checked."""
        owner = f"{cls.kind}.from_pretrained"
        table = np.asarray(raw(embeddings))
        if table.dtype.kind != "f" or table.ndim != 2 or 0 in table.shape:
            raise ShapeError(
                f"{owner} takes a 2-d table of floats (rows, embedding_dim), got {table.dtype} of shape {table.shape}"
            )
        return table, check_flag(owner, "freeze", freeze)

    @property
    def num_embeddings(self) -> int:
        """PyTorch's name of the table's number of rows."""
        return self.weight.shape[0]

    @property
    def embedding_dim(self) -> int:
        """PyTorch's name of the length of each row."""
        return self.weight.shape[1]


def given_table(weight: Any, shape: tuple[int, int], dtype: Any, owner: str) -> np.ndarray:
    """A copy of `_weight` (a Tensor, an array), which must be a table of floats of `shape`, in `dtype`
    if given, else in its own (`owner`: Embedding or EmbeddingBag, for the messages)."""
    table = np.asarray(raw(weight))
    if table.dtype.kind != "f" or table.shape != shape:
        raise ShapeError(
            f"{owner}: _weight must be a 2-d table of floats of shape {shape} (num_embeddings, embedding_dim), "
            f"got {table.dtype} of shape {table.shape}"
        )
    return table.astype(table.dtype if dtype is None else parameter_dtype(owner, dtype))  # a copy


def table_row(padding_idx: Any, rows: int, owner: str = "Embedding") -> int | None:
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

"""Embedding: a table of vectors looked up by integer index, as torch.nn.Embedding."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, raw

from .arguments import check_count
from .module import Module
from .rng import generator


class Embedding(Module):
    """`weight` is a table of `num_embeddings` rows of `embedding_dim` numbers, drawn from N(0, 1)
    (PyTorch's default; `seed` makes it repeatable). Called on integer indices of any shape (an
    array, a list, an integer Tensor), it gives their rows, of shape indices.shape + (embedding_dim,).
    The gradient of a row used several times is the sum of its uses'."""

    def __init__(
        self, num_embeddings: int, embedding_dim: int, dtype: Any = np.float32, seed: int | None = None
    ) -> None:
        check_count("Embedding", "num_embeddings", num_embeddings)
        check_count("Embedding", "embedding_dim", embedding_dim)
        table = generator(seed).standard_normal((num_embeddings, embedding_dim))
        self.weight = Tensor(table.astype(dtype), requires_grad=True)

    def forward(self, indices: Any) -> Tensor:
        return self.weight[self._checked(indices)]

    def _checked(self, indices: Any) -> np.ndarray:
        """`indices` as an integer array, or TypeError (not integers) or IndexError (out of range)."""
        index = np.asarray(raw(indices))
        if index.dtype.kind not in "iu":
            raise TypeError(
                f"Embedding takes integer indices, got dtype {index.dtype}; cast them (indices.astype(np.int64))"
            )
        n = self.weight.shape[0]
        outside = index[(index < 0) | (index >= n)]
        if outside.size:
            raise IndexError(f"Embedding index {outside[0]} is out of range: this table has rows 0 to {n - 1}")
        return index

    def extra_repr(self) -> str:
        return f"{self.weight.shape[0]}, {self.weight.shape[1]}"

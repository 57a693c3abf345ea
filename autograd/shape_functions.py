"""Tensor functions for shapes, indexing and linear algebra that are not methods."""

from __future__ import annotations

__all__: list[str] = []

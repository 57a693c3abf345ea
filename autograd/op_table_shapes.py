"""The op table's shape, indexing and linear-algebra entries beyond reshape, transpose and
indexing (tensor-only entries)."""

from __future__ import annotations

from .op_def import OpDef

SHAPES: tuple[OpDef, ...] = ()

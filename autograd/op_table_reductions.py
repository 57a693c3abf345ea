"""The op table's reductions beyond sum, mean, max, min and logsumexp (tensor-only entries)."""

from __future__ import annotations

from .op_def import OpDef

REDUCTIONS: tuple[OpDef, ...] = ()

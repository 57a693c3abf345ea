"""This thread's modes applied to a Value just made: detect_anomaly checks its forward, and under no_grad
it records no graph (a leaf marked NO_GRAPH, so that a backward from it says why it reaches nothing)."""

from __future__ import annotations

from typing import Any

from . import modes
from .graph_order import NO_GRAPH
from .modes import check_forward


def in_mode(v: Any) -> None:
    """Apply this thread's anomaly check and no_grad to the Value `v` just made (called when modes.entered)."""
    if modes.current.anomaly:
        check_forward(v._made_by, v.data, [p.data for p in v.parents])
    if not modes.current.grad_enabled:
        v._made_by = v._a = None
        v._b = NO_GRAPH

"""torch.clamp's Tensor bounds (`x.clamp(min=lo, max=hi)`, an entry each, broadcast): made of comparisons and
`where`, so that values and gradients are PyTorch 2.13's, and a compiled step makes the masks again on each replay."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .graph import Node
from .parameter_checks import require_meaningful
from .tensor_functions import where


def clamped(x: Any, lo: Any, hi: Any) -> Any:
    """min(max(x, lo), hi) as torch's clamp with tensors: x where lo <= x <= hi (its gradient at ties too), lo where
    x < lo, hi where x > hi or lo > hi (crossed bounds give max's), and a NaN bound's NaN. lo or hi may be None; one
    of them a number or an array is checked as clip's bounds are."""
    require_meaningful("clip", {k: b for k, b in (("lo", lo), ("hi", hi)) if not isinstance(b, Node)}, ("lo", "hi"))
    out = x
    if hi is not None:
        out = where(x > hi, hi, out)
    if lo is not None:
        out = where(x < lo, lo, out)
    if lo is not None and hi is not None:
        out = where(hi < lo, hi, out)
    for bound in (lo, hi):  # a NaN entry: NaN out, no gradient to any operand there, as torch's
        if isinstance(bound, Node) and np.dtype(bound.dtype).kind == "f":
            out = where(bound != bound, math.nan, out)
    return out

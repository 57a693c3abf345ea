"""binary_cross_entropy_with_logits's term, pos_weight t softplus(-x) + (1 - t) softplus(x), for logits x and
targets t in [0, 1], with each softplus weighed by its target share through an op of its own: a share of 0
leaves its term out, 0 even where the softplus is infinite (an infinite logit), as the limit of the loss is."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Op


def logit_term(x: Any, t: Any, pos_weight: Any) -> Any:
    """pos_weight t softplus(-x) + (1 - t) softplus(x): PyTorch's (1 - t) x - (1 + (pos_weight - 1) t)
    logsigmoid(x) rearranged so that a hard label's loss is one softplus, computed whole, and so is its
    gradient, σ(x) for t = 0 and -pos_weight σ(-x) for t = 1. PyTorch's form cancels far out: its
    (1 - t) - σ(-x) made the gradient of a negative at x = -20 0 in float32 (it is 2e-9), and
    x - logsigmoid(x) made its loss 0. The shares t and 1 - t are taken by ops of the softplus and t
    (`_share`, `_rest`), so that an array t is only ever an operand of the graph's ops (`1 - t` would be
    numpy on it, data a compiled step cannot replay), and so that a share of 0 gives 0, not 0 · inf: at
    an infinite logit the loss is inf where the logit is wrong (PyTorch's too; t softplus(x) subtracted
    from softplus(x) made it inf - inf, NaN, at x = inf for t < 1) and 0 where it is right (PyTorch's NaN)."""
    positive = _share(autograd.softplus(-x), t)
    negative = _rest(autograd.softplus(x), t)
    return (positive if pos_weight is None else pos_weight * positive) + negative


def _share_forward(s: Any, t: Any) -> Any:
    """t s, 0 where t is 0 (s may be inf there), of arrays or floats."""
    if isinstance(t, np.ndarray | np.generic) or isinstance(s, np.ndarray | np.generic):
        with np.errstate(invalid="ignore"):  # inf · 0, replaced by 0
            return np.where(t == 0, 0, s * t)
    return 0.0 if t == 0 else s * t


def _rest_forward(s: Any, t: Any) -> Any:
    """(1 - t) s, 0 where t is 1 (s may be inf there), of arrays or floats."""
    if isinstance(t, np.ndarray | np.generic) or isinstance(s, np.ndarray | np.generic):
        with np.errstate(invalid="ignore"):  # inf · 0, replaced by 0
            return np.where(t == 1, 0, s * (1 - t))  # in the forward, t is this call's data: numpy on it is replayed
    return 0.0 if t == 1 else s * (1 - t)


def _share_rule(g: Any, out: Any, s: Any, t: Any, needs: tuple[bool, ...]) -> tuple[Any, Any]:
    return (g * t if needs[0] else None, g * s if needs[1] else None)


def _rest_rule(g: Any, out: Any, s: Any, t: Any, needs: tuple[bool, ...]) -> tuple[Any, Any]:
    return (g - g * t if needs[0] else None, -g * s if needs[1] else None)  # g (1 - t), written as ops on t


_share = Op("target_share", _share_forward, _share_rule, takes_needs=True)
_rest = Op("target_rest", _rest_forward, _rest_rule, takes_needs=True)

"""binary_cross_entropy_with_logits's term, pos_weight t softplus(-x) + (1 - t) softplus(x), for logits x and
targets t in [0, 1], as one op of x, t and pos_weight with its own rule: a target share of 0 leaves its softplus
out, 0 even where the softplus is infinite (an infinite logit), as the limit of the loss is; and the slope in t,
pos_weight softplus(-x) - softplus(x), is formed so that it does not cancel (it is -x for pos_weight 1)."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Op, Tensor, raw

from .losses_shares import rest, share


def logit_term(x: Any, t: Any, pos_weight: Any) -> Any:
    """pos_weight t softplus(-x) + (1 - t) softplus(x): PyTorch's (1 - t) x - (1 + (pos_weight - 1) t)
    logsigmoid(x) rearranged so that a hard label's loss is one softplus, computed whole, and so is its
    gradient, σ(x) for t = 0 and -pos_weight σ(-x) for t = 1. PyTorch's form cancels far out: its
    (1 - t) - σ(-x) made the gradient of a negative at x = -20 0 in float32 (it is 2e-9), and
    x - logsigmoid(x) made its loss 0. One op of x and t (and the constant pos_weight, 1 when None), so that
    an array t is only ever an operand of the graph's op (`1 - t` would be numpy on it, data a compiled step
    cannot replay), and so that a share of 0 gives 0, not 0 · inf: at an infinite logit the loss is inf where
    the logit is wrong (PyTorch's too; t softplus(x) subtracted from softplus(x) made it inf - inf, NaN, at
    x = inf for t < 1) and 0 where it is right (PyTorch's NaN). Without pos_weight, an op of x and t alone:
    a 1.0 operand would be a constant made anew on each call, which kept a compiled step that also reads a
    constant weight Tensor's numbers from replaying."""
    return _unweighted_term(x, t) if pos_weight is None else _logit_term(x, t, pos_weight)


def _term_forward(x: Any, t: Any, w: Any) -> Any:
    return w * share(autograd.softplus(-x), t) + rest(autograd.softplus(x), t)


def _term_rule(g: Any, out: Any, x: Any, t: Any, w: Any, needs: tuple[bool, ...]) -> tuple[Any, Any, None]:
    # d/dx: (1 - t) σ(x) - w t σ(-x), each share whole (g (1 - t) written as ops on t, as the forward's shares)
    dx = (g - g * t) * autograd.sigmoid(x) - g * w * t * autograd.sigmoid(-x) if needs[0] else None
    return dx, g * _target_slope(x, w) if needs[1] else None, None


def _target_slope(x: Any, w: Any) -> Any:
    """w softplus(-x) - softplus(x), the term's slope in t, without its cancellation: as written it was 0 for
    |x| below 1e-16 (ln 2 - ln 2; PyTorch's -x), off by 1e-8 relative at x = 1e-8. softplus(-x) is
    softplus(x) - x, so it is (w - 1) softplus(-x) - x for x >= 0 and (w - 1) softplus(x) - w x for x < 0: each
    softplus there is at most ln 2, so nothing infinite is formed (for finite w), the two parts have one sign
    except near the slope's own 0, and for w = 1 it is -x exactly. Each piece is smooth, and the two are one
    function, so the second derivative is right at x = 0 too. Each piece is formed on x where it is taken
    (0 elsewhere): the other's would be inf - inf at an infinite x."""
    if isinstance(x, Tensor | np.ndarray):
        below = raw(x) < 0
        pick = autograd.where if isinstance(x, Tensor) else np.where
        return pick(below, _slope_below(pick(below, x, 0.0), w), _slope_above(pick(below, 0.0, x), w))
    return _slope_below(x, w) if raw(x) < 0 else _slope_above(x, w)


def _slope_above(x: Any, w: Any) -> Any:
    return (w - 1) * autograd.softplus(-x) - x


def _slope_below(x: Any, w: Any) -> Any:
    return (w - 1) * autograd.softplus(x) - w * x


def _unweighted_forward(x: Any, t: Any) -> Any:
    return _term_forward(x, t, 1.0)


def _unweighted_rule(g: Any, out: Any, x: Any, t: Any, needs: tuple[bool, ...]) -> tuple[Any, Any]:
    return _term_rule(g, out, x, t, 1.0, (*needs, False))[:2]


_logit_term = Op("logit_term", _term_forward, _term_rule, takes_needs=True, broadcasts=True)
_unweighted_term = Op("logit_term", _unweighted_forward, _unweighted_rule, takes_needs=True, broadcasts=True)

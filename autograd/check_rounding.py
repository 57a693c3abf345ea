"""How far rounding may move the numbers gradcheck compares: the float dtype f's output rounds in, and
how far the rounding inside f moves its output, which the output's own size need not show
(cross_entropy at logits [30, 0, 0] is 1.9e-13, but computed as 30 + log(1 + 2e-30) - 30 it moves
by whole steps of 3.6e-15)."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .graph import Node, raw
from .graph_functions import gradients
from .graph_order import topological_order

# Ops whose result is their inputs' exact result rounded once (the error of a product is a fraction of
# the product, however large its factors): the rounding of each other op is judged at the size of its
# inputs too (a sum, a logsumexp, a matmul cancel, and lose what their inputs' size rounds away)
_ROUNDED_ONCE = frozenset({"*", "/", "neg"})


class Precision(NamedTuple):
    """`dtype`: the float dtype f's output rounds in (float64 for a Value or a number); `inside`: how far
    the rounding of every number f computes may move its output (weighed as gradcheck weighs it)."""

    dtype: np.dtype
    inside: float


def precision(out: Any, seed: Any) -> Precision:
    """The precision of f's output `out`; `seed`: the weights of its entries (1 for one entry).

    `inside` is a first-order bound: the sum over the nodes of f's graph of each entry's rounding (its
    dtype's eps times its size; for ops that may cancel, the size of their inputs too) times how much
    the output moves with it (its gradient, from one more backward pass). A leaf counts too: x + eps
    rounds at x's size. Constants are exact. inf where a moved entry is not finite: no telling."""
    dtype = np.asarray(raw(out)).dtype
    dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
    if not isinstance(out, Node) or out.is_constant:
        return Precision(dtype, 0.0)
    nodes = [n for n in topological_order(out) if not n.is_constant]
    moves = gradients(out, nodes, seed)
    inside = 0.0
    with np.errstate(all="ignore"):
        for node, move in zip(nodes, moves):
            data = np.asarray(raw(node.data))
            if data.dtype.kind != "f":
                continue
            size = np.max(np.abs(data), initial=0.0)
            if node.op is not None and node.op.name not in _ROUNDED_ONCE:
                size = max([size, *(np.max(np.abs(raw(p.data)), initial=0.0) for p in node.parents)])
            weight = float(np.sum(np.abs(raw(move))))
            if weight:
                inside += float(np.finfo(data.dtype).eps) * float(size) * weight
    return Precision(dtype, inside if np.isfinite(inside) else np.inf)

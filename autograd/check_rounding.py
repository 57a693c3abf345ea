"""How far rounding may move the numbers gradcheck compares: the float dtype f's output rounds in, and
how far the rounding inside f moves its output, which the output's own size need not show
(cross_entropy at logits [30, 0, 0] is 1.9e-13, but computed as 30 + log(1 + 2e-30) - 30 it moves
by whole steps of 3.6e-15)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from .graph import Node, raw
from .graph_functions import gradients
from .graph_order import topological_order
from .op_table import TABLE
from .value import Value

_DEFINED = {d.symbol or d.name: d for d in TABLE}  # an op as a node names it ("+", "exp")


class Precision(NamedTuple):
    """`dtype`: the float dtype f's output rounds in (float64 for a Value or a number); `inside`: how far
    the rounding of every number f computes may move its output (weighed as gradcheck weighs it)."""

    dtype: np.dtype
    inside: float


def rounded_nodes(out: Any) -> list[Node]:
    """The nodes of f's graph whose rounding may move `out`: all but its constants, which are exact."""
    if not isinstance(out, Node) or out.is_constant:
        return []
    return [n for n in topological_order(out) if not n.is_constant]


def output_dtype(out: Any) -> np.dtype:
    """The float dtype f's output `out` rounds in: its own, float64 for a Value, a number or integers."""
    dtype = np.asarray(raw(out)).dtype
    return dtype if dtype.kind == "f" else np.dtype(np.float64)


def precision(out: Any, nodes: Sequence[Node], moves: Sequence[Any]) -> Precision:
    """The precision of f's output `out`, given how much it moves with each of `nodes` (`rounded_nodes`):
    their gradients, from the backward pass of the check.

    `inside` is a first-order bound: the sum over the nodes and their entries of each entry's rounding
    (its dtype's eps times its size, at least the least subnormal) times how much the output moves with
    it; an op that adds up its inputs' numbers (the op table's `adds_up`; a user's op that reduces) is
    charged at the size of its inputs too. A leaf does not count: it is what f is given, and x + eps as it
    rounds is what the difference divides by (check_numeric's steps); charged at x's size, it judged nothing
    of sin at 3e7 (up to 5% of its slope) where the difference is good to 1e-9. An entry the output
    does not move with counts for nothing, whatever it holds (-inf or -1e9 where a mask filled it)."""
    dtype = output_dtype(out)
    weights = {id(n): np.abs(np.asarray(raw(m), dtype=np.float64)) for n, m in zip(nodes, moves)}
    inside = 0.0
    with np.errstate(all="ignore"):
        for node in nodes:
            data, weight = np.asarray(raw(node.data)), weights[id(node)]
            if node.op is None or data.dtype.kind != "f" or not weight.any():
                continue
            finfo = np.finfo(data.dtype)
            moved = weight > 0  # its entries alone: a block's seed (check_outputs) moves few of a large output's
            sizes = np.abs(np.broadcast_to(data, weight.shape)[moved])
            inside += float(np.sum(weight[moved] * (finfo.eps * sizes + finfo.smallest_subnormal)))
            if _adds_up(node):
                inside += float(finfo.eps) * _input_size(node, weights) * float(np.sum(weight))
    return Precision(dtype, inside if np.isfinite(inside) else np.inf)


def _adds_up(node: Node) -> bool:
    """Whether node's op may cancel (see `precision`): the op table says; a user's op may where it reduces."""
    if node.op is None:
        return False
    defined = _DEFINED.get(node.op.name)
    if defined is not None:
        return defined.adds_up
    return any(np.size(raw(p.data)) > np.size(raw(node.data)) for p in node.parents)


def _input_size(node: Node, weights: dict[int, np.ndarray]) -> float:
    """The largest size among the entries of node's inputs that the output moves with (`weights`; every
    finite entry of a constant, which has none)."""
    largest = 0.0
    for p in node.parents:
        size = np.abs(np.asarray(raw(p.data), dtype=np.float64))
        counted = weights[id(p)] > 0 if id(p) in weights else np.isfinite(size)
        largest = max(largest, float(np.max(size, where=counted, initial=0.0)))
    return largest


def gradient_seed(out: Any, weights: Any) -> Any:
    """The gradient from above of the number gradcheck checks, <weights, out>: a float for a Value."""
    ones = np.ones(np.shape(raw(out))) if weights is None else weights
    return float(ones) if isinstance(out, Value) else ones


def rounding_inside(out: Any, weights: Any) -> float:
    """`precision(...).inside` of an output f just computed (a graph of its own), from a backward pass
    seeded as gradcheck seeds it (`weights`): 0 for an output without a graph."""
    nodes = rounded_nodes(out)
    if not nodes:
        return 0.0
    return precision(out, nodes, gradients(out, nodes, gradient_seed(out, weights))).inside

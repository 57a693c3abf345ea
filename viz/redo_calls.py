"""The call that redoes a node's op, for widened.py to work out in long doubles what a float lost to its range: the
op table's function that makes this very op (a user's op named as one of autograd's is not it), else an op of the
user's own, run again as it is (own_ops), whose redone values are told only where it `repeats`: never a guess."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

import autograd
from autograd import FUNCTIONS, OPERATORS, Node, Tensor, enable_grad

from .node_cache import NodeCache, digest
from .own_ops import as_call, recorded_inputs, repeats


def _function(node: Node) -> Callable[..., Any] | None:
    """The call of autograd that made `node` (its parameters bound); None where no public
    function, Tensor method or operator makes this very op (one of the user's own, named as one of autograd's, is
    not redone as autograd's)."""
    if node.op is None or not all(np.asarray(p.data).dtype.kind in "fiub" for p in node.parents):
        return None
    name, params = node.op.name, dict(node.op_params)
    exponent = params.pop("c", None) if name == "**" else None  # a tensor's x ** 3 keeps its 3 as a parameter
    if name in OPERATORS:  # the ops the engines name by their operator ("+", "@"), as autograd's table spells them
        candidates = [OPERATORS[name] if exponent is None else (lambda x: x**exponent)]
    else:
        named = [FUNCTIONS.get(name), getattr(Tensor, name, None) if isinstance(node, Tensor) else None]
        candidates = [*named, getattr(autograd, name, None)]
    calls = [partial(c, **params) for c in candidates if callable(c)]
    key = (id(node.op), isinstance(node, Tensor), exponent is not None)
    if key not in _MADE_BY:  # which candidate makes this op, once found (the op is kept: its id stays its own)
        found = next((k for k, call in enumerate(calls) if _makes(call, node)), None)
        if found is None:
            return None
        _MADE_BY[key] = (node.op, found)
    return calls[_MADE_BY[key][1]]


_MADE_BY: dict[tuple[int, bool, bool], tuple[Any, int]] = {}  # by op id: the op, and its candidate's place


def _makes(call: Callable[..., Any], node: Node) -> bool:
    """Whether `call` on `node`'s own inputs (a constant of a Value's as a number, as it was given) makes `node`'s
    op: the op table's, not another of the same name."""
    try:
        with np.errstate(all="ignore"), enable_grad():
            return getattr(call(*recorded_inputs(node)), "op", None) is node.op
    except Exception:  # noqa: BLE001 (another function of that name, reading its arguments otherwise)
        return False


# judging runs the user's op three times: once for its data, not again at each edge, step and drawing, where its
# prints and counters would repeat as often (5 runs a drawing where 1)
_JUDGED = NodeCache()


def told(node: Node, table: bool, found: Any) -> Any:
    """`found`, what a redo of `node`'s op tells, where the op is the table's or, one of the user's own, `repeats`
    (judged once for its data and its inputs' as they are now); else None: never a guess."""
    if found is None or table:
        return found
    return found if _JUDGED.kept(node, digest(node), lambda: repeats(node)) else None


def call_of(node: Node) -> tuple[Callable[..., Any] | None, bool]:
    """The call that redoes `node`'s op (`_function`, else an op of the user's own as it is: `told` judges it where
    it tells something), and whether it is the table's."""
    if (table := _function(node)) is not None:
        return table, True
    return (None if node.op is None else as_call(node)), False

"""An op of the user's own (an `autograd.Op` no function of autograd's makes) as a call that widened.py can run again
in long doubles, as it runs the op table's: so that an overflow inside the user's forward or derivative rule is drawn
as overflowed, with its value on paper, as a table op's is, not as a bare inf. Only an op that gives the same result
on the same inputs is redone (one that draws noise, a dropout of its own, would be told of another draw), and each
call leaves numpy's and autograd's random state as it found it (replay.py does the same)."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from autograd import Node, Tensor, Value, enable_grad

from . import lost_masks


def own_call(node: Node) -> Callable[..., Any] | None:
    """`node`'s own op as a call on its inputs (Values or arrays of a Value's, Tensors of a Tensor's), or None where
    it does not give `node`'s data again on `node`'s own inputs, draws random numbers (numpy's or autograd's, or
    gives two results on the same long doubles: a generator of its own), or refuses its inputs."""
    op = node.op

    def call(*inputs: Any) -> Any:
        drawn = _random_state()
        try:
            return op(*inputs)
        finally:  # the user's random numbers go on as they would without the drawing
            _set_random_state(drawn)

    drawn = _random_state()
    try:
        with np.errstate(all="ignore"), enable_grad():
            again = op(*_inputs(node, None))
            drew = pickle.dumps(_random_state()) != pickle.dumps(drawn)
            if drew or getattr(again, "op", None) is not op or not _same(again, node.data):
                return None
            wide = _inputs(node, lost_masks.WIDE)
            if not _same(call(*wide), call(*wide)):
                return None
    except Exception:  # noqa: BLE001 (a user's op that refuses its inputs as given here: nothing is told)
        return None
    finally:
        _set_random_state(drawn)
    return call


def _inputs(node: Node, of: Any) -> list[Any]:
    """`node`'s inputs as its op takes them, in float type `of` (None: their own, as recorded): Tensors of a Tensor's;
    of a Value's, Values (its constants as numbers, as an operator lifted them), or arrays of long doubles, which a
    Value does not hold (widened.py runs it so)."""
    if isinstance(node, Tensor):
        return [Tensor(p.data, requires_grad=True, dtype=of or np.asarray(p.data).dtype) for p in node.parents]
    if of is not None:
        return [np.asarray(p.data, dtype=of) for p in node.parents]
    return [p.data if p.is_constant else Value(p.data) for p in node.parents]


def _same(a: Any, b: Any) -> bool:
    """Whether two results (nodes or raw data) hold the same numbers, NaN matching NaN."""
    a, b = (np.asarray(x.data if isinstance(x, Node) else x) for x in (a, b))
    nan = a.dtype.kind == "f" and b.dtype.kind == "f"
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=nan))


def _random_state() -> tuple[Any, Any]:
    return np.random.get_state(), autograd.default_generator().bit_generator.state


def _set_random_state(state: tuple[Any, Any]) -> None:
    np.random.set_state(state[0])
    autograd.default_generator().bit_generator.state = state[1]

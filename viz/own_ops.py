"""An op of the user's own (an `autograd.Op` no function of autograd's makes) as a call that widened.py can run again
in long doubles, as it runs the op table's: so that an overflow inside the user's forward or derivative rule is drawn
as overflowed, with its value on paper, as a table op's is, not as a bare inf. Only an op that gives the same result
on the same inputs is redone (one that draws noise, a dropout of its own, would be told of another draw), and each
call leaves numpy's and autograd's random state as it found it (replay.random_state_kept)."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Node, Tensor, Value, enable_grad

from . import lost_masks
from .replay import input_copies, random_state, random_state_kept, same


def as_call(node: Node) -> Callable[..., Any]:
    """`node`'s op, a user's own, as a call on its inputs (Values or arrays of a Value's, Tensors of a Tensor's) with
    the keywords it was given (a Tensor's keeps them apart, a Value's op is bound to them), that leaves numpy's and
    autograd's random state as it found it: the user's random numbers go on as without the drawing."""
    op, params = node.op, _keywords(node)

    def call(*inputs: Any) -> Any:
        with random_state_kept():
            return op(*inputs, **params)

    return call


def repeats(node: Node) -> bool:
    """Whether `node`'s own op, run again, tells of the forward: it gives `node`'s data again on `node`'s own inputs,
    draws no random numbers (numpy's or autograd's, or gives two results on the same long doubles: a generator of its
    own), and takes long doubles. It runs the op three times: asked only where its redone value tells something."""
    op, call = node.op, as_call(node)
    with random_state_kept():
        try:
            drawn = pickle.dumps(random_state())
            with np.errstate(all="ignore"), enable_grad():
                again = op(*recorded_inputs(node), **_keywords(node))  # not `call`: it puts the random state back
                drew = pickle.dumps(random_state()) != drawn
                if drew or getattr(again, "op", None) is not op or not same(again.data, node.data):
                    return False
                wide = [widened(p.data) for p in node.parents]  # integer labels as given
                if isinstance(node, Tensor):
                    wide = [Tensor(w, requires_grad=floating(w), dtype=w.dtype) for w in wide]
                return same(*(_data(call(*wide)) for _ in range(2)))
        except Exception:  # noqa: BLE001 (a user's op that refuses its inputs as given here: nothing is told)
            return False


def recorded_inputs(node: Node) -> list[Any]:
    """`node`'s inputs as its op was given them: Tensors of a Tensor's, over copies of its arrays (`input_copies`);
    of a Value's, Values, its constants as numbers (as an operator lifted them)."""
    if isinstance(node, Tensor):  # integer labels (a loss's targets) as given: only a float tensor takes a gradient
        return [Tensor(data, requires_grad=floating(data)) for data in input_copies(node)]
    return [p.data if p.is_constant else Value(p.data) for p in node.parents]


def floating(data: Any) -> bool:
    """Whether an input's data is floating, which a redo widens: integer labels (a loss's targets, indices) are
    given as they are, as cast to long doubles they are no labels and an op of the user's own refused them (or
    read them otherwise), and nothing it lost to its range was told."""
    return np.asarray(data).dtype.kind == "f"


def widened(data: Any, of: Any = None) -> np.ndarray:
    """An input's data in float type `of` (None: long doubles) where it is floating (`floating`), else as it is."""
    a = np.asarray(data)
    return a.astype(of or lost_masks.WIDE) if floating(a) else a


def _keywords(node: Node) -> dict[str, Any]:
    """The keywords `node`'s op was given, where the op is not bound to them: a Tensor's keeps them apart."""
    return dict(node.op_params) if isinstance(node, Tensor) else {}


def _data(result: Any) -> Any:
    """A result's numbers: a node's data, raw data as it is (a Value's op on long doubles, which a Value holds not)."""
    return result.data if isinstance(result, Node) else result

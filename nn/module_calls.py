"""What a Module remembers of its calls (a mixin of Module): when each ran and the nodes it returned,
recognised later by id, parents and numbers, so that drawings (viz, `modules=model`) group nodes by
the module that computed them. Ids only: a record keeps no graph alive."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from autograd import Node, Tensor, guard, guard_settings, is_grad_enabled, raw

from .structure import STRUCTURE

RECORDED_CALLS = 256  # the calls a module remembers for drawings (`recorded_calls`): enough for a batch of samples

# A call as recorded: when it started and ended (ticks of one clock shared by every module), and its output
# nodes (id -> ids of their parents, to recognise them). Ids only: a record keeps no graph alive.
Call = tuple[int, int, dict[int, tuple[int, ...]]]
# The same, each output's parent ids kept with its numbers' fingerprint: a node freed since may leave its
# id to a new one, of parents that reuse their ids too (a training loop rebuilds the same graph)
Kept = tuple[int, int, dict[int, tuple[tuple[int, ...], tuple]]]
_clock = itertools.count()


class CallRecords:
    """`__call__` runs `forward` and, while graphs are recorded, notes the call (RECORDED_CALLS kept)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run `forward`; while graphs are recorded, remember when the call ran and what it returned."""
        if not is_grad_enabled():
            return self.forward(*args, **kwargs)
        guard(self, "training")  # a compiled step records again after train() / eval()
        guard(STRUCTURE, "version")  # ... and after a module or parameter is replaced
        start = next(_clock)
        out = guard_settings(self, self.forward, *args, **kwargs)  # compile: its stride, weights, ... changed
        calls = self.__dict__.get("_calls")
        if calls is None:
            calls = self.__dict__["_calls"] = deque(maxlen=RECORDED_CALLS)  # nn's own: past Module's refusal
        nodes = (out,) if isinstance(out, Node) else _nodes(out)
        calls.append((start, next(_clock), {id(n): (tuple(map(id, n.parents)), _prints(n)) for n in nodes}))
        return out

    def recorded_calls(self) -> list[Call]:
        """This module's latest calls (at most RECORDED_CALLS), oldest first, each as (start, end,
        outputs): outputs maps the id of each node it returned to the ids of that node's parents.
        What a call computed lies between its outputs and what existed when it started (the outputs
        of calls ended before); drawings (viz, `modules=model`) group nodes by module with it."""
        return [(start, end, {i: parents for i, (parents, _) in out.items()}) for start, end, out in self._kept()]

    def calls_among(self, nodes: Mapping[int, Node]) -> list[tuple[int, int, list[Node]]]:
        """(start, end, outputs) of each recorded call some of whose outputs are among `nodes` (by id),
        those outputs found: the same id, the same parents and the same numbers, so that a node freed
        since, whose id a new node took (of parents that took theirs), is not taken for it."""
        found = []
        for start, end, outputs in self._kept():
            mine = [
                nodes[i]
                for i, (parents, prints) in outputs.items()
                if i in nodes and tuple(map(id, nodes[i].parents)) == parents and _prints(nodes[i]) == prints
            ]
            if mine:
                found.append((start, end, mine))
        return found

    def _kept(self) -> list[Kept]:
        return list(self.__dict__.get("_calls", ()))


def _nodes(obj: Any) -> Iterator[Node]:
    """The nodes in a call's result: a node, or nodes in lists, tuples and dicts."""
    if isinstance(obj, Node):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            yield from _nodes(item)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from _nodes(item)


def _prints(node: Node) -> tuple:
    """The fingerprints of a node's numbers and of its parents': an output that is the same every step (a
    dead ReLU's 0.0) is told apart by what it was computed from."""
    return (_fingerprint(node), *map(_fingerprint, node.parents))


def _fingerprint(node: Node) -> tuple:
    """What tells a node's numbers from another's, cheaply: a Value's float, a Tensor's shape and its first
    and last entries (as bits: a NaN matches itself). A constant Tensor (a dropout mask, a frozen weight)
    by its shape alone: a compiled step being recorded would take reading it for the step's own read."""
    if isinstance(node, Tensor) and node.op is None and not node.requires_grad:
        return (node.shape, node.dtype)
    data = raw(node)
    if not isinstance(data, np.ndarray):
        return (float(data).hex(),)
    ends = (data.flat[0], data.flat[-1]) if data.size else ()
    return (data.shape, data.dtype, *(float(x).hex() if data.dtype.kind == "f" else x.item() for x in ends))

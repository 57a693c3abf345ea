"""What a Module remembers of its calls (a mixin of Module): when each ran and the nodes it returned,
by weak reference, so that drawings (viz, `modules=model`) group nodes by the module that computed
them. A record keeps no graph alive, and a node freed since is known to be gone: its id, which a new
node may have taken, is never taken for it."""

from __future__ import annotations

import itertools
import weakref
from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any

from autograd import Node, guard, guard_settings, is_grad_enabled

from .structure import STRUCTURE

RECORDED_CALLS = 256  # the calls a module remembers for drawings (`recorded_calls`): enough for a batch of samples

# A call as `recorded_calls` gives it: when it started and ended (ticks of one clock shared by every
# module), and its output nodes still in memory (id -> ids of their parents)
Call = tuple[int, int, dict[int, tuple[int, ...]]]
# A call as kept: its ticks and weak references to its outputs (one per node, shared by nested calls)
Kept = tuple[int, int, tuple[weakref.ref, ...]]
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
        calls.append((start, next(_clock), tuple(map(weakref.ref, nodes))))
        return out

    def __getstate__(self) -> dict[str, Any]:
        """What pickle and copy.deepcopy take of a module: all but its record of calls, whose weak
        references do not pickle, and whose nodes a copy never computed."""
        return {name: value for name, value in self.__dict__.items() if name != "_calls"}

    def recorded_calls(self) -> list[Call]:
        """This module's latest calls (at most RECORDED_CALLS), oldest first, each as (start, end,
        outputs): outputs maps the id of each node it returned that is still in memory to the ids of
        that node's parents. What a call computed lies between its outputs and what existed when it
        started (the outputs of calls ended before); drawings (viz, `modules=model`) group nodes by
        module with it."""
        return [(start, end, {id(n): tuple(map(id, n.parents)) for n in live}) for start, end, live in self._live()]

    def calls_among(self, nodes: Mapping[int, Node]) -> list[tuple[int, int, list[Node]]]:
        """(start, end, outputs) of each recorded call some of whose outputs are among `nodes` (by id),
        those outputs found: the nodes themselves, not a node that took a freed one's id."""
        found = []
        for start, end, live in self._live():
            mine = [n for n in live if nodes.get(id(n)) is n]
            if mine:
                found.append((start, end, mine))
        return found

    def _live(self) -> list[tuple[int, int, list[Node]]]:
        """The recorded calls, each with those of its outputs still in memory."""
        kept: list[Kept] = list(self.__dict__.get("_calls", ()))
        return [(start, end, [n for n in (ref() for ref in refs) if n is not None]) for start, end, refs in kept]


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

"""A tape made runnable: `Program` replays a recorded step on new inputs without building a
graph. Each op's own forward runs on arrays (a numpy ufunc into a buffer kept from call to call),
each op's own rule runs on arrays in the recorded backward order, gradients reach parameters'
`.grad` as backward() gives them, and the recorded optimizer calls are made again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .compile_tape import CONSTANT, INPUT, OP, PARAM, Entry, Tape
from .tensor import Tensor
from .tensor_backward import own_array
from .tensor_record import Record

Step = Callable[[], None]


class Stale(Exception):
    """A leaf's requires_grad changed since the recording (a layer frozen or unfrozen): record again."""


class Program:
    """The replay of one tape. `run(inputs)` takes the arrays of the call's inputs, in the tape's order."""

    def __init__(self, tape: Tape, check: Callable[[Any], Any] | None = None) -> None:
        entries = tape.entries
        self.arrays: list[Any] = [e.source if e.kind == CONSTANT else None for e in entries]
        self.inputs = [(i, e.source) for i, e in enumerate(entries) if e.kind == INPUT]
        self.leaves = [(i, e.node) for i, e in enumerate(entries) if e.kind == PARAM or e.live]
        self.wanted = {i: e.kind == PARAM for i, e in enumerate(entries)}
        self.fed = [(e.params, name, k) for e in entries if e.kind == OP for name, k in e.fed]
        self.forward = [_forward_step(i, e, self.arrays) for i, e in enumerate(entries) if e.kind == OP]
        self.events = [_event(ev, entries, self.arrays) for ev in tape.events]
        self.outputs, self.rebuild, self.check = tape.outputs, tape.rebuild, check

    def run(self, inputs: list[Any]) -> Any:
        arrays = self.arrays
        for i, k in self.inputs:
            arrays[i] = inputs[k]
        for params, name, k in self.fed:
            params[name] = inputs[k]
        for i, t in self.leaves:
            if t.requires_grad is not self.wanted[i]:
                raise Stale
            arrays[i] = t._data
        for step in self.forward:
            step()
        if self.check is not None:
            self.check(self._result())
        for event in self.events:
            event()
        return self._result()

    def _result(self) -> Any:
        """What the step returns, rebuilt: its tensors as copies (the buffers are the next call's)."""
        arrays, leaves = self.arrays, []
        for kind, x, *rest in self.outputs:
            if kind == "tensor":
                leaves.append(Tensor(np.array(arrays[x], copy=True)))
            elif kind == "read":
                leaves.append(rest[0](np.asarray(arrays[x]).item()))
            else:
                leaves.append(x)
        return self.rebuild(leaves)


def _forward_step(i: int, e: Entry, arrays: list[Any]) -> Step:
    """The op's forward on its parents' arrays, into slot i: a ufunc writes into a buffer of its own."""
    forward, params, ps = e.op.forward, e.params, e.parents
    if isinstance(forward, np.ufunc) and not params and forward.nout == 1 and len(ps) == forward.nin:
        buffer = arrays[i] = np.empty(e.shape, e.dtype)
        if len(ps) == 2:
            a, b = ps
            return lambda: forward(arrays[a], arrays[b], out=buffer)
        (a,) = ps
        return lambda: forward(arrays[a], out=buffer)

    def step() -> None:
        out = forward(*[arrays[p] for p in ps], **params)
        arrays[i] = out if out.__class__ is np.ndarray else np.asarray(out)

    return step


def _event(ev: tuple[Any, ...], entries: list[Entry], arrays: list[Any]) -> Step:
    if ev[0] == "call":
        _, owner, method, args, kwargs = ev
        return lambda: method(owner, *args, **kwargs)
    _, root, order, seed = ev
    return _backward(root, order, seed, entries, arrays)


def _backward(root: int, order: list[int], seed: np.ndarray, entries: list[Entry], arrays: list[Any]) -> Step:
    """backward() from `root` over the recorded order (root first): each op's rule (through a Record,
    which checks and casts the gradients as in a plain backward), the sums in the same order, then
    the parameters' `.grad` as `Tensor._accumulate` sets them."""
    steps = []
    for i in order:
        e = entries[i]
        if e.kind == OP and e.needs_grad:
            steps.append((i, e.parents, _Rule(Record(e.op, e.params, [entries[p].needs_grad for p in e.parents]))))
    leaves = [(i, entries[i].source) for i in order if entries[i].kind == PARAM]
    size = len(entries)

    def backward() -> None:
        grads: list[Any] = [None] * size
        grads[root] = seed
        for i, parents, rule in steps:
            g = grads[i]
            if g is None:
                continue
            for p, gp in zip(parents, rule.call(g, arrays[i], *[arrays[p] for p in parents])):
                if gp is not None:
                    grads[p] = gp if grads[p] is None else grads[p] + gp
        handed_out: set[int] = set()
        for i, param in leaves:
            g = grads[i]
            if g is None:
                continue
            g = own_array(g, handed_out)
            param.grad = g if param.grad is None else param.grad + g

    return backward


class _Rule:
    """An op's rule as a replay calls it: checked and cast as in a plain backward on the first
    replay, then called bare if that changed nothing (shapes and dtypes are the same on every replay)."""

    __slots__ = ("record", "call")

    def __init__(self, record: Record) -> None:
        self.record = record
        self.call = self._first

    def _first(self, g: Any, out: Any, *inputs: Any) -> Any:
        grads = self.record.rule(g, out, *inputs)
        checked = self.record.conform(grads, inputs)
        if checked is grads:
            self.call = self.record.rule
        return checked

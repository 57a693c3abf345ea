"""A recorded call read off its graph as a tape: every node in the order it was computed, each
leaf classified (an input of the call, a parameter, a constant, a drawn constant), the draws, the
backward passes and optimizer calls in order, and where the outputs come from. Two tapes of the
same step are compared entry by entry: a difference means the step is not the same function of
its inputs on every call."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .compile_record import Recording
from .graph import topological_order
from .op import Op
from .tensor import Tensor
from .trees import flatten
from .value import Value

INPUT, PARAM, CONSTANT, DRAWN, OP = "input", "parameter", "constant", "drawn", "op"


@dataclass
class Entry:
    """One node of the tape. `source` is the input's index (INPUT), the Tensor (PARAM), the data
    (CONSTANT) or the index of its draw (DRAWN); an OP has its op, keyword arguments, parents
    (entry indices) and `fed`: the keyword arguments that are inputs of the call (labels), as
    (name, input index)."""

    kind: str
    shape: tuple[int, ...]
    dtype: np.dtype
    source: Any = None
    op: Op | None = None
    params: dict[str, Any] = field(default_factory=dict)
    parents: tuple[int, ...] = ()
    fed: tuple[tuple[str, int], ...] = ()
    needs_grad: bool = False  # a parameter's gradient flows through it
    node: Tensor | None = None  # a leaf's Tensor
    live: bool = False  # a constant Tensor the step reads on every call: replays read its data as it is then
    contiguous: bool = True  # its array was C-contiguous when recorded (a buffer is; a transpose is not)


@dataclass
class Draw:
    """One draw of `autograd.drawn`, in the order the step made them: `redraw()` draws again; `slot`
    is its entry (None: a draw the step made but did not use, which a replay makes too)."""

    redraw: Callable[[], np.ndarray]
    like: tuple[tuple[int, ...], np.dtype, bool]  # shape, dtype and C-contiguity of its data
    slot: int | None


@dataclass
class Tape:
    entries: list[Entry]
    draws: list[Draw]
    # ("backward", root, order, seed) by entry index; ("call", owner, method, args, kwargs)
    events: list[tuple[Any, ...]]
    outputs: list[tuple[str, Any]]  # per output leaf: ("tensor", entry), ("read", entry, type) or ("value", value)
    rebuild: Callable[[Sequence[Any]], Any]
    guards: list[tuple[Any, str, Any]]  # (owner, name, value): what the graph depends on (compile_record.guard)
    seen: list[np.ndarray] = field(default_factory=list)  # a copy of the call's input data, for `derived`

    def guarded(self) -> list[tuple[int, str, Any]]:
        """The guards as comparable values: two recordings made under other settings differ here."""
        return [(id(owner), name, value) for owner, name, value in self.guards]

    @property
    def params(self) -> list[Tensor]:
        return [e.source for e in self.entries if e.kind == PARAM]

    @property
    def owners(self) -> list[Any]:
        """The objects whose replayed methods the step calls (its optimizers)."""
        return [ev[1] for ev in self.events if ev[0] == "call"]


class Unreplayable(Exception):
    """The recorded call does something a replay would not do (the message says what)."""


def read_tape(rec: Recording, inputs: list[Any], result: Any) -> Tape:
    """The tape of a recorded call: `inputs` are the objects the call got for its dynamic arguments
    (in order), `result` what it returned. Raises Unreplayable, or TypeError for a Value step."""
    out_leaves, rebuild = flatten(result)
    if any(isinstance(x, Value) for x in out_leaves):
        raise TypeError("autograd.compile replays Tensor steps; this step returned a Value (a scalar graph)")
    if rec.problems:
        raise Unreplayable(rec.problems[0])
    roots = [ev[1][0] for ev in rec.events if ev[0] == "backward"] + [x for x in out_leaves if isinstance(x, Tensor)]
    nodes = _forward_order(roots)
    index = {id(n): i for i, n in enumerate(nodes)}
    drawn = {id(t): k for k, (t, _, _) in enumerate(rec.draws)}
    entries = [_entry(n, index, inputs, drawn) for n in nodes]
    for e in entries:
        e.needs_grad = e.kind == PARAM or (e.kind == OP and any(entries[p].needs_grad for p in e.parents))
    _check_versions(rec, nodes, entries)
    events = [
        ("backward", index[id(ev[1][0])], [index[id(n)] for n in ev[1]], ev[2]) if ev[0] == "backward" else ev[:5]
        for ev in rec.events
    ]
    reads = {id(v): t for t, v in rec.reads}
    outputs: list[tuple[str, Any]] = []
    for x in out_leaves:
        if isinstance(x, Tensor):
            outputs.append(("tensor", index[id(x)]))
        elif isinstance(x, float) and id(x) in reads and id(reads[id(x)]) in index:  # `return loss.item()`
            outputs.append(("read", index[id(reads.pop(id(x)))], type(x)))
        else:
            outputs.append(("value", x))
    if reads:
        raise Unreplayable(
            "the step read a tensor's value in Python (bool(t), t.item(), an `if` on a tensor) and did not "
            "return it: a branch on it would not be replayed. Compute with tensor ops (autograd.where) instead"
        )
    seen = [np.array(x._data if isinstance(x, Tensor) else x) for x in inputs]  # copies: a caller may reuse its arrays
    return Tape(entries, _draws(rec, index), events, outputs, rebuild, list(rec.guards.values()), seen)


def _draws(rec: Recording, index: dict[int, int]) -> list[Draw]:
    """The step's draws, each as it was drawn: one changed afterwards would not be replayed."""
    draws = []
    for t, redraw, values in rec.draws:
        if t._version or not same(t._data, values):
            raise Unreplayable(
                "the step changed a drawn constant (autograd.drawn, a dropout mask) after its draw, which a replay "
                "would not do: change it with tensor ops, or inside the draw"
            )
        draws.append(Draw(redraw, like(t._data), index.get(id(t))))
    return draws


def like(data: np.ndarray) -> tuple[tuple[int, ...], np.dtype, bool]:
    """What a draw's data must be like on every call: its shape, dtype and C-contiguity."""
    return data.shape, data.dtype, bool(data.flags.c_contiguous)


def _forward_order(roots: list[Tensor]) -> list[Tensor]:
    """Every node the roots were computed from, each after its parents (the roots' orders merged)."""
    seen: set[int] = set()
    nodes: list[Tensor] = []
    for root in roots:
        if id(root) in seen:
            continue
        for n in reversed(topological_order(root)):
            if id(n) not in seen:
                seen.add(id(n))
                nodes.append(n)
    return nodes


def _entry(node: Tensor, index: dict[int, int], inputs: list[Any], drawn: dict[int, int]) -> Entry:
    data = node._data
    shape, dtype = np.shape(data), np.result_type(data)
    entry = _leaf_or_op(node, data, shape, dtype, index, inputs, drawn)
    entry.contiguous = bool(np.asarray(data).flags.c_contiguous)
    return entry


def _leaf_or_op(
    node: Tensor,
    data: Any,
    shape: tuple[int, ...],
    dtype: np.dtype,
    index: dict[int, int],
    inputs: list[Any],
    drawn: dict[int, int],
) -> Entry:
    fed_arrays = {id(x._data if isinstance(x, Tensor) else x): k for k, x in enumerate(inputs)}
    record = node._made_by
    if record is None:
        fed_nodes = {id(x): k for k, x in enumerate(inputs) if isinstance(x, Tensor)}
        if id(node) in fed_nodes:
            return Entry(INPUT, shape, dtype, fed_nodes[id(node)])
        if id(data) in fed_arrays:
            return Entry(INPUT, shape, dtype, fed_arrays[id(data)])
        if node.requires_grad:
            return Entry(PARAM, shape, dtype, node, node=node)
        if id(node) in drawn:
            return Entry(DRAWN, shape, dtype, drawn[id(node)], node=node)
        return Entry(CONSTANT, shape, dtype, data, node=node)
    fed = tuple((name, fed_arrays[id(v)]) for name, v in record.params.items() if id(v) in fed_arrays)
    parents = tuple(index[id(p)] for p in node.parents)
    return Entry(OP, shape, dtype, op=record.op, params=dict(record.params), parents=parents, fed=fed)


def _check_versions(rec: Recording, nodes: list[Tensor], entries: list[Entry]) -> None:
    """Every op must have read each parameter as it was before the step's optimizer calls changed it,
    and only those calls may have changed it: a replay reads and changes parameters no other way."""
    bumps: dict[int, int] = {}
    for ev in rec.events:
        if ev[0] == "call":
            for key, (_, n) in ev[5].items():
                bumps[key] = bumps.get(key, 0) + n
    for node, e in zip(nodes, entries):
        if e.kind != OP:
            continue
        for p, seen in zip(node.parents, node._versions):
            if p.requires_grad and p._made_by is None and seen != p._version - bumps.get(id(p), 0):
                raise Unreplayable(
                    f"a parameter of shape {p.shape} was changed outside an nn optimizer's step (p.data -= ...), or "
                    "read by ops after opt.step(): a replay changes parameters only through the recorded "
                    "optimizer calls, after the forward and backward passes"
                )


def difference(a: Tape, b: Tape) -> str | None:
    """What differs between two tapes of the same step (None when they are the same function of the inputs)."""
    if len(a.entries) != len(b.entries):
        return f"the step ran {len(a.entries)} tensor ops and leaves on one call and {len(b.entries)} on the next"
    for i, (x, y) in enumerate(zip(a.entries, b.entries)):
        what = _entry_difference(x, y)
        if what:
            return f"node {i} ({x.op.name if x.op else x.kind}) {what}"
    if len(a.draws) != len(b.draws):
        return f"the step drew {len(a.draws)} constants (autograd.drawn) on one call and {len(b.draws)} on the next"
    for k, (x, y) in enumerate(zip(a.draws, b.draws)):
        if (x.like, x.slot) != (y.like, y.slot):
            return f"draw {k} (autograd.drawn) {_drawn_difference(x.like, y.like)}"
    kinds = [(ev[0], *(ev[1:3] if ev[0] == "call" else ())) for ev in a.events]
    if kinds != [(ev[0], *(ev[1:3] if ev[0] == "call" else ())) for ev in b.events]:
        return "the backward passes and optimizer calls differ from one call to the next"
    for x, y in zip(a.events, b.events):
        if not same(x[1:], y[1:]):
            return f"the {x[0]} differs (its arguments, or its seed) from one call to the next"
    if not same(a.outputs, b.outputs):
        return "what the step returns is not computed the same way on every call (a number that changes?)"
    return None


def derived(a: Tape, b: Tape) -> bool:
    """Whether two tapes of the same step hold data made anew on each call, outside the graph: a
    constant that is not the same Tensor on both calls, or a keyword argument that is not the same
    object (an index array, a mask, a count, a number computed in Python). Such data may come from
    the inputs (numpy on the labels: `labels == ignore_index`, `np.arange(n), labels`); equal on
    both calls, it is replayed as recorded, which is right only if the inputs' values made no
    difference to it, as the two calls show only when their inputs differed."""
    for x, y in zip(a.entries, b.entries):
        if x.kind == CONSTANT and x.node is not y.node:
            return True
        fed = {name for name, _ in x.fed}
        if any(v is not y.params[k] for k, v in x.params.items() if k not in fed):
            return True
    return False


def mark_live(a: Tape, b: Tape) -> None:
    """Mark the constants of `b` that are the same Tensor on both calls: the step reads them every
    time (a user's constant), so a replay reads their data as it is then, as eager would."""
    for x, y in zip(a.entries, b.entries):
        y.live = y.kind == CONSTANT and x.node is y.node


def _drawn_difference(x: tuple[Any, ...], y: tuple[Any, ...]) -> str:
    if x == y:
        return "is used by other ops from one call to the next"
    return (
        f"has shape {x[0]} and dtype {x[1]} on one call and {y[0]}, {y[1]} on the next (or another layout): "
        "a replay draws again what was recorded, so a draw must have the same shape on every call"
    )


def _entry_difference(x: Entry, y: Entry) -> str | None:
    if x.kind == DRAWN and y.kind == DRAWN and (x.shape, x.dtype, x.contiguous) != (y.shape, y.dtype, y.contiguous):
        return _drawn_difference((x.shape, x.dtype, x.contiguous), (y.shape, y.dtype, y.contiguous))
    if (x.kind, x.shape, x.dtype, x.op, x.parents, x.fed) != (y.kind, y.shape, y.dtype, y.op, y.parents, y.fed):
        return "is a different op, or has different inputs, from one call to the next"
    if x.kind == DRAWN and x.source != y.source:
        return "is another draw (autograd.drawn) from one call to the next"
    if x.kind == PARAM and x.source is not y.source:
        return "reads a different parameter from one call to the next"
    if x.kind == CONSTANT and x.node is not y.node and not same(x.source, y.source):
        return (
            "is data computed outside the graph that changed from one call to the next (a random mask drawn "
            "with numpy, numpy on the inputs, a comparison, ops on an autograd.drawn constant alone): a replay "
            "would reuse the first call's. Draw random data with autograd.drawn, and compute it inside the draw"
        )
    fed = {name for name, _ in x.fed}
    if not same(*({k: v for k, v in e.params.items() if k not in fed} for e in (x, y))):
        return "has keyword arguments (an index, a condition) that changed from one call to the next"
    return None


def same(a: Any, b: Any) -> bool:
    """Equal as a replay needs them equal: arrays by dtype, shape and values; containers item by item."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and (a.dtype, a.shape) == (b.dtype, b.shape)
            and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
        )
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and a != a:
        return b != b
    try:
        return bool(a == b)
    except Exception:  # an object whose == is not a truth value: the same only if it is the same object
        return a is b

"""Two tapes of the same step compared (compile_tape reads them): a difference means the step is
not the same function of its inputs on every call; data made anew on each call outside the graph
means its replays must stay with the inputs it may depend on (`derived`); a constant read on both
calls is live (`mark_live`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .compile_entries import CONSTANT, DRAWN, OP, PARAM, Entry, Tape
from .compile_numbers import made_of_numbers
from .compile_sources import same


def difference(a: Tape, b: Tape) -> str | None:
    """What differs between two tapes of the same step (None when they are the same function of the inputs):
    where a function of autograd made data of the numbers (an index, compile_numbers), that function and why."""
    why, by = _difference(a, b), a.read_by or b.read_by
    return made_of_numbers(by) if why and by and _in_data(a, b) else why


def _in_data(a: Tape, b: Tape) -> bool:
    """Whether the first entry that differs is the same op or constant in another place, differing in its data
    or its keyword arguments (an index): where data made of the numbers shows."""
    for x, y in zip(a.entries, b.entries):
        if _entry_difference(x, y):
            return x.kind in (CONSTANT, OP) and (x.kind, x.shape, x.dtype, x.op, x.parents) == (
                y.kind,
                y.shape,
                y.dtype,
                y.op,
                y.parents,
            )
    return False


def _difference(a: Tape, b: Tape) -> str | None:
    first = next(
        ((i, what) for i, (x, y) in enumerate(zip(a.entries, b.entries)) if (what := _entry_difference(x, y))), None
    )
    i = first[0] if first else min(len(a.entries), len(b.entries))
    rule = _rule_at(a, i) or _rule_at(b, i)
    if rule is not None and (first or len(a.entries) != len(b.entries)):
        counts_differ = len(a.entries) != len(b.entries) and first is None
        return _in_rule(rule, a.entries[i] if i < len(a.entries) else b.entries[i], counts_differ)
    if len(a.entries) != len(b.entries):
        return f"the step ran {len(a.entries)} tensor ops and leaves on one call and {len(b.entries)} on the next"
    if first:
        x = a.entries[first[0]]
        return f"node {first[0]} ({x.op.name if x.op else x.kind}) {first[1]}"
    if [(kind, *rest) for _, (kind, _), *rest in a.checks] != [(kind, *rest) for _, (kind, _), *rest in b.checks]:
        return "the step checked other data (autograd.validate) from one call to the next"
    for (_, (kind, x), *_), (_, (_, y), *_) in zip(a.checks, b.checks):
        if kind != "object" and x != y:
            return "the step checked other data (autograd.validate) from one call to the next"
        if kind == "object" and x is not y:
            return (
                "the step checked data made anew on each call outside the graph (autograd.validate of a copy, of a "
                "constant made in the step), which a replay cannot check again: check the input, or the tensor "
                "itself"
            )
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
    if len(a.outputs) != len(b.outputs) or not all(map(_same_output, a.outputs, b.outputs)):
        return (
            "what the step returns is not made the same way on every call (a value that is not a Tensor of the "
            "step nor t.item() of one must be the same object on every call): return Tensors, or t.item() of one"
        )
    return _made_of_numbers_in_rule(a, b)


def _made_of_numbers_in_rule(a: Tape, b: Tape) -> str | None:
    """Why a step cannot be replayed whose derivative rules, run on the graph (create_graph), made arrays anew
    on each call (a where op's condition, a mask or a sign as an operand: sigmoid's tail where 1 - σ(x)
    cancels, relu's mask): made of the numbers by autograd's own reads, they came out equal on both recorded
    calls (1 - σ(x) cancelled nowhere), but may differ on the next, where a replay would reuse them."""
    for i, (x, y) in enumerate(zip(a.entries, b.entries)):
        rule = b.rules.get(i)
        if rule is None:
            continue
        fed = x.given_anew()
        if any(isinstance(v, np.ndarray) and v is not y.params[k] for k, v in x.params.items() if k not in fed):
            return _in_rule(rule, x, False)
        if x.kind == CONSTANT and x.node is not y.node and isinstance(x.source, np.ndarray):
            return _in_rule(rule, x, False)
    return None


def _rule_at(tape: Tape, i: int) -> str | None:
    """The op whose derivative rule, run on the graph (create_graph), made entry i of `tape`, or the first op
    that reads it, where entry i is a leaf (a constant the rule made of the numbers); None if no rule did."""
    if i in tape.rules or i >= len(tape.entries) or tape.entries[i].op is not None:
        return tape.rules.get(i)
    return next((tape.rules.get(j) for j, e in enumerate(tape.entries) if i in e.parents), None)


def _in_rule(rule: str, entry: Entry, counts_differ: bool) -> str:
    """Why a step cannot be replayed whose graph a derivative rule (of op `rule`) made differently on two calls."""
    if counts_differ:
        does = "chooses its ops"
    elif entry.op is None:
        does = "makes a constant"
    else:
        does = f"reads a condition or an index of its {entry.op.name} op"
    return (
        "the step takes a gradient with create_graph=True (autograd.gradients(..., create_graph=True), a gradient "
        f"penalty) through {rule}: the derivative rule of {rule}, run on the graph for it, {does} from each call's "
        "numbers, so the graph is not the same on every call and a replay of the first call's would be wrong. The "
        "step runs eagerly (eager's numbers). To have it replayed, take the gradient through ops whose rules build "
        "the same graph on every call (silu's, gelu's do), or leave this step uncompiled"
    )


def _same_output(x: tuple[str, Any], y: tuple[str, Any]) -> bool:
    """The same entry, or (a value returned as it is) the same object: equal numbers or arrays made
    anew on each call may differ on the next."""
    return x[0] == y[0] and (x[1] is y[1] if x[0] == "value" else x[1] == y[1])


def derived(a: Tape, b: Tape) -> bool:
    """Whether two tapes of the same step hold data made anew on each call, outside the graph: a
    constant that is not the same Tensor on both calls, or a keyword argument that is not the same
    object (an index array, a mask, a count, a number computed in Python). Such data may come from
    the inputs (numpy on the labels: `labels == ignore_index`, `np.arange(n), labels`); equal on
    both calls, it is replayed as recorded, which is right only if the inputs' values made no
    difference to it, as the two calls show only when their inputs differed."""
    for x, y in zip(a.entries, b.entries):
        if x.kind == CONSTANT and x.node is not y.node and x.view is None:
            return True
        fed = x.given_anew()
        if any(v is not y.params[k] for k, v in x.params.items() if k not in fed):
            return True
        for (_, u), (_, v) in zip(x.viewed, y.viewed):  # the arrays beside its views (rows in (rows, y[:2]))
            if any(isinstance(p, np.ndarray) and p is not q for p, q in zip(u.leaves, v.leaves)):
                return True
    return False


def mark_live(a: Tape, b: Tape) -> None:
    """Mark the constants of `b` that are the same Tensor on both calls: the step reads them every
    time (a user's constant), so a replay reads their data as it is then, as eager would. And its draws'
    untracked data (compile_entries.Draw) cleared where both calls drew the same: nothing to put back."""
    for x, y in zip(a.entries, b.entries):
        y.live = y.kind == CONSTANT and x.node is y.node
        if y.live:  # the caller's constant Tensor, read as it is then, not made again from an input
            y.view = None
    for x, y in zip(a.draws, b.draws):  # a draw that moved no generator found, giving the same data: its own seed
        if x.untracked is not None and y.untracked is not None and same(x.untracked, y.untracked):
            y.untracked = None


def _drawn_difference(x: tuple[Any, ...], y: tuple[Any, ...]) -> str:
    if x == y:
        return "is used by other ops from one call to the next"
    return (
        f"has shape {x[0]} and dtype {x[1]} on one call and {y[0]}, {y[1]} on the next (or another layout): "
        "a replay draws again what was recorded, so a draw must have the same shape on every call"
    )


BOOLEAN_INDEX = (
    "indexes with a boolean mask (out[x > 0], out[mask]) whose count of True, and so the result's shape, follows "
    "the data, where a replay's shapes are the recorded ones: it is not replayed. Keep the shape fixed where you "
    "can (autograd.where(mask, out, 0.0).sum() for the sum of the picked entries, or out * mask), or run the step "
    "eagerly"
)


def _boolean_index(x: Entry, y: Entry) -> bool:
    """Whether both entries index with a boolean mask (getitem of a bool array or Tensor, alone or in a tuple:
    `out[mask, 1]`, whose count of True sets the result's shape too)."""
    indices = [e.params.get("index") for e in (x, y) if e.op is not None and e.op.name == "getitem"]
    return len(indices) == 2 and all(any(map(_mask, i if isinstance(i, tuple) else (i,))) for i in indices)


def _mask(index: Any) -> bool:
    index = getattr(index, "_data", index)
    return isinstance(index, np.ndarray) and index.dtype == bool


def _entry_difference(x: Entry, y: Entry) -> str | None:
    if _boolean_index(x, y) and x.shape != y.shape:
        return BOOLEAN_INDEX
    if x.kind == DRAWN and y.kind == DRAWN and (x.shape, x.dtype, x.contiguous) != (y.shape, y.dtype, y.contiguous):
        return _drawn_difference((x.shape, x.dtype, x.contiguous), (y.shape, y.dtype, y.contiguous))
    if (x.kind, x.shape, x.dtype, x.op, x.parents, x.fed, x.computed) != (
        y.kind,
        y.shape,
        y.dtype,
        y.op,
        y.parents,
        y.fed,
        y.computed,
    ):
        return "is a different op, or has different inputs, from one call to the next"
    if x.kind == DRAWN and x.source != y.source:
        return "is another draw (autograd.drawn) from one call to the next"
    if x.kind == PARAM and x.source is not y.source:
        return "reads a different parameter from one call to the next"
    if x.view is not None or y.view is not None or x.viewed or y.viewed:
        return _view_difference(x, y)
    if x.kind == CONSTANT and x.node is not y.node and not same(x.source, y.source):
        if x.overlapping or y.overlapping:
            return _overlapping(x, y)
        if x.read_in or y.read_in:
            return READ_IN_PYTHON.format(reader=x.read_in or y.read_in)
        return (
            "is data computed outside the graph that changed from one call to the next (a random mask drawn "
            "with numpy, numpy on the inputs, a comparison, ops on an autograd.drawn constant alone, or ops on "
            "constants and the inputs alone, such as a frozen layer's look-up of them): a replay would reuse the "
            "first call's. Draw random data with autograd.drawn, and compute it inside the draw; keep a layer "
            "whose input is the step's input trainable, or run the step eagerly"
        )
    return _arguments_difference(x, y)


def _arguments_difference(x: Entry, y: Entry) -> str | None:
    fed = x.given_anew()
    if not same(*({k: v for k, v in e.params.items() if k not in fed} for e in (x, y))):
        if x.overlapping or y.overlapping:
            return _overlapping(x, y)
        if _boolean_index(x, y):
            return BOOLEAN_INDEX
        return CHANGED_ARGUMENTS
    return None


def _view_difference(x: Entry, y: Entry) -> str | None:
    """What differs between two entries that take views of the inputs (compile_views), made again by each replay
    where both recordings made them the same way."""
    if x.kind == CONSTANT and x.node is y.node:  # the same Tensor on both calls: the caller's, read live
        return _arguments_difference(x, y)
    views = [x.view, y.view]
    if (views[0] is None) != (views[1] is None) or views[0] != views[1]:
        return VIEW_CHANGED
    pairs = list(zip(x.viewed, y.viewed))
    if [name for name, _ in x.viewed] != [name for name, _ in y.viewed] or not all(
        a.views_match(b) for (_, a), (_, b) in pairs
    ):
        return VIEW_CHANGED
    if not all(a.matches(b) for (_, a), (_, b) in pairs):  # beside the views, data numpy made (rows from y)
        return CHANGED_ARGUMENTS
    return _arguments_difference(x, y)


def _overlapping(x: Entry, y: Entry) -> str:
    shared = sorted(set(x.overlapping) | set(y.overlapping))
    return OVERLAPPING.format(inputs=", ".join(map(str, shared[:-1])) + f" and {shared[-1]}")


OVERLAPPING = (
    "takes a view of an array input, but inputs {inputs} share memory (one array given twice, step(x, x), or "
    "overlapping slices of one, step(data[i:i + 4], data[i + 2:i + 6])): which one it was made from cannot be told, "
    "so a replay cannot make it again from the next call's. Give each input an array of its own (z.copy()), or the "
    "view as an argument of its own"
)


VIEW_CHANGED = (
    "takes a view of an array input (tokens[:, 1:], labels y[:2], Tensor(x[1:])) made another way from one call to "
    "the next (another slice, or an input of other strides: a transposed or sliced array on one call, a fresh one "
    "on the next), or a view on one call and a copy on the next: a replay makes again only a view made the same way "
    "on both recorded calls. Give the input in one layout (np.ascontiguousarray(x)), or the view as an argument of "
    "its own"
)


READ_IN_PYTHON = (
    "is a tensor that ops made from the inputs and constants (under no_grad, an evaluation: ops that need no "
    "gradient, which a replay makes again) whose numbers Python read, in {reader}, so it is no op of the tape but "
    "data, and it changed from one call to the next (nn's norm layers read their variances so where they move "
    "running statistics, BatchNorm and InstanceNorm in training, and the 2-norms of the hypot path they take for "
    "deviations past the plain root's range, huge or subnormal): a replay cannot make it again. The step runs "
    "eagerly, with eager's numbers"
)


CHANGED_ARGUMENTS = (  # the commonest: labels that numpy or nn's losses made from the batch, which a replay cannot make
    "has keyword arguments (an index, a condition, labels) that changed from one call to the next: data made in the "
    "step outside the graph (numpy's copies of an input: labels y.astype(np.int32), y.ravel() of (n, 2) labels "
    "in Fortran order; labels made by ops, y.clip(0, 1), which nn's losses read in Python), which a replay cannot "
    "make again (a view of an input, y[:2] or y.ravel() of (n, 1) labels, and the input itself in an index replay). "
    "Give such data to the step as an argument of its own (step(x, y.astype(np.int32))), or labels made by ops to "
    "autograd's cross_entropy or nll_loss"
)

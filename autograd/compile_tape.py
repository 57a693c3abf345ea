"""A recorded call read off its graph as a tape (compile_entries: what one holds): every node in the
order it was computed, each leaf classified (an input of the call, a parameter, a constant, a drawn
constant), the draws, the backward passes and optimizer calls in order, and where the outputs come
from. Two tapes of the same step are compared entry by entry (compile_compare)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .compile_buffers import buffer_guards
from .compile_entries import (
    CONSTANT,
    DRAWN,
    INPUT,
    OP,
    PARAM,
    ChangedWhileRunning,
    Draw,
    Entry,
    Tape,
    Unreplayable,
    like,
)
from .compile_guards import unchanged
from .compile_random import DREW_OUTSIDE
from .compile_reads import Read
from .compile_record import inputs_of
from .compile_recording import SWITCHES, MadeByOp, Recording, input_array
from .compile_sources import forward_order, held, made_by_ops, same
from .tensor_class import Tensor
from .tensor_ops import OPS
from .trees import flatten
from .value import Value

_GETITEM = OPS["getitem"]


def read_tape(rec: Recording, inputs: list[Any], result: Any) -> Tape:
    """The tape of a recorded call: `inputs` are the objects the call got for its dynamic arguments
    (in order), `result` what it returned. Raises Unreplayable, or TypeError for a Value step."""
    out_leaves, rebuild = flatten(result)
    if any(isinstance(x, Value) for x in out_leaves):
        raise TypeError("autograd.compile replays Tensor steps; this step returned a Value (a scalar graph)")
    if rec.problems:
        raise Unreplayable(rec.problems[0])
    if rec.took_numbers:
        raise Unreplayable(
            "the step took a tensor's numbers into Python (t.numpy(), t.data, t.tolist(), np.asarray(t), p.grad): "
            "a replay runs none of the step's Python, so what it did with them (a branch, a print, a check) would "
            "not happen again. Keep the logic in tensor ops (autograd.where), check inputs with autograd.validate, "
            "return t.item() or the tensor to log it, and give ops the Tensor itself rather than its .data"
        )
    for owner, name, snapshot in rec.guards.values():
        if not unchanged(owner, name, snapshot):  # a call that changes it again would differ from every recording
            what = getattr(owner, "what", f"{type(owner).__name__}.{name}")
            raise ChangedWhileRunning(
                f"the step changed {what} while it ran (a layer made or given inside it, nn.Linear(...) in the "
                "step; a mode switched), which a replay would not do. Make and change modules outside the step"
            )
    if rec.drew_outside:  # after the guards: a layer made on the first call may draw its weights, once
        raise Unreplayable(DREW_OUTSIDE)
    if rec.switches != SWITCHES.count:
        raise Unreplayable(
            "the step switched a tensor's requires_grad while it ran (a discriminator frozen for the generator's "
            "loss): a replay follows one graph, recorded with the switches as they ended. Freeze outside the "
            "step, or leave it trainable (its own optimizer's zero_grad clears what another loss left in it)"
        )
    returned = {id(x) for x in out_leaves}
    roots = [ev[1][0] for ev in rec.events if ev[0] == "backward"] + [x for x in out_leaves if isinstance(x, Tensor)]
    roots += [t for t, v in rec.reads if id(v) in returned]  # `return t.item()` of a tensor not returned
    made = made_by_ops(rec)
    given = _Inputs(inputs, rec.copies, made)
    nodes = forward_order(roots, made)
    # the constants made from the inputs that ops take as keyword arguments (where's cond): on the tape first
    nodes = forward_order([*given.computed_in(nodes, made), *roots], made)
    index = {id(n): i for i, n in enumerate(nodes)}
    drawn = {id(t): k for k, (t, _, _) in enumerate(rec.draws)}
    entries = [_entry(n, index, given, drawn, made) for n in nodes]
    for n, e in zip(nodes, entries):  # what an op made under no_grad needs none (an evaluation's loss)
        e.needs_grad = e.kind == PARAM or (
            e.kind == OP and id(n) not in made and any(entries[p].needs_grad for p in e.parents)
        )
    _check_versions(rec, nodes, entries, made)
    events = [
        ("backward", index[id(ev[1][0])], [index[id(n)] for n in ev[1]], ev[2]) if ev[0] == "backward" else ev[:5]
        for ev in rec.events
    ]
    outputs = _outputs(rec, out_leaves, index, made)
    seen = [copy for _, copy in rec.given]  # copies made before the call, the same unless it changed them
    guards = buffer_guards(list(rec.guards.values()), [e.source for e in entries if e.kind == CONSTANT])
    tape = Tape(entries, _draws(rec, index), events, outputs, rebuild, guards, seen)
    tape.read_numbers = rec.read_numbers
    tape.read_by = rec.read_by
    tape.rules = {index[key]: name for key, (_, name) in rec.made_in_rule.items() if key in index}
    tape.from_inputs = _from_inputs(rec, entries)
    tape.held = held(rec, given.arrays)
    computed = {id(n._data): i for i, (n, e) in enumerate(zip(nodes, entries)) if e.kind in (OP, PARAM, DRAWN)}
    tape.checks = [
        (check, _checked(data, given, computed), drawn, isinstance(data, Tensor)) for check, data, drawn in rec.checks
    ]
    return tape


class _Inputs:
    """The call's inputs as a tape finds them in the graph: by their arrays' ids (an op's keyword
    argument fed by one, a leaf over one, or the copy an op kept of one) and, for Tensors, by their
    own; each gives the input's index."""

    def __init__(self, inputs: list[Any], copies: list[tuple[Any, Any]], made: dict[int, MadeByOp]) -> None:
        self.arrays = {id(input_array(x)): k for k, x in enumerate(inputs)}
        self.tensors = {id(x): k for k, x in enumerate(inputs) if isinstance(x, Tensor)}
        # the constants ops made from the inputs (made again by each replay), by their arrays' ids
        self.made = {id(m.tensor._data): m.tensor for m in made.values()}
        for original, copy in copies:  # what an op kept of an input (labels, an index) is that input
            if id(original) in self.arrays:
                self.arrays[id(copy)] = self.arrays[id(original)]
            elif id(original) in self.made:  # and of such a constant (a mask reshaped, kept as where's cond)
                self.made[id(copy)] = self.made[id(original)]

    def computing(self, param: Any) -> Tensor | None:
        """The constant made from the inputs whose array an op's keyword argument is (or a copy of), or None."""
        return self.made.get(id(param)) if self.feeding(param) is None else None

    def computed_in(self, nodes: list[Tensor], made: dict[int, MadeByOp]) -> list[Tensor]:
        """The constants made from the inputs that the ops among `nodes` take as keyword arguments."""
        found: dict[int, Tensor] = {}
        for n in nodes:
            m = made.get(id(n))
            params = m.params if m is not None else n._made_by.params if n._made_by is not None else {}
            for v in params.values():
                t = self.computing(v) if isinstance(v, np.ndarray) else None
                if t is not None:
                    found[id(t)] = t
        return list(found.values())

    def feeding(self, param: Any) -> int | None:
        """The input that an op's keyword argument is, by its index: an array (labels, or an op's copy of them),
        or a Tensor (class weights, which the loss ops read on each call; a replay gives them its array)."""
        k = self.arrays.get(id(param))
        return self.tensors.get(id(param)) if k is None else k


def _checked(data: Any, given: _Inputs, computed: dict[int, int]) -> tuple[str, Any]:
    """What a check of `data` (autograd.validate) checks on a replay: an input, an entry's array (`computed`,
    by the ids of the entries' arrays), or else the object itself (a constant)."""
    array = input_array(data)
    if id(array) in given.arrays:
        return "input", given.arrays[id(array)]
    if id(array) in computed:
        return "entry", computed[id(array)]
    return "object", data


def _outputs(
    rec: Recording, out_leaves: list[Any], index: dict[int, int], made: dict[int, MadeByOp]
) -> list[tuple[str, Any]]:
    """Where each returned leaf comes from: ("tensor", entry), ("read", entry) for `t.item()` of an
    op's result or an input (a parameter's would be read after the optimizer calls), or ("value", x),
    which a replay returns as it is (`difference` checks it is the same object on both calls). A
    number computed in Python is refused: a replay would return the first call's."""
    reads = {id(v): t for t, v in rec.reads}
    # an op's result, an input, or a constant an op made under no_grad of the graph's numbers, made again
    computed = {
        id(t)
        for t, _ in rec.reads
        if t._made_by is not None or id(t) in rec.inputs or (id(t) in made and made[id(t)].of_graph)
    }
    outputs: list[tuple[str, Any]] = []
    returned: set[int] = set()
    for x in out_leaves:
        if isinstance(x, Tensor):
            outputs.append(("tensor", index[id(x)]))
        elif isinstance(x, Read) and id(reads.get(id(x))) in computed:  # `return loss.item()`
            if x.branched:
                raise Unreplayable(
                    "the step compared t.item() (or took bool(), int() or round() of it) and returned it: a branch "
                    "on it would not be replayed. Compute with tensor ops (autograd.where) instead"
                )
            outputs.append(("read", index[id(reads[id(x)])]))
            returned.add(id(x))  # once or more: `a = loss.item(); return a, a`
        elif isinstance(x, Read) and id(reads.get(id(x))) in rec.from_graph:  # `return loss.detach().item()`
            raise Unreplayable(
                "the step returned t.item() of a tensor detached from the model's tensors (loss.detach()), or "
                "computed under no_grad from one whose numbers it read (numpy on them): a replay could not compute "
                "it again and would return the first call's number. Return loss.item() itself (under no_grad too: "
                "an evaluation's loss replays)"
            )
        elif isinstance(x, numbers.Number | np.generic):
            kind = "float" if isinstance(x, Read) else type(x).__name__
            raise Unreplayable(
                f"the step returned a {kind} that is not t.item() of a tensor it computed (an accuracy or a count "
                "computed with numpy, a number made in Python): a replay would return the first call's. Return a "
                "Tensor of the step, or t.item() of one"
            )
        else:
            outputs.append(("value", x))
    if reads.keys() - returned:
        raise Unreplayable(
            "the step read a tensor's value in Python (bool(t), t.item(), an `if` on a tensor) and did not "
            "return it: a branch on it would not be replayed. Compute with tensor ops (autograd.where) instead"
        )
    return outputs


def _from_inputs(rec: Recording, entries: list[Entry]) -> frozenset[int]:
    """The inputs that the tape's data made outside the graph came from: its constants, and its ops'
    keyword arguments other than inputs themselves (autograd.where's cond, an index, labels made from
    the labels) that are such a constant's array or a copy an op kept of one, in a tuple too."""
    inputs: frozenset[int] = frozenset()
    for e in entries:
        if e.kind == CONSTANT:
            inputs |= inputs_of(rec.derived, [e.node])
        fed = e.given_anew()
        inputs |= inputs_of(rec.derived, flatten([v for name, v in e.params.items() if name not in fed])[0])
    return inputs


def _draws(rec: Recording, index: dict[int, int]) -> list[Draw]:
    """The step's draws, each as it was drawn: one changed afterwards would not be replayed."""
    draws = []
    for (t, redraw, values), moves in zip(rec.draws, rec.random.moves):
        if t._version or not same(t._data, values):
            raise Unreplayable(
                "the step changed a drawn constant (autograd.drawn, a dropout mask) after its draw, which a replay "
                "would not do: change it with tensor ops, or inside the draw"
            )
        draws.append(Draw(redraw, like(t._data), index.get(id(t)), moves, None if moves else values))
    return draws


def _entry(
    node: Tensor, index: dict[int, int], given: _Inputs, drawn: dict[int, int], made: dict[int, MadeByOp]
) -> Entry:
    data = node._data
    shape, dtype = np.shape(data), np.result_type(data)
    entry = _leaf_or_op(node, data, shape, dtype, index, given, drawn, made.get(id(node)))
    entry.contiguous = bool(np.asarray(data).flags.c_contiguous)
    return entry


def _leaf_or_op(
    node: Tensor,
    data: Any,
    shape: tuple[int, ...],
    dtype: np.dtype,
    index: dict[int, int],
    given: _Inputs,
    drawn: dict[int, int],
    made: MadeByOp | None,
) -> Entry:
    fed_arrays = given.arrays
    record = node._made_by
    if made is not None:  # a constant an op made from the inputs: that op again, needing no gradient
        op, params, parents = made.op, made.params, made.parents
    elif record is not None:
        op, params, parents = record.op, record.params, node.parents
    elif id(node) in given.tensors:
        return Entry(INPUT, shape, dtype, given.tensors[id(node)])
    elif id(data) in fed_arrays:
        return Entry(INPUT, shape, dtype, fed_arrays[id(data)])
    elif node.requires_grad:
        return Entry(PARAM, shape, dtype, node, node=node)
    elif id(node) in drawn:
        return Entry(DRAWN, shape, dtype, drawn[id(node)], node=node)
    else:
        return Entry(CONSTANT, shape, dtype, data, node=node)
    fed = tuple((name, k) for name, v in params.items() if (k := given.feeding(v)) is not None)
    # not a boolean index (`out[mask]`), whose count of True is its result's length: the replay checks it first
    computed = tuple(
        (name, index[id(t)])
        for name, v in params.items()
        if isinstance(v, np.ndarray)
        and not (op is _GETITEM and v.dtype == bool)
        and (t := given.computing(v)) is not None
        and id(t) in index
    )
    at = tuple(index[id(p)] for p in parents)
    return Entry(OP, shape, dtype, op=op, params=dict(params), parents=at, fed=fed, computed=computed)


def _check_versions(rec: Recording, nodes: list[Tensor], entries: list[Entry], made: dict[int, MadeByOp]) -> None:
    """Every op must have read each parameter as it was before the step's optimizer calls changed it,
    and only those calls may have changed it: a replay reads and changes parameters no other way. An op
    under no_grad too (`made`: its parents' versions when it ran)."""
    bumps: dict[int, int] = {}
    for ev in rec.events:
        if ev[0] == "call":
            for key, (_, n) in ev[5].items():
                bumps[key] = bumps.get(key, 0) + n
    for node, e in zip(nodes, entries):
        if e.kind != OP:
            continue
        m = made.get(id(node))
        for p, seen in zip(*((m.parents, m.versions) if m else (node.parents, node._versions))):
            if p.requires_grad and p._made_by is None and seen != p._version - bumps.get(id(p), 0):
                raise Unreplayable(
                    f"a parameter of shape {p.shape} was changed outside an nn optimizer's step (p.data -= ...), or "
                    "read by ops after opt.step(): a replay changes parameters only through the recorded "
                    "optimizer calls, after the forward and backward passes"
                )

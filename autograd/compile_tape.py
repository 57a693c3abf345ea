"""A recorded call read off its graph as a tape (compile_entries: what one holds): every node in the
order it was computed, each leaf classified (an input of the call, a parameter, a constant, a drawn
constant), the draws, the backward passes and optimizer calls in order, and where the outputs come
from. Two tapes of the same step are compared entry by entry (compile_compare). Its entries are read by
compile_tape_entries, where its outputs come from by compile_tape_outputs."""

from __future__ import annotations

from typing import Any

from .compile_buffers import buffer_guards, too_large_read
from .compile_changes import moved_on, set_by_step
from .compile_entries import CONSTANT, DRAWN, OP, PARAM, ChangedWhileRunning, Draw, Entry, Tape, Unreplayable, like
from .compile_generators import frozen
from .compile_guards import unchanged
from .compile_made import MadeByOp
from .compile_random import DREW_OUTSIDE
from .compile_record import inputs_of
from .compile_recording import SWITCHES, Recording
from .compile_sources import forward_order, held, made_by_ops, same
from .compile_tape_entries import Inputs, checked, entry_of, views_of_inputs
from .compile_tape_outputs import outputs_of
from .compile_views import address, mark_views, views_in
from .tensor_class import Tensor
from .trees import HoldsItself, flatten
from .type_names import type_name
from .value import Value


def read_tape(rec: Recording, inputs: list[Any], result: Any) -> Tape:
    """The tape of a recorded call: `inputs` are the objects the call got for its dynamic arguments
    (in order), `result` what it returned. Raises Unreplayable, or TypeError for a Value step."""
    try:
        out_leaves, rebuild = flatten(result)
    except (HoldsItself, RecursionError):
        raise Unreplayable(
            "what the step returns is a list, tuple or dict that holds itself, or nested deeper than Python's "
            "recursion limit: a replay could not rebuild it around its new tensors. Return the tensors and numbers"
        ) from None
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
            what = getattr(owner, "what", f"{type_name(owner)}.{name}")
            if (id(owner), name) in rec.moved:
                raise ChangedWhileRunning(moved_on(owner, name))
            told = getattr(type(owner), "changed_while_running", None)  # an owner that says why it may change
            if told is not None:
                raise ChangedWhileRunning(told(owner, name))
            raise ChangedWhileRunning(
                f"the step changed {what} while it ran (a layer made or given inside it, nn.Linear(...) in the "
                "step; a mode switched), which a replay would not do. Make and change modules outside the step"
            )
    for owner, name, _ in rec.set_by_step.values():  # once (set on the first call alone: `self.ready = True`)
        raise ChangedWhileRunning(set_by_step(owner, name, getattr(owner, name, None)))
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
    given = Inputs(inputs, rec.copies, made)
    nodes = forward_order(roots, made)
    # the constants made from the inputs that ops take as keyword arguments (where's cond): on the tape first
    nodes = forward_order([*given.computed_in(nodes, made), *roots], made)
    index = {id(n): i for i, n in enumerate(nodes)}
    drawn = {id(t): k for k, (t, _, _) in enumerate(rec.draws)}
    entries = [entry_of(n, index, given, drawn, made) for n in nodes]
    for n, e in zip(nodes, entries):  # made by an op, its numbers read in Python: no op of the tape (why it differs)
        if e.kind == CONSTANT and id(n) in rec.made:
            e.read_in = rec.read_where.get(id(n), "")
    for n, e in zip(nodes, entries):  # what an op made under no_grad needs none (an evaluation's loss)
        e.needs_grad = e.kind == PARAM or (
            e.kind == OP and id(n) not in made and any(entries[p].needs_grad for p in e.parents)
        )
    _check_versions(rec, nodes, entries, made)
    events = [
        ("backward", index[id(ev[1][0])], [index[id(n)] for n in ev[1]], ev[2]) if ev[0] == "backward" else ev[:5]
        for ev in rec.events
    ]
    outputs = outputs_of(rec, out_leaves, index, made)
    seen = [copy for _, copy in rec.given]  # copies made before the call, the same unless it changed them
    guards = buffer_guards(list(rec.guards.values()), [e.source for e in entries if e.kind == CONSTANT])
    too_large = too_large_read(guards)
    if too_large:
        raise Unreplayable(too_large)
    tape = Tape(entries, _draws(rec, index), events, outputs, rebuild, guards, seen, rec.methods)
    tape.read_numbers = rec.read_numbers
    tape.read_by = rec.read_by
    tape.read_in_nn = rec.read_in_nn
    tape.numpy_reads = rec.numpy_reads
    tape.advanced = rec.advanced
    tape.rules = {index[key]: name for key, (_, name) in rec.made_in_rule.items() if key in index}
    remade = mark_views(entries, inputs, rec.copies)  # views of the inputs, made again by each replay
    tape.addresses = {v.input: address(inputs[v.input]) for v in views_in(entries)}
    tape.from_inputs = _from_inputs(rec, entries) | views_of_inputs(entries, inputs, rec.copies)
    tape.held = held(rec, given.arrays, remade)
    computed = {id(n._data): i for i, (n, e) in enumerate(zip(nodes, entries)) if e.kind in (OP, PARAM, DRAWN)}
    tape.checks = [
        (check, checked(data, given, computed, inputs), drawn, isinstance(data, Tensor))
        for check, data, drawn in rec.checks
    ]
    return tape


def _from_inputs(rec: Recording, entries: list[Entry]) -> frozenset[int]:
    """The inputs that the tape's data made outside the graph came from: its constants, and its ops'
    keyword arguments other than inputs themselves (autograd.where's cond, an index, labels made from
    the labels) that are such a constant's array or a copy an op kept of one, in a tuple too."""
    inputs: frozenset[int] = frozenset()
    for e in entries:
        if e.kind == CONSTANT and e.view is None:
            inputs |= inputs_of(rec.derived, [e.node])
        fed = e.given_anew()
        inputs |= inputs_of(rec.derived, flatten([v for name, v in e.params.items() if name not in fed])[0])
    return inputs


def _draws(rec: Recording, index: dict[int, int]) -> list[Draw]:
    """The step's draws, each as it was drawn: one changed afterwards would not be replayed."""
    draws, hidden = [], frozen()  # generators gc.freeze() set aside may have moved unseen: untracked too
    for (t, redraw, values), moves in zip(rec.draws, rec.random.moves):
        if t._version or not same(t._data, values):
            raise Unreplayable(
                "the step changed a drawn constant (autograd.drawn, a dropout mask) after its draw, which a replay "
                "would not do: change it with tensor ops, or inside the draw"
            )
        draws.append(Draw(redraw, like(t._data), index.get(id(t)), moves, None if moves and not hidden else values))
    return draws


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

"""The recordings of one key of a compiled step (compile.Compiled): the first tape until a second confirms it (the
same ops, constants and draws: compile_compare), then the Program that replays it, pinned where data made outside
the graph came from inputs equal on both calls; or why the step runs eagerly for that key."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from .compile_changes import Contents, setting_where
from .compile_compare import derived, difference, mark_live
from .compile_entries import Tape, Unreplayable
from .compile_iterators import ADVANCED
from .compile_names import Names, identical
from .compile_numbers import made_of_numbers
from .compile_replay import Program
from .compile_sources import same


class Recorded:
    """The recordings of one key: its first tape until a second confirms it, then its Program."""

    def __init__(self, attempts: int = 0) -> None:
        self.first: Tape | None = None
        self.program: Program | None = None
        self.reason = ""
        self.attempts = attempts  # recordings made since the last replay
        self.changed = ""  # the setting last seen changed between two recordings (_changed_setting)

    def confirm(self, tape: Tape, check: Callable[[Any], Any] | None, names: Names) -> str:
        """Take `tape`, the latest recording: the Program where it confirms the first; or why it must record
        again, "" for a first recording (then `tape` is the first); or Unreplayable."""
        first = self.first
        made = _made_anew(first, tape) if first is not None else ""
        if made:
            raise Unreplayable(
                f"the step makes a {made} anew on every call (nn.Dropout(0.1)(x) inside it, say): "
                "a replay could not see its settings (p, training) change with the state they come from. Make it "
                "once, outside the step (in the model's __init__)"
            )
        where = _changed_setting(first, tape) if first is not None else ""
        again = _disagreement(first, tape, where) if first is not None else ""
        if first is None or again:
            self.changed = f"; the last setting seen to change: {where}{COUNT_KEPT}" if where else ""
            self.first = tape  # a mode changed, a layer was frozen, or a global name was rebound: start again
            return again
        why = difference(first, tape)
        if why:
            raise Unreplayable(why)
        if first.advanced or tape.advanced:  # last: a step that runs eagerly for another reason says that one
            raise Unreplayable(ADVANCED.format(kinds=first.advanced or tape.advanced))
        read = {**tape.numpy_reads, **first.numpy_reads}
        changed = [k for k in sorted(read) if not same(first.seen[k], tape.seen[k])]
        if changed:
            raise Unreplayable(READ_WITH_NUMPY.format(k=changed[0], how=read[changed[0]]))
        mark_live(first, tape)
        self.program = Program(tape, check)
        self.program.anchored = [(k, at) for k, at in tape.addresses.items() if first.addresses.get(k) == at]
        self.attempts = 0
        names.bind(self.program, tape.bound)
        made_outside = derived(first, tape)
        if made_outside:
            if first.read_numbers or tape.read_numbers:
                # made from numbers of the step's tensors, which depend on the parameters too: equal on
                # both calls (a mask all True), it tells nothing of the next call's
                self.program = None
                by, nn_reader = first.read_by or tape.read_by, first.read_in_nn or tape.read_in_nn
                raise Unreplayable(READ_BY_NN.format(reader=nn_reader) if nn_reader and not by else made_of_numbers(by))
            if any(not same(first.seen[k], tape.seen[k]) for k in first.from_inputs | tape.from_inputs):
                self.program = None
                raise Unreplayable(
                    "the step computes data outside the graph from its inputs with ops that need no gradient "
                    "(on an integer Tensor input: y.max(), y * 1.0; on Tensor(labels) of an array input; on "
                    "x.detach()), or takes it from a view of an array input (labels y[:2], Tensor(x[1:])), which a "
                    "replay cannot compute again: it came out the same on both recorded calls, but may differ on "
                    "the next. Keep it in the graph (ops on tensors computed from the parameters), pass it as an "
                    "argument of its own (step(x[:2], y[:2])), or run the step eagerly"
                )  # where those inputs were the same on both calls, the replays are pinned to them, below
            # replay only while a constant of the caller's that such data was made of (or an array of theirs
            # that an op keeps a copy of: an index, labels) holds the numbers it held then (a temperature
            # annealed between calls: `1.0 / temp`); the step's own are made anew
            self.program.pinned_constants = [tape.held[k] for k in first.held.keys() & tape.held.keys()]
        if made_outside or tape.addresses or read:
            # an input equal on both calls cannot show whether that data, or where a view of an input starts
            # (x[s:s + 2] with s read off y: compile_views), depends on it: replay only calls with that input
            # again, and record anew when it changes
            self.program.pinned = [(k, seen) for k, (a, seen) in enumerate(zip(first.seen, tape.seen)) if same(a, seen)]
        self.first = None
        return ""


READ_WITH_NUMPY = (
    "the step's own code read the numbers of array input {k} (counting every argument, in lists and dicts too) with "
    "numpy ({how}), as a mask t >= 0, np.where, np.clip, int(y[0]), y.tolist() or t.mean() used as a float do, and "
    "that input differed between the recorded calls: a replay runs none of the step's Python, so what it made of "
    "them (a mask, a slice's start, a branch) would stay as recorded, even where it came out the same on both. Do it "
    "with autograd ops on Tensor(y) (autograd.where(Tensor(t) >= 0, ...), which a replay computes again), or pass "
    "what you computed as an argument of its own (step(x, t, mask))"
)


READ_BY_NN = (
    "{reader} read the numbers of a tensor that ops made from the step's inputs (labels tokens[:, 1:] or "
    "y.clip(0, 1) of a Tensor input, an embedding's indices) and made data of them outside the graph, which a "
    "replay would reuse as recorded: give such labels or indices as arrays (tokens[:, 1:] of an array input is a "
    "view of it, which a replay makes again), as an argument of their own (step(x, y.clip(0, 1))), or to "
    "autograd's cross_entropy or nll_loss"
)


COUNT_KEPT = (
    " (a count kept there? keep it where the step reads nothing, or on an object of an @autograd.unguarded class)"
)


def records_again(step: str, why: str) -> None:
    """Say why a step records once more than its two recordings (logger "autograd.compile", at DEBUG: as
    PyTorch's TORCH_LOGS=recompiles): a step that keeps recording is slow, and this names the cause."""
    LOG.debug("%s records again: %s", step, why)


LOG = logging.getLogger("autograd.compile")


def _disagreement(first: Tape, tape: Tape, changed: str) -> str:
    """Why `tape` does not confirm `first` (and becomes the first): the settings, parameters or names it found
    differ (`changed`: the setting seen to change between them); or ""."""
    if not first.agrees(tape):
        if tape.followed:
            return "it ran functions of the caller's that compile follows from now on, reading their settings too"
        return f"{changed} changed since the last recording" if changed else _read_by_one(first, tape)
    if _trained(first) != _trained(tape):
        return "it trained other parameters than the last recording (requires_grad switched, a layer frozen)"
    if not identical(first.bound, tape.bound):
        return "a global name or closure cell of the step holds another object than at the last recording"
    return ""


def _trained(tape: Tape) -> list[int]:
    """The parameters a recording trained (leaves requiring grad), by identity."""
    return [id(p) for p in tape.params]


def _made_anew(first: Tape, tape: Tape) -> str:
    """The kind of the first object whose guarded settings the two recordings read from different objects
    of the same kind at the same place (a module made in the step), or "". Only where every guarded
    value is the same: a value that changed (a layer replaced between the calls) means record again. A container a
    name holds (a Contents, made for each recording) is no object the step made: its value is guarded as it is (a
    shape tuple the step stores, `self.shape = x.shape`, equal on each call)."""
    if len(first.guards) != len(tape.guards) or [v for *_, v in first.guards] != [v for *_, v in tape.guards]:
        return ""
    for (a, name, _), (b, other, _) in zip(first.guards, tape.guards):
        if a is not b and type(a) is type(b) and name == other and a.__class__ is not Contents:
            return type(a).__name__
    return ""


def _changed_setting(first: Tape, tape: Tape) -> str:
    """The setting last seen to change between two recordings (`Counted.calls`, a count the caller keeps where the
    step reads), or ""."""
    was = {(key, name): value for key, name, value in first.guarded()}
    for (owner, name, _), (key, _, value) in zip(tape.guards, tape.guarded()):
        if was.get((key, name), value) != value:
            return setting_where(owner, name)
    return ""


def _read_by_one(first: Tape, tape: Tape) -> str:
    """Why two recordings' guards differ where no value changed: a setting one of them read alone."""
    mine = {(key, name): (owner, name) for (owner, name, _), (key, *_) in zip(first.guards, first.guarded())}
    theirs = {(key, name): (owner, name) for (owner, name, _), (key, *_) in zip(tape.guards, tape.guarded())}
    one = [mine[k] for k in mine if k not in theirs] or [theirs[k] for k in theirs if k not in mine]
    if not one:
        return "the last two recordings read the same settings in another order"
    return f"of the last two recordings, one alone read {setting_where(*one[0])} (a mode or layer decides what runs)"

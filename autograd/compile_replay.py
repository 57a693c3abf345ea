"""A tape made runnable: `Program` replays a recorded step on new inputs without building a
graph. Everything is resolved once, when the Program is made: each op becomes a step of a flat
list, its kernel (compile_kernels: the op's forward and rule into buffers kept from call to call)
or else its own forward (a numpy ufunc into a buffer) and rule on arrays. Constants drawn by
`autograd.drawn` (dropout masks) are drawn again first, in the recorded order. The rules run in the
recorded backward order (compile_backward), gradients reach parameters' `.grad` as backward() gives
them (a kernel's buffer is handed over as it is, and written again by the next replay), and the
recorded optimizer calls are made again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .compile_backward import event_steps
from .compile_changes import setting_where
from .compile_entries import CONSTANT, INPUT, OP, PARAM, Tape, like
from .compile_forward_steps import buffered, entry_kernel, forward_step
from .compile_generators import MOVED_BY_ANOTHER_THREAD, put_back, union
from .compile_guards import MISSING, Flag, kept, settled
from .compile_made import input_array
from .compile_recording import SWITCHED, SWITCHES
from .compile_relu_proofs import relu_proofs
from .compile_schedule import Interrupted, ReplayStopped, draws_and_checks
from .compile_sources import same
from .compile_views import address, views_in
from .tensor_class import constant
from .tensor_ops import OPS
from .trees import flatten
from .type_names import type_name

_GETITEM = OPS["getitem"]


UNBOUND = object()  # what a global name or closure cell holds when it holds nothing


class Stale(Exception):
    """A leaf's requires_grad (a layer frozen or unfrozen), its array's shape, dtype or layout, a
    guarded setting (a module's training mode), a global name or closure cell of the step (an
    optimizer made anew), or an input a Program is pinned to changed since the recording: record again."""


class Program:
    """The replay of one tape. `run(inputs)` takes the arrays of the call's inputs, in the tape's order."""

    def __init__(self, tape: Tape, check: Callable[[Any], Any] | None = None) -> None:
        entries = tape.entries
        self.arrays: list[Any] = [e.source if e.kind == CONSTANT else None for e in entries]
        self.inputs = [(i, e.source) for i, e in enumerate(entries) if e.kind == INPUT]
        self.leaves = [
            (i, e.node, e.shape, e.dtype, (e.shape, e.dtype, e.contiguous))
            for i, e in enumerate(entries)
            if e.kind == PARAM or e.live
        ]
        # a leaf frozen or unfrozen anywhere since (a frozen layer's products are constants of the tape,
        # the layer no entry of it): the step builds another graph
        self.switches = SWITCHES.count
        self.fed = [(e.params, name, k) for e in entries if e.kind == OP for name, k in e.fed]
        # a boolean mask in an index (`out[mask]`, an input's, or an array of the caller's changed in place):
        # the result's length is its count of True, which the tape's shapes and buffers hold as recorded
        self.counts = [(e.params, c) for e in entries if e.op is _GETITEM and (c := _true_counts(e.params))]
        # views of the inputs (compile_views): constants by entry, keyword arguments by their dicts; made again from
        # inputs of the recorded strides, and (`anchored`, compile_confirm) at the recorded address where both
        # recordings' inputs were there, which cannot show a view was made from the input rather than its memory
        self.views = [(i, e.view) for i, e in enumerate(entries) if e.view is not None]
        self.viewed = [(e.params, name, viewed) for e in entries for name, viewed in e.viewed]
        self.layouts = sorted({(v.input, v.input_strides) for v in views_in(entries)})
        self.anchored: list[tuple[int, int]] = []
        self.guards = tape.guards
        self.methods = tape.methods  # (class or object's dict, names, a check of them, what it gave): compile_methods
        kernels = [entry_kernel(e, entries) for e in entries]
        steps = {
            i: forward_step(i, e, kernels[i], buffered(e, entries), self.arrays)
            for i, e in enumerate(entries)
            if e.kind == OP
        }
        relu_proofs(entries, kernels, self.arrays, steps)  # relu's reads of arrays a product proved finite, skipped
        self.forward = list(steps.values())
        self.before_forward = draws_and_checks(tape, entries, steps, self.arrays)
        # the generators the draws move, put back by a replay that stops before its backward pass; and whether a
        # draw moved one out of reach, which it cannot put back (compile_generators)
        self.generators = union([d.moves for d in tape.draws])
        self.untracked = any(d.untracked is not None for d in tape.draws)
        handed: list[set[int]] = []  # per backward pass, the ids of the arrays its last replay gave as `.grad`
        self.events = event_steps(tape.events, entries, kernels, self.arrays, handed)
        self.outputs, self.rebuild, self.check = tape.outputs, tape.rebuild, check
        self.pinned: list[tuple[int, np.ndarray]] = []  # (input, its data): what it replays only (compile_tape.derived)
        self.pinned_constants: list[tuple[Any, np.ndarray]] = []  # (a constant Tensor or array, its numbers): the same
        # the step's global names (namespace, name, object) and closure cells (cell, object), as recorded
        self.names: list[tuple[dict[str, Any], str, Any]] = []
        self.cells: list[tuple[Any, Any]] = []

    def run(self, inputs: list[Any]) -> Any:
        for owner, name, snapshot in self.guards:  # compile_guards.unchanged, inline: it runs on every replay
            value = getattr(owner, name, MISSING)
            if value is snapshot or (snapshot.__class__ is Flag and value is snapshot.value):  # kept's first test
                continue  # a module's `training`: a call fewer a module and replay
            if not kept(value, snapshot) and settled(value) != snapshot:
                raise Stale(f"{setting_where(owner, name)} changed")  # another mode or setting: another graph
        try:  # the methods it ran, a class's looked up in one call, compared in C: one swapped or shadowed is new code
            for cls, names, get, methods in self.methods:
                if get(cls) != methods:
                    raise Stale(f"a method it ran was replaced or shadowed: {_replaced(cls, names, get, methods)}")
        except AttributeError:  # one deleted since
            raise Stale("a method it ran was deleted") from None
        for namespace, name, value in self.names:
            if namespace.get(name, UNBOUND) is not value:  # a global rebound: `opt = nn.SGD(...)` anew
                raise Stale(f"the global name {name!r} holds another object")
        try:
            for cell, value in self.cells:
                if cell.cell_contents is not value:
                    raise Stale("a closure cell (nonlocal name) of the step holds another object")
        except ValueError:  # a cell emptied since (`del`)
            raise Stale("a closure cell of the step was emptied") from None
        for k, seen in self.pinned:
            if not same(inputs[k], seen):
                raise Stale(
                    f"input {k} (counting every argument, in lists and dicts too) differs from the recorded calls', "
                    "which data made outside the graph may come from"
                )
        for t, seen in self.pinned_constants:
            if not same(input_array(t), seen):
                raise Stale("a constant that data made outside the graph came from changed")
        for k, strides in self.layouts:
            if inputs[k].strides != strides:
                raise Stale(f"input {k}, which views are taken of, has strides {inputs[k].strides}, recorded {strides}")
        for k, at in self.anchored:
            if address(inputs[k]) != at:
                raise Stale(f"input {k}, which views are taken of, is another array than on both recorded calls")
        if SWITCHES.count != self.switches:
            raise Stale(SWITCHED)
        arrays = self.arrays
        for i, t, shape, dtype, layout in self.leaves:  # their requires_grad: SWITCHES, above
            data = t._data
            # the same array as on the last replay has the layout it had then; its shape and dtype can
            # be set in place (a.shape = ...), and are checked each time
            if data.shape != shape or (data.dtype is not dtype and data.dtype != dtype):
                raise Stale(
                    f"a leaf Tensor's array (a parameter's) is {data.shape} {data.dtype}, recorded {shape} {dtype}"
                )
            if data is not arrays[i]:
                if like(data) != layout:
                    raise Stale("a leaf Tensor's array (a parameter's) has another memory layout")
                arrays[i] = data
        for i, k in self.inputs:
            arrays[i] = inputs[k]
        for params, name, k in self.fed:
            params[name] = inputs[k]
        for i, view in self.views:
            arrays[i] = view.of(inputs[view.input])
        for params, name, viewed in self.viewed:
            params[name] = viewed.of(inputs)
        for params, counts in self.counts:  # another count records again
            if _true_counts(params) != counts:
                raise Stale("a boolean mask in an index holds another count of True")
        # where the generators the draws move stand before them, and after them (compile_generators.put_back)
        sources = self.generators
        before = [s.take() for s in sources] if sources else None
        after = None
        try:  # nothing but the generators changes before the backward pass: put back, the call can run eagerly
            for made in self.before_forward:
                made(inputs)
            if before is not None:
                after = [s.take() for s in sources]
            for step in self.forward:
                step()
        except Exception as e:
            if before is not None and put_back(sources, before, after):
                raise ReplayStopped(f"{e}; {MOVED_BY_ANOTHER_THREAD}") from e
            if isinstance(e, ReplayStopped):
                raise
            raise Interrupted(f"the replay's forward pass raised {type_name(e)} ({e})") from e
        if self.check is not None:
            self.check(self._result())
        for event in self.events:
            event()
        return self._result()

    def _result(self) -> Any:
        """What the step returns, rebuilt: its tensors as copies (the buffers are the next call's)."""
        arrays, leaves = self.arrays, []
        for kind, x in self.outputs:
            if kind == "tensor":
                leaves.append(constant(np.array(arrays[x], copy=True)))  # its dtype, as recorded
            elif kind == "read":
                leaves.append(np.asarray(arrays[x]).item())
            else:
                leaves.append(x)
        return self.rebuild(leaves)


def _replaced(cls: Any, names: tuple[str, ...], get: Callable[[Any], Any], was: Any) -> str:
    """Which of a method guard's names differ now: those the objects' own dicts shadow (the shadowing guard, `was`
    False: `cls` its dicts, a name beside each), or those a class resolves to other code (attrgetter gives one alone
    as itself, more as a tuple)."""
    if was is False:
        return ", ".join(dict.fromkeys(name for held, name in zip(cls, names) if name in held))
    if len(names) == 1:
        return names[0]
    return ", ".join(name for name, now, then in zip(names, get(cls), was) if now != then)


def _true_counts(params: dict[str, Any]) -> list[int]:
    """The counts of True of the boolean arrays in an index (getitem's keyword argument)."""
    parts = flatten(params["index"])[0]  # arrays, ints, slices, None, Ellipsis
    return [int(np.count_nonzero(a)) for a in parts if isinstance(a, np.ndarray) and a.dtype == bool]

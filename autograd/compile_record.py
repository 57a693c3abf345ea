"""What `autograd.compile` notes while it records a step, besides the graph the ops build: the
backward pass, the calls the step makes to `replayed` methods (nn optimizers' step and zero_grad),
every Python value read from a tensor's data, and every constant drawn by `autograd.drawn` (dropout
masks, random tensors), in order; and what a replay would not do again: a tensor's data changed
outside a replayed method, a parameter's data read in Python, the default generator seeded. Hooks
in tensor_backward.py, tensor_versions.py, nn/optim_base.py, random_tensors.py (and Tensor.item and
Tensor.__bool__) report here; nothing is noted outside a recording, and the hooks on hot paths
first test RECORDING, which is empty then."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from . import modes
from .compile_made import MadeByOp
from .compile_numbers import made_of_numbers
from .compile_recording import Recording
from .trees import flatten

_state = threading.local()
RECORDING: set[int] = set()  # the threads recording a step: empty, the hooks cost one test


def current() -> Recording | None:
    """The recording in progress in this thread, if any."""
    return getattr(_state, "recording", None)


@contextmanager
def recording(
    known_params: list[Any], known_owners: list[Any], inputs: list[Any], generators: tuple = (), iterators: tuple = ()
) -> Iterator[Recording]:
    """Note the events of the block, a call given `inputs`. `known_params` and `known_owners` (from an
    earlier recording) are watched from the start: their `.grad`, and their settings; `generators` (those
    the step holds), with the global ones, are read for draws outside autograd.drawn; `iterators` for moves outside
    them (compile_iterators)."""
    _state.recording = rec = Recording(known_params, known_owners, inputs, generators, iterators)
    thread = threading.get_ident()
    RECORDING.add(thread)
    try:
        yield rec
    finally:
        _state.recording = None
        RECORDING.discard(thread)
    rec.check_grads("after the last recorded call")
    rec.check_settings()
    rec.check_inputs()
    rec.drew_outside = rec.random.moved_outside_draws()
    rec.advanced = rec.random.advanced_outside_draws()
    if rec.read_parameter_by:
        rec.problems.append(
            made_of_numbers(rec.read_parameter_by, "a parameter")
            if all(rec.read_parameter_by)
            else "the step read a parameter's .data in Python, outside an nn optimizer's step: what it computes from "
            "it (a pruning mask, a norm) would be replayed as it was, while the parameter changes. Compute it with "
            "tensor ops on the parameter, or outside the compiled step"
        )


def drew(tensor: Any, redraw: Callable[[], Any]) -> None:
    """Note a constant Tensor drawn by `autograd.drawn`: `redraw()` gives the data of a new draw,
    which a replay makes in its place. random_tensors.drawn reports here."""
    rec = current()
    if rec is not None:
        rec.draws.append((tensor, redraw, np.array(tensor._data, copy=True)))


def changed(tensor: Any) -> None:
    """Note that `tensor`'s data changed (tensor_versions reports every change while a step is
    recorded): a problem, unless a replayed method (an optimizer's step) made it."""
    rec = current()
    if rec is not None:
        rec.changed()


def made_from_graph(constant: Any = None) -> None:
    """Note a constant made of the graph's numbers while a step is recorded (`t.detach()` of a computed
    tensor, an op under no_grad on one that requires grad; `constant`, where it is a Tensor): as a read of
    those numbers, since they may change with parameters the step does not train, while equal on both
    recorded calls."""
    rec = current()
    if rec is not None and not rec.replaying:
        rec.read_numbers = True
        if constant is not None:
            rec.from_graph[id(constant)] = constant


def of_graph(tensors: list[Any]) -> bool:
    """Whether one of `tensors` is a constant made of the graph's numbers (`made_from_graph`, or made under
    no_grad: MadeByOp.of_graph)."""
    rec = current()
    if rec is None:
        return False
    made = rec.made
    return any(id(t) in rec.from_graph or (id(t) in made and made[id(t)].of_graph) for t in tensors)


@contextmanager
def rule_running(op_name: str) -> Iterator[None]:
    """The derivative rule of op `op_name` runs on the graph's nodes (a create_graph pass) while a step is
    recorded: the tensors it makes are noted with the op's name (`made_in_rule`), so that a step that
    cannot be replayed because of them is told which gradient and which rule made them."""
    rec = current()
    if rec is None:
        yield
        return
    rec.rules.append(op_name)
    try:
        yield
    finally:
        rec.rules.pop()


def made(tensor: Any) -> None:
    """Note a tensor an op made while a step is recorded, if a derivative rule made it (`rule_running`)."""
    rec = current()
    if rec is not None and rec.rules:
        rec.made_in_rule[id(tensor)] = (tensor, rec.rules[-1])


def made_constant(tensor: Any, op: Any, params: dict[str, Any], parents: list[Any], needs: bool) -> None:
    """Note a constant an op made (`needs`: a parent requires grad). Under no_grad, of a tensor that requires
    grad (or of such a constant), it is a constant of the graph's numbers, which a replay makes again as an op
    that needs no gradient (an evaluation's loss); an integer result of such a tensor with grad on (a user's
    rounding op) is data made of the numbers, not made again. Of constants alone, as constant_from_inputs says."""
    of_graph_numbers = needs or of_graph(parents)
    again = not (needs and modes.current.grad_enabled)
    if of_graph_numbers and not again:
        made_from_graph(tensor)
    constant_from_inputs(tensor, [parents, params], (op, params, parents) if again else None, of_graph_numbers)


def constant_from_inputs(
    tensor: Any, parents: list[Any], made_by: tuple[Any, dict, list[Any]] | None = None, of_graph: bool = False
) -> None:
    """Note a constant (a tensor that needs no gradient) that an op made from the call's inputs: from a
    Tensor input of integers (`y.max()`, `y * 1.0`), from `Tensor(labels)` of an array input, from a
    `.detach()` of an input, a cast (`y.long()`), a one-hot of the labels, or from another such
    constant. A replay cannot make it again, and equal on both recorded calls it tells nothing of the
    next call's (a mask all True on two batches). `parents` are the Tensors and arrays it was made of
    (an op's inputs and keyword arguments: an index, a mask), in lists, tuples and dicts too. A
    constant Tensor among them that is none of these (a temperature: `1.0 / temp`) is noted with a copy
    of its numbers (Recording.held): replays check it is unchanged. `made_by`: the op (the table's or a
    user's), keyword arguments and parent Tensors that made it, none of which required grad
    (Recording.made): a tape can make it again on each replay, from the inputs and from such constants
    as they are then (a held weight Tensor's cast), and only where it does not are they held. `of_graph`: made
    under no_grad of the graph's numbers (MadeByOp.of_graph)."""
    rec = current()
    if rec is None or rec.replaying:
        return
    sources = flatten(parents)[0]
    inputs = inputs_of(rec.derived, sources) | rec.viewed(sources)
    if inputs:
        rec.derived[id(tensor)] = (tensor, inputs)
        rec.derived[id(tensor._data)] = (tensor._data, inputs)
    # a draw, as every constant the step makes, is another object on the next call: pinning it pins nothing
    held = [p for p in sources if hasattr(p, "_data") and p._made_by is None and not p._requires_grad]
    held = [p for p in held if id(p) not in rec.derived]  # a constant Tensor none of the inputs made
    if made_by is not None:
        rec.made[id(tensor)] = MadeByOp(tensor, *made_by, held=held, of_graph=of_graph)  # compile_sources.made_by_ops
        return
    for p in held:
        rec.hold(p)  # its numbers as the data was made


def copied_from(copy: Any, source: Any) -> Any:
    """`copy`, an array made from `source` (an array, a Tensor, or a list of numbers) outside the graph with
    numpy (targets or weights cast to the predictions' dtype), noted while a step is recorded: made from the
    inputs where source was, or from the graph's numbers; and where source is a constant of the caller's (a
    list of weights too: its items may be set in place), the replays check its numbers and record again when
    they change, as for the copies that ops keep. Returns copy."""
    rec = current()
    if rec is None or rec.replaying or copy is source:
        return copy
    inputs = inputs_of(rec.derived, [source])
    if inputs:
        rec.derived[id(copy)] = (copy, inputs)
    elif getattr(source, "_made_by", None) is not None:  # a tensor the step computed
        made_from_graph()
    elif isinstance(source, np.ndarray | list) or (hasattr(source, "_data") and not source._requires_grad):
        rec.hold(source)
    return copy


def needs_grad(tensor: Any) -> bool:
    """Whether a gradient flows to `tensor` as it would eagerly: its requires_grad, except where a compiled
    step being recorded made it require grad (its Tensor inputs, and tensors computed from them alone,
    which are constants eagerly). For nn's losses, which take a target that requires grad as an operand
    and refuse one as class weights."""
    return bool(tensor.requires_grad) and not from_inputs(tensor)


def inputs_of(derived: dict[int, tuple[Any, frozenset[int]]], leaves: list[Any]) -> frozenset[int]:
    """The indices of the inputs that the Tensors and arrays among `leaves` (trees.flatten's) were
    made from, by `derived` (Recording.derived)."""
    inputs: frozenset[int] = frozenset()
    for x in leaves:
        found = derived.get(id(x)) or derived.get(id(getattr(x, "_data", x)))
        inputs |= found[1] if found else frozenset()
    return inputs


def kept_copy(original: Any, copy: Any) -> None:
    """Note that an op of the step being recorded in this thread keeps `copy` of `original` (tensor_data.kept):
    where `original` is an input's array, the tape takes the copy for that input."""
    rec = current()
    if rec is not None:
        rec.copies.append((original, copy))  # both held: their ids stay theirs until the tape is made
        made = rec.derived.get(id(original))
        if made:  # a copy of an input's array, or of a constant made from inputs, is made from them too
            rec.derived[id(copy)] = (copy, made[1])


def from_inputs(tensor: Any) -> bool:
    """Whether `tensor` requires grad only because a step being recorded got it, or computed it from,
    its Tensor inputs alone (`x`, `x * 2`, `x[:, :2]`): the recording gives each input a stand-in that
    requires grad (compile._stand_in), so that ops on it are recorded, where eagerly none of these
    needs a gradient and a write into them is allowed. False outside a recording, and for a tensor
    that a parameter's gradient flows through (eagerly it requires grad too)."""
    rec = current()
    if rec is None or getattr(tensor, "_requires_grad", False) is not True:  # a Value has none: not an input's
        return False
    known = rec.from_inputs  # this recording's earlier answers, by id (the tensor held): a chain walks once
    pending, seen = [tensor], {}
    while pending:
        t = pending.pop()
        if id(t) in seen or known.get(id(t), (None, False))[1]:  # seen, or known to lead to inputs alone
            continue
        seen[id(t)] = t
        if id(t) in known or (t._made_by is None and id(t) not in rec.inputs):  # a parameter's gradient flows
            known[id(tensor)] = (tensor, False)
            return False
        if t._made_by is not None:
            pending += [p for p in t.parents if p._requires_grad]
    known.update((k, (t, True)) for k, t in seen.items())  # every tensor the walk saw leads to inputs alone
    return True


def write_as_eagerly(tensor: Any) -> None:
    """Ready `tensor` for a write in place (`t[i] = v`, `t += x`) where eagerly nothing it involves needs a
    gradient (`from_inputs`), so the write is made as eager makes it: a tensor the step computed
    leaves the graph, a constant as it is eagerly (so that backward does not refuse its changed data),
    and the step runs eagerly from then on, since a replay follows the graph and would not make the
    write. A leaf stays as it is: an input's change is seen when the call ends (Recording.check_inputs),
    a constant's by its version count."""
    if tensor._made_by is None:
        return
    eager_only(
        "the step wrote in place (t[i] = v, t += x) into a tensor computed from its Tensor inputs alone "
        "(c = x * 2; c[:, 0] = 0, or a view of an input), which a replay, following the graph, would not do: "
        "build the changed tensor with ops (autograd.where, concatenate), or change the data before the call"
    )
    tensor._made_by = tensor._a = tensor._b = None
    tensor._requires_grad = False
    tensor._versions = ()


def eager_only(why: str) -> None:
    """Say that what runs now cannot be replayed faithfully (a scheduler stepped on the step's own loss,
    gradients read in Python): a compiled step being recorded when it is called runs eagerly for
    those inputs, with a CompileWarning giving `why` (a CompileError with strict=True). Outside a
    recording, and inside a replayed method (an optimizer's step), nothing happens."""
    rec = current()
    if rec is not None and not rec.replaying:
        rec.problems.append(why)


def seeded() -> None:
    """Note that the default generator was seeded (autograd.manual_seed) during a recorded step: a
    replay would not seed it again, so its draws would differ from eager's."""
    rec = current()
    if rec is not None:
        rec.problems.append(
            "autograd.manual_seed was called inside the step, which a replay would not do (its draws would "
            "differ): seed outside the compiled step, or give the random layers and draws generators of their own"
        )


def scalar_backward() -> None:
    """Note a backward pass through Values during a recorded step: compile replays the Tensor engine's
    ops only, so a replay would leave the Values' gradients as recorded and their parameters still."""
    rec = current()
    if rec is not None:
        rec.problems.append(
            "the step ran backward through Values (the scalar engine), which compile does not replay: its "
            "parameters would stop training. Run a Value step without compile, or build the model of Tensors"
        )


def read(tensor: Any, value: Any) -> Any:
    """`value`, read from `tensor`'s data by Python (`item()`, `bool()`): noted while a step is recorded,
    since a branch on it would not be replayed (a float then comes back as a Read, which notes
    branches on it). Tensor.item and Tensor.__bool__ return through this."""
    rec = current()
    return value if rec is None else rec.read(tensor, value)

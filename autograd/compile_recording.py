"""`Recording`: the events of one call of a step that autograd.compile records, and the problems that
forbid replaying it (compile_record's hooks add to it); the count of requires_grad switches."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from typing import Any

import numpy as np

from .compile_changes import replayed_code
from .compile_fields import fields
from .compile_made import MadeByOp, input_array, views_of
from .compile_random import Spans
from .compile_reads import Read
from .graph import raw
from .type_names import type_name


class Recording:
    """The events of one recorded call, in order, and the problems that forbid replaying it.

    Events are ("backward", order, seed) and ("call", owner, method, args, kwargs, bumps): a
    backward from order[0], and a replayed method's call with the version bumps it made to its
    owner's tensors (by id). `expected` is what each parameter's `.grad` should be when nothing
    but recorded events touched it (None, or an array and a copy of its values). `draws` are the
    drawn constants in the order of their draws: (Tensor, redraw, a copy of its data). `guards`
    are the attributes the step's graph depends on (a module's training mode), by (id, name):
    (owner, name, value). `inputs` are the ids of the Tensors the call was given (their data is
    the call's own); `replaying` counts the replayed calls in progress (their changes are replayed).
    `given` holds each input's array with a copy of its values, to see the call change them."""

    def __init__(
        self,
        known_params: list[Any],
        known_owners: list[Any],
        inputs: list[Any],
        generators: tuple[Any, ...] = (),
        iterators: tuple[Any, ...] = (),
    ) -> None:
        self.inputs = {id(x) for x in inputs}
        # the arrays themselves, not the stand-ins' `_data`, which the step may rebind (`x.data = ...`); their
        # copies are the tape's record of the call's input data too (a caller may reuse its arrays)
        self.given = [(a, np.array(a, copy=True)) for a in map(input_array, inputs)]
        self.copies: list[tuple[Any, Any]] = []  # (an array, the copy an op keeps of it): tensor_data.kept
        # constants (no input's, no draw's) that an op made data outside the graph from, by id: (the
        # constant, a copy of its numbers); those the step did not make pin its replays (a temperature)
        self.held: dict[int, tuple[Any, np.ndarray]] = {}
        # what is made from the inputs, by id (each input and its array, the constants ops made from them,
        # their arrays, the copies ops kept of those): (the object, held so its id stays its, the indices of
        # the inputs it came from); compile_record.constant_from_inputs adds to it
        self.derived: dict[int, tuple[Any, frozenset[int]]] = {
            id(y): (y, frozenset([k])) for k, x in enumerate(inputs) for y in (x, input_array(x))
        }
        # constants an op made from the inputs and from constants alone (`x.float() / 255` of an integer input, a
        # held weight Tensor's cast), by id: a MadeByOp, which a tape can compute again on each replay
        # (compile_sources.made_by_ops)
        self.made: dict[int, MadeByOp] = {}
        self.read_ids: set[int] = set()  # the tensors whose numbers Python read (compile_read_hooks.read_data)
        self.read_where: dict[int, str] = {}  # who read them first ("nn.norm_functions.standardize"), by id
        self.from_inputs: dict[int, tuple[Any, bool]] = {}  # compile_record.from_inputs's answers
        self.switches = SWITCHES.count  # requires_grad switched while recording: another graph on a replay
        self.replaying = 0
        self.changes: Any = None  # the step's containers watched (compile_changes.Changes), while it runs
        self.calls: Any = None  # what the step's code runs (compile_calls.Calls)
        self.moved: set[tuple[int, str]] = set()  # guarded attributes replayed code changed (compile_changes)
        # attributes of the step's objects its own code set, by (id of the owner, name): (owner, name, found)
        self.set_by_step: dict[tuple[int, str], tuple[Any, str, Any]] = {}
        self.validating: frozenset[int] = frozenset()  # the data of autograd.validate's checks running, by id
        # the functions of autograd's that read a parameter's numbers ("": the step's own code, p.data), in order
        self.read_parameter_by: tuple[str, ...] = ()
        self.read_numbers = False  # Python read the numbers of a tensor the step computed, or of an input
        self.read_by: tuple[str, ...] = ()  # the functions of autograd's that read them to make data (compile_numbers)
        self.read_in_nn = ""  # the function of nn's that read a constant ops made from the inputs, first (labels)
        self.rules: list[str] = []  # the ops whose derivative rules run now on the graph (create_graph), innermost last
        # the tensors those rules made, by id: (the tensor, held so its id stays its, the op whose rule made it)
        self.made_in_rule: dict[int, tuple[Any, str]] = {}
        # the constants made of the graph's numbers under no_grad (or by detach), by id: (the constant, held)
        self.from_graph: dict[int, Any] = {}
        self.took_numbers = False  # the step's own code took numbers into Python (compile_read_hooks)
        self.numpy_reads: dict[int, str] = {}  # the array inputs it read with numpy, by index: how (compile_watched)
        self.events: list[tuple[Any, ...]] = []
        self.reads: list[tuple[Any, Any]] = []
        self.problems: list[str] = []
        self.random = Spans(generators, iterators)  # the generators' readings: drawn from only by autograd.drawn?
        self.drew_outside = False  # did they move between those readings? (read_tape: after a layer made anew)
        self.advanced = ""  # the kinds of the iterators that moved between them (compile_iterators), or ""
        self.draws: list[tuple[Any, Callable[[], Any], Any]] = []
        # (check, the data it checked, the number of draws made before it): `validate`
        self.checks: list[tuple[Callable[[Any], None], Any, int]] = []
        self.guards: dict[tuple[int, str], tuple[Any, str, Any]] = {}
        self.kept: list[Any] = []  # the numbers the step keeps, watched, and those made of them (compile_kept)
        # the methods the step ran, as its objects resolve them (compile_methods.library_methods)
        self.methods: list[tuple[Any, ...]] = []
        self.expected: dict[int, tuple[Any, Any, Any]] = {}
        self.settings = {id(o): (o, settings(o)) for o in known_owners}
        # the owners' tensors too (an optimizer's parameters): a step with no backward of its own (clipping
        # and stepping gradients an eager backward left) changes their .grad only through recorded events
        self._expect([*known_params, *(t for o in known_owners for t in getattr(o, "tensors", ()))])

    def viewed(self, leaves: list[Any]) -> frozenset[int]:
        """The inputs (by index) whose arrays some of `leaves` (arrays, Tensors) are views of (`views_of`): a
        one-hot of labels `y[:2]` is made from y too."""
        arrays = [(k, a) for k, (a, _) in enumerate(self.given) if isinstance(a, np.ndarray) and a.size]
        return frozenset(k for x in leaves for k in views_of(x, arrays)) if arrays else frozenset()

    def hold(self, constant: Any) -> None:
        """Note a constant of the caller's (an array, a Tensor, or a list of numbers: loss weights) with a copy of
        its numbers as they are now, which the replays check (`held`; a list's copy is a list, as `same` compares)."""
        copy = deepcopy(constant) if isinstance(constant, list) else np.array(input_array(constant), copy=True)
        self.held.setdefault(id(constant), (constant, copy))

    def _expect(self, params: list[Any]) -> None:
        for p in params:
            g = p.grad
            self.expected[id(p)] = (p, g, None if g is None else np.array(raw(g), copy=True))

    def check_grads(self, where: str) -> None:
        """Note a problem if some `.grad` changed since the last recorded event: replay would not do that."""
        for p, g, values in self.expected.values():
            if g is None:
                changed = p.grad is not None
            else:
                changed = p.grad is not g or not np.array_equal(g, values, equal_nan=g.dtype.kind == "f")
            if changed:
                self.problems.append(
                    f"a parameter's .grad was changed outside recorded ops {where} (p.grad = None, p.grad *= k?): "
                    "use an nn optimizer's or module's zero_grad(), which a replay calls again"
                )
                return

    def before_backward(self, order: list[Any]) -> None:
        leaves = [n for n in order if n._made_by is None and n.requires_grad]
        if all(id(n) in self.inputs for n in leaves):  # only the stand-ins: eagerly, nothing required grad
            raise RuntimeError(
                "backward() on a tensor that does not require grad: no graph was recorded for it (every "
                "parameter the step uses is frozen, or none is used; give its inputs requires_grad=True)"
            )
        root = order[0]
        seed = root._grad_sum
        if not isinstance(seed, np.ndarray):
            self.problems.append("backward(create_graph=True) cannot be replayed: compile replays plain backward")
            return
        if any(n._made_by is not None and n._retains_grad for n in order):
            self.problems.append("retain_grad() on a tensor of the step cannot be replayed: return the tensor instead")
        self.check_grads("before backward()")
        self.events.append(("backward", order, seed.copy(order="K")))  # its layout too: eager sums in that order

    def after_backward(self, order: list[Any]) -> None:
        self._expect([n for n in order if n._made_by is None and n.requires_grad])

    def check_inputs(self) -> None:
        """Note a problem if the call changed an input's data (`x *= 0.5` on its batch array), which no
        hook sees for a numpy array: a replay reads what the caller gives and would not change it.
        Compared bit by bit, so that a NaN left alone is unchanged and 0.0 made -0.0 is a change."""
        if any(a.tobytes() != copy.tobytes() for a, copy in self.given):
            self.problems.append(
                "the step changed the data of one of its inputs in place (x *= 0.5 or x[:, 0] = 0 on an array it "
                "was given, or on a Tensor input or a view of one), which a replay would not do (it reads the data "
                "the caller gives): compute a new array or tensor (x = x * 0.5), or change the data before the call"
            )

    def check_settings(self) -> None:
        """Note a problem if an owner of a replayed method changed a setting (its lr) during the step, naming it."""
        for owner, seen in self.settings.values():
            changed = _changed_settings(owner, seen, settings(owner))
            if changed:
                self.problems.append(
                    f"a setting of {type_name(owner)} ({', '.join(changed)}) changed during the step, which a replay "
                    "would not do: change it outside the compiled function, or in an @autograd.replayed method (as "
                    "nn's schedulers' step is)"
                )
                return

    def call(self, owner: Any, method: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
        self.check_grads(f"before {type_name(owner)}.{method.__name__}()")
        self.settings.setdefault(id(owner), (owner, settings(owner)))
        self.check_settings()
        tensors = list(getattr(owner, "tensors", ()))
        before = [t._version for t in tensors]
        self.replaying += 1
        try:
            with replayed_code(self, method, owner):  # what it changes in the step's containers, a replay changes too
                result = method(owner, *args, **kwargs)
        finally:
            self.replaying -= 1
        bumps = {id(t): (t, t._version - v) for t, v in zip(tensors, before) if t._version != v}
        self.events.append(("call", owner, method, args, kwargs, bumps))
        for key, (watched, _) in self.settings.items():  # what a replayed method set, a replay sets again
            self.settings[key] = (watched, settings(watched))
        self._expect([p for p, _, _ in self.expected.values()])
        return result

    def read(self, tensor: Any, value: Any) -> Any:
        if value.__class__ is float:
            value = Read(value)
        self.reads.append((tensor, value))
        return value

    def changed(self) -> None:
        if not self.replaying and not self.problems:
            self.problems.append(
                "a tensor's data was changed outside an nn optimizer's step (t.data = ..., t[i] = v, t += x or "
                "t.mul_(x) under no_grad: an EMA, BatchNorm's running statistics in training), which a replay would "
                "not do: change it outside the compiled step, or in a method marked @autograd.replayed"
            )


class _Switches:
    """How many times a leaf tensor's requires_grad was switched (a layer frozen or unfrozen), or a gradient
    hook registered (hooks.py): a replay records again after one, since the step then builds another
    graph, or its backward runs Python that a replay would not."""

    count = 0


SWITCHES = _Switches()
SWITCHED = (  # why a replay found SWITCHES moved
    "requires_grad was switched, a hook added or an nn.Parameter made since the last recording, in this thread or "
    "another (one count for the process: compile_recording.SWITCHES)"
)


def _changed_settings(owner: Any, seen: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """The names of the settings that differ between `seen` and `now` (settings' dicts of `owner`). One that only
    one of them holds is compared with its class's value (a module's `training`, the class's True until
    model.train() sets it on the object: the same mode, no change). The very same object is no change, as in
    dicts' equality: a NaN the step left alone (NaN != NaN)."""
    missing = object()
    changed = []
    for name in dict.fromkeys([*seen, *now]):
        default = getattr(type(owner), name, missing)
        was, is_now = seen.get(name, default), now.get(name, default)
        if was is not is_now and was != is_now:
            changed.append(name)
    return changed


def settings(owner: Any) -> dict[str, Any]:
    """The numbers and flags an object keeps (an optimizer's lr, betas): a replay takes them as they are then."""
    return {k: v for k, v in fields(owner).items() if isinstance(v, int | float | str | tuple)}

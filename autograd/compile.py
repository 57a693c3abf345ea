"""`autograd.compile`: record a training step once, replay it without building a graph.

The first call for given input shapes and dtypes (and grad mode: under no_grad, its forward alone) runs the step
eagerly and records it: its graph (read off as a tape; ops under no_grad too, as ops that need no gradient), its
backward passes, its nn optimizers' calls and its draws (compile_record).
The second call runs eagerly too and must record the same tape, with the same constants: data that
changes from call to call outside the graph (numpy on the inputs, a mask drawn with numpy) shows up
there. Random data made with `autograd.drawn` (nn's dropout masks, autograd.rand and randn) is not
a constant but a draw: a replay calls its draw again, in the recorded order, so the generators give
the numbers they give eagerly. Later calls replay the tape (compile_replay), the hot ops through
kernels that compute their forward and rule into buffers (compile_kernels). A replay first checks
what the recordings took as given: the modes guarded (compile_hooks.guard), the objects the step's
own globals and closure cells name (an optimizer made anew records again), its parameters' shapes
and dtypes, and the inputs that data made outside the graph may depend on. Whatever cannot be
replayed faithfully makes that shape run eagerly, with a CompileWarning naming the cause (a
CompileError with strict=True). A replay that stops before its backward pass (an op's error, a shape that
changed) puts back the generators its draws moved (compile_generators) and runs the call eagerly.
"""

from __future__ import annotations

import functools
import threading
import warnings
from collections.abc import Callable
from typing import Any

from . import modes
from .compile_arguments import Handed, changed_argument
from .compile_calls import READ_OUTSIDE, Calls
from .compile_confirm import Recorded, records_again
from .compile_entries import ChangedWhileRunning, Unreplayable
from .compile_fields import fields
from .compile_iterators import holds_iterator, iterators_among
from .compile_kept import put_back_plain
from .compile_keys import read_call
from .compile_methods import library_methods
from .compile_names import Names, instances, partial_arguments
from .compile_random import held_among, held_generators
from .compile_reads import Read
from .compile_record import current, recording
from .compile_replay import Stale
from .compile_schedule import Interrupted, ReplayStopped, with_draws
from .compile_settings import guard_attributes
from .compile_tape import read_tape
from .compile_watched import watching
from .modes import flag, require_callable
from .subnormals import refuse_flushed
from .tensor_class import Tensor
from .trees import HoldsItself, flatten
from .type_names import type_name

MAX_RECORDINGS = 16  # input shapes recorded per compiled function; beyond them calls run eagerly
MAX_ATTEMPTS = 12  # recordings of one shape in a row without a replay; beyond them it runs eagerly, saying why


class CompileWarning(UserWarning):
    """A compiled step runs eagerly for some inputs, because it could not be replayed faithfully."""


class CompileError(RuntimeError):
    """With strict=True: the step could not be replayed faithfully (the message says why and what to do)."""


def compile(  # noqa: A001 (autograd.compile, as torch.compile)
    fn: Callable[..., Any], *, strict: bool = False, check: Callable[[Any], Any] | None = None
) -> Callable[..., Any]:
    """`fn` compiled: recorded on its first two calls with inputs of given shapes and dtypes
    (Tensors and arrays, in lists, tuples and dicts; other arguments are part of the key by value, a
    float by its bits, models and optimizers by identity; compile_keys.py),
    replayed on later ones into buffers, without a graph. A replay returns what fn returned,
    its Tensors as new constant Tensors, and draws again what fn drew with `autograd.drawn` (its
    dropout masks, random tensors), as fn would. `strict` raises CompileError where the step would
    otherwise run eagerly with a CompileWarning. `check(result)`, if given, is called on a replay's
    result after the forward pass and before the backward pass and optimizer calls, so that it can
    stop a bad step (fn makes the same check itself when it runs).

    A replay writes parameters' gradients into the arrays it gave them as `.grad` on the last
    replay, as PyTorch accumulates in place: a `.grad` array held from an earlier step sees the new
    values (copy it to keep them). Setting `p.grad = None` or calling `model.zero_grad()` between
    calls is honoured as eagerly."""
    if not callable(fn):
        raise TypeError(f"autograd.compile takes a function, got {type_name(fn)}")
    if check is not None:
        require_callable(check, "autograd.compile: check")
    return Compiled(fn, flag(strict, "autograd.compile: strict"), check)


class Compiled:
    """A compiled step: one recording (then one Program) per key of input shapes and dtypes."""

    def __init__(self, fn: Callable[..., Any], strict: bool, check: Callable[[Any], Any] | None) -> None:
        self.fn, self.strict, self.check = fn, strict, check
        self.recordings: dict[tuple, Recorded] = {}
        self.lock = threading.RLock()  # one call at a time: replays share buffers, recordings their state
        self.names = Names(fn)
        self.owners = instances(fn)  # a bound method's object, a callable object: what its code reads is guarded
        self.generators: tuple[Any, ...] = ()  # those the last recording read (compile_random.Spans.held)
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        refuse_flushed("a compiled step")  # a replay runs numpy on buffers, past every op's own refusal
        if modes.current.anomaly or current() is not None:
            # every op to check, or called by a step being recorded (whose tape takes in this one's ops): eager
            return self.fn(*args, **kwargs)
        with self.lock:
            return self._call(args, kwargs)

    def _call(self, args: tuple, kwargs: dict) -> Any:
        try:
            key, datas, dynamic, unknown, leaves, _ = read_call(args, kwargs)
        except (HoldsItself, RecursionError) as e:  # before anything is recorded: the call runs eagerly
            self._give_up(_unwalkable(e))
            return self.fn(*args, **kwargs)
        if unknown is not None:
            self._give_up(
                f"an argument of type {type_name(unknown)} is neither an array, a Tensor nor a value equal by "
                "value, so a replay could not tell it from another or from itself with its fields changed (a "
                "config): pass its fields (numbers, arrays), or a dataclass with frozen=True and no arrays"
            )
            return self.fn(*args, **kwargs)
        recorded = self.recordings.get(key)
        if recorded is None:
            if len(self.recordings) >= MAX_RECORDINGS:
                self._give_up(
                    f"more than {MAX_RECORDINGS} {_what_varies(list(self.recordings), key, len(leaves), dynamic)}"
                )
                return self.fn(*args, **kwargs)
            recorded = self.recordings[key] = Recorded()
        if recorded.program is not None:
            try:
                return recorded.program.run(datas)
            except Stale as e:  # raised before anything changed
                records_again(self._name, str(e))
                recorded = self.recordings[key] = Recorded(recorded.attempts)
            except (ReplayStopped, Interrupted) as e:  # raised after the draws (put back), before the backward pass
                if isinstance(e, Interrupted) and not recorded.program.untracked:  # an error: eagerly, as uncompiled
                    return self.fn(*args, **kwargs)
                recorded.program, recorded.reason = None, with_draws(str(e), recorded.program.untracked)
                self._give_up(recorded.reason)
        if recorded.reason:
            return self.fn(*args, **kwargs)
        given = [_stand_in(leaves[k]) for k in dynamic]
        for k, x in zip(dynamic, given):
            leaves[k] = x
        first, bound = recorded.first, self.names.bound()
        # self.rng too, a generator argument, those earlier recordings met in modules (read from the start)
        named_too = partial_arguments(self.fn)  # compile(partial(train, cfg=cfg, rng=rng))
        bound_too = [x for x, _ in named_too]
        held = [*bound, *bound_too, *(x for owner in self.owners for x in fields(owner).values()), *leaves]
        generators = tuple({id(x): x for x in (*held_generators(held), *self.generators)}.values())
        iterators = tuple(
            iterators_among(held_among(held, holds_iterator))
        )  # next(sizes) in the step: compile_iterators
        with (
            recording(
                first.params if first else [], first.owners if first else [], given, generators, iterators
            ) as rec,
            watching(rec, given) as handed,
        ):
            # arrays as watched views (compile_watched), for the call alone, in the caller's own lists and dicts
            passed = Handed(args, kwargs, dict(zip(dynamic, handed)))
            call_args, call_kwargs = passed.call_args, passed.call_kwargs
            handed.clear()  # the call's arguments alone hold the watched views
            # the names' objects and those the step's own objects hold (`self.cfg`: its read attributes guarded)
            owners = [*self.owners, *self.names.read_through(bound, [*named_too, *((x, "self") for x in self.owners)])]
            calls = rec.calls = Calls(rec.random, rec)  # the user's functions it runs, found or not by reading its code
            try:
                result = guard_attributes(
                    owners, self.names.attributes_of, calls.run, self.fn, *call_args, **call_kwargs
                )
            finally:
                changed = passed.changed()
                passed.put_back()
                del passed  # before put_back_plain, which counts who holds the watched views
            if changed is not None:
                rec.problems.append(changed_argument(changed))
            called = [ev[1] for ev in rec.events if ev[0] == "call"]  # the optimizers' replayed methods' objects
            in_play = [*owners, *(o for o, _, _ in rec.guards.values()), *called]
            rec.methods = library_methods(in_play, calls.library, calls.codes)
            del call_args, call_kwargs
            result = put_back_plain(result, rec.kept, [rec.checks, rec.copies])  # kept numbers plain, wherever stored
            rec.problems += [READ_OUTSIDE.format(what=what) for what in dict.fromkeys(calls.read)]
        if calls.advanced and not rec.advanced:  # next() on an iterator held deeper than those watched
            rec.advanced = "next() outside autograd.drawn, on an iterator held where compile does not look"
        self.generators = rec.random.held
        recorded.attempts += 1
        try:
            if recorded.attempts > MAX_ATTEMPTS:
                raise Unreplayable(
                    f"it was recorded {MAX_ATTEMPTS} times without a replay: something it depends on changes on "
                    "almost every call (a model's layers or statistics: nn's count of such changes is one for all "
                    "models, so another model trained eagerly in the loop counts too; requires_grad switched on a "
                    "tensor; a layer made on each call; a number the step reads through its names that the caller "
                    "changes on every call, config['scale'], baseline[0] or args.scale: give it as an array argument)"
                    + recorded.changed
                )
            tape = read_tape(rec, given, result)
            tape.bound = self.names.check_unchanged(bound)
            if self.names.follow(calls.functions(self.names.codes)):  # helpers found running: checked from now on
                tape.bound, tape.followed = self.names.bound(), True
            again = recorded.confirm(tape, self.check, self.names)
            if again:
                records_again(self._name, again)
        except ChangedWhileRunning as e:
            if recorded.attempts > 1:  # a second time: not a layer made once, on the first call
                recorded.reason = str(e)
                self._give_up(recorded.reason)
            else:
                records_again(self._name, str(e))
            recorded.first = None  # once (a layer made and kept on the first call): record again
        except Unreplayable as e:
            recorded.reason = str(e)
            self._give_up(recorded.reason)
        return _plain(result)

    @property
    def _name(self) -> str:
        return getattr(self.fn, "__name__", "the step")

    def _give_up(self, why: str) -> None:
        message = f"autograd.compile: {self._name} runs eagerly for these input shapes: {why}"
        if self.strict:
            raise CompileError(message)
        warnings.warn(message, CompileWarning, stacklevel=4)


def _what_varies(keys: list[tuple], key: tuple, leaves: int, dynamic: list[int]) -> str:
    """What made more recordings than a step may have: input shapes, or an argument's value (a float
    annealed from call to call) where recordings of the same input shapes differ in it, named by its
    place among the call's leaves (key[1 + i] is leaf i's)."""
    alike = [old for old in keys if len(old) == len(key) and all(old[1 + i] == key[1 + i] for i in dynamic)]
    values = sorted(i for old in alike for i in range(leaves) if old[1 + i] != key[1 + i])
    if not values:
        return "input shapes were recorded"
    return (
        f"recordings were made, for the values of argument {values[0]} (counting every argument, in lists and "
        "dicts too): a value is part of a recording's key, so one that changes on each call (a float annealed "
        "per step) records anew each time; give it as a 0-d array, an input a replay reads"
    )


def _unwalkable(e: HoldsItself | RecursionError) -> str:
    """Why a call whose arguments could not be walked for its key runs eagerly."""
    if isinstance(e, RecursionError):
        return (
            "its arguments are lists, tuples or dicts nested deeper than Python's recursion limit, which a "
            "recording's key (the call's structure) cannot be read from: pass the arrays and numbers they hold"
        )
    where = ("args" if e.path.startswith("[0]") else "kwargs") + e.path[3:]  # flattened as (args, kwargs)
    return (
        f"its argument is a {e.kind} that holds itself (`{where}`), which a recording's key (the call's "
        "structure) cannot be read from: pass the arrays and numbers it holds"
    )


def _plain(result: Any) -> Any:
    """What a recorded call returns, its floats read from tensors (compile_reads.Read) plain floats
    again, as eagerly."""
    try:
        leaves, rebuild = flatten(result)
    except (HoldsItself, RecursionError):  # run eagerly from now on (compile_tape.read_tape): returned as it is
        return result
    if not any(isinstance(x, Read) for x in leaves):
        return result
    return rebuild([float(x) if isinstance(x, Read) else x for x in leaves])


def _stand_in(x: Any) -> Any:
    """What a recording call gets for an input: a floating-point Tensor becomes one that requires
    grad on the same data, so that every op on it is recorded (ops on tensors that need no gradient
    build no graph); arrays and other Tensors are given as they are, known by their identity."""
    if isinstance(x, Tensor) and x.dtype.kind == "f":
        return Tensor(x._data, requires_grad=True, dtype=x.dtype)  # float16 stays float16
    return x

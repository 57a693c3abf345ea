"""What a replay does before its forward pass, in the order the step did it: the draws of `autograd.drawn`
(dropout masks) and the checks of `autograd.validate`, so that a check that raises leaves the generators
where eager leaves them (compile_replay.Program runs these, then the forward)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .compile_entries import OP, Entry, Tape, like
from .compile_generators import frozen
from .tensor_class import Tensor
from .tensor_versions import DREW, changed

Step = Callable[[], None]


class ReplayStopped(Exception):
    """A replay's draw (autograd.drawn) gave data of another shape, dtype or layout than recorded (the
    replay stopped before its forward pass, after its draws), or a user's op's forward did (it stopped
    in the forward pass, before backward and the optimizer calls): the message says which. The replay
    has put the generators its draws moved back (compile_generators), so the call can run eagerly."""


class Interrupted(Exception):
    """A replay's draws, checks (autograd.validate) or forward pass raised (labels out of range, a user's
    op's error), the generators put back: the call runs eagerly instead, so that it raises (or not) and
    leaves the generators and gradients (an opt.zero_grad() before the error) as an uncompiled call does. Where a
    draw moved a generator out of reach (not put back), the shape runs eagerly from then on, saying so (with_draws)."""


def draws_and_checks(tape: Tape, entries: list[Entry], steps: dict[int, Step], arrays: list[Any]) -> list[Any]:
    """The draws (autograd.drawn) and the checks (autograd.validate) in the order the step made them, each a
    function of the call's inputs, so that a check that raises leaves the generators where eager leaves
    them. A check of data the step computed computes it first (the entries it comes from: the draws they
    read were made before it); a check given a Tensor is given one."""
    done: list[Any] = []
    draws = iter(enumerate(tape.draws))
    made = 0
    for check, (kind, x), drawn, as_tensor in tape.checks:
        for _ in range(drawn - made):
            done.append(_draw(*next(draws), arrays))
        made = max(made, drawn)
        if kind == "entry":
            done.append(_computed_check(check, x, [steps[i] for i in _ancestors(x, entries)], arrays, as_tensor))
        elif kind == "view":  # of a view of an input (compile_views), made again from this call's
            done.append(_view_check(check, x, as_tensor))
        else:
            done.append(_check(check, kind == "input", x, as_tensor))
    done += [_draw(k, d, arrays) for k, d in draws]
    return done


def _draw(k: int, draw: Any, arrays: list[Any]) -> Callable[[list[Any]], None]:
    redraw, seen, slot = draw.redraw, draw.like, draw.slot

    def made(inputs: list[Any]) -> None:
        changed(DREW)  # a draw, as eager's autograd.drawn notes it for a transform running the step (vmap's randomness)
        data = redraw()
        if like(data) != seen:
            raise ReplayStopped(
                f"draw {k} (autograd.drawn) gave shape {data.shape}, dtype {data.dtype} on a replay where it was "
                f"recorded with {seen[0]}, {seen[1]} (or another layout): a draw's shape must depend only on the "
                "step's input shapes"
            )
        if slot is not None:
            arrays[slot] = data

    return made


def _check(check: Callable[[Any], None], of_input: bool, x: Any, as_tensor: bool) -> Callable[[list[Any]], None]:
    """A check of an input (by its index) or of a constant (x itself)."""
    if not of_input:
        return lambda inputs: check(x)
    return lambda inputs: check(_given(inputs[x], as_tensor))


def _view_check(check: Callable[[Any], None], view: Any, as_tensor: bool) -> Callable[[list[Any]], None]:
    return lambda inputs: check(_given(view.of(inputs[view.input]), as_tensor))


def _computed_check(
    check: Callable[[Any], None], i: int, steps: list[Step], arrays: list[Any], as_tensor: bool
) -> Callable[[list[Any]], None]:
    def checked(inputs: list[Any]) -> None:
        for step in steps:
            step()
        check(_given(arrays[i], as_tensor))

    return checked


def _given(data: Any, as_tensor: bool) -> Any:
    """What a check is given on a replay: the array, or a Tensor over it where the step gave one."""
    return Tensor(data, dtype=data.dtype) if as_tensor else data


def _ancestors(i: int, entries: list[Entry]) -> list[int]:
    """The ops that entry i is computed from, itself included, in the tape's order."""
    found, pending = set(), [i]
    while pending:
        j = pending.pop()
        if j not in found and entries[j].kind == OP:
            found.add(j)
            pending += entries[j].parents
    return sorted(found)


def with_draws(reason: str, untracked: bool) -> str:
    """A stopped replay's reason, with what its draws leave behind where one drew from a generator out of reach
    (`untracked`, compile_generators): not put back, so the eager run of the call draws from it again."""
    if not untracked:
        return reason
    if frozen():
        return reason + (
            f"; gc.freeze() has set {frozen()} objects aside, where compile cannot look for the generators a draw of "
            "the replay (autograd.drawn) moves, so one among them (made before the freeze: a class attribute's, a "
            "module's) was not put back if it moved, and the eager run draws again: from this call on its random "
            "numbers may not be those of an uncompiled run (make the generators after gc.freeze(), or call "
            "gc.unfreeze() before training)"
        )
    return reason + (
        "; a draw of the replay (autograd.drawn) moved a generator that the step does not reach through its names, "
        "its object, its arguments, its modules or the draw function's own names, so it could not be put back and "
        "the eager run draws again: from this call on its random numbers are not those of an uncompiled run"
    )

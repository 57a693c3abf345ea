"""Where `check=True` cannot judge a rounding op: from 2**52 on every float is a whole number, so floor,
ceil, round, trunc (and the whole part frac takes away, the whole quotient of % and fmod) are the identity on
the floats there, and a finite difference measures slope 1 beside the 0 of their rule (stairs too narrow for
any float step); from 2**47 on a step within a stair is lost in the check's allowance for rounding, with the
same result. Each only where the stairs the check's first step crosses, counted, are what it measured beyond
backward's: a wrong rule beside them (or beside a floor whose stairs no step crosses) stays red."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Node

from .check_verdicts import EPS, FLOOR, ROUNDING, RTOL
from .number_text import summary
from .numeric import BEST_STEP
from .replay import replay


def rounded_on_whole_floats(
    downstream: list[Node], values: dict[int, Any], grads: dict[int, Any] | None = None, big: float = 0.0
) -> str:
    """Why a finite difference cannot judge the leaf of `downstream` (it and the nodes computed from it,
    with their data in `values`), or "": an op rounds a number of 2**52 or more to a whole one, and there
    every float is whole, so its stairs lie between floats: on floats it is the identity (slope 1), which
    no step can tell from the stairs (slope 0) its rule follows. Or a step within a stair is lost in the
    check's allowance for rounding numbers as large as `big` (`_lost`, with the root's `grads`). Or, at any size,
    the stairs the check's steps cross are what it measured beyond backward's (`_explained`); a wrong rule beside
    stairs, whose slope they do not explain, stays red (triple(x)·1e15 + floor(x) at 0.3)."""
    explained = _explained(downstream, values, grads, big) if grads is not None else None
    if explained is False:
        return ""
    first = ""
    for node in downstream[1:]:
        if not rounds(node):
            continue
        rounded = ROUNDED[node.op.name]
        inputs = [values[id(p)] for p in node.parents]
        size = np.max(np.abs(rounded(*inputs)))
        what = "the quotient a / b" if node.op.name in _ROUNDED_QUOTIENT else "its input"
        told = f"{node.op.name} rounds {what}, of size {summary(float(size))} here"  # as the drawing writes numbers
        first = first or told
        if size >= WHOLE:
            return (
                f"{told}: from 2**52 on every float is a whole number, so its stairs lie between floats and no step "
                "can tell them from a slope of 1"
            )
        if grads is not None and _lost(node, inputs, grads, big):
            return (
                f"{told}: a step within one of its stairs changes the root by less than the check allows for rounding "
                f"numbers as large as {summary(big)}, so no step can tell the stairs from a slope of 1"
            )
    if explained and first:  # stairs narrower than the steps that judged, wider ones than those it can judge at
        return (
            f"{first}: the steps the check can judge at cross its stairs, whose slope is what it measured beyond "
            "backward's"
        )
    return ""


def _lost(node: Node, inputs: list[Any], grads: dict[int, Any], big: float) -> bool:
    """Whether the root's jump at one of `node`'s stairs (its gradient there times the stair's rise: 1, or the
    divisor b of % and fmod) is at most `big` / UNSEEN: a step of half a stair then moves the root by no more than
    the check allows for rounding numbers as large as `big` (numeric.ROUNDING units of eps, doubled by FLOOR).
    floor(1e15) was drawn red, "numeric 1 ✗ backward 0": every step it could take was wider than a stair."""
    rise = np.abs(divisor(inputs)) if node.op.name in REMAINDERS else 1.0
    jump = np.max(np.abs(np.asarray(grads.get(id(node), 0.0), dtype=float)) * rise)
    return bool(0 < jump and big >= UNSEEN * jump)


def _explained(downstream: list[Node], values: dict[int, Any], grads: dict[int, Any], big: float) -> bool | None:
    """Whether the stairs of the rounding ops downstream of the leaf, crossed at the check's first step (`_crossed`),
    account for the slope measured there beyond backward's: within half their own and the replay's rounding.
    triple(x)·1e15 + floor(x) at 0.3 (rule 2) measured 3e15 beside 2e15, and floor(0.3 ± 6e-6), no stair crossed,
    was taken to explain it: drawn grey. None where the steps cannot be replayed or counted."""
    found = _crossed(downstream, values, grads, big)
    if found is None:
        return None
    measured, backward, stairs, noise = found
    return bool(stairs != 0 and abs(measured - backward - stairs) <= abs(stairs) / 2 + FLOOR * noise)


def stairs_crossed(downstream: list[Node], values: dict[int, Any], grads: dict[int, Any], big: float) -> bool:
    """Whether the check's first step crosses stairs whose slope (`_crossed`), which backward's rules leave out, is
    beyond the measure's rounding and the tolerance: an agreement measured across them is not one with the rules.
    dbl(x) + relu(x − floor(x) − 0.5) at -5.2e12 measured relu's average slope across floor's stairs, 0, where its
    rule says 1, and that cancelled dbl's error (rule 1 for 2): "numeric 2 ✓"."""
    found = _crossed(downstream, values, grads, big)
    if found is None:
        return False
    measured, _, stairs, noise = found
    return bool(abs(stairs) > RTOL * abs(measured) + FLOOR * noise)


def _crossed(
    downstream: list[Node], values: dict[int, Any], grads: dict[int, Any], big: float
) -> tuple[float, float, float, float] | None:
    """At the check's first step (the leaf, every element, moved by ±BEST_STEP·max(1, |x|)): the slope measured,
    backward's, that of the stairs crossed (as a slope of 1 would cross them, counted by `_stairs`) and the replay's
    rounding. None where the steps cannot be replayed or counted (a domain refused, an overflow)."""
    leaf, root = downstream[0], downstream[-1]  # inputs first: the root, which every node reaches, is last
    x = values[id(leaf)]
    h = BEST_STEP * max(1.0, float(np.max(np.abs(x))))
    try:
        up, down = (replay(downstream, {id(leaf): x + s * h}, values, reverse=False) for s in (1.0, -1.0))
    except (ArithmeticError, ValueError):  # a step the op refuses: the stairs cannot be counted
        return None
    ends = [float(np.asarray(v[id(root)], dtype=float).reshape(-1)[0]) for v in (up, down)]
    measured, backward = (ends[0] - ends[1]) / (2 * h), float(np.sum(grads[id(leaf)]))
    stairs = sum(_stairs(node, up, down, values, grads) for node in downstream[1:] if rounds(node)) / (2 * h)
    noise = ROUNDING * EPS * max(big, *map(abs, ends)) / h
    if not np.isfinite([measured, stairs, noise]).all():
        return None
    return measured, backward, stairs, noise


def _stairs(
    node: Node, up: dict[int, Any], down: dict[int, Any], values: dict[int, Any], grads: dict[int, Any]
) -> float:
    """The root's change from `node`'s stairs crossed between the replays `down` and `up`, which its rule leaves
    out: its gradient times the rise of each stair crossed (floor's output; b times the whole quotient's, for % and
    fmod, whose rule in b takes the quotient as fixed)."""
    g = np.asarray(grads.get(id(node), 0.0), dtype=float)
    if node.op.name in STAIRS:
        rise = np.asarray(up[id(node)], dtype=float) - np.asarray(down[id(node)], dtype=float)
    else:
        up_q, down_q = (quotient(node.op.name, [v[id(p)] for p in node.parents]) for v in (up, down))
        rise = -np.asarray(divisor([values[id(p)] for p in node.parents]), dtype=float) * (up_q - down_q)
    return float(np.sum(g * rise))


WHOLE = 2.0**52  # from here on a float's spacing is 1 or more: every float is a whole number
# numbers this many times a stair's jump in the root: the check's allowance for rounding them at a step of half a
# stair (numeric.ROUNDING units of eps per unit of step: 8 × 2.2e-16 × 2**47 × 2 = 0.5, doubled by numeric.FLOOR)
# is the stairs' whole slope
UNSEEN = 2.0**47
STAIRS = ("floor", "ceil", "round", "trunc")  # step functions whose stairs are the whole numbers (halves for round)
# remainders: a − b·q, q the whole quotient a / b (floored for %, truncated for fmod); frac, x − trunc(x), is fmod(x, 1)
_ROUNDED_QUOTIENT = ("%", "fmod")
REMAINDERS = (*_ROUNDED_QUOTIENT, "frac")
# what each op rounds to a whole number: the rounding ops and frac their input, % and fmod the quotient a / b
ROUNDED = {name: (lambda x: x) for name in (*STAIRS, "frac")} | {op: (lambda a, b: a / b) for op in _ROUNDED_QUOTIENT}


def rounds(node: Node) -> bool:
    """Whether `node` is made by one of the engine's rounding ops (floor, ceil, round, trunc, frac, % and fmod): by
    its op, not its name alone, which an op of one's own may take (a "floor" of x², its rule right, was held still
    as floor's stairs and drawn red)."""
    return node.op is not None and node.op.built_in and node.op.name in ROUNDED


def divisor(inputs: list[Any]) -> Any:
    """A remainder's b: frac's is 1 (fmod(x, 1))."""
    return inputs[1] if len(inputs) > 1 else 1.0


def quotient(name: str, inputs: list[Any], out: Any = None) -> Any:
    """The whole number of b's remainder `name` takes from a: the one its result `out` shows where given and finite
    ((a − out) / b rounded: 1.0 % 0.1 is 0.0999..., nine 0.1s taken, where floor(1.0 / 0.1) is 10), else a / b
    floored (%) or truncated (fmod, frac)."""
    a, b = np.asarray(inputs[0], dtype=float), np.asarray(divisor(inputs), dtype=float)
    with np.errstate(all="ignore"):
        whole = (np.floor if name == "%" else np.trunc)(a / b)
        if out is None:
            return whole
        taken = np.round((a - np.asarray(out, dtype=float)) / b)
        return np.where(np.isfinite(taken), taken, whole)

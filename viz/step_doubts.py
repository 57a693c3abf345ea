"""Why `check=True`'s measure (numeric.py) does not judge at a step, or takes back a disagreement a wider step found:
the one-sided slopes of a finer step part beyond rounding (`parts`), a term inside the root bends within the steps
(term_bends), or a finer step measures another slope (`unmeasurable`); and why an equal 0 cannot tell the rules apart
(`unmoved`, `level`), and why a tie, or a rule's number at one point, is not judged (`tied`, `chosen`): `at_rest` asks
where the move stopped (move_stops). Each says so in a note."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from .check_verdicts import AGREE, DISAGREE, EPS, ROUNDING, SETTLED, TOO_SMALL, UNMEASURED, Check
from .number_text import figures, summary

if TYPE_CHECKING:  # move_stops reads numeric, which reads this
    from .move_stops import Stop


def too_rounded(up: Any, down: Any, step: Any) -> bool:
    """Whether a block's step, x + h − (x − h), rounds by more than SETTLED of itself in an element it moves: the
    terms' slopes per unit of h are off by as much there, and such a step cannot doubt a disagreement (sin of 64
    elements ±1..100 along the slopes' signs, its rule 1.01·cos, read 'sin bends within the steps' at 4e-11 only)."""
    moving = step != 0
    return bool(np.any(np.abs((up - down)[moving] - 2 * step[moving]) > SETTLED * np.abs(2 * step[moving])))


def parts(before: Any, now: Any, x: Any, along: Any, block: bool, step: float) -> bool:
    """Whether the one-sided slopes part, or the central one moves, beyond what rounding x itself inside an op could
    do: an op's x·1e-15 rounds to eps of it, which exp(x·1e-15) at 1e17 turns into eps·|x|·slope, 100 times the
    rounding of its result that numeric's `_Try.noise` allows (its one-sided slopes scatter as the step shrinks)."""
    moving = np.abs(np.atleast_1d(along)) > 0
    unit = np.atleast_1d(along)[moving] if block else 1.0  # a block's slope is per unit of h along its direction
    reach = float(np.max(np.abs(np.atleast_1d(x)[moving]) / np.abs(unit)))
    own = ROUNDING * EPS * reach * max(abs(now.central), abs(before.central)) / step
    scale = max(abs(before.right), abs(before.left), abs(now.right), abs(now.left))
    allowed = SETTLED * scale + before.noise + now.noise + 2 * own
    return now.gap > allowed or abs(now.central - before.central) > allowed


def bent_note(op: str, step: Any, hidden: bool) -> str:
    """Why a step did not judge: a term bends within it, which the root's rounding hides where its one-sided slopes
    settled (`hidden`), and shows where they did not (max(0, x)³ of one's own at 1e-120, its slopes h² and 0)."""
    widest = summary(float(np.max(np.abs(step))))
    how = ", which the root's rounding hides" if hidden else ""
    return f"{op} bends within the steps (from {widest} down){how}: what they measure is no slope at x"


def parted_note(coarse: Check, parted: Any, step: Any) -> str:
    """Why a disagreement measured with wider steps is not judged: at a finer step the one-sided slopes part."""
    return (
        f"the slope measured with larger steps, {summary(coarse.numeric)}, does not hold at finer ones: at a step of "
        f"{summary(float(np.max(np.abs(step))))} the slopes from the left and right part ({summary(parted.left)} and "
        f"{summary(parted.right)}): the root changes on a scale finer than the larger steps (wiggles, stairs, bends), "
        "and no finer step confirmed their slope"
    )


def unmeasurable(coarse: Check, fine: float, h: float, along: Any) -> Check:
    """A slope that changes with the step beyond its error: the finite difference cannot measure it."""
    step = float(np.max(np.abs(h * np.asarray(along))))
    why = (
        f"the measured slope depends on the step ({figures(coarse.numeric, 4)} with larger steps, {figures(fine, 4)} "
        f"at {summary(step)}): the root changes on a scale finer than the steps (stairs, wiggles)"
    )
    return Check(coarse.analytic, None, UNMEASURED, resolution=coarse.resolution, detail=why)


CANNOT_TELL = "this point cannot tell the rules apart"  # where any rule giving 0 or a number as small agrees


def at_rest(check: Check, moved: bool, still_up: Callable[[], Stop], still_down: Callable[[], Stop]) -> Check:
    """The check where the root stayed put at both ends of the step that judged, by where the move stopped at each
    (move_stops.Stop, each asked only where the answer is not yet known: a replay more): an equal 0 `unmoved`; a
    rule's number where an input tied at a pick moved (`tied`), where the op's rule gives it at one point only
    (`chosen`), or where every move stopped on a flat piece (clip past its bound: the root's 0 is exact, not a slope
    too steep to see, and a rule of 1 there is wrong: red)."""
    if check.verdict == AGREE and check.analytic == 0:
        return unmoved(check, moved, still_up, still_down)
    if check.verdict not in (UNMEASURED, DISAGREE):
        return check
    up = still_up()
    if up.tied:
        return tied(check, up)
    down = still_down()
    if down.tied or up.chosen or down.chosen:
        return tied(check, down) if down.tied else chosen(check, up if up.chosen else down)
    return replace(check, verdict=DISAGREE, detail="") if up.flat and down.flat else check


def unmoved(check: Check, moved: bool, still_up: Callable[[], Stop], still_down: Callable[[], Stop]) -> Check:
    """An equal 0 where the root stays put: grey where it moved at a wider step (x³ + 1 at 7.8e-12, whose wider steps
    bend: a rule of 0 agrees for want of seeing the move, as 1e-22, the right rule's, would be too small to judge),
    or where an op's rounding may have kept it still at either end (`Stop.kept`): every rule giving 0 there agrees,
    the right one and a wrong one alike, so nothing tells them apart (tanh at 37, where 1 − tanh² is exactly 0, as is
    2(1 − tanh²)). A move stopped exactly (relu below 0, a product with 0) is a slope of 0: green."""
    if moved:
        return replace(check, verdict=TOO_SMALL)
    still = still_up().kept or still_down().kept
    if not still:
        return check
    why = f"{still} stays put as its input moves, as rounding can: any rule giving 0 agrees, so {CANNOT_TELL}"
    return replace(check, numeric=None, verdict=UNMEASURED, detail=why)


def level(check: Check) -> Check:
    """An equal 0 where the root moved and its central slope came out 0: a slope within ±resolution of 0, as the right
    rule's is near a zero of it (x² at 1e-28, 2e-28; cos at the float nearest π/2, 6e-17; x² + 1 at 7.7e-12, x²'s move
    lost in the 1), so a rule of 0 agrees as well as the right one does: grey, as a right rule that small is."""
    why = (
        f"the root's slope here is 0 within ±{summary(check.resolution)}: any rule giving a number that small agrees, "
        f"the right one near a zero of it and a rule of 0 alike, so {CANNOT_TELL}"
    )
    return replace(check, numeric=None, verdict=UNMEASURED, detail=why)


def tied(check: Check, stop: Stop) -> Check:
    """A rule's number where the root stays put as an input tied at the pick of `stop.tied`, an op, moves (the median
    of 2, 2, 2): each alone moves it neither way, together they move it, so it has no derivative there and the rule's
    share of the pick (1/3, PyTorch's too) is a choice that no slope measured one input at a time can judge."""
    why = (
        f"{stop.tied} stays put as one of the inputs tied at its pick moves, and moves as they move together: it has "
        "no derivative here, and backward's share of the pick is a choice, not judged"
    )
    return replace(check, numeric=None, verdict=UNMEASURED, detail=why)


def chosen(check: Check, stop: Stop) -> Check:
    """A rule's number where the op of `stop.chosen` is flat both ways, its rule 0 on both sides of x but not at x
    itself, where its pieces meet: clip(x, 2, 2) is 2 whatever x is, yet its rule, as PyTorch's, passes g where
    lo ≤ x ≤ hi, at x = 2 only. A choice at that one point, no slope: not judged (it was drawn red, 1 ≠ numeric 0)."""
    why = (
        f"{stop.chosen} stays put as its input moves either way, and its rule gives 0 on both sides of x but not at x "
        "itself, where its pieces meet: a choice at that one point (PyTorch's too), not a slope, so it is not judged"
    )
    return replace(check, numeric=None, verdict=UNMEASURED, detail=why)


def reach(up: Any, down: Any, step: Any) -> float:
    """How far the ends reach, in steps: x ± h is rounded to eps times this many steps."""
    moving = np.abs(np.atleast_1d(step)) > 0
    ends = np.maximum(np.abs(np.atleast_1d(up)), np.abs(np.atleast_1d(down)))
    return float(np.max(ends[moving] / np.abs(np.atleast_1d(step))[moving])) if np.any(moving) else 0.0

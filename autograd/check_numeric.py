"""The numbers gradcheck compares: a central difference per input element, with the one-sided slopes
beside it (where they disagree, f has a kink at the point and no check there means anything), and
whether f jumps there (check_bends); its rows and the table of a failed check: check_verdict."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .check_bends import Step, far_out, kinked, quiet, stays_apart, straddled, unsettled, weighed
from .check_grain import PROBE, beside_treads, coarse_steps, moved_input, stairs, stopped, swallowed, unseen
from .check_richardson import refined
from .check_scales import Far, far_off
from .check_shifts import Remembered
from .graph import raw


class GradcheckError(AssertionError):
    """Analytic and numeric gradients disagree; the message is a table of the inputs. `undecided` is True where
    no row failed outright ("<- fails"), every disagreeing one being a row finite differences cannot judge at
    this point and eps ("<- cannot judge": f's rounding or its bending within eps swamps the difference), or
    one where f itself is not differentiable ("<- not differentiable here", a kink) or not continuous ("<- not
    continuous here", a jump), where no gradient can be checked: such a point tells nothing of the rules, and a
    property test may reject it (`hypothesis.reject()`) rather than fail, where a wrong rule fails as ever.
    False for every refusal without a table (a rule not linear in its g, an f writing into its inputs)."""

    def __init__(self, message: str, undecided: bool = False) -> None:
        super().__init__(message)
        self.undecided = undecided


class Slopes(NamedTuple):
    """(f(x+eps) - f(x-eps)) / ((x+eps) - (x-eps)), the one-sided (f(x) - f(x-eps)) / (x - (x-eps)) and
    (f(x+eps) - f(x)) / ((x+eps) - x), each by the step as it rounds (`Step`),
    whether f has a kink at x (or within about 0.4 eps of it; 0.75 eps where the central difference
    disagrees with the rule), and how far the rounding of f's output may move these slopes (a
    difference finer than that tells nothing)."""

    central: float
    left: float
    right: float
    kink: bool
    rounding: float
    noise: float  # how far the central difference itself may be off (measured for slopes below atol only)
    truncation: float  # how far its truncation may move it (measured where it is beyond the row's tolerance only)
    jump: bool  # whether f jumps within eps of x (looked for where the slope is beyond the row's tolerance only)
    swallowed: bool = False  # no entry moved at x +- eps, whose spacing could hide a slope beyond atol (`swallowed`)
    steps: float = 0.0  # how far the coarse grid f's output lies on may move the slope (check_grain)
    hidden: bool = False  # some entries moved, and one that moves with x is too coarse to show its slope (`unseen`)
    far: Far | None = None  # an entry whose slope at PROBE eps says its slope at eps may miss a grid (check_scales)
    refined: bool = False  # `central` is extrapolated from smaller steps, f curving within eps (check_richardson)
    edge: float = 0.0  # the nearest shift (in eps, up to 2) where f is not finite, of a row disagreeing (check_shifts)
    treads: float | None = None  # f, still at x +- eps, moves on both sides within PROBE eps at this slope (or an
    # entry of it beside entries that moved: the row's slope with that entry read there, `hidden` too)


def nominal(shift: float) -> float:
    """The step of a row whose analytic slope is taken along the shift as it rounds (a block's): the shift."""
    return shift


def rounded_step(x: float) -> Step:
    """The shift of `x` as it rounds, (x + shift) - x: at x = 3e7, x + 1e-6 is 1e-6 plus or minus 1.9e-9
    (0.2%, about rtol), and where x + shift rounds to x, 0."""
    if not math.isfinite(x):  # inf - inf: nan, a row saying f is not finite (not numpy's warning)
        return lambda shift: math.nan
    return lambda shift: float((np.float64(x) + shift) - np.float64(x))


def slopes(
    at: Callable[[float], np.ndarray],
    base: np.ndarray,
    weights: Any,
    *tolerances: float,
    analytic: float,
    inside_at: Callable[[float], float] | None = None,
    step: Step = nominal,
    point: float | None = None,
    fine: Any = False,
    own_ops: bool = False,
) -> Slopes:
    """The slopes of f's output at the point moved by a shift (`at`, an array in float64; `base` at
    the point) in the number checked, <weights, output> (the output itself without weights). Each
    difference is taken of the outputs before they are weighed, so that a large entry (exp(20)) does
    not swallow a small one's change. `tolerances`: eps, atol, rtol, and f's `Precision` (the float
    dtype its output rounds in, and how far rounding inside f moves it: check_rounding). `analytic`: the
    rule's slope here, beside which the central difference's own error (`_noise`, two more calls of f)
    is measured only where it is needed: where the two `part` (verdict); `inside_at(shift)`, the rounding
    inside f at the point moved by shift, is read there too. Every difference is divided by the step as
    it rounds (`step`): by 2 eps, the difference at x = 3e7 was 0.16% off, and where one side rounds to x
    it measured half a step.

    The one-sided slopes part by about eps * f'' where f is smooth, by the jump in slope at a kink (2
    for abs at 0) whatever eps is, and by rounding / eps. So where they are far apart (beyond the
    rounding of the entries that moved), they are taken again two and four times as far out: a
    smooth f's part two and four times as much (1000 x**2 at 0), rounding's a half and a quarter
    (cancellation inside f), a kink's about the same (within about 0.4 eps of the point). A bend
    narrower than eps (sqrt(x**2 + 1e-14)) looks like a kink at this eps.

    Where f's numbers lie on a grid far coarser than their dtype's (rounding inside an op of the user's,
    check_grain; `point`: the element's value, whose bits x +- eps keep), the grid's step over 2 eps is how
    far the slope may be off (`steps`). An entry too coarse for 2 eps to show its slope (its spacing, or,
    where no entry moved, a coarse grid), which moved or is seen to move within PROBE eps (two more calls of
    f, at such rows only), cannot be judged: the row's every entry (`swallowed`) or some (`hidden`); an
    entry seen elsewhere to move to numbers on no coarse grid (`fine`: check_grain's StillEntries) is not
    looked for on one. Where the element reaches an op of the user's own (`own_ops`), each entry's slope is
    taken at PROBE eps too (`check_scales.far_off`: two more calls of f, four where it differs). A row that
    disagrees, which no smaller step settled, notes the nearest step within 2 eps where f was not finite or
    undefined (`edge`, check_shifts: a pole there leaves no step to judge by)."""
    eps, atol, rtol, (dtype, inside) = tolerances
    at = Remembered(at)  # the row's screens ask for some shifts twice (2 eps: the kink's and the jump's)
    up, down = at(eps), at(-eps)
    h_up, h_down = step(eps), -step(-eps)
    left, right = weighed(base - down, weights) / h_down, weighed(up - base, weights) / h_up
    apart = abs(right - left)
    # the rounding of the entries that moved (a constant entry, however large, adds none), and the least
    # step of every entry (a subnormal one may not have moved for its coarse steps)
    moved = (up != base) | (down != base)
    spread = np.maximum(np.maximum(abs(base), abs(up)), abs(down))
    largest = np.where(moved, spread, 0.0)
    sizes, steps = None if weights is None else abs(weights), np.ones_like(base)
    finfo = np.finfo(dtype)
    own = finfo.eps * weighed(largest, sizes) + finfo.smallest_subnormal * weighed(steps, sizes)
    rounding = 8 * (own + inside) / min(h_up, h_down)
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf where f overflows at x +- eps: that row says so
        difference = up - down
    central = weighed(difference, weights) / (h_up + h_down)
    beyond = abs(analytic - central) > atol + rtol * abs(central)
    kink = kinked(at, step, (base, weights), (left, right), (atol, rtol, rounding, eps), beyond)
    near = (central, analytic, difference / (h_up + h_down))
    truncation, jump = far_out(at, step, weights, eps, near, rounding) if beyond else (0.0, False)
    # where f curves within eps, smooth (no jump): its slope at smaller steps. Its truncation, about apart**2 /
    # 4 |slope|, near a tenth of the tolerance may make it agree by chance (1 / x at 1e-5: 1% off). A kink read
    # at eps and beyond is looked for at smaller steps too: a smooth f turning 0.3 rad over eps (sin(3e5 x)**2
    # cos(1.5e5 x)) parts its one-sided slopes as a kink's at 2 and 4 eps, and a kink 0.8 eps away is not at x
    sides_at = functools.partial(_sides_at, at, step, base, weights)
    tolerance, better = atol + rtol * abs(central), None
    curved = abs(central) > atol and apart * apart > 0.4 * abs(central) * tolerance
    # nothing above looked closer: the slope from x to x + eps / 2 vouches for the difference at eps (kinks or
    # jumps on both sides within eps keep the one-sided slopes together: a rule agreeing with it passed)
    quiet_row = not (beyond or curved or kink or jump)
    straddle = straddled(at, step, (base, weights), (left, right, central), eps) if quiet_row else 0.0
    bent = straddle > max(tolerance / 2, 2 * rounding)
    # a jump read at eps / 4 to 4 eps may be one within eps / 4 of x, or steps on both sides (0.1 to 0.25 eps away,
    # said 'not continuous here' of right rules), which smaller steps go past: looked for there too
    if beyond or curved or kink or bent:
        reach = atol + rtol * max(abs(central), abs(analytic))  # the tolerance of either slope
        # f still at a smaller step is flat there only where a side was flat at eps (relu beside its kink): moving
        # on both sides at eps, it may stop at the grain of its inputs inside it (sin(3e3 (x + 1e8)) keeps x to
        # steps of eps / 67, below which it read as flat, and a rule giving 0 passed at 14 of 40 points); and that
        # side flat farther out too, not the grain's tread (x + 1e10's, 1.9 eps wide); each entry looked at alone
        counts = np.abs(up - down if weights is None else weights * (up - down)) > (h_up + h_down) * tolerance / 8
        flat_at = None if own_ops else eps
        stops = lambda h: stopped(at, base, (moved, counts), h, flat_at)  # noqa: E731
        with quiet():
            # agreeing: refined only where the truncation may matter
            settled = 0.0 if beyond or kink or bent else tolerance / 16
            better = refined(sides_at, eps, (central, apart), rounding, reach, settled, stops, jump)
        # kept within the tolerance it was refined to (i0e(1e8 x) at 7.5e-9, -35127704 within 1152 of 3.5e4, was
        # dropped for the 0.15 of its difference at eps, -150, and right and wrong rules 'cannot judge'); beyond it,
        # only to fail a rule off it by more than its error and the tolerance: sin(x**2) at 1.27e5 refined to 252231
        # within 461, its difference at eps 2718 off, was dropped, and a rule 1% off agreeing at eps passed. Not a
        # slope known to less than an eighth of itself: sin(x**3) at 59473 turns 1.1e4 rad over eps, its differences
        # at eps / 8 are any numbers below 8 / eps, and 4.6e6 within 1.4e7 failed the right rule, 1.05e10
        if better is not None and better[1] >= max(truncation, reach):
            known = better[1] < abs(better[0]) / 8
            better = better if known and abs(analytic - better[0]) > better[1] + reach else None
        # a kink's one-sided slopes stay apart at eps / 2 (kept from the refinement, or two more calls): a smooth f's
        # halve (sin(x**2) at 3.2e5 turns 0.64 rad over eps, parts them as a kink's at 2 and 4 eps, and was one)
        kink = kink and better is None and stays_apart(sides_at, eps, apart)
        jump = jump and better is None
    hidden, candidates, grid = unseen(base, up, down, dtype, eps, (atol, rtol), moved_input(point, eps), fine)
    if moved.any():  # beside entries that moved, one on a coarse grid is not looked at (clip's saturated ones)
        candidates = candidates & (grid == 0)
    # counted where f moves them within PROBE eps (not exp(20) beside x[0], nor floor's flat piece), to
    # numbers on a grid as coarse where that is what they are on (not 2.0 + 6e-8 at a smooth f's flat point)
    if candidates.any():
        far = _probe(at, PROBE * eps, base)
        moved_far = (far[0] != base) | (far[1] != base)
        coarse_far = coarse_steps([base, *far], dtype, moved_input(point, PROBE * eps)) > 0
        candidates &= moved_far & ((grid == 0) | coarse_far)
        hidden = hidden | candidates
    # each side off by up to half the grid's step, generously twice: rounding x inside f (sin in float32 at
    # 0.9: 3% of 2 eps) shows only as far as the output's grid does
    steps = weighed(np.where(moved | candidates, 2 * grid, 0.0), sizes) / (h_up + h_down)
    edge = 0.0
    if beyond and better is None and not (kink or jump):  # no smaller step found f smooth
        moves_at = lambda shift: (step(shift), weighed(at(shift) - base, weights))  # noqa: E731
        # f's noise: its rounding, and the coarse grid its output lies on (sin computed in float32 in an op)
        bound = unsettled(sides_at, moves_at, eps, (central, apart), rounding + steps, tolerance)
        truncation = max(truncation, bound)
        # f not finite (or undefined) within 2 eps: a pole, an overflow or a domain's edge, which the difference at
        # eps may straddle and no step bounds (1 / x at eps / 2, inf at x - eps / 2, failed its right rule)
        edge = at.nearest_break(2 * eps) / eps
    if bent and better is None:  # generously: a smooth f's truncation at eps is 4 / 3 of it
        truncation = max(truncation, 2 * straddle)
    if better is not None and own_ops:  # a grid coarser than eps may hide inside: it only excuses (check_richardson)
        truncation, better = max(truncation, abs(better[0] - central) + better[1]), None
    central, truncation = better[:2] if better else (central, truncation)
    settings = (eps, atol, dtype, inside, inside_at)
    noise = _noise(at, step, spread, weights, settings, central, better) if part(analytic, central) else 0.0
    lost = not moved.any() and (bool(swallowed(base, sizes, dtype, eps, atol)[0]) or bool(hidden.any()))
    treads = None
    if not (lost or moved.any() or beyond or own_ops) and stairs(at, base, eps):  # a tread of the grain inside f?
        # not where the slope over PROBE eps is the rule's too: a smooth f at its flat point (softmax's weighed sum)
        far_slope = _central_at(at, step, weights, PROBE * eps)
        lost = abs(analytic - far_slope) > atol + rtol * abs(far_slope)
        treads = far_slope if lost else None
    partly = bool(moved.any() and hidden.any())
    if moved.any() and not moved.all() and not own_ops:  # an entry still beside ones that moved may hide a grain
        beside = beside_treads(at, step, (base, up, down), weights, moved, eps)
        if beside is not None and abs(analytic - beside) > atol + rtol * abs(beside):
            partly, treads = True, beside
    stepping = None
    if own_ops:  # its entries' slopes at eps, and their rounding
        stepping = far_off(at, step, near[2], 8 * finfo.eps * spread / min(h_up, h_down), weights, (eps, atol, rtol))
    slopes_ = (central, left, right, kink, rounding, noise, truncation, jump, lost, steps, partly, stepping)
    return Slopes(*slopes_, better is not None, edge, treads)


def _probe(at: Callable[[float], np.ndarray], shift: float, base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f's output at the point moved by +-shift (`base`, as at the point, where f is undefined there)."""
    try:
        with quiet():
            return at(shift), at(-shift)
    except (ArithmeticError, ValueError):
        return base, base


def _central_at(at: Callable[[float], np.ndarray], step: Step, weights: Any, shift: float) -> float:
    """The central difference with a shift of `shift`, by the step as it rounds."""
    return weighed(at(shift) - at(-shift), weights) / (step(shift) - step(-shift))


def _sides_at(
    at: Callable[[float], np.ndarray], step: Step, base: np.ndarray, weights: Any, shift: float
) -> tuple[float, float]:
    """The central difference with a shift of `shift`, and how far apart the one-sided slopes are, each by
    the step as it rounds (`base`: f's output at the point)."""
    up, down = at(shift), at(-shift)
    h_up, h_down = step(shift), -step(-shift)
    right, left = weighed(up - base, weights) / h_up, weighed(base - down, weights) / h_down
    return weighed(up - down, weights) / (h_up + h_down), abs(right - left)


def _noise(
    at: Callable[[float], np.ndarray],
    step: Step,
    spread: np.ndarray,
    weights: Any,
    settings: tuple,
    central: float,
    refined: tuple[float, float, float] | None = None,
) -> float:
    """For a `central` slope below atol, generously how far it may be off: its truncation, about eps**2 / 6
    times the third derivative (1e-12 for x**3 at 0), a quarter of the one at 2 eps, so about a third of
    their difference; 10 times the rounding inside f (`inside`: cross_entropy at logits [30, 0, 0] moves
    by steps of 3.6e-15, or not at all, where its slope would move it by 4e-19); and 100 times the
    rounding of every entry of f's output (`spread`: its largest size at x and x +- eps), moved or not (a
    change below an entry's spacing leaves it as it was). The rounding inside f is the larger of x's and
    x +- eps's (`inside_at`), where the difference was taken: a first-order bound may vanish at x alone
    (f a sum of squares of a gradient that is exactly 0 at x, and only rounding at x +- eps). A slope
    extrapolated from smaller steps (`refined`: check_richardson's slope, error and smallest step h) has that
    error for its truncation, and the rounding at x +- h over h (unmeasured, the squared gradient of
    sum(log_softmax(57.3 x)), flat at x = 0, refined to 4.6e-11 there, the rounding of 57.3 (1 - 3 softmax) at
    x +- h, and failed its right rule 0). 0 for larger slopes, which atol judges; inf where f is undefined at
    2 eps: no telling."""
    eps, atol, dtype, inside, inside_at = settings
    if abs(central) >= atol:
        return 0.0
    h = eps if refined is None else refined[2]
    try:
        with quiet():
            truncation = abs(_central_at(at, step, weights, 2 * eps) - central) if refined is None else refined[1]
            if inside_at is not None:
                inside = max(inside, inside_at(h), inside_at(-h))
    except (ArithmeticError, ValueError):
        return math.inf
    if not math.isfinite(truncation):
        return math.inf
    scale = np.ones_like(spread) if weights is None else abs(weights)
    finfo = np.finfo(dtype)  # each entry's rounding: relative, and at least the least subnormal step
    output_rounding = float(np.sum(scale * (finfo.eps * spread + finfo.smallest_subnormal)))
    return truncation + (10 * inside + 800 * output_rounding) / min(step(h), -step(-h))


def output(out: Any) -> np.ndarray:
    """f's output as float64 numbers."""
    return np.asarray(raw(out), dtype=np.float64)


def part(a: float, n: float) -> bool:
    """Whether an analytic slope and a numeric one are of other signs (not a * n <= 0: the product of two
    subnormals is 0) or one is off by more than half: below atol, and beyond the numeric slope's own
    error, a wrong rule (an analytic slope where f is flat, a 0 where it is not)."""
    return (a < 0) != (n < 0) or abs(a - n) > max(abs(a), abs(n)) / 2

"""What f's differences at steps other than eps say of its shape near the point, for a row whose one-sided
slopes part (a kink?) or whose central difference disagrees with the rule (a jump? how far does truncation
move it?): check_numeric asks, per row."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

# One-sided slopes further apart than this many times a row's tolerance are looked at again, twice as far out
_APART = 10
# one-sided slopes parting by this much of their parting at a step, or more (up to 1 / STAYS of it), at half the
# step stay apart, as a kink's at the point do; a smooth f's halve (check_richardson reads them so too)
STAYS = 0.7
# shifts (in eps) off the halvings' ladder, of no simple ratio to its steps or each other, where f's moves must be
# what those predict: an f turning whole periods between the ladder's steps turns other angles there
_OFF_LADDER = (math.sqrt(0.5), -0.6)
_MOVED = 4  # f's moves within 2 eps must reach this many times its rounding for their shape to say anything


Step = Callable[[float], float]  # the shift of the point as it rounds: (x + shift) - x as stored
SidesAt = Callable[[float], tuple[float, float]]  # a shift h -> the central difference, its one-sided slopes' parting
MovesAt = Callable[[float], tuple[float, float]]  # a shift -> the step as it rounds, f's (weighed) move there


def kinked(
    at: Callable[[float], np.ndarray], step: Step, outputs: tuple, sides: tuple, settings: tuple, beyond: bool
) -> bool:
    """Whether f has a kink at the point (or within about 0.4 eps of it; 0.75 eps where the central difference
    disagrees with the rule, `beyond`): its one-sided slopes (`sides`: left, right) part by as much with
    shifts of 2 and 4 eps (`outputs`: f's output at the point and the row's weights; `settings`: atol, rtol,
    the rounding of the slopes, eps). Looked at only where they part beyond _APART tolerances and the
    rounding."""
    base, weights = outputs
    left, right = sides
    atol, rtol, rounding, eps = settings
    apart = abs(right - left)
    if apart <= max(_APART * (atol + rtol * max(abs(left), abs(right))), rounding):
        return False
    try:
        with quiet():
            ratios = [_apart(at, step, base, weights, k * eps) / apart for k in (2, 4)]
    except (ArithmeticError, ValueError):  # f undefined farther out (a domain's edge): no telling
        return False
    # a kink's parting stays (with curvature c, (1 + 2t) / (1 + t) at 2 eps, t = c eps); a smooth f's doubles
    # at each step out, rounding's halves. A kink at a distance d within eps, which the central difference
    # straddles, parts them by (1 - d / eps) of its jump: (1 - d / 2eps) / (1 - d / eps) at 2 eps, 2.5 at 0.75
    # eps, then (1 - d / 4eps) / (1 - d / 2eps), 1.3 at most; a bend about eps wide looks the same (the safe
    # norm at 0), so that is read as a kink only where the central difference disagrees with the rule
    return 0.7 < ratios[0] < (2.5 if beyond else 1.3) and 0.7 < ratios[1] / ratios[0] < 1.45


def far_out(
    at: Callable[[float], np.ndarray], step: Step, weights: Any, eps: float, near: tuple, rounding: float
) -> tuple[float, bool]:
    """What the central difference at 2 eps (and 4 eps) tells of a central slope the rule disagrees with
    (`near`: it, the rule's slope, and each entry's slope at eps): generously how far its truncation moves
    it, and whether f jumps within eps of x.

    The truncation is about eps**2 / 6 times the third derivative (335 for log at 1e-5, 1e8 for 1 / x
    there: f curves within eps), a quarter of the one at 2 eps, so about a third of their difference, taken
    whole. Where f is smooth, f(x + h) - f(x - h) is about 2h times its slope, twice as much at 2 eps; where
    f jumps by J (a step, floor, sign), it is about J at every h, and the slope at 2 and 4 eps a half and a
    quarter of the one at eps: an entry's slope at h is s + J / 2h, s and J read off eps and 2 eps (beside
    a slope of 3, a jump of eps read as no jump, its slope at 2 eps 0.71 of the one at eps). A change about
    eps wide (tanh(1e6 x) at 0, eps 1e-6) levels off so too, so a jump is read only where the slope at 4 eps
    and at eps / 4 are the model's too (at eps / 4, s + 4 J / 2 eps; tanh(1e6 x)'s is 0.4 of it), J beyond
    f's rounding (`rounding`, whose difference shrinks so too, but stays below it): that row is not excused
    as a jump, and a wrong rule there was. Each entry of f's
    output is looked at alone, and the row is a jump's where the entries that jump account for half its
    disagreement or more: weighed in with the slopes of the entries that do not (floor(x) beside 2 x),
    the sum neither halved nor stayed, and the row read "fails". (0, False) where f is undefined or not
    finite at 2 eps, and no jump where it is so at 4 or eps / 4: no telling, and the row is judged as it is."""
    central, analytic, slope = near
    try:
        with quiet():
            far = _entry_slopes(at, step, 2 * eps)
    except (ArithmeticError, ValueError):
        return 0.0, False
    far_central = weighed(far, weights)
    if not math.isfinite(far_central):
        return 0.0, False
    truncation = abs(far_central - central)
    sizes = 1.0 if weights is None else np.abs(weights)
    with np.errstate(all="ignore"):
        # each entry's slope at h read as a slope s plus a jump's J / 2h: its jump's part at eps, q, from eps and 2 eps
        jumped = 2 * (slope - far)
        smooth = slope - jumped
        jumps = sizes * np.abs(jumped) > _APART * rounding
        if not jumps.any():
            return truncation, False
        try:  # a bend about eps wide may halve it once; a jump halves it again at 4 eps, and keeps it at eps / 4
            with quiet():
                farther = _entry_slopes(at, step, 4 * eps)
                jumps &= np.abs(farther - (smooth + jumped / 4)) < 0.1 * np.abs(jumped)
                if not jumps.any():
                    return truncation, False
                nearer = _entry_slopes(at, step, eps / 4)
        except (ArithmeticError, ValueError):
            return truncation, False
        jumps &= np.abs(nearer - (smooth + 4 * jumped)) < 1.2 * np.abs(jumped)
    explained = float(np.sum(np.where(jumps, sizes * np.abs(jumped), 0.0)))
    return truncation, bool(jumps.any()) and explained >= abs(analytic - central) / 2


def straddled(at: Callable[[float], np.ndarray], step: Step, outputs: tuple, sides: tuple, eps: float) -> float:
    """How far f's one-sided slope from x to x + eps / 2 is off what the differences at eps predict of a smooth
    f (`sides`: left, right and central there; `outputs`: f's output at x and the row's weights): about a
    third derivative's eps**2 / 8 where f is smooth (the central difference's own truncation is its eps**2 / 6),
    and about the whole disagreement where kinks or jumps on both sides, which the difference at eps straddles,
    keep the one-sided slopes together (x - relu(x - b) + relu(a - x) with a, b = x -+ eps / 2: slopes 0.5 at
    eps, 1 at x, and a rule of 0.5 passed). One more call of f; 0 where f is not finite there: no telling."""
    base, weights = outputs
    left, right, central = sides
    half = step(eps / 2)
    try:
        with quiet():
            slope = weighed(at(eps / 2) - base, weights) / half
    except (ArithmeticError, ValueError):
        return 0.0
    # right(h) = s + f'' h / 2 + O(h**2), f'' read off the one-sided slopes at eps: (right - left) / eps
    off = abs(slope - (central + (right - left) * half / (step(eps) - step(-eps))))
    return off if math.isfinite(off) else 0.0


def stays_apart(sides_at: SidesAt, eps: float, apart: float) -> bool:
    """Whether the one-sided slopes, `apart` at eps, part by as much (0.7 of it or more) at eps / 2, as a kink's at
    the point do, where a smooth f's halve; True where f is not finite there (no telling: the kink stands)."""
    try:
        with quiet():
            _, parting = sides_at(eps / 2)
    except (ArithmeticError, ValueError):
        return True
    return not parting < STAYS * apart


def unsettled(
    sides_at: SidesAt, moves_at: MovesAt, eps: float, at_eps: tuple, rounding: float, tolerance: float
) -> float:
    """How far truncation may move a difference at eps that the rule disagrees with and no smaller step refines
    (`at_eps`: it, and how far apart its one-sided slopes are; `sides_at(h)`: both at a step h). Only where f is
    smooth at the scale of eps is it bounded: f's moves from x to x +- eps / 2, eps and 2 eps (`moves_at`) lie on
    a polynomial of degree 4 in the step within f's rounding (`rounding`, the difference's at eps, times eps:
    8 times f's own rounding, and the grid it lies on; `_misfit`) and an eighth of the row's `tolerance` (times
    eps: a misfit that moves the slope by less tells nothing; the rounding inside f is read off backward's
    gradients, and a rule giving 0 hides it: sin(x**2) at 49068.6, rule 0, missed by 1.8e-7 where its rounding
    read 2.5e-15, and a rule off by all of the slope 'cannot be judged' where the right one passed), some move
    `_MOVED` times beyond its rounding; else inf
    (sin(x**2) at 5.7e6 turns 11 rad over eps and at 1.2e8 244 rad, f's rounding there 3 of its range of 2: its
    differences are any numbers below 1 / eps, which moved now as a smooth f's, now within rounding, and bounded
    its right rule, 1.45e8, by 2.6e6: it failed). Where f is smooth there and the differences at eps / 2, eps
    and 2 eps move as a smooth f's (the move from eps to 2 eps 4 times the one from eps / 2 to eps, give or
    take a factor of 2, and more than 2 times it beyond their rounding: a move twice the last is a truncation
    linear in the step, x * |x| at 0, as large as the move), twice the move to 2 eps over that ratio less 1 (the
    move itself, `far_out`, where larger). Else,
    where the move from eps / 2 is beyond what rounding explains (3 times `rounding`), nothing bounds it: inf
    (sin(w x)**2 cos(w x / 2) at w = 4.5e8); within it, 4 times the move: sin(3e6 x) computed in float32 moved
    by 0.62 of its slope from eps / 2 to eps and by 0.09 to 2 eps, and its right rule failed (off by 0.95 of it
    at eps). 0 where f is undefined or not finite there: the row names that (check_shifts). Two more calls of f
    (`_misfit`'s checks off the ladder); the row took the other steps already (`far_out`, the refinement)."""
    central, _ = at_eps
    try:
        with quiet():
            (half, _), (double, _) = sides_at(eps / 2), sides_at(2 * eps)
            misfit, largest = _misfit(moves_at, eps)
    except (ArithmeticError, ValueError):
        return 0.0
    near, far = central - half, double - central
    if not all(math.isfinite(v) for v in (near, far, misfit)):
        return 0.0
    # f is not a polynomial at this scale, or moves within its rounding alone: no move of its differences bounds it
    if misfit > (rounding + tolerance / 8) * eps or largest <= _MOVED * rounding * eps:
        return math.inf
    # D(h) = s + c h**p: far / near = 2**p, and the error at eps far / (2**p - 1), a third of the move at p = 2 (far_out
    # takes it whole), all of it at p = 1 (f'' jumping: x * |x| at 0, its differences eps, read 2.009 with a rounding
    # of 0.001 beside entries of 1e9, and its right rule failed, 0.004 off by 0.003997): read with the moves' rounding
    low = (abs(far) - 3 * rounding) / (abs(near) + 3 * rounding)
    if near != 0 and 2 < far / near < 8 and low > 1:
        return 2 * abs(far) / (low - 1)
    return math.inf if abs(near) > 3 * rounding else 4 * abs(near)


def _misfit(moves_at: MovesAt, eps: float) -> tuple[float, float]:
    """How far f's moves from x to x +- eps / 2, eps and 2 eps (`moves_at(shift)`: the step as it rounds, and
    the move) lie off the polynomial of degree 4 in the step nearest them (least squares; 6 moves, 4
    coefficients), and its moves to x + 0.71 eps and x - 0.6 eps, off the halvings' ladder (two more calls of f),
    off what that polynomial predicts there: about f's fifth derivative times (2 eps)**5 / 120 where f is smooth,
    f's rounding where that is smaller, and a sizeable part of f's range where f turns over that span, even where
    it turns whole periods between the ladder's steps (sin(x**2) at 5.7e6 turns 5.73 rad, 0.91 of a period, every
    eps / 2, and its moves on the ladder lay within 0.005 of such a polynomial; at 1.3e7, 26.2 rad every eps,
    4 periods and 1 rad, its moves at every multiple of eps / 4 did, within 0.03); and the largest move."""
    shifts = (0.5, -0.5, 1.0, -1.0, 2.0, -2.0, *_OFF_LADDER)
    steps, moves = (np.asarray(v) for v in zip(*(moves_at(s * eps) for s in shifts)))
    t = steps / eps
    basis = np.stack([t, t**2, t**3, t**4], axis=1)
    coefficients, *_ = np.linalg.lstsq(basis[:6], moves[:6], rcond=None)
    return float(np.max(np.abs(basis @ coefficients - moves))), float(np.max(np.abs(moves)))


def _entry_slopes(at: Callable[[float], np.ndarray], step: Step, shift: float) -> np.ndarray:
    """Each entry's central difference with a shift of `shift`, by the step as it rounds."""
    return (at(shift) - at(-shift)) / (step(shift) - step(-shift))


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Where the check evaluates f farther out than eps (beyond a domain's edge, say): numpy's warnings
    stay with the check, which reads a result that is not finite as no telling. By np.errstate alone:
    `warnings.catch_warnings()` resets every registry of warnings shown, and the float64 note of each call of
    gradcheck (and any warning of f's own) was shown again every time, not once per line."""
    with np.errstate(all="ignore"):
        yield


def _apart(at: Callable[[float], np.ndarray], step: Step, base: np.ndarray, weights: Any, shift: float) -> float:
    """How far apart the one-sided slopes are with a shift of `shift`, each by its step as it rounds."""
    right = weighed(at(shift) - base, weights) / step(shift)
    left = weighed(base - at(-shift), weights) / -step(-shift)
    return abs(right - left)


def weighed(d: np.ndarray, weights: Any) -> float:
    return float(d.item()) if weights is None else float(np.sum(weights * d))

"""A central difference refined at smaller steps, for a row whose slope at eps disagrees with the rule where
f is smooth but curves within eps: sin(3e6 x) at 0.3 turns 3 radians over eps = 1e-6, and its difference
there (0.047 of the slope) failed a right rule outright; sin(1e5 x)'s (0.17% off) was 'cannot judge'.

The central difference at a step h is the slope plus c h**2 + O(h**4) where f is smooth, so halving h moves
it by a quarter of its last move once h is within f's scale, and (4 s(h/2) - s(h)) / 3 (Richardson's
extrapolation) leaves O(h**4). The step is halved until two moves in a row shrink by about 4 (f is in that
regime) and two extrapolations agree, or until f's rounding, which grows as 1 / h, would swamp what is left
to tell. Where f is straight to its rounding at the smaller steps (three moves in a row within it), the
difference there is f's slope: a jump or a kink 0.3 to 0.9 eps from the point, which the differences at eps
and eps / 2 straddle and those below do not, made x + 1e-6 (x > 0.3 + 4e-7) fail its right rule 1 (its
difference 1.5 at eps). A kink at the point itself keeps the one-sided slopes apart by its jump in slope at
every step, where a smooth f's part by h f'' and halve: a step whose one-sided slopes stay apart is never
read as a smooth f's (abs(x) + x**3 at 0, whose central differences shrink as a smooth f's).

Halving gives steps on one ladder, and an f that turns whole periods over them looks smooth on it: sin(1e8 x)
at eps = 1e-6 turns 100 rad (about 16 periods), and its differences at eps, eps / 2, eps / 4, eps / 8 shrank
by 4 each, extrapolated to 140934 where its slope is -2.65e7. So a slope found is checked at steps off the
ladder (0.6 and 0.71 of the last), against what the h**2 regime predicts there; where it misses, the halving goes on
to the steps where f is smooth.

Where the element reaches an op of one's own, the extrapolation only excuses a disagreement at eps (the row
cannot be judged): the op may round to a grid coarser than eps, which no smaller step shows and which a slope
curving that fast hides from check_scales' probe at 256 eps (((x + 1e12) - 1e12) + sin(1e5 x) / 1e5 at 0.05
passed a rule lacking the first term's slope, 1)."""

from __future__ import annotations

import math
from collections.abc import Callable

from .check_bends import STAYS, SidesAt

# eps / 65536 at most: sin(1e9 x) at eps 1e-6 is in the h**2 regime at eps / 4096, sin(1e5 x) at eps 0.01 only at
# eps / 16384 (stopped at eps / 4096, its right rule failed, then was 'cannot judge')
HALVINGS = 16
QUARTER = (0.15, 0.35)  # a move a quarter of the last, give or take (0.25 (1 + O(h**2)) where f is smooth)
# the steps of the check off the halving's ladder, as fractions of the last step: two, of no simple ratio to each
# other, as one (0.6 = 3 / 5) lies on the ladder of an f turning whole periods at both (sin(1e5 x) at 0.3 with eps
# 0.01 turns 5 periods less 0.17 rad at eps / 32, 3 less 0.1 at 0.6 of it: extrapolated to 316.7, its slope -59643)
_OFF_LADDER = (0.6, math.sqrt(0.5))

_DOUBLING = (1.5, 2.5)  # a move twice the last, give or take: a jump's, straddled at both steps
_JUMP_HALVINGS = 3  # moves doubling this many halvings in a row (down to eps / 16): a jump at the point, no slope


def refined(
    slope_at: SidesAt,
    eps: float,
    at_eps: tuple[float, float],
    rounding: float,
    tolerance: float,
    settled: float = 0.0,
    stops: Callable[[float], bool] = lambda h: False,
    jump: bool = False,
) -> tuple[float, float, float] | None:
    """The slope extrapolated from central differences at eps / 2, eps / 4, ... (`slope_at(h)`: f's central
    difference with a shift of h, and how far apart its one-sided slopes are; `at_eps`: both at eps;
    `rounding`: how far f's rounding moves the difference at eps, twice as far at each halving),
    generously how far it may be off: twice the last two extrapolations' difference, and twice the rounding
    at the smallest step; and that step (where a slope below atol reads f's rounding again: check_numeric's
    `_noise`). None where no two moves in a row shrank by about 4 (or stayed within the rounding: f straight
    there) at steps whose one-sided slopes do not stay apart, or where the slope found misses its check off
    the ladder, or f is undefined or not finite at a smaller step: no telling, and the row is judged by its
    slope at eps. Stops once the error is below an eighth of the row's `tolerance`: two more
    calls of f per halving, six at the least, and two for the check; or None after two where the difference
    at eps / 2 moved by less than `settled` (a rule agreeing at eps: its truncation, about 4 / 3 of that
    move, is a fraction of the tolerance; sin(1e3 x) near its slope's zeros took 24 calls for nothing), or
    after four where the one-sided slopes stayed apart at both halvings (a kink at the point: abs at 0), or
    after six where f was read as jumping (`jump`: check_bends.far_out) and the differences moved twice as far
    at each of three halvings in a row, down to eps / 16 (a jump at the point: floor at 1; steps 0.1 eps either
    side, straddled down to eps / 8, are stepped past).
    `stops(h)`: whether f's output stopped moving at +-h where that does not say f is flat there (check_grain's
    `stopped`; relu beside its kink, flat on one side at eps already, is flat): the step may be the grain of its
    inputs inside it (x + 1e8 keeps x to steps of eps / 67), or of an op of one's own (sin(3e6 x) computed in
    float32 stops moving at eps / 128, and its slope there, 0, made a right rule fail): no telling from there on."""
    h, (last, apart), move, extrapolated, best, stays, doubles = eps, at_eps, None, None, None, 0, 0
    for k in range(1, HALVINGS + 1):
        h /= 2
        noise = rounding * 2**k
        if noise > tolerance:  # rounding alone would swamp what is left to tell
            break
        try:
            s, parting = slope_at(h)
        except (ArithmeticError, ValueError):  # f undefined that near (the point at a domain's edge)
            break
        if not (math.isfinite(s) and math.isfinite(parting)) or stops(h):
            break  # f's output stopped moving at +-h, not flat there: a grid inside f, which no smaller step reads
        step_move = s - last
        if k == 1 and abs(step_move) < settled:
            return None
        parted = parting > max(STAYS * apart, 4 * noise)  # not as a smooth f's, whose parting halves
        stays = stays + 1 if parted and parting < apart / STAYS else 0
        if stays == k == 2:  # as a kink's at the point, at both of the first two halvings
            return None
        # a jump J straddled by +-h adds J / 2h: the difference moves twice as far at each halving
        doubles = doubles + 1 if move and _DOUBLING[0] < step_move / move < _DOUBLING[1] else 0
        if jump and doubles == _JUMP_HALVINGS:  # still at h = eps / 16: a jump at the point (or within eps / 16)
            return None
        smooth = not parted and move is not None
        quarter = smooth and abs(move) > noise and QUARTER[0] < step_move / move < QUARTER[1]
        # moves this small say f is straight here: within its rounding, or far within the tolerance, where f
        # rounds inside more than `rounding` says (hardsigmoid's x / 6 + 0.5 beside its kink at -3: 1e-10 moves
        # for 1e-15); the slope is then s within twice the larger move
        level = max(noise, tolerance / 64)
        straight = smooth and abs(move) <= level and abs(step_move) <= level
        here = s + step_move / 3 if quarter else (s if straight else None)
        if here is not None and extrapolated is not None:
            error = 2 * abs(here - extrapolated) + 2 * (noise if quarter else max(noise, abs(move), abs(step_move)))
            if (best is None or error < best[1]) and _on_course(slope_at, (here, error, h, s), rounding * eps):
                best = (here, error, h, s)
                if error < tolerance / 8:
                    break
        extrapolated, last, move, apart = here, s, step_move, parting
    return None if best is None else (best[0], best[1], best[2])


def _on_course(slope_at: SidesAt, found: tuple, rounding: float) -> bool:
    """Whether the difference at a step off the halving's ladder (`_OFF_LADDER` of the step h a slope was
    found at) is what the h**2 regime predicts there (`found`: the slope, its error, h, the difference at
    h; `rounding`: how far rounding moves a difference, times its step). Two more calls of f."""
    slope, error, h, s = found
    for ratio in _OFF_LADDER:
        try:
            off, _ = slope_at(ratio * h)
        except (ArithmeticError, ValueError):
            return False
        predicted = slope + (s - slope) * ratio**2
        if not (math.isfinite(off) and abs(off - predicted) <= error + rounding / (ratio * h)):
            return False
    return True

"""A central difference refined at smaller steps, for a row whose slope at eps disagrees with the rule where
f is smooth but curves within eps: sin(3e6 x) at 0.3 turns 3 radians over eps = 1e-6, and its difference
there (0.047 of the slope) failed a right rule outright; sin(1e5 x)'s (0.17% off) was 'cannot judge'.

The central difference at a step h is the slope plus c h**2 + O(h**4) where f is smooth, so halving h moves
it by a quarter of its last move once h is within f's scale, and (4 s(h/2) - s(h)) / 3 (Richardson's
extrapolation) leaves O(h**4). The step is halved until two moves in a row shrink by about 4 (f is in that
regime: a grid, a kink or a jump within eps gives no such sequence) and two extrapolations agree, or until
f's rounding, which grows as 1 / h, would swamp what is left to tell.

Where the element reaches an op of one's own, the extrapolation only excuses a disagreement at eps (the row
cannot be judged): the op may round to a grid coarser than eps, which no smaller step shows and which a slope
curving that fast hides from check_scales' probe at 256 eps (((x + 1e12) - 1e12) + sin(1e5 x) / 1e5 at 0.05
passed a rule lacking the first term's slope, 1)."""

from __future__ import annotations

import math
from collections.abc import Callable

_HALVINGS = 12  # eps / 4096 at most: sin(1e9 x) at eps 1e-6 is in the h**2 regime there
_QUARTER = (0.15, 0.35)  # a move a quarter of the last, give or take (0.25 (1 + O(h**2)) where f is smooth)


def refined(
    slope_at: Callable[[float], float],
    eps: float,
    central: float,
    rounding: float,
    tolerance: float,
    settled: float = 0.0,
) -> tuple[float, float] | None:
    """The slope extrapolated from central differences at eps / 2, eps / 4, ... (`slope_at(h)`, f's central
    difference with a shift of h; `central`, the one at eps; `rounding`, how far f's rounding moves it at
    eps, twice as far at each halving), and generously how far it may be off: twice the last two
    extrapolations' difference, and twice the rounding at the smallest step. None where no two moves in a
    row shrank by about 4 beyond the rounding, or f is undefined or not finite at a smaller step: no
    telling, and the row is judged by its slope at eps. Stops once the error is below an eighth of the
    row's `tolerance`: two more calls of f per halving, six at the least; or None after two, where the
    difference at eps / 2 moved by less than `settled` (a rule agreeing at eps: its truncation, about 4 / 3 of
    that move, is a fraction of the tolerance; sin(1e3 x) near its slope's zeros took 24 calls for nothing)."""
    h, last, move, extrapolated, best = eps, central, None, None, None
    for k in range(1, _HALVINGS + 1):
        h /= 2
        noise = rounding * 2**k
        if noise > tolerance:  # rounding alone would swamp what is left to tell
            break
        try:
            s = slope_at(h)
        except (ArithmeticError, ValueError):  # f undefined that near (the point at a domain's edge)
            break
        if not math.isfinite(s):
            break
        step_move = s - last
        if k == 1 and abs(step_move) < settled:
            return None
        if step_move == 0 and move == 0:  # f is straight here to the last bit: nothing to extrapolate
            break
        quarter = move is not None and abs(move) > noise and _QUARTER[0] < step_move / move < _QUARTER[1]
        here = s + step_move / 3 if quarter else None
        if here is not None and extrapolated is not None:
            error = 2 * abs(here - extrapolated) + 2 * noise
            if best is None or error < best[1]:
                best = (here, error)
            if error < tolerance / 8:
                break
        extrapolated, last, move = here, s, step_move
    return best

"""How coarsely f's output moves: the grain of the numbers f gives, which rounding inside an op of the
user's own (whose inside gradcheck cannot see) makes far coarser than their dtype says.

`Op(lambda x: (x + 1e12) - 1e12, ...)` gives x to steps of 2**-13 (1.2e-4: the spacing of 1e12), 0.3 as
0.300048828125, 11 significant bits of 53; its difference at eps 1e-6 is 0 or 61, whatever the rule,
and a rule giving 0 passed. A value keeps few bits where it lies on a coarse grid; a number computed
from x +- eps (which keeps about every bit: 0.3 + 1e-6) keeps as many, unless it was rounded. The grain
of a value, its lowest bit (2**-12 for 0.300048828125), is a multiple of that grid's step."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .check_bends import Step, weighed

# A value keeping this many bits fewer than its dtype's and its input's is rounded inside f (a value that
# keeps every bit ends in this many zeros once in 4096, and all of a row's values once in 16 million)
LOST = 12
PROBE = 256  # where an entry did not move at +-eps, f is looked at +-256 eps: a grid of up to 512 eps shows
SHOWN = 10  # a difference must show a slope of this many atol: an error hidden below is of atol's order


def lowest_bits(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each float64 value, the significant bits it keeps and the value of its lowest set bit (0 and 0
    for 0 and for what is not finite), read off one frexp."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values) & (values != 0)
    mantissa, exponent = np.frexp(np.where(finite, values, 1.0))
    whole = np.abs(np.ldexp(mantissa, 53)).astype(np.int64)  # 53 bits, the lowest set bit the last kept
    low = whole & -whole
    kept = np.where(finite, 53 - np.log2(low).astype(np.int64), 0)
    return kept, np.where(finite, np.ldexp(low.astype(np.float64), exponent - 53), 0.0)


class Moved(NamedTuple):
    """What exact arithmetic on x moved by +-shift can leave of f's numbers: `bits`, the bits x + shift and
    x - shift keep (53 where the step is not one element's: a block's direction), and `fineness`, their
    lowest bit over the step 2 shift (0 there): an exact f leaves an entry moving by D on a grid of
    D * fineness or finer (one whose second difference is D2, on D2 * 2 fineness**2 or finer).
    (2 + 2**-20) - 2 is 2**-20, 1 bit of 53, and 1e7 + 1e-6 - 1e7 keeps 24: cancellation, not rounding."""

    bits: int
    fineness: float


@functools.lru_cache(maxsize=16)  # an element's rows and their blocks each ask it again
def moved_input(point: float | None, shift: float) -> Moved:
    """`Moved` for the element at `point` moved by +-shift (None: a block's direction). Each end's bits and
    lowest bit are read off its exact ratio n / d (`lowest_bits` of two numbers, 40 times as fast)."""
    if point is None:
        return Moved(53, 0.0)
    ends = [float(np.float64(point) + shift), float(np.float64(point) - shift)]
    ratios = [abs(end).as_integer_ratio() for end in ends if math.isfinite(end) and end != 0]
    lows = [(n, n & -n, d) for n, d in ratios]  # n's lowest set bit: 1 but for a whole number (d = 1)
    kept = min((n.bit_length() - low.bit_length() + 1 for n, low, _ in lows), default=0)  # 0 and inf keep none
    lowest = min((low / d for _, low, d in lows), default=0.0)  # ... and have no lowest bit (x at inf)
    return Moved(kept, lowest / (2 * shift))


def _limit(dtype: np.dtype, kept: Moved) -> int:
    """The most bits a value rounded inside f keeps: `LOST` fewer than f's dtype and the input (`kept`) do."""
    return min(np.finfo(dtype if np.dtype(dtype).kind == "f" else np.float64).nmant + 1, kept.bits) - LOST


def coarse_steps(values: list[np.ndarray], dtype: np.dtype, kept: Moved) -> np.ndarray:
    """For each entry, the step of the grid its `values` (f's output at x and x +- a shift) lie on, where
    each nonzero one keeps `LOST` bits fewer than f's dtype and the input (`kept`) do, on a grid over twice
    as coarse as exact arithmetic on the input leaves (x - 2 at 2 + 2**-20, 1e7 + 1e-6 - 1e7, (x - 2)**2
    at 2 + 2**-20): their least grain, a multiple of the grid's step; 0 where some value keeps more (or
    every value is 0)."""
    stacked = np.stack(values)
    kept_bits, grains = lowest_bits(stacked)
    most = kept_bits.max(axis=0)
    few = (most <= _limit(dtype, kept)) & (most > 0)
    if not few.any():  # the common case: some value of every entry keeps its bits
        return np.zeros(most.shape)
    least = np.where(stacked != 0, grains, np.inf).min(axis=0)
    # the coarsest grid an exact f may leave, twice: c t (t the shift, on x +- shift's grid) lies on |c| times
    # that grid, c read off the first difference; c t**2 ((x - 2)**2 at 2) on |c| times its square, c off the second
    base, up, down = values
    fine = kept.fineness
    with np.errstate(all="ignore"):  # inf - inf where f overflows at x +- eps: nan, no grid (not numpy's warning)
        exact = 2 * fine * np.abs(up - down) + 4 * fine * fine * np.abs(up + down - 2 * base)
    return np.where(few & np.isfinite(least) & (least > exact), least, 0.0)


def _hides(base: np.ndarray, up: np.ndarray, down: np.ndarray, dtype: np.dtype, eps: float, tolerances: tuple) -> Any:
    """Whether each entry's spacing in its dtype over 2 eps is SHOWN times its tolerance (atol + rtol * its
    slope) or more, so that its difference tells nothing of its gradient."""
    atol, rtol = tolerances
    finfo = np.finfo(dtype if np.dtype(dtype).kind == "f" else np.float64)
    spacing = finfo.eps * np.maximum(np.abs(base), np.maximum(np.abs(up), np.abs(down))) + finfo.smallest_subnormal
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf where f overflows at x +- eps: nan, not hidden
        return spacing / (2 * eps) > SHOWN * (atol + rtol * np.abs(up - down) / (2 * eps))


def unseen(
    base: np.ndarray,
    up: np.ndarray,
    down: np.ndarray,
    dtype: np.dtype,
    eps: float,
    tolerances: tuple,
    kept: Moved,
    fine: Any = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per entry of f's output at x (`base`) and x +- eps (`tolerances`: atol, rtol; `kept`: what exact
    arithmetic on the input leaves, `Moved`): whether it moved, but its spacing hides its slope (`_hides`:
    x + 1e9 beside 1e6 x: a rule off by 3% in it passed, the row moving by the other); whether it did not
    move, but its spacing, or the coarse grid it lies on, could hide a slope of SHOWN atol: it counts where
    f moves it within PROBE eps (x + 1e12 does; exp(20) beside the element moved does not, nor floor at
    5.3, 5.0 on a grid of 1, flat for 0.3 around: its 0 is right), the grid not where the entry is `fine`
    (`StillEntries.fine`); and each entry's coarse grid step (`coarse_steps`)."""
    atol, _ = tolerances
    still = (up == base) & (down == base)
    hides = _hides(base, up, down, dtype, eps, tolerances)
    grid = np.where(hides, 0.0, coarse_steps([base, up, down], dtype, kept))  # the dtype's spacing says it first
    return ~still & hides, still & (hides | ((grid / (2 * eps) > SHOWN * atol) & ~np.asarray(fine))), grid


class StillEntries:
    """`unseen`'s reading of each entry of f's output at the point (`base`) where an element leaves it as it
    is, taken once for every element (reading each row's grain made gradcheck of 2,000 by 2,000 outputs 6
    times slower): whether its spacing hides a slope, and else, where it lies on a grid coarse enough to
    hide one, the bits it keeps (0: none).

    An entry whose value some element moves to one that keeps more bits than rounding inside f would leave
    (`see`, in the pass over every element that weighs the entries) is `fine`: its short value at the point
    is the point's (2 x at x = 1.0, v * 2.0 over linspace(-1, 1, 200): 2.0, 1 bit), not a grid of f's own,
    and another element's row does not look for it within PROBE eps: each such row cost two more calls of f
    (1,001 where 801). An entry on a grid of f's own keeps few bits wherever it moves ((x + 1e12) - 1e12, sin
    in float32); one that mixes such rounding with numbers that keep every bit keeps every bit at almost
    every point, where no row can read the grid, as at this one."""

    def __init__(self, base: np.ndarray, dtype: np.dtype, eps: float, atol: float) -> None:
        self.base, self.dtype, self.eps = np.ravel(base), dtype, eps  # in ravel's order, as the blocks are
        self.hides = _hides(self.base, self.base, self.base, dtype, eps, (atol, 0.0))
        kept, lowest = lowest_bits(self.base)  # a still entry's grid: its value's grain (`coarse_steps` of x alone)
        self.kept = np.where(~self.hides & (lowest / (2 * eps) > SHOWN * atol), kept, 0)
        self.fine = np.zeros(self.base.shape, dtype=bool)
        self._open = np.flatnonzero(self.kept)  # the entries on a grid not yet seen fine
        self._counted: dict[int, np.ndarray] = {}  # `among`'s entries that count if still, by the bits' limit

    def see(self, point: float, values: np.ndarray) -> np.ndarray:
        """Mark `fine` the entries that f's output at the element at `point` moved by +-eps (`values`) moved
        to a value keeping more bits than its row's grid reading allows; `values` back."""
        now = np.ravel(values)[self._open]
        looked = now != self.base[self._open]
        if looked.any():
            kept, _ = lowest_bits(now[looked])
            seen = self._open[looked][kept > _limit(self.dtype, moved_input(point, self.eps))]
            self.fine[seen] = True
            self._open = np.setdiff1d(self._open, seen)
            self._counted.clear()
        return values

    def among(self, still: np.ndarray, kept: Moved) -> np.ndarray:
        """`unseen`'s still entries that count (its second array, in ravel's order), of an element whose shift
        left its `still` entries as they were (`kept`: what exact arithmetic on it leaves)."""
        limit = _limit(self.dtype, kept)
        if limit not in self._counted:
            self._counted[limit] = self.hides | ((self.kept > 0) & (self.kept <= limit) & ~self.fine)
        return still & self._counted[limit]


def swallowed(base: np.ndarray, sizes: Any, dtype: np.dtype, eps: float, atol: float, starts: Any = (0,)) -> Any:
    """Whether a difference of exactly 0 (no entry of f's output, `base` at x, moved at x +- eps) tells
    nothing, for each run of entries from `starts` on (in ravel's order; one run by default): the entries'
    spacing (in f's output's `dtype`, each weighed by `sizes`, |w|; None for one entry) over the step 2 eps,
    the least slope they surely show, beyond 10 atol for each (an error hidden below that is of atol's
    order, as rounding hides one in every row). f(x) = x + 1e12 does not move for eps = 1e-6 (its
    spacing is 1.2e-4): a rule giving 0 agreed with the difference, and passed."""
    finfo = np.finfo(dtype)
    sizes = np.ones(np.shape(base)) if sizes is None else sizes
    spacing = np.add.reduceat(np.ravel(sizes * (finfo.eps * np.abs(base) + finfo.smallest_subnormal)), starts)
    return spacing / (2 * eps) > SHOWN * atol * np.add.reduceat(np.ravel(sizes), starts)


def _still_at(at: Callable[[float], np.ndarray], base: np.ndarray, shift: float) -> bool | None:
    """Whether f's output at the point moved by `shift` (`at`) is its output there (`base`); None where f is
    undefined there."""
    try:
        with np.errstate(all="ignore"):
            return bool(np.array_equal(at(shift), base))
    except (ArithmeticError, ValueError):
        return None


def _still_entries(at: Callable[[float], np.ndarray], base: np.ndarray, shift: float) -> np.ndarray:
    """Which entries of f's output at the point moved by `shift` (`at`) are as at the point (`base`); none where f
    is undefined there."""
    try:
        with np.errstate(all="ignore"):
            return at(shift) == base
    except (ArithmeticError, ValueError):
        return np.zeros(np.shape(base), dtype=bool)


def stopped(
    at: Callable[[float], np.ndarray],
    base: np.ndarray,
    moved: tuple[np.ndarray, np.ndarray],
    shift: float,
    eps: float | None,
) -> bool:
    """Whether f's output, some of whose entries moved at x +- eps (`moved`: those that did, and those whose moves
    count: each its own beyond a fraction of the row's tolerance), stopped moving at x +- `shift`, a smaller step:
    every entry that moved, or one whose move counts, still there, where that does not say its slope is 0. It may
    be the grain of x inside f, below which a difference tells nothing: 2 x beside sin(3e3 (x + 1e10)), whose sin
    keeps x to steps of 1.9 eps, moved on one side at eps and not at eps / 2, and a rule giving 0 in it passed at 4
    of 4 points, read at smaller steps. An entry still on one side at eps already, and at 2 eps and PROBE eps there
    too, is flat there, as relu's side beside its kink (not a grain's tread: sin(3e3 (x + 1e10)) alone is still on
    one side at eps and moves at 2 eps, and a rule giving 0 passed at 7 of 8 points); not where the element
    reaches an op of the user's own (None for `eps`), which may round to any grid inside."""
    still_here = _still_entries(at, base, shift) & _still_entries(at, base, -shift)
    moves, counts = moved
    still = moves & still_here & (counts | still_here.all())
    for side in (1.0, -1.0) if eps is not None else ():
        flat_here = still & _still_entries(at, base, side * eps)
        if flat_here.any():
            flat_here &= _still_entries(at, base, side * 2 * eps) & _still_entries(at, base, side * PROBE * eps)
            still &= ~flat_here
    return bool(still.any())


def tread_entries(at: Callable[[float], np.ndarray], base: np.ndarray, still: np.ndarray, eps: float) -> np.ndarray:
    """Which entries of f's output, among those `still` at x +- eps (beside entries that moved), move on both sides
    within PROBE eps (f's output at the point moved by a shift: `at`): a grain inside f, which a row summing them
    with entries that moved cannot see (2 x beside sin(3e3 (x + 1e12)), rule 0 in the sin: it passed). One call of
    f at x + PROBE eps, a second at x - PROBE eps only where a still entry moved there (an entry another element
    moves does not); none where no entry is still, or f is undefined there (no telling)."""
    if not still.any():
        return still
    try:
        with np.errstate(all="ignore"):
            moving = still & (at(PROBE * eps) != base)
            return moving & (at(-PROBE * eps) != base) if moving.any() else moving
    except (ArithmeticError, ValueError):
        return np.zeros(np.shape(base), dtype=bool)


def beside_treads(
    at: Callable[[float], np.ndarray], step: Step, outputs: tuple, weights: Any, moved: np.ndarray, eps: float
) -> float | None:
    """The row's slope with its entries still at x +- eps (`moved`: the others) that move on both sides within PROBE
    eps (`tread_entries`) read at PROBE eps, the others at eps (`outputs`: f's output at x and x +- eps); None where
    there is no such entry. 2 x beside sin(3e3 (x + 1e12)), whose sin keeps x to steps of 122 eps: the row moved by
    2 x alone, and a rule giving 0 in the sin passed."""
    base, up, down = outputs
    entries = tread_entries(at, base, ~moved, eps)
    if not entries.any():
        return None
    far = (at(PROBE * eps) - at(-PROBE * eps)) / (step(PROBE * eps) - step(-PROBE * eps))
    return weighed(np.where(entries, far, (up - down) / (step(eps) - step(-eps))), weights)


def stairs(at: Callable[[float], np.ndarray], base: np.ndarray, eps: float) -> bool:
    """Whether f, still at x +- eps, moves on both sides within PROBE eps: a staircase whose treads are 2 eps wide
    or more, the grain of f's numbers inside (x + 1e11 keeps x to steps of 15 eps: sin(3e3 (x + 1e11)), still at
    x +- eps, and a rule giving 0 passed at 8 of 8 points), or a flat piece as narrow, whose difference of 0 tells
    nothing where the slope over PROBE eps is not the rule's (check_numeric); or a smooth f at its flat point.
    False where f is undefined there (no telling), or still on a side (floor at 5.3, relu 3 eps beside its kink:
    flat pieces, where 0 is the slope)."""
    return _still_at(at, base, PROBE * eps) is False and _still_at(at, base, -PROBE * eps) is False

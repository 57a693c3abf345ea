"""What `check=True` says of a leaf's gradient beside its finite difference (numeric.py measures it): the verdicts,
the tolerances they are judged by, and the judging."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd import gradcheck

RTOL = inspect.signature(gradcheck).parameters["rtol"].default  # the relative tolerance gradcheck uses
EPS = float(np.finfo(np.float64).eps)  # the replay's precision
TINY = float(np.finfo(np.float64).tiny)  # the smallest normal float: below it numbers round to a fixed grain
SETTLED = 1e-3  # one-sided slopes this close (relative) mean the step is small enough
ROUNDING = 8  # a replay's rounding error, in units of eps times its largest number: a few ops' worth
FLOOR = 2  # differences within this many error estimates are noise, not a wrong rule
STEEP = 1e6  # backward's slope beyond this many times the measured one (and its error): not judged
# a ✓ says a rule this far off (relative) would have shown: a difference whose error is a coarser share of the numbers
# (exp(1e-15 x) at 4.4e7: ±13%) cannot tell a rule 10% high from the right one, so it judges nothing
RESOLVES = 0.01
BEST_STEP = EPS ** (1 / 3)  # about 6e-6: balances truncation (h²) against rounding (eps / h)


def best_steps(x: Any) -> np.ndarray:
    """Each element's best step, BEST_STEP·max(1, |x|): the first that judges a block (numeric's `_measure`) is its
    largest element's, and gradcheck_blocks weighs each element by its own rounding at it (numeric_leaves)."""
    return BEST_STEP * np.maximum(1.0, np.abs(x))


# what a check found: ✓ green, ✗ red, the rest grey (a kink whose backward is a one-sided slope: ✓ grey)
AGREE, DISAGREE, KINK, KINK_DISAGREE, TOO_SMALL, UNDEFINED, UNMEASURED = (
    "agree", "disagree", "kink", "kink disagree", "too small", "undefined", "unmeasured"
)  # fmt: skip


@dataclass(frozen=True)
class Check:
    """A leaf's gradient against the finite difference: a Value's and a one-element tensor's derivative
    itself; a tensor's element by element, or by blocks of elements (numeric_leaves), the numbers those of
    the element or block `part` (the first that disagrees or cannot be judged, or none where all agree)."""

    analytic: float  # backward's
    numeric: float | None  # the central difference; None where none was measured, or at a kink
    verdict: str  # AGREE, DISAGREE, KINK, KINK_DISAGREE, TOO_SMALL, UNDEFINED or UNMEASURED
    compared: str = ""  # how a tensor was compared: "element by element (12)", "in 32 blocks of 32 elements"
    slopes: tuple[float, float] | None = None  # at a kink: the slopes from the left and from the right
    resolution: float = 0.0  # differences smaller than this cannot be told from the measurement's error
    detail: str = ""  # why nothing was measured; at a kink, "one of them" or "between them"
    part: str = ""  # the element or block the numbers are of: "element [3]", "elements [7, :]"

    @property
    def agrees(self) -> bool:
        """Whether backward's gradient is what the finite differences allow (✓)."""
        return self.verdict in (AGREE, KINK)


def disagrees(check: Check, value: float) -> bool:
    """Whether a number other than backward's gradient (a `.grad` set by hand) is outside what a Value's
    check allows, by the tolerance the check judged backward's by (its relative one and its floor): the
    lecture's b.grad = 4 where the finite difference is -4. Never where nothing was measured or compared
    by elements (a tensor's)."""
    if check.numeric is None or check.compared or check.verdict not in (AGREE, DISAGREE):
        return False
    n = check.numeric
    return not abs(value - n) <= RTOL * max(abs(value), abs(n)) + check.resolution


def judge(measured: Any, error: float, grad_eps: float, tolerance: tuple[float, float] | None) -> Check:
    """Backward's gradient against the central difference, with `error` the difference's own error
    estimate: a difference beyond the tolerance (RTOL of the numbers; a block's `tolerance`, its elements'
    own) and the floor disagrees; a floor as large as RESOLVES of the numbers cannot tell a rule that far off,
    nor one beyond a block's tolerance an element off by twice its share, so nothing is judged; nor is a
    block's difference that the rounding share of its tolerance alone allows (as gradcheck's rows within
    f's rounding: "cannot judge"); else they agree."""
    a, n = measured.analytic, measured.central
    if not np.isfinite(n):
        return Check(a, None, UNMEASURED, detail="the slope is too large for a float")
    floor = FLOOR * (error + ROUNDING * grad_eps * measured.analytic_size)  # backward rounds too: float32's more
    size = max(abs(a), abs(n))
    if a == n:  # a 0 only where the measure could tell it from 1 (-1 + 1e-300·x rounds to -1 at every step)
        verdict = AGREE if n != 0 or floor < RESOLVES else TOO_SMALL
    elif abs(a) > STEEP * (abs(n) + floor):
        # at every step tried the root changed a millionth of what backward's slope says: either the rule is
        # absurdly wrong, or the root bends or oscillates faster than a float step of x can follow (sin(exp(x))
        # at 40, whose period there is 3e-17, x's float step 7e-15): finite differences cannot judge it
        steep = "backward's slope is over a million times the root's change at every step tried: too steep to measure"
        return Check(a, n, UNMEASURED, resolution=floor, detail=steep)
    elif tolerance is None:
        if not abs(a - n) <= RTOL * size + floor:  # not <=: NaN disagrees
            verdict = DISAGREE
        else:
            verdict = TOO_SMALL if floor >= RESOLVES * size else AGREE
    else:
        allowed, rounding = tolerance
        judged = allowed - rounding  # the elements' rtol·|g|: what is left once their rounding is set aside
        if not abs(a - n) <= allowed + floor:
            verdict = DISAGREE
        elif abs(a - n) > judged + floor:  # only the elements' rounding allows it
            verdict, floor = TOO_SMALL, floor + rounding
        else:
            verdict = TOO_SMALL if floor >= judged else AGREE
    return Check(a, n, verdict, resolution=floor)


def at_kink(measured: Any) -> Check:
    """A kink: backward may take either one-sided slope or anything between them (a subgradient, as
    PyTorch's relu'(0) = 0 and abs'(0) = 0 are)."""
    a, low, high = measured.analytic, min(measured.left, measured.right), max(measured.left, measured.right)
    slack = SETTLED * max(abs(low), abs(high)) + measured.noise
    slopes = (measured.left, measured.right)
    if not low - slack <= a <= high + slack:
        return Check(a, None, KINK_DISAGREE, slopes=slopes)
    ends = any(abs(a - s) <= slack for s in slopes)
    return Check(a, None, KINK, slopes=slopes, detail="one of them" if ends else "between them")

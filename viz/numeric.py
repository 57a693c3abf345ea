"""`draw(check=True)`: each leaf's gradient beside a central finite difference, so a wrong derivative
rule shows where. The root is recomputed with the leaf moved by ±h: the recorded ops replayed on raw
data (`Op.run`), inputs before the nodes made from them, in float64.

The step follows the numbers. It starts at cbrt(eps)·max(1, |x|), central differences' best step in
float64 (truncation error grows as h², rounding as eps/h), and shrinks tenfold while x ± h leaves the
root's domain or the two one-sided slopes disagree (a pole or a bend inside the step), then goes on
relative to |x| alone (a value of 1e-300 beside a pole at 0). One-sided slopes that stay apart however
small the step are a kink (relu at 0): both are shown. Agreement is judged relative to the numbers'
size (a block of a tensor's elements: by the sum of its elements' own tolerances), with a floor of the
finite difference's own error estimate: too small to tell is said so. numeric_leaves picks the directions."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd import gradcheck

from .number_text import figures

RTOL = inspect.signature(gradcheck).parameters["rtol"].default  # the relative tolerance gradcheck uses
EPS = float(np.finfo(np.float64).eps)  # the replay's precision
TINY = float(np.finfo(np.float64).tiny)  # the smallest normal float: below it numbers round to a fixed grain
BEST_STEP = EPS ** (1 / 3)  # about 6e-6: balances truncation (h²) against rounding (eps / h)
SHRINKS = 7  # steps tried at each scale, each ten times smaller than the last
CONFIRMS = 40  # a disagreement is followed down to this many steps (or x's float spacing), to confirm it
SETTLED = 1e-3  # one-sided slopes this close (relative) mean the step is small enough
ROUNDING = 8  # a replay's rounding error, in units of eps times its largest number: a few ops' worth
FLOOR = 2  # differences within this many error estimates are noise, not a wrong rule
STEEP = 1e6  # backward's slope beyond this many times the measured one (and its error): not judged
# a ✓ says a rule this far off (relative) would have shown: a difference whose error is a coarser share of the numbers
# (exp(1e-15 x) at 4.4e7: ±13%) cannot tell a rule 10% high from the right one, so it judges nothing
RESOLVES = 0.01

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


@dataclass(frozen=True)
class _Try:
    """The root measured at one step: the one-sided slopes, the central one, and its rounding error
    (all per unit of step), and backward's gradient along the same displacement."""

    right: float
    left: float
    noise: float
    analytic: float
    analytic_size: float  # the sum of |terms| of `analytic`: what backward's rounding scales with

    @property
    def central(self) -> float:
        return self.right / 2 + self.left / 2  # halves first: a sum of two slopes near 1e308 overflows

    @property
    def gap(self) -> float:
        return abs(self.right - self.left)

    @property
    def settled(self) -> bool:
        """Whether the one-sided slopes agree, within rounding: the step is small enough for the bend."""
        return self.gap <= SETTLED * max(abs(self.right), abs(self.left)) + self.noise


def measure(
    root_at: Any, x: Any, direction: Any, grad: Any, f0: float, tolerance: tuple[float, float] | None = None
) -> Check:
    """Measure the root's slope at `x` along `direction` and judge backward's `grad` against it: one number
    (`direction` moves one element, or a Value: `grad` is its gradient), or a block of a tensor's elements
    (`grad` the tensor's, `tolerance` the elements' own tolerances summed along `direction`, per unit of it,
    and the share of that sum the rounding of their finite differences makes).
    Steps are scaled by max(1, |x|) of the elements moved, then, unless that judged, by |x| (below 1)."""
    g = np.asarray(grad, dtype=np.float64)
    kind = np.asarray(grad).dtype
    grad_eps = float(np.finfo(kind).eps) if kind.kind == "f" else EPS
    size = float(np.max(np.where(np.asarray(direction) != 0, np.abs(x), 0.0)))
    scales = [max(size, 1.0)] + ([size] if 0 < size < 1 else [])
    found = [_measure(root_at, x, scales[0] * direction, g, f0, grad_eps, _times(tolerance, scales[0]))]
    if found[0].verdict not in (AGREE, DISAGREE) and len(scales) > 1:  # a finer step may still judge
        found.append(_measure(root_at, x, scales[1] * direction, g, f0, grad_eps, _times(tolerance, scales[1])))
    # the most telling; the finer among equals, but of two "too small", the one of the smaller error: at a
    # step of |x| = 1e-12 the error bound is 1e12 times that of the first, and would be told as the error
    return max(reversed(found), key=lambda c: (_RANK[c.verdict], -c.resolution if c.verdict == TOO_SMALL else 0.0))


def _times(tolerance: tuple[float, float] | None, scale: float) -> tuple[float, float] | None:
    return None if tolerance is None else (tolerance[0] * scale, tolerance[1] * scale)


_RANK = {AGREE: 3, DISAGREE: 3, KINK: 2, KINK_DISAGREE: 2, TOO_SMALL: 1, UNDEFINED: 0, UNMEASURED: 0}


def _measure(
    root_at: Any, x: Any, along: Any, g: Any, f0: float, grad_eps: float, tolerance: tuple[float, float] | None
) -> Check:
    """The central difference at `x` with steps h·`along`, h from BEST_STEP down tenfold until the
    one-sided slopes settle (or bend smoothly, or stay apart: a kink), judged against `g`: a block's
    (`tolerance` not None) slope per unit of h, one number's per unit of the step it took (x ± h rounded)."""
    block = tolerance is not None
    last: _Try | None = None
    kink: _Try | None = None  # where the one-sided slopes started to stay apart, unchanged: the least rounded
    problem, outside = "", False
    disagreed: tuple[Check, float] | None = None  # a disagreement and its error, while finer steps confirm it
    for k in range(CONFIRMS):
        if k >= SHRINKS and disagreed is None:
            break
        h = BEST_STEP * 10.0**-k
        up, down = x + h * along, x - h * along
        if not isinstance(x, np.ndarray):  # a Value's data is a Python float
            up, down = float(up), float(down)
        if np.array_equal(up, x) and np.array_equal(down, x):
            problem, outside = "x ± h rounds to x", False
            break  # smaller steps would too
        try:
            (f_up, big_up), (f_down, big_down) = root_at(up), root_at(down)
        except (ArithmeticError, ValueError) as e:  # a Value's op refuses: out of its domain
            problem, outside = str(e), True
            continue
        if not (np.isfinite(f_up) and np.isfinite(f_down)):  # a Tensor's op gives NaN or inf instead
            problem, outside = f"the root is {f_up:g} at x + h and {f_down:g} at x − h", True
            continue
        # per unit of step: one number's by the step taken (x ± h rounded), a block's by h along its direction
        h_up, h_down = (float(np.sum(up - x)), float(np.sum(x - down))) if not block else (h, h)
        if min(h_up, h_down) <= 0:  # one side rounds to x (the float spacing below 1 is half that above)
            problem, outside = "x ± h rounds to x", False
            break
        # every number rounds to eps of itself, and below the smallest normal float to a fixed grain (underflow)
        largest = max(abs(f_up), abs(f0), abs(f_down), big_up, big_down, TINY)
        rounding = ROUNDING * EPS * largest / min(h_up, h_down)
        moved = (g * (up - down) / (h_up + h_down)) if block else g
        right, left = (f_up - f0) / h_up, (f0 - f_down) / h_down
        # x ± h is rounded: the difference is taken about a point up to eps·|x ± h| from x, off by the bend times that
        centring = abs(right - left) * EPS * _reach(up, down, h * along)
        now = _Try(right, left, rounding + centring, *_sums(moved))
        if not np.isfinite([now.right, now.left, now.noise]).all():
            problem, outside = "the slope is too large for a float", False
            continue
        before, last, problem = last, now, ""
        if before is None:
            continue
        kinked = (
            not now.settled
            and _steady(before.right, now.right, before, now)
            and _steady(before.left, now.left, before, now)
        )
        kink = (kink or before) if kinked else None
        # smooth: the one-sided slopes agree, or draw together as the step shrinks (x² at 0; across a pole
        # they part), and the central slope no longer moves, its change bounding its error (x³ at 0)
        smooth = now.settled or now.gap <= before.gap / 2
        if not kinked and smooth and _steady(before.central, now.central, before, now):
            error = abs(now.central - before.central) + now.noise
            judged = _judge(now, error, grad_eps, tolerance)
            if disagreed is None and judged.verdict != DISAGREE:
                return judged
            if disagreed is None:
                disagreed = judged, error
                continue
            # a staircase (floor at 1e12 + 0.3) looks like a line at steps wider than its stairs: a finer step
            # that measures another slope, beyond both errors, shows the root changes on a finer scale; where it
            # cannot judge either (sin at 2e10: 1.3396 ± 0.008 beside 2, backward's 1.3397), nothing is measured; where
            # it disagrees too, its slope is the root's, which the wider steps missed
            if abs(now.central - disagreed[0].numeric) > error + disagreed[1]:
                if judged.verdict == DISAGREE:
                    disagreed = judged, error
                elif judged.verdict in (AGREE, TOO_SMALL):
                    return _unmeasurable(disagreed[0], now.central, h, along)
    if disagreed is not None:  # finer steps measured nothing else: the disagreement stands
        return disagreed[0]
    if kink is not None:
        return _at_kink(kink)
    if last is None or problem and not outside:
        verdict, why = (UNDEFINED, "the root is undefined beside x: ") if outside else (UNMEASURED, "")
        analytic = float(np.sum(g * along)) if block else float(g)
        return Check(analytic, None, verdict, detail=why + (problem or "no step could be taken"))
    never = "the one-sided slopes never settle (a jump or a pole?)"
    return Check(last.analytic, None, UNMEASURED, detail=never)


def _unmeasurable(coarse: Check, fine: float, h: float, along: Any) -> Check:
    """A slope that changes with the step beyond its error: the finite difference cannot measure it."""
    step = float(np.max(np.abs(h * np.asarray(along))))
    why = (
        f"the measured slope depends on the step ({figures(coarse.numeric, 4)} with larger steps, {figures(fine, 4)} "
        f"at {step:.2g}): the root changes on a scale finer than the steps (stairs, wiggles)"
    )
    return Check(coarse.analytic, None, UNMEASURED, resolution=coarse.resolution, detail=why)


def _reach(up: Any, down: Any, step: Any) -> float:
    """How far the ends reach, in steps: x ± h is rounded to eps times this many steps."""
    moving = np.abs(np.atleast_1d(step)) > 0
    ends = np.maximum(np.abs(np.atleast_1d(up)), np.abs(np.atleast_1d(down)))
    return float(np.max(ends[moving] / np.abs(np.atleast_1d(step))[moving])) if np.any(moving) else 0.0


def _sums(moved: Any) -> tuple[float, float]:
    """Backward's gradient along the displacement, and the sum of its terms' sizes (its rounding's scale)."""
    return float(np.sum(moved)), float(np.sum(np.abs(moved)))


def _steady(a: float, b: float, before: _Try, now: _Try) -> bool:
    """Whether a slope stayed the same from one step to the next, relative to the slopes' size."""
    scale = max(abs(before.right), abs(before.left), abs(now.right), abs(now.left))
    return abs(a - b) <= SETTLED * scale + before.noise + now.noise


def disagrees(check: Check, value: float) -> bool:
    """Whether a number other than backward's gradient (a `.grad` set by hand) is outside what a Value's
    check allows, by the tolerance the check judged backward's by (its relative one and its floor): the
    lecture's b.grad = 4 where the finite difference is -4. Never where nothing was measured or compared
    by elements (a tensor's)."""
    if check.numeric is None or check.compared or check.verdict not in (AGREE, DISAGREE):
        return False
    n = check.numeric
    return not abs(value - n) <= RTOL * max(abs(value), abs(n)) + check.resolution


def _judge(measured: _Try, error: float, grad_eps: float, tolerance: tuple[float, float] | None) -> Check:
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


def _at_kink(measured: _Try) -> Check:
    """A kink: backward may take either one-sided slope or anything between them (a subgradient, as
    PyTorch's relu'(0) = 0 and abs'(0) = 0 are)."""
    a, low, high = measured.analytic, min(measured.left, measured.right), max(measured.left, measured.right)
    slack = SETTLED * max(abs(low), abs(high)) + measured.noise
    slopes = (measured.left, measured.right)
    if not low - slack <= a <= high + slack:
        return Check(a, None, KINK_DISAGREE, slopes=slopes)
    ends = any(abs(a - s) <= slack for s in slopes)
    return Check(a, None, KINK, slopes=slopes, detail="one of them" if ends else "between them")


def largest(x: Any) -> float:
    """The largest finite |number| of a node's data (0 for none, or for labels): its rounding's scale."""
    a = np.asarray(x)
    if a.dtype.kind not in "fc":
        return 0.0
    finite = np.abs(a[np.isfinite(a)])
    return float(finite.max()) if finite.size else 0.0

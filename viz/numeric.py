"""`draw(check=True)`: each leaf's gradient beside a central finite difference, so a wrong derivative
rule shows where. The root is recomputed with the leaf moved by ±h: the recorded ops replayed on raw
data (`Op.run`), inputs before the nodes made from them, in float64.

The step follows the numbers. It starts at cbrt(eps)·max(1, |x|), central differences' best step in
float64 (truncation error grows as h², rounding as eps/h), and shrinks tenfold while x ± h leaves the
root's domain or the two one-sided slopes disagree (a pole or a bend inside the step), then goes on
relative to |x| alone (a value of 1e-300 beside a pole at 0). One-sided slopes that stay apart however
small the step are a kink (relu at 0): both are shown. Agreement is judged relative to the numbers'
size (a block of a tensor's elements: by the sum of its elements' own tolerances), with a floor of the
finite difference's own error estimate: too small to tell is said so. numeric_leaves picks the directions.

A step judges only where the terms inside the root follow a line across it too (term_bends): steps wider than
a term's wiggles average over them, and the root's rounding may hide those from the root's own slopes (2·x +
sin(x) at 4.4e14 measured 2 beside a slope of 3). A disagreement stands only where no finer step shows the
root or a term bending within it (step_doubts)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .check_verdicts import (
    AGREE,
    BEST_STEP,
    DISAGREE,
    EPS,
    KINK,
    KINK_DISAGREE,
    ROUNDING,
    SETTLED,
    TINY,
    TOO_SMALL,
    UNDEFINED,
    UNMEASURED,
    Check,
    at_kink,
    judge,
)
from .number_text import summary
from .step_doubts import CANNOT_TELL, at_rest, bent_note, level, parted_note, parts, reach, too_rounded, unmeasurable

SHRINKS = 7  # steps tried at each scale, each ten times smaller than the last
# where rounding swamps the slope at the best step, steps up to this many times wider, each judged only where the one
# before it agrees (its truncation error is small): the root measured with rounding ops held still, at a stair
# (tanh(x·x) + ceil(x) at 3, a slope of 3.7e-7 on a root of 4, was too small to judge there)
WIDER = 1e3
CONFIRMS = 40  # a disagreement is followed down to this many steps (or x's float spacing), to confirm it


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
    root_at: Any,
    x: Any,
    direction: Any,
    grad: Any,
    f0: float,
    terms: Any,
    tolerance: tuple[float, float] | None = None,
    wider: bool = False,
) -> Check:
    """Measure the root's slope at `x` along `direction` and judge backward's `grad` against it (`root_at(x)` gives the
    root, the largest number it rounds at, the terms' values, and a function telling where the move stopped:
    move_stops.Stop, asked only where the root stayed put): one number
    (`direction` moves one element, or a Value: `grad` is its gradient), or a block of a tensor's elements
    (`grad` the tensor's, `tolerance` the elements' own tolerances summed along `direction`, per unit of it,
    and the share of that sum the rounding of their finite differences makes).
    Steps are scaled by max(1, |x|) of the elements moved, then, unless that judged, by |x| (below 1); with `wider`,
    where both are too small to judge, by WIDER times max(1, |x|)."""
    g = np.asarray(grad, dtype=np.float64)
    kind = np.asarray(grad).dtype
    grad_eps = float(np.finfo(kind).eps) if kind.kind == "f" else EPS
    size = float(np.max(np.where(np.asarray(direction) != 0, np.abs(x), 0.0)))
    scales = [max(size, 1.0)] + ([size] if 0 < size < 1 else [])
    # not where a block's direction underflows in an element it moves (4e-305 by |x| = 2e-300): it would go unjudged
    scales = [s for s in scales if not np.any((s * direction == 0) & (direction != 0))]
    moved = []  # whether the root moved at each of the wider steps

    def watched(data: Any) -> Any:
        found_at = root_at(data)
        moved.append(found_at[0] != f0)
        return found_at

    found = [_measure(watched, x, scales[0] * direction, g, (f0, terms), grad_eps, _times(tolerance, scales[0]))]
    if found[0].verdict not in (AGREE, DISAGREE) and len(scales) > 1:  # a finer step may still judge
        finer = _measure(root_at, x, scales[1] * direction, g, (f0, terms), grad_eps, _times(tolerance, scales[1]))
        # a 0 where the root never moved agrees with a rule of 0 only for want of seeing it move: not where the wider
        # steps saw it (x³ + 1 at -8.95e-5 moves 2.4e-8 per unit, at steps of 9e-5·6e-6 not at all, and a rule of 0
        # was drawn green), nor tells more than they did where rounding kept it still (tanh(b + 1e6) at b = 0.3: "too
        # small to judge, ±88" at steps that never move b + 1e6, beside "cannot tell the rules apart"), nor where they
        # moved it but measured nothing (max(0, x)³ of one's own at 1e-120: 1e-360 underflows at every step of its
        # scale, and a rule of 0 was drawn green beside steps of 6e-6 that saw it bend, a slope of 3e60 times 1e300)
        unmoved = finer.numeric == 0 and finer.analytic == 0
        told = (
            found[0].numeric or found[0].detail.endswith(CANNOT_TELL) or found[0].verdict == UNMEASURED and any(moved)
        )
        if not (unmoved and told):
            found.append(finer)
    if wider and all(c.verdict == TOO_SMALL for c in found):  # rounding swamps the slope here, not at wider steps
        wide = WIDER * scales[0]
        found.append(_measure(root_at, x, wide * direction, g, (f0, terms), grad_eps, _times(tolerance, wide)))
    # the most telling; the finer among equals, but of two "too small", the one of the smaller error: at a
    # step of |x| = 1e-12 the error bound is 1e12 times that of the first, and would be told as the error
    return max(reversed(found), key=lambda c: (_RANK[c.verdict], -c.resolution if c.verdict == TOO_SMALL else 0.0))


def _times(tolerance: tuple[float, float] | None, scale: float) -> tuple[float, float] | None:
    return None if tolerance is None else (tolerance[0] * scale, tolerance[1] * scale)


_RANK = {AGREE: 3, DISAGREE: 3, KINK: 2, KINK_DISAGREE: 2, TOO_SMALL: 1, UNDEFINED: 0, UNMEASURED: 0}


def _measure(
    root_at: Any,
    x: Any,
    along: Any,
    g: Any,
    root: tuple[float, Any],
    grad_eps: float,
    tolerance: tuple[float, float] | None,
) -> Check:
    """The central difference at `x` with steps h·`along`, h from BEST_STEP down tenfold until the one-sided slopes
    settle (or bend smoothly, or stay apart: a kink), judged against `g`: a block's (`tolerance` not None) slope per
    unit of h, one number's per unit of the step it took (x ± h rounded). A step judges only after another: a block's
    first is 10·BEST_STEP, so that BEST_STEP, at which its tolerance holds each element's rounding (numeric_leaves),
    judges (at BEST_STEP / 10, ten times as rounded, a max pool's 64 elements, 48 of them with g = 0 and no tolerance
    but that rounding, read "too small to judge")."""
    block = tolerance is not None
    f0, terms = root
    # the terms' slopes at this step and the last, and which have bent (term_bends): a step judges only on lines
    lines = before_lines = was_bent = None
    bent = ""  # why no step judged: a term bent within each that would have (2·x + sin(x) at 4.4e14)
    last: _Try | None = None
    kink: _Try | None = None  # where the one-sided slopes started to stay apart, unchanged: the least rounded
    problem, outside = "", False
    disagreed: tuple[Check, float] | None = None  # a disagreement and its error, while finer steps confirm it
    doubt = ""  # why a finer step than the disagreement's says the root is no line across it, till one confirms it
    seen_move = False  # whether the root moved at any step yet: a 0 where it then stays put is rounding's
    for k in range(-1 if block else 0, CONFIRMS):  # a block's first step only leads to BEST_STEP
        if k >= SHRINKS and disagreed is None and not bent:
            break
        h = BEST_STEP * 10.0**-k
        up, down = x + h * along, x - h * along
        if not isinstance(x, np.ndarray):  # a Value's data is a Python float
            up, down = float(up), float(down)
        if np.array_equal(up, x) and np.array_equal(down, x):
            problem, outside = "x ± h rounds to x", False
            break  # smaller steps would too
        # a step that leaves an element unmoved only confirms a disagreement (relu of 64 near 1e-12: rule x2 green)
        if (lost := block and bool(np.any((up == x) & (down == x) & (along != 0)))) and disagreed is None:
            problem, outside = "x ± h rounds to x for some of the elements moved", False
            break
        lost = lost or block and disagreed is not None and too_rounded(up, down, h * along)  # nor can it doubt one
        try:
            (f_up, big_up, inner_up, still_up), (f_down, big_down, inner_down, still_down) = root_at(up), root_at(down)
        except (ArithmeticError, ValueError) as e:  # a Value's op refuses: out of its domain
            problem, outside = str(e), True
            continue
        if not (np.isfinite(f_up) and np.isfinite(f_down)):  # a Tensor's op gives NaN or inf instead
            problem, outside = f"the root is {summary(f_up)} at x + h and {summary(f_down)} at x − h", True
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
        centring = abs(right - left) * EPS * reach(up, down, h * along)
        now = _Try(right, left, rounding + centring, *_sums(moved))
        if not np.isfinite([now.right, now.left, now.noise]).all():
            problem, outside = "the slope is too large for a float", False
            continue
        before, last, problem = last, now, ""
        # a move of the root's own, not stairs' (exp(x) + ceil(x) at -3e7, exp 0 there: the steps cross ceil's stairs)
        inner_moved = inner_up.size == 0 or np.any(inner_up != terms.at) or np.any(inner_down != terms.at)
        seen_move = seen_move or bool(now.settled and inner_moved and (np.any(right) or np.any(left)))
        before_lines, lines = lines, terms.slopes(inner_up, inner_down, h_up, h_down)
        if before is None:
            continue
        kinked = (
            not now.settled
            and _steady(before.right, now.right, before, now)
            and _steady(before.left, now.left, before, now)
        )
        # a term that bends within the step, hidden in the root's rounding (sin in 2·x + sin(x) at 4.4e14, whose
        # root rounds by 1.6 per unit of step beside sin's wiggles of 1): the step judges nothing
        bending = terms.bending(before_lines, lines)
        bends = terms.name(bending) if bending.any() else ""
        bent = bent or (bends and bent_note(bends, h * along, now.settled))
        was_bent = bending if was_bent is None else was_bent | bending
        kink = (kink or before) if kinked and not bends else None
        # smooth: the one-sided slopes agree, or draw together as the step shrinks (x² at 0; across a pole
        # they part), and the central slope no longer moves, its change bounding its error (x³ at 0)
        smooth = now.settled or now.gap <= before.gap / 2
        straight = not bends and not terms.unresolved(lines, was_bent)
        # steady but for a block's moves rounding otherwise at each step, by backward's slope along them (sin near 8e7:
        # 2923.52 beside backward's 2923.52, then 6186.21 beside 6186.21); a gradient not finite turns none
        turned = now.analytic - before.analytic if block and np.isfinite(now.analytic - before.analytic) else 0.0
        expected = before.central + turned
        if not kinked and straight and smooth and _steady(expected, now.central, before, now):
            error = abs(now.central - expected) + now.noise
            judged = judge(now, error, grad_eps, tolerance)
            if now.right == 0 == now.left:  # what stopped the move, asked only now (step_doubts)
                judged = at_rest(judged, seen_move, still_up, still_down)
            elif judged.verdict == AGREE and judged.analytic == 0 == judged.numeric:
                judged = level(judged)  # the root moved, its central slope 0 within rounding: x² at 1e-28
            if disagreed is None and judged.verdict != DISAGREE:
                return judged
            if disagreed is None:
                disagreed = judged, error
                continue
            if judged.verdict == DISAGREE:  # confirmed at a step finer than the one that doubted it, if any
                doubt = ""
            # a staircase (floor at 1e12 + 0.3) looks like a line at steps wider than its stairs: a finer step
            # that measures another slope, beyond both errors, shows the root changes on a finer scale; where it
            # cannot judge either (sin at 2e10: 1.3396 ± 0.008 beside 2, backward's 1.3397), nothing is measured; where
            # it disagrees too, its slope is the root's, which the wider steps missed
            if not lost and abs(now.central - disagreed[0].numeric) > error + disagreed[1]:
                if judged.verdict == DISAGREE:
                    disagreed = judged, error
                elif judged.verdict in (AGREE, TOO_SMALL):
                    return unmeasurable(disagreed[0], now.central, h, along)
        elif disagreed is not None and not doubt and not lost:
            # wider steps averaged over something finer (sin(x) at 7e13, its period 6.3 beside steps of 450, measured
            # 2.8e-7 where its slope is 0.002): the root bends, wiggles or jumps within them, so what they measured
            # is no slope at x unless a finer step, a line again, measures it too
            if bends:
                doubt = bent
            elif parts(before, now, x, along, block, min(h_up, h_down)):
                doubt = parted_note(disagreed[0], now, h * along)
    if disagreed is not None and doubt:
        return replace(disagreed[0], numeric=None, verdict=UNMEASURED, detail=doubt)
    if disagreed is not None:  # finer steps measured nothing else: the disagreement stands
        return disagreed[0]
    if kink is not None:
        return at_kink(kink)
    if bent or last is None or problem and not outside:
        verdict, why = (UNDEFINED, "the root is undefined beside x: ") if outside and not bent else (UNMEASURED, "")
        analytic = float(np.sum(g * along)) if block else float(g)
        return Check(analytic, None, verdict, detail=bent or why + (problem or "no step could be taken"))
    never = "the one-sided slopes never settle (a jump or a pole?)"
    return Check(last.analytic, None, UNMEASURED, detail=never)


def _sums(moved: Any) -> tuple[float, float]:
    """Backward's gradient along the displacement, and the sum of its terms' sizes (its rounding's scale)."""
    return float(np.sum(moved)), float(np.sum(np.abs(moved)))


def _steady(a: float, b: float, before: _Try, now: _Try) -> bool:
    """Whether a slope stayed the same from one step to the next, relative to the slopes' size."""
    scale = max(abs(before.right), abs(before.left), abs(now.right), abs(now.left))
    return abs(a - b) <= SETTLED * scale + before.noise + now.noise


def largest(x: Any) -> float:
    """The largest finite |number| of a node's data (0 for none, or for labels): its rounding's scale."""
    if x.__class__ is float:  # a Value's: without numpy's calls, a third of a drawing's check
        return abs(x) if math.isfinite(x) else 0.0
    a = np.asarray(x)
    if a.dtype.kind not in "fc":
        return 0.0
    finite = np.abs(a[np.isfinite(a)])
    return float(finite.max()) if finite.size else 0.0

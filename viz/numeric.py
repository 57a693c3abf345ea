"""`draw(check=True)`: each leaf's gradient beside a central finite difference, so a wrong derivative
rule shows where. The root is recomputed with the leaf moved by ±h: the recorded ops replayed on raw
data (`Op.run`), inputs before the nodes made from them, in float64.

The step follows the numbers. It starts at cbrt(eps)·max(1, |x|), central differences' best step in
float64 (truncation error grows as h², rounding as eps/h), and shrinks tenfold while x ± h leaves the
root's domain or the two one-sided slopes disagree (a pole or a bend inside the step), then goes on
relative to |x| alone (a value of 1e-300 beside a pole at 0). One-sided slopes that stay apart however
small the step are a kink (relu at 0): both are shown. Agreement is judged relative to the numbers'
size, with a floor of the finite difference's own error estimate: too small to tell is said so."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd import Node, Tensor, gradcheck

from .number_text import figures
from .replay import downstream_of, replay
from .whole_floats import rounded_on_whole_floats

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

# what a check found: ✓ green, ✗ red, the rest grey (a kink whose backward is a one-sided slope: ✓ grey)
AGREE, DISAGREE, KINK, KINK_DISAGREE, TOO_SMALL, UNDEFINED, UNMEASURED = (
    "agree", "disagree", "kink", "kink disagree", "too small", "undefined", "unmeasured"
)  # fmt: skip


@dataclass(frozen=True)
class Check:
    """A leaf's gradient against the finite difference: for a tensor of several elements, both along one
    random direction (the sum of grad × direction, against the root's change as the whole tensor moves
    that way); a Value and a tensor of one element, the derivative itself."""

    analytic: float  # backward's
    numeric: float | None  # the central difference; None where none was measured, or at a kink
    verdict: str  # AGREE, DISAGREE, KINK, KINK_DISAGREE, TOO_SMALL, UNDEFINED or UNMEASURED
    direction: bool  # compared along a random direction (tensors)
    slopes: tuple[float, float] | None = None  # at a kink: the slopes from the left and from the right
    resolution: float = 0.0  # differences smaller than this cannot be told from the measurement's error
    detail: str = ""  # why nothing was measured; at a kink, "one of them" or "between them"

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


def finite_difference_checks(
    root: Node, order: list[Node], consts: set[int], grads: dict[int, Any]
) -> dict[int, Check]:
    """By leaf id, each leaf's gradient (`grads`, d root / d node by id) against a central difference;
    `root` is one number (draw refuses any other)."""
    try:
        base = replay(order, {})
    except ValueError:  # an op that cannot run again: a node built by hand (micrograd's way)
        # its error speaks of its inputs ("0.5 * -1.0 is undefined"), which are fine: only the node is at fault
        raise ValueError(
            "check=True reruns the recorded ops to move each leaf, but a node built by hand (Value(data, (a, b), "
            "'*') with its own _backward) keeps no forward: draw without check=True, or build that node with "
            "chainrule's ops"
        ) from None
    inputs = list(reversed(order))
    f0 = _number(base[id(root)])
    checks = {}
    for leaf in (n for n in order if n.op is None and id(n) not in consts):
        downstream = downstream_of(inputs, leaf)

        def root_at(data: Any, downstream: list[Node] = downstream) -> tuple[float, float]:
            values = replay(downstream, {id(downstream[0]): data}, base, reverse=False)
            return _number(values[id(root)]), max((_largest(values[id(n)]) for n in downstream[1:]), default=0.0)

        tensor = isinstance(leaf, Tensor) and leaf.data.size != 1  # one element is checked as a Value is
        direction = np.random.default_rng(0).standard_normal(leaf.shape) if tensor else np.ones(np.shape(leaf.data))
        with np.errstate(all="ignore"):  # an infinite or NaN gradient is judged, not warned about
            check = _check(root_at, base[id(leaf)], direction, grads[id(leaf)], f0, tensor)
            # a NaN or infinite gradient stays red: no rounding of stairs makes one
            judged = check.verdict == DISAGREE and np.isfinite(check.analytic)
            whole = rounded_on_whole_floats(downstream, base) if judged else ""
        checks[id(leaf)] = Check(check.analytic, None, UNMEASURED, tensor, detail=whole) if whole else check
    return checks


def _check(root_at: Any, x: Any, direction: Any, grad: Any, f0: float, tensor: bool) -> Check:
    """Measure the root's slope at `x` along `direction` and judge backward's `grad` against it: with
    steps scaled by max(1, |x|), then, unless that judged, by |x| (for values below 1)."""
    g = np.asarray(grad, dtype=np.float64)
    grad_eps = float(np.finfo(grad.dtype).eps) if isinstance(grad, np.ndarray) else EPS
    size = np.abs(x)
    scales = [np.maximum(size, 1.0)] + ([size] if np.any((size > 0) & (size < 1)) else [])
    if not np.isfinite(f0):
        analytic = float(np.sum(g * direction * scales[0])) if tensor else float(np.sum(g))
        return Check(analytic, None, UNMEASURED, tensor, detail=f"the root is {f0:g} here")
    found = [_measure(root_at, x, scales[0] * direction, g, f0, grad_eps, tensor)]
    if found[0].verdict not in (AGREE, DISAGREE) and len(scales) > 1:  # a finer step may still judge
        found.append(_measure(root_at, x, scales[1] * direction, g, f0, grad_eps, tensor))
    # the most telling; the finer among equals, but of two "too small", the one of the smaller error: at a
    # step of |x| = 1e-12 the error bound is 1e12 times that of the first, and would be told as the error
    return max(reversed(found), key=lambda c: (_RANK[c.verdict], -c.resolution if c.verdict == TOO_SMALL else 0.0))


_RANK = {AGREE: 3, DISAGREE: 3, KINK: 2, KINK_DISAGREE: 2, TOO_SMALL: 1, UNDEFINED: 0, UNMEASURED: 0}


def _measure(root_at: Any, x: Any, along: Any, g: Any, f0: float, grad_eps: float, tensor: bool) -> Check:
    """The central difference at `x` with steps h·`along`, h from BEST_STEP down tenfold until the
    one-sided slopes settle (or bend smoothly, or stay apart: a kink), judged against `g`."""
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
        # per unit of step: a Value's by the steps taken (x ± h rounded), a tensor's by h along its direction
        h_up, h_down = (float(np.sum(up - x)), float(np.sum(x - down))) if not tensor else (h, h)
        if min(h_up, h_down) <= 0:  # one side rounds to x (the float spacing below 1 is half that above)
            problem, outside = "x ± h rounds to x", False
            break
        # every number rounds to eps of itself, and below the smallest normal float to a fixed grain (underflow)
        largest = max(abs(f_up), abs(f0), abs(f_down), big_up, big_down, TINY)
        rounding = ROUNDING * EPS * largest / min(h_up, h_down)
        moved = (g * (up - down) / (h_up + h_down)) if tensor else g
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
            judged = _judge(now, error, grad_eps, tensor)
            if disagreed is None and judged.verdict != DISAGREE:
                return judged
            if disagreed is None:
                disagreed = judged, error
                continue
            # a staircase (floor at 1e12 + 0.3) looks like a line at steps wider than its stairs: a finer step
            # that measures another slope, beyond both errors, shows the root changes on a finer scale
            if judged.verdict == AGREE and abs(now.central - disagreed[0].numeric) > error + disagreed[1]:
                return _unmeasurable(disagreed[0], now.central, h, along)
    if disagreed is not None:  # finer steps measured nothing else: the disagreement stands
        return disagreed[0]
    if kink is not None:
        return _at_kink(kink, tensor)
    if last is None or problem and not outside:
        verdict, why = (UNDEFINED, "the root is undefined beside x: ") if outside else (UNMEASURED, "")
        analytic = float(np.sum(g * along)) if tensor else float(g)
        return Check(analytic, None, verdict, tensor, detail=why + (problem or "no step could be taken"))
    never = "the one-sided slopes never settle (a jump or a pole?)"
    return Check(last.analytic, None, UNMEASURED, tensor, detail=never)


def _unmeasurable(coarse: Check, fine: float, h: float, along: Any) -> Check:
    """A slope that changes with the step beyond its error: the finite difference cannot measure it."""
    step = float(np.max(np.abs(h * np.asarray(along))))
    why = (
        f"the measured slope depends on the step ({figures(coarse.numeric, 4)} with larger steps, {figures(fine, 4)} "
        f"at {step:.2g}): the root changes on a scale finer than the steps (stairs, wiggles)"
    )
    return Check(coarse.analytic, None, UNMEASURED, coarse.direction, resolution=coarse.resolution, detail=why)


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


def _judge(measured: _Try, error: float, grad_eps: float, tensor: bool) -> Check:
    """Backward's gradient against the central difference, with `error` the difference's own error
    estimate: a difference beyond the relative tolerance and the floor disagrees; a floor as large as a
    quarter of the numbers cannot tell a factor of 2, so nothing is judged; else they agree."""
    a, n = measured.analytic, measured.central
    if not np.isfinite(n):
        return Check(a, None, UNMEASURED, tensor, detail="the slope is too large for a float")
    floor = FLOOR * (error + ROUNDING * grad_eps * measured.analytic_size)  # backward rounds too: float32's more
    size = max(abs(a), abs(n))
    if a == n:
        verdict = AGREE
    elif abs(a) > STEEP * (abs(n) + floor):
        # at every step tried the root changed a millionth of what backward's slope says: either the rule is
        # absurdly wrong, or the root bends or oscillates faster than a float step of x can follow (sin(exp(x))
        # at 40, whose period there is 3e-17, x's float step 7e-15): finite differences cannot judge it
        steep = "backward's slope is over a million times the root's change at every step tried: too steep to measure"
        return Check(a, n, UNMEASURED, tensor, resolution=floor, detail=steep)
    elif not abs(a - n) <= RTOL * size + floor:  # not <=: a NaN from backward disagrees
        verdict = DISAGREE
    else:
        verdict = TOO_SMALL if floor >= size / 4 else AGREE
    return Check(a, n, verdict, tensor, resolution=floor)


def _at_kink(measured: _Try, tensor: bool) -> Check:
    """A kink: backward may take either one-sided slope or anything between them (a subgradient, as
    PyTorch's relu'(0) = 0 and abs'(0) = 0 are)."""
    a, low, high = measured.analytic, min(measured.left, measured.right), max(measured.left, measured.right)
    slack = SETTLED * max(abs(low), abs(high)) + measured.noise
    slopes = (measured.left, measured.right)
    if not low - slack <= a <= high + slack:
        return Check(a, None, KINK_DISAGREE, tensor, slopes)
    ends = any(abs(a - s) <= slack for s in slopes)
    return Check(a, None, KINK, tensor, slopes, detail="one of them" if ends else "between them")


def _number(x: Any) -> float:
    return float(np.asarray(x, dtype=np.float64).reshape(-1)[0])


def _largest(x: Any) -> float:
    """The largest finite |number| of a node's data (0 for none, or for labels): its rounding's scale."""
    a = np.asarray(x)
    if a.dtype.kind not in "fc":
        return 0.0
    finite = np.abs(a[np.isfinite(a)])
    return float(finite.max()) if finite.size else 0.0

"""How gradcheck judges its numbers (check_numeric) and reports them: a row per input element, the
verdict on each, and the table of a failed check."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from .check_numeric import GradcheckError, Slopes, part
from .check_scales import FAR, FAR_ROW, Far, far_reason, within_reach

_MAX_ROWS = 30
_UNDECIDED = "<- cannot judge: "  # how a row finite differences cannot judge begins (GradcheckError.undecided)
_JUMPS = "<- not continuous here: "  # how a row where f jumps begins
FAILS = "<- fails"  # a row whose rule disagrees with f's difference beyond all doubt
F_NOT_FINITE = f"{FAILS}: f is not finite at x +- eps (a pole or an overflow within eps: a smaller eps?)"
_STEPS = "f's output lies on a grid far coarser than its dtype's (rounding inside f), moving this slope by"
_HIDDEN = (
    "an entry of f's output did not move at x +- eps, and rounds too coarsely to show a slope of 10 atol: "
    "this row cannot vouch for its gradient"
)


class Row(NamedTuple):
    """One element's comparison: where, at what value, analytic, numeric, their errors, what makes f not
    differentiable there (a kink or a jump; "" if neither), how far the slope's rounding, noise and
    truncation move it, the error it allows (None: atol + rtol * |numeric|; a block's row: check_blocks),
    and whether the step was swallowed (check_numeric's `swallowed`)."""

    label: str
    value: float
    analytic: float
    numeric: float
    error: float
    relative: float
    undifferentiable: str
    rounding: float
    noise: float
    truncation: float
    tolerance: float | None = None
    swallowed: bool = False
    steps: float = 0.0
    hidden: bool = False
    at: tuple | None = None  # (the input's position among those checked, the element's index): check_entries
    block: slice | None = None  # the entries of f's output the row weighs (None: all)
    far: Far | None = None  # an entry whose slope at PROBE eps is not its slope at eps (check_scales)
    refined: bool = False  # numeric is extrapolated from smaller steps (check_richardson)


def row(name: str, point: Any, index: tuple, a: float, s: Slopes, tolerance: float | None = None) -> Row:
    """The comparison of the rule's slope `a` at `index` of the point with the numeric slopes `s`
    (`tolerance`: the error allowed, where not atol + rtol * |numeric|)."""
    numeric = s.central
    error = abs(a - numeric)
    relative = error / abs(numeric) if numeric else (0.0 if error == 0 else float("inf"))
    kink = f"<- not differentiable here: one-sided slopes {s.left:.6g} and {s.right:.6g}" if s.kink else ""
    if s.jump:
        kink = f"{_JUMPS}f(x+eps) - f(x-eps), less a slope's part, is about as large at eps / 4 and 4 eps"
    return Row(
        name + (str(list(index)) if index else ""),
        float(np.asarray(point)[index]),
        a,
        numeric,
        error,
        relative,
        kink,
        s.rounding,
        s.noise,
        s.truncation,
        tolerance,
        s.swallowed,
        s.steps,
        s.hidden,
        far=s.far,
        refined=s.refined,
    )


def verdict(rows: list[Row], eps: float, atol: float, rtol: float, outputs: int = 1) -> bool:
    """True if every row agrees, else GradcheckError with the table. A row agrees when its error is
    within atol + rtol * |numeric|. Where every gradient is below atol, atol alone would pass any of them,
    one of the wrong sign too (a loss scaled by 1e-6): there a row whose analytic and numeric slopes part
    by more than the numeric slope's own error (the rounding inside f and of its output, the difference's
    truncation), one of them standing clear of it, fails if they are of other signs or one is off by more
    than half (an analytic slope where f is flat, a 0 where it is not). Below that error nothing can be
    told, and the row passes, as atol alone passes it. An error within f's rounding but above atol is not
    judged, and fails saying so (large values, cancellation, an f computing in float32: finite
    differences cannot tell right from wrong there)."""
    if not rows:
        raise ValueError(
            "gradcheck: the inputs (or parameters) given have no elements, so there is no derivative to check "
            "(a check of nothing would pass whatever the rules are)"
        )
    judged = [(*r[:6], r.refined, wrong) for r, wrong in zip(rows, _judge(rows, atol, rtol))]
    wrongs = [wrong for *_, wrong in judged if wrong]
    if not wrongs:
        return True
    raise GradcheckError(_table(judged, eps, atol, rtol, outputs), all(w.startswith(_UNDECIDED) for w in wrongs))


def failing(rows: list[Row], atol: float, rtol: float) -> list[Row]:
    """The rows that fail outright (not those that cannot be judged, nor kinks, jumps, or f not finite)."""
    return [r for r, wrong in zip(rows, _judge(rows, atol, rtol)) if wrong.startswith(FAILS) and wrong != F_NOT_FINITE]


def _judge(rows: list[Row], atol: float, rtol: float) -> list[str]:
    """What is wrong with each row ("" if nothing)."""
    # rtol 0: absolute, as asked; a block's row, whose slope sums many, has its own tolerance
    small = max((max(abs(r.analytic), abs(r.numeric)) for r in rows if r.tolerance is None), default=0) < atol
    small = small and rtol > 0
    return [_wrong(r, small, atol, rtol) for r in rows]


def _wrong(r: Row, small: bool, atol: float, rtol: float) -> str:
    """What is wrong with a row ("" if nothing)."""
    if r.undifferentiable:
        return r.undifferentiable
    # an infinite difference (f overflowed or hit a pole at x ± eps) checks nothing: inf <= rtol * inf would pass
    if not math.isfinite(r.numeric):
        return F_NOT_FINITE
    if r.swallowed and r.steps:  # f stepped within PROBE eps: (x + 1e12) - 1e12 inside an op, rule 0, passed
        return f"{_UNDECIDED}{_STEPS} up to {r.steps:.2g}, and no entry moved at x +- eps"
    if r.swallowed:  # a numeric 0 that tells nothing: x + 1e12, rule 0, passed (both 0)
        return (
            f"{_UNDECIDED}no entry of f's output moved at x +- eps (or a block's step rounds away for some element): a "
            "difference of 0 tells nothing where eps is below f's resolution (check with a larger eps, or at a point "
            "of smaller magnitude)"
        )
    a, n = r.analytic, r.numeric
    if not math.isfinite(a):  # whose rounding, read off the same backward, would be inf too: "cannot judge"
        return "<- fails: the rule's gradient is not finite where f's difference is"
    tolerance = atol + rtol * abs(n) if r.tolerance is None else r.tolerance
    if r.error <= tolerance:
        # judged where they part by more than the numeric slope's error and one stands clear of it
        if small and part(a, n) and r.error > r.noise and max(abs(a), abs(n)) > r.noise:
            return "<- fails: below atol, but of another sign or size than the numeric slope"
        if r.steps > tolerance:  # agreeing by chance: a rule off by as much would agree as well
            return f"{_UNDECIDED}{_STEPS} up to {r.steps:.2g}, beyond the error allowed"
        if r.hidden:  # the row vouches for the entries that moved alone
            return f"{_UNDECIDED}{_HIDDEN}"
        if r.truncation > tolerance:  # smaller steps moved it beyond the error allowed: agreeing by chance
            return f"{_UNDECIDED}f bends within eps of x, moving the difference by up to {r.truncation:.2g}"
        return f"{_UNDECIDED}{far_reason(r.far, r.block)}" if r.far is not None else ""
    if r.error <= r.rounding:
        return f"{_UNDECIDED}f's rounding moves this slope by up to {r.rounding:.2g}"
    if r.error <= r.rounding + r.steps:
        return f"{_UNDECIDED}{_STEPS} up to {r.steps:.2g}"
    if r.error <= r.truncation:
        return f"{_UNDECIDED}f bends within eps of x, moving the difference by up to {r.truncation:.2g}"
    if r.far is not None and within_reach(a, n, r.far, tolerance):
        return f"{_UNDECIDED}{far_reason(r.far, r.block)}"
    return FAILS


def _table(rows: list[tuple], eps: float, atol: float, rtol: float, outputs: int) -> str:
    failed = [r for r in rows if r[-1]]
    shown = (failed + [r for r in rows if not r[-1]])[:_MAX_ROWS]
    head = ("input", "at value", "analytic", "numeric", "abs error", "rel error", "")
    body = [
        (name, f"{x:.6g}", f"{a:.8g}", f"{n:.8g}", f"{ae:.3g}", f"{re:.3g}", wrong)
        for name, x, a, n, ae, re, _, wrong in shown
    ]
    widths = [max(len(r[c]) for r in [head, *body]) for c in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in [head, *body]]
    hidden = len(rows) - len(shown)
    if hidden:
        hidden_failing = len(failed) - sum(1 for r in shown if r[-1])
        lines.append(
            f"... {hidden} more rows, {hidden_failing} of them failing"
            if hidden_failing
            else f"... {hidden} more rows, all passing"
        )
    kinks = any("not differentiable" in r[-1] for r in failed)
    jumps = [r[0] for r in failed if r[-1].startswith(_JUMPS)]
    unjudged = any("rounding moves" in r[-1] for r in failed)
    stepped = any(_STEPS in r[-1] for r in failed)
    hidden = any(_HIDDEN in r[-1] for r in failed)
    curved = any("bends within eps" in r[-1] for r in failed)
    far = any(FAR_ROW in r[-1] for r in failed)
    directions = any(r[0].endswith("·d") for r in rows)
    refined = [r[0] for r in rows if r[-2]]
    return "\n".join(
        [
            _headline(failed, len(rows)),
            *lines,
            "analytic: from backward; numeric: central difference (f(x+eps) - f(x-eps)) / ((x+eps) - (x-eps)) "
            f"with eps={eps}; abs error: |analytic - numeric|; rel error: abs error / |numeric|;",
            f"a row fails when abs error > atol + rtol * |numeric| (atol={atol}, rtol={rtol}).",
            *(
                [
                    "where f's output rounds by as much as the difference measures (large values, cancellation, "
                    "f computing in float32), finite differences cannot tell a right gradient from a wrong one: "
                    "check at a point of smaller magnitude, or with f computing in float64"
                ]
                if unjudged
                else []
            ),
            *(
                [
                    "f's numbers keep far fewer bits than their dtype (rounding inside f that its graph does not "
                    "show: (x + 1e12) - 1e12 in an op of yours keeps x to steps of 1.2e-4; a computation in float32 "
                    "given back as float64), so a difference at this eps measures that rounding, and finite "
                    "differences cannot tell a right gradient from a wrong one: compute f without it, or check "
                    "with an eps well beyond its steps"
                ]
                if stepped
                else []
            ),
            *(
                [
                    "an entry of f's output that did not move at x +- eps, and is too large for 2 eps to show a "
                    "slope of 10 atol in it (1e12 beside 2 x), is not judged by a row that sums it with entries "
                    "that moved (a rule wrong in it passed): check it alone, with a larger eps, or at a smaller "
                    "magnitude"
                ]
                if hidden
                else []
            ),
            *([FAR] if far else []),
            *(
                [
                    f"f curves within eps at {_few(refined)}: their numeric slope is extrapolated from central "
                    "differences at eps / 2, eps / 4, ... (Richardson's), where they shrank as a smooth f's do"
                ]
                if refined
                else []
            ),
            *(
                [
                    "where f bends within eps of the point (curves fast, or has a kink or a jump less than eps "
                    "away), the central difference is off by as much as the error (where f is smooth, its "
                    "truncation: about eps**2 / 6 times f'''), and finite differences cannot tell a right gradient "
                    "from a wrong one: check with a smaller eps (eps=1e-8), or at a point farther from the bend "
                    "(where f computes in float32, a smaller eps shows its rounding instead: compute f in float64)"
                ]
                if curved
                else []
            ),
            *(
                [
                    "a row x[i:j]·d is the slope along a direction d that moves elements i to j - 1 of x (in "
                    "x.ravel()'s order) alone, each weighed by 1 / its tolerance; its value is their norm, and it "
                    "fails when abs error > the sum of their tolerances along d: some element is off by more "
                    "than its own (check it with max_per_param=None)"
                ]
                if directions
                else []
            ),
            *([_outputs_note(outputs, any("→f[" in r[0] for r in rows))] if outputs > 1 else []),
            *(
                [
                    "f has a kink where the one-sided slopes (f(x) - f(x-eps)) / eps and (f(x+eps) - f(x)) / eps "
                    "differ by as much at 2 and 4 eps: no gradient can be checked there; check at a point away from "
                    "it (a bend narrower than eps looks the same: then a smaller eps tells)"
                ]
                if kinks
                else []
            ),
            *(
                [
                    f"f jumps at {_few(jumps)}: f(x+eps) - f(x-eps), less a slope's part, stays about as large at "
                    "eps / 4, 2 and 4 eps, where a slope's would double, as at a step (floor, sign, round, a "
                    "branch on x's value): f is not continuous there, no gradient can be checked, and the rule is "
                    "not to blame; check at a point away from the jump (a continuous change narrower than eps / 4 "
                    "looks the same, and a rule there may be wrong: a smaller eps tells)"
                ]
                if jumps
                else []
            ),
        ]
    )


def _headline(failed: list[tuple], rows: int) -> str:
    """The table's first line: how many rows disagree, or, where none is seen to, how many cannot be judged
    (a 0 beside a 0 where no entry moved read '2 of 2 gradients disagree')."""
    if all(r[-1].startswith(_UNDECIDED) for r in failed):
        judged = "cannot be judged by finite differences (none is seen to disagree)"
        return f"gradcheck: {len(failed)} of {rows} gradients {judged}"
    return f"gradcheck: {len(failed)} of {rows} gradients disagree with finite differences"


def _outputs_note(outputs: int, blocks: bool) -> str:
    """What a row is of, for an f of several `outputs` (`blocks`: its rows are each of a block of them)."""
    if not blocks:
        return f"f gives {outputs} numbers: each row is of sum(w * f(x)), w fixed random weights, not of one of them."
    return (
        f"f gives {outputs} numbers: a row x[i]→f[j:k] is of sum(w * f(x)) over entries j to k - 1 of f's output "
        "(in its ravel's order) alone, w fixed random weights, each entry's weighed by 1 / its tolerance (atol + "
        "rtol * its largest slope, + 1e4 times that slope's rounding): an entry whose gradient is off by more than "
        "64 times that fails its row."
    )


def _few(labels: list[str], shown: int = 5) -> str:
    """Row labels for a message, cut after `shown`."""
    more = f" and {len(labels) - shown} more" if len(labels) > shown else ""
    return ", ".join(labels[:shown]) + more

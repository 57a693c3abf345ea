"""How gradcheck judges its numbers (check_numeric): a row per input element and the verdict on each; the
table of a failed check: check_table."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from .check_numeric import GradcheckError, Slopes, part
from .check_scales import Far, far_reason, within_reach
from .check_shifts import shift_words
from .check_table import FAILS, HIDDEN, JUMPS, ROUNDS, STEPS, TREADS, TREADS_WHY, UNDECIDED, not_finite_at, table


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
    edge: float = 0.0  # the nearest shift (in eps, up to 2) where f is not finite, of a row disagreeing (check_shifts)
    treads: float | None = None  # f, still at x +- eps, moves on both sides within PROBE eps at this slope (or an
    # entry of it beside entries that moved: the row's slope with that entry read there, `hidden` too)


def row(name: str, point: Any, index: tuple, a: float, s: Slopes, tolerance: float | None = None) -> Row:
    """The comparison of the rule's slope `a` at `index` of the point with the numeric slopes `s`
    (`tolerance`: the error allowed, where not atol + rtol * |numeric|)."""
    numeric = s.central
    error = abs(a - numeric)
    relative = error / abs(numeric) if numeric else (0.0 if error == 0 else float("inf"))
    kink = f"<- not differentiable here: one-sided slopes {s.left:.6g} and {s.right:.6g}" if s.kink else ""
    if s.jump:
        kink = f"{JUMPS}f(x+eps) - f(x-eps), less a slope's part, is about as large at eps / 4 and 4 eps"
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
        edge=s.edge,
        treads=s.treads,
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
    __tracebackhide__ = True  # pytest shows the table, not this function's source
    if not rows:
        raise ValueError(
            "gradcheck: the inputs (or parameters) given have no elements, so there is no derivative to check "
            "(a check of nothing would pass whatever the rules are)"
        )
    judged = [(*r[:6], r.refined, wrong) for r, wrong in zip(rows, _judge(rows, atol, rtol))]
    wrongs = [wrong for *_, wrong in judged if wrong]
    if not wrongs:
        return True
    # undecided where no row fails outright: a kink or a jump of f tells nothing of the rules either (no gradient
    # can be checked there), as a row finite differences cannot judge does not
    raise GradcheckError(table(judged, eps, atol, rtol, outputs), not any(w.startswith(FAILS) for w in wrongs))


def seen_to_move(rows: list[Row], atol: float, rtol: float) -> bool:
    """Whether some row's difference says f moves beyond what its rule gives: a row that fails, f's kink or
    jump, or f not finite at a step within 2 eps where it is finite at the point (a pole: f changes with x) (not
    another row that cannot be judged, which may be the difference's own error)."""
    judged = zip(rows, _judge(rows, atol, rtol))
    return any(
        wrong and (not wrong.startswith(UNDECIDED) or r.edge or not math.isfinite(r.numeric)) for r, wrong in judged
    )


def failing(rows: list[Row], atol: float, rtol: float) -> list[Row]:
    """The rows that fail outright (not those that cannot be judged, f not finite within 2 eps among them, nor
    kinks or jumps)."""
    return [r for r, wrong in zip(rows, _judge(rows, atol, rtol)) if wrong.startswith(FAILS)]


def judged_rows(rows: list[Row], atol: float, rtol: float) -> list[tuple[Row, str]]:
    """Each row with what is wrong with it ("" if nothing), as the verdict judges them."""
    return list(zip(rows, _judge(rows, atol, rtol)))


def agrees(r: Row, atol: float, rtol: float) -> bool:
    """Whether one row agrees, judged alone (where every row is below atol, `verdict` judges them stricter)."""
    return not _wrong(r, False, atol, rtol)


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
        return not_finite_at()
    if r.swallowed and r.steps:  # f stepped within PROBE eps: (x + 1e12) - 1e12 inside an op, rule 0, passed
        return f"{UNDECIDED}{STEPS} up to {r.steps:.2g}, and no entry moved at x +- eps"
    if r.swallowed and r.treads is not None:  # still at x +- eps, not farther out: which eps tells depends on why
        return f"{UNDECIDED}{TREADS}{r.treads:.6g} there){TREADS_WHY}"
    if r.swallowed:  # a numeric 0 that tells nothing: x + 1e12, rule 0, passed (both 0)
        return (
            f"{UNDECIDED}no entry of f's output moved at x +- eps (or a block's step rounds away for some element): a "
            "difference of 0 tells nothing where eps is below f's resolution (check with a larger eps, or at a point "
            "of smaller magnitude)"
        )
    a, n = r.analytic, r.numeric
    if not math.isfinite(a):  # whose rounding, read off the same backward, would be inf too: "cannot judge"
        return "<- fails: the rule's gradient is not finite where f's difference is"
    tolerance = atol + rtol * abs(n) if r.tolerance is None else r.tolerance
    if r.error <= tolerance:
        # judged where they part by more than the numeric slope's error and one stands clear of it: its noise, and
        # the grid f's numbers lie on inside an op of one's own (1 - cos(x) at 1e-12 is 1 minus a number near 1,
        # kept to steps of 1.1e-16: its difference over 2 eps, 0, failed the right rule's 1e-12)
        trusted = r.noise + r.steps
        if small and part(a, n) and r.error > trusted and max(abs(a), abs(n)) > trusted:
            return "<- fails: below atol, but of another sign or size than the numeric slope"
        if r.steps > tolerance:  # agreeing by chance: a rule off by as much would agree as well
            return f"{UNDECIDED}{STEPS} up to {r.steps:.2g}, beyond the error allowed"
        if r.hidden and r.treads is not None:  # beside entries that moved, one moving farther out (tread_entries)
            return f"{UNDECIDED}an entry of {TREADS}{r.treads:.6g} for the row, the others at eps){TREADS_WHY}"
        if r.hidden:  # the row vouches for the entries that moved alone
            return f"{UNDECIDED}{HIDDEN}"
        if r.truncation > tolerance:  # smaller steps moved it beyond the error allowed: agreeing by chance
            return f"{UNDECIDED}{_bends(r.truncation)}"
        return f"{UNDECIDED}{far_reason(r.far, r.block)}" if r.far is not None else ""
    if r.edge:  # a pole within 2 eps: its difference at eps, however far off, tells nothing
        return not_finite_at(shift_words(r.edge))
    if r.error <= r.rounding:
        return f"{UNDECIDED}{ROUNDS}{r.rounding:.2g}"
    if r.error <= r.rounding + r.steps:
        return f"{UNDECIDED}{STEPS} up to {r.steps:.2g}"
    if r.error <= r.truncation:
        return f"{UNDECIDED}{_bends(r.truncation)}"
    if r.far is not None and within_reach(a, n, r.far, tolerance):
        return f"{UNDECIDED}{far_reason(r.far, r.block)}"
    return FAILS


def _bends(truncation: float) -> str:
    """Why a row whose difference f's bending within eps may move by `truncation` cannot be judged."""
    if math.isinf(truncation):  # check_bends.unsettled (eps / 2 to 2 eps), check_jacobian._off_course (eps / 4 to eps)
        return "f bends within eps of x: its differences at steps of eps and near it move unlike a smooth f's"
    return f"f bends within eps of x, moving the difference by up to {truncation:.2g}"

"""The numbers gradcheck compares and how it reports them: a central difference per input element,
with the one-sided slopes beside it (where they disagree, f has a kink at the point and no check
there means anything), a row per element, and the table of a failed check."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .graph import raw

_MAX_ROWS = 30
# One-sided slopes further apart than this many times a row's tolerance are looked at again, twice as far out
_APART = 10


class GradcheckError(AssertionError):
    """Analytic and numeric gradients disagree; the message is a table of the inputs."""


class Slopes(NamedTuple):
    """(f(x+eps) - f(x-eps)) / 2eps, the one-sided (f(x) - f(x-eps)) / eps and (f(x+eps) - f(x)) / eps,
    and whether f has a kink at x (or within about 0.4 eps of it)."""

    central: float
    left: float
    right: float
    kink: bool


def slopes(at: Callable[[float], np.ndarray], base: np.ndarray, weights: Any, *tolerances: float) -> Slopes:
    """The slopes of f's output at the point moved by a shift (`at`, an array in float64; `base` at
    the point) in the number checked, <weights, output> (the output itself without weights). Each
    difference is taken of the outputs before they are weighed, so that a large entry (exp(20)) does
    not swallow a small one's change. `tolerances`: eps, atol, rtol.

    The one-sided slopes part by about eps * f'' where f is smooth, by the jump in slope at a kink (2
    for abs at 0) whatever eps is, and by rounding / eps. So where they are far apart (beyond the
    rounding of the entries that moved), they are taken again two and four times as far out: a
    smooth f's part two and four times as much (1000 x**2 at 0), rounding's a half and a quarter
    (cancellation inside f), a kink's about the same (within about 0.4 eps of the point). A bend
    narrower than eps (sqrt(x**2 + 1e-14)) looks like a kink at this eps."""
    eps, atol, rtol = tolerances
    up, down = at(eps), at(-eps)
    left, right = _weighed(base - down, weights) / eps, _weighed(up - base, weights) / eps
    apart = abs(right - left)
    # the rounding of the entries that moved (a constant entry, however large, adds none)
    moved = (up != base) | (down != base)
    largest = np.where(moved, np.maximum(np.maximum(abs(base), abs(up)), abs(down)), 0.0)
    rounding = 8 * np.finfo(np.float64).eps * _weighed(largest, None if weights is None else abs(weights)) / eps
    kink = False
    if apart > max(_APART * (atol + rtol * max(abs(left), abs(right))), rounding):
        try:
            ratios = [_apart(at, base, weights, k * eps) / apart for k in (2, 4)]
        except (ArithmeticError, ValueError):  # f undefined farther out (a domain's edge): no telling
            ratios = [2.0, 4.0]
        # a kink's parting stays (with curvature c, (1 + 2t) / (1 + t) at 2 eps, t = c eps); a smooth f's doubles
        # at each step out, rounding's halves
        kink = 0.7 < ratios[0] < 1.3 and 0.7 < ratios[1] / ratios[0] < 1.45
    return Slopes(_weighed(up - down, weights) / (2 * eps), left, right, kink)


def _apart(at: Callable[[float], np.ndarray], base: np.ndarray, weights: Any, step: float) -> float:
    """How far apart the one-sided slopes are with a step of `step`."""
    return abs(_weighed(at(step) - 2 * base + at(-step), weights)) / step


def _weighed(d: np.ndarray, weights: Any) -> float:
    return float(d.item()) if weights is None else float(np.sum(weights * d))


def output(out: Any) -> np.ndarray:
    """f's output as float64 numbers."""
    return np.asarray(raw(out), dtype=np.float64)


def undefined(who: str, where: str, eps: float, error: Exception) -> ValueError:
    """The error of an f (or loss) that raised at the point moved by eps: outside its domain there."""
    return ValueError(
        f"{who} is undefined at {where} (the point moved by eps={eps}): {error}; check at a point farther "
        "from the edge of its domain"
    )


def check_finite(base: np.ndarray, who: str) -> None:
    """Refuse a check at a point where f's output is not finite: every difference would be NaN."""
    if not np.isfinite(base).all():
        at = tuple(np.argwhere(~np.isfinite(base))[0])
        entry = f" (entry {[int(i) for i in at]})" if at else ""
        raise ValueError(
            f"{who}'s output is {base[at]} at the point{entry}: no derivative can be checked where it is not "
            "finite; check at another point"
        )


def row(name: str, point: Any, index: tuple, grad: Any, s: Slopes, atol: float, rtol: float) -> tuple:
    """One line of the table: where, at what value, analytic, numeric, errors, and what is wrong ("" if nothing)."""
    a = float(np.asarray(grad)[index])
    numeric = s.central
    error = abs(a - numeric)
    relative = error / abs(numeric) if numeric else (0.0 if error == 0 else float("inf"))
    label = name + (str(list(index)) if index else "")
    value = float(np.asarray(point)[index])
    wrong = ""
    # an infinite difference (f overflowed or hit a pole at x ± eps) checks nothing: inf <= rtol * inf would pass
    if not (math.isfinite(numeric) and error <= atol + rtol * abs(numeric)):
        wrong = "<- fails"
    if s.kink:
        wrong = f"<- not differentiable here: one-sided slopes {s.left:.6g} and {s.right:.6g}"
    return label, value, a, numeric, error, relative, wrong


def verdict(rows: list[tuple], eps: float, atol: float, rtol: float, outputs: int = 1) -> bool:
    if not rows:
        raise ValueError(
            "gradcheck: the inputs (or parameters) given have no elements, so there is no derivative to check "
            "(a check of nothing would pass whatever the rules are)"
        )
    if not any(wrong for *_, wrong in rows):
        return True
    raise GradcheckError(_table(rows, eps, atol, rtol, outputs))


def _table(rows: list[tuple], eps: float, atol: float, rtol: float, outputs: int) -> str:
    failed = [r for r in rows if r[-1]]
    shown = (failed + [r for r in rows if not r[-1]])[:_MAX_ROWS]
    head = ("input", "at value", "analytic", "numeric", "abs error", "rel error", "")
    body = [
        (name, f"{x:.6g}", f"{a:.8g}", f"{n:.8g}", f"{ae:.3g}", f"{re:.3g}", wrong)
        for name, x, a, n, ae, re, wrong in shown
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
    return "\n".join(
        [
            f"gradcheck: {len(failed)} of {len(rows)} gradients disagree with finite differences",
            *lines,
            "analytic: from backward; numeric: central difference (f(x+eps) - f(x-eps)) / (2*eps) "
            f"with eps={eps}; abs error: |analytic - numeric|; rel error: abs error / |numeric|;",
            f"a row fails when abs error > atol + rtol * |numeric| (atol={atol}, rtol={rtol}).",
            *(
                [
                    f"f gives {outputs} numbers: each row is of sum(w * f(x)), w fixed random weights, "
                    "not of one of them."
                ]
                if outputs > 1
                else []
            ),
            *(
                [
                    "f has a kink where the one-sided slopes (f(x) - f(x-eps)) / eps and (f(x+eps) - f(x)) / eps "
                    "differ by as much at 2 and 4 eps: no gradient can be checked there; check at a point away from "
                    "it (a bend narrower than eps looks the same: then a smaller eps tells)"
                ]
                if kinks
                else []
            ),
        ]
    )

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
    and whether f has a kink at x (or within eps of it)."""

    central: float
    left: float
    right: float
    kink: bool


def slopes(at: Callable[[float], float], base: float, eps: float, atol: float, rtol: float) -> Slopes:
    """The slopes of `at` (f at the point moved by a shift) around 0, f's value there being `base`.

    The one-sided slopes part by about eps * f'' where f is smooth, and by the jump in slope at a kink
    (2 for abs at 0), whatever eps is. So where they are far apart, they are taken again twice as far
    out: a smooth f's part twice as much (1000 x**2 at 0), a kink's about the same (abs at 0)."""
    up, down = at(eps), at(-eps)
    left, right = (base - down) / eps, (up - base) / eps
    kink = False
    apart = abs(right - left)
    if apart > _APART * (atol + rtol * max(abs(left), abs(right))):
        try:
            wider = abs(at(2 * eps) - 2 * base + at(-2 * eps)) / (2 * eps)
        except (ArithmeticError, ValueError):  # f undefined twice as far out (a domain's edge): no telling
            wider = 2 * apart
        kink = not wider > 1.5 * apart
    return Slopes((up - down) / (2 * eps), left, right, kink)


def projected(out: Any, weights: np.ndarray | None) -> float:
    """f's output as the number checked: itself (one element), or sum(weights * out) in float64."""
    data = np.asarray(raw(out), dtype=np.float64)
    return float(data.item()) if weights is None else float(np.sum(weights * data))


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


def verdict(rows: list[tuple], eps: float, atol: float, rtol: float) -> bool:
    if not rows:
        raise ValueError(
            "gradcheck: the inputs (or parameters) given have no elements, so there is no derivative to check "
            "(a check of nothing would pass whatever the rules are)"
        )
    if not any(wrong for *_, wrong in rows):
        return True
    raise GradcheckError(_table(rows, eps, atol, rtol))


def _table(rows: list[tuple], eps: float, atol: float, rtol: float) -> str:
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
                    "f has a kink where the one-sided slopes (f(x) - f(x-eps)) / eps and (f(x+eps) - f(x)) / eps "
                    "differ: no gradient can be checked there; check at a point away from it"
                ]
                if kinks
                else []
            ),
        ]
    )

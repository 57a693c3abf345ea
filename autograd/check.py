"""`gradcheck`: compare backward's gradients with central finite differences, in float64."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .graph import Node, gradients, no_grad
from .value import Value


class GradcheckError(AssertionError):
    """Analytic and numeric gradients disagree; the message is a table of every input."""


def gradcheck(
    f: Callable[..., Any],
    inputs: Sequence[Any],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check the gradient of scalar-valued `f` at `inputs` (Values or numbers) against
    (f(x + eps) - f(x - eps)) / (2 eps) for each input in turn.

    Returns True, or raises GradcheckError when any |analytic - numeric| > atol + rtol * |numeric|.
    """
    points = [x.data if isinstance(x, Node) else float(x) for x in inputs]
    names = [getattr(x, "label", "") or f"input {i}" for i, x in enumerate(inputs)]
    leaves = [Value(p, name) for p, name in zip(points, names)]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a scalar Value, got {type(out).__name__} {out!r}")
    analytic = gradients(out, leaves)
    numeric = [_central_difference(f, points, i, eps) for i in range(len(points))]
    rows = [
        (name, x, a, n, abs(a - n), abs(a - n) / abs(n) if n else float("inf"), abs(a - n) <= atol + rtol * abs(n))
        for name, x, a, n in zip(names, points, analytic, numeric)
    ]
    if all(ok for *_, ok in rows):
        return True
    raise GradcheckError(_table(rows, eps, atol, rtol))


def _central_difference(f: Callable[..., Any], points: list[float], i: int, eps: float) -> float:
    def at(x: float) -> float:
        moved = [Value(p) for p in points]
        moved[i] = Value(x)
        try:
            return f(*moved).data
        except (ArithmeticError, ValueError) as e:
            raise ValueError(
                f"gradcheck: f is undefined at input {i} = {x!r} (the point moved by eps={eps}): {e}; "
                "check at a point farther from the edge of f's domain"
            ) from None

    with no_grad():
        return (at(points[i] + eps) - at(points[i] - eps)) / (2 * eps)


def _table(rows: list[tuple], eps: float, atol: float, rtol: float) -> str:
    failed = sum(not ok for *_, ok in rows)
    head = ("input", "at value", "analytic", "numeric", "abs error", "rel error", "")
    body = [
        (name, f"{x:.6g}", f"{a:.8g}", f"{n:.8g}", f"{ae:.3g}", f"{re:.3g}", "" if ok else "<- fails")
        for name, x, a, n, ae, re, ok in rows
    ]
    widths = [max(len(r[c]) for r in [head, *body]) for c in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in [head, *body]]
    return "\n".join(
        [
            f"gradcheck: {failed} of {len(rows)} gradients disagree with finite differences",
            *lines,
            "analytic: from backward; numeric: central difference (f(x+eps) - f(x-eps)) / (2*eps) "
            f"with eps={eps}; abs error: |analytic - numeric|; rel error: abs error / |numeric|;",
            f"a row fails when abs error > atol + rtol * |numeric| (atol={atol}, rtol={rtol}).",
        ]
    )

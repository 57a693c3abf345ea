"""`gradcheck`: compare backward's gradients with central finite differences, in float64."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .graph import Node, gradients, no_grad
from .tensor import Tensor
from .value import Value

_MAX_ROWS = 30


class GradcheckError(AssertionError):
    """Analytic and numeric gradients disagree; the message is a table of the inputs."""


def gradcheck(
    f: Callable[..., Any],
    inputs: Sequence[Any],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check the gradient of scalar-valued `f` at `inputs` against (f(x + eps) - f(x - eps)) / (2 eps),
    one input element at a time.

    Inputs are Values or numbers (f gets Values) or Tensors or arrays (f gets float64 Tensors;
    float32 inputs are checked in float64, with a warning saying so, as finite differences in
    float32 are too coarse). Returns True, or raises GradcheckError when any
    |analytic - numeric| > atol + rtol * |numeric|.
    """
    names = [getattr(x, "label", "") or f"input {i}" for i, x in enumerate(inputs)]
    points = [_point(x, name) for x, name in zip(inputs, names)]
    leaves = [_leaf(p, name) for p, name in zip(points, names)]
    out = f(*leaves)
    if not isinstance(out, Node) or np.size(out.data) != 1:
        shape = getattr(out, "shape", None)
        got = f"a Tensor of shape {shape}" if isinstance(out, Tensor) else f"{type(out).__name__} {out!r}"
        raise TypeError(f"gradcheck: f must return a scalar Value or a one-element Tensor, got {got}")
    analytic = gradients(out, leaves)
    rows = []
    for i, (name, point, grad) in enumerate(zip(names, points, analytic)):
        for index in np.ndindex(np.shape(point)):
            n = _central_difference(f, points, i, index, eps)
            a = float(np.asarray(grad)[index])
            error = abs(a - n)
            label = name + (str(list(index)) if index else "")
            value = float(np.asarray(point)[index])
            relative = error / abs(n) if n else (0.0 if error == 0 else float("inf"))
            rows.append((label, value, a, n, error, relative, error <= atol + rtol * abs(n)))
    if all(ok for *_, ok in rows):
        return True
    raise GradcheckError(_table(rows, eps, atol, rtol))


def _point(x: Any, name: str) -> Any:
    """The input as float64: a float for a Value or number, an array for a Tensor or array."""
    if isinstance(x, Tensor | np.ndarray):
        data = np.asarray(x.data if isinstance(x, Tensor) else x)
        if data.dtype != np.float64:
            warnings.warn(
                f"gradcheck: {name} is {data.dtype}; checking in float64 (finite differences need its precision)",
                stacklevel=3,
            )
        return data.astype(np.float64)
    return x.data if isinstance(x, Value) else float(x)


def _leaf(point: Any, name: str = "") -> Node:
    if isinstance(point, np.ndarray):
        return Tensor(point, requires_grad=True, label=name)
    return Value(point, name)


def _central_difference(f: Callable[..., Any], points: list[Any], i: int, index: tuple[int, ...], eps: float) -> float:
    def at(shift: float) -> float:
        moved = [p.copy() if isinstance(p, np.ndarray) else p for p in points]
        if isinstance(moved[i], np.ndarray):
            moved[i][index] += shift
            where = f"{moved[i][index]!r} at {list(index)}"
        else:
            moved[i] += shift
            where = repr(moved[i])
        try:
            return float(np.asarray(f(*map(_leaf, moved)).data).item())
        except (ArithmeticError, ValueError) as e:
            raise ValueError(
                f"gradcheck: f is undefined at input {i} = {where} (the point moved by eps={eps}): {e}; "
                "check at a point farther from the edge of f's domain"
            ) from None

    with no_grad():
        return (at(eps) - at(-eps)) / (2 * eps)


def _table(rows: list[tuple], eps: float, atol: float, rtol: float) -> str:
    failed = [r for r in rows if not r[-1]]
    shown = (failed + [r for r in rows if r[-1]])[:_MAX_ROWS]
    head = ("input", "at value", "analytic", "numeric", "abs error", "rel error", "")
    body = [
        (name, f"{x:.6g}", f"{a:.8g}", f"{n:.8g}", f"{ae:.3g}", f"{re:.3g}", "" if ok else "<- fails")
        for name, x, a, n, ae, re, ok in shown
    ]
    widths = [max(len(r[c]) for r in [head, *body]) for c in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in [head, *body]]
    if len(rows) > len(shown):
        lines.append(f"... {len(rows) - len(shown)} more rows, all passing")
    return "\n".join(
        [
            f"gradcheck: {len(failed)} of {len(rows)} gradients disagree with finite differences",
            *lines,
            "analytic: from backward; numeric: central difference (f(x+eps) - f(x-eps)) / (2*eps) "
            f"with eps={eps}; abs error: |analytic - numeric|; rel error: abs error / |numeric|;",
            f"a row fails when abs error > atol + rtol * |numeric| (atol={atol}, rtol={rtol}).",
        ]
    )

"""`gradcheck`: compare backward's gradients with central finite differences, in float64."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .dtypes import REAL_KINDS
from .graph import Node, gradients
from .graph_order import topological_order
from .modes import no_grad
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
    _check_settings("gradcheck", eps, atol, rtol)
    if isinstance(inputs, str | bytes | np.ndarray | Node) or not isinstance(inputs, Iterable):
        raise TypeError(f"gradcheck takes a list of f's inputs, got {type(inputs).__name__}: write gradcheck(f, [x])")
    inputs = list(inputs)
    if not inputs:  # a check of nothing would pass whatever the rules are
        raise ValueError("gradcheck got no inputs: give f's inputs (numbers, Values, arrays or Tensors) to check")
    names = [getattr(x, "label", "") or f"input {i}" for i, x in enumerate(inputs)]
    points = []
    for x, name in zip(inputs, names):  # a loop, not a comprehension: its warning's stacklevel counts frames
        points.append(_point(x, name))
    leaves = [_leaf(p, name) for p, name in zip(points, names)]
    out = f(*leaves)
    if not isinstance(out, Node) or np.size(out.data) != 1:
        shape = getattr(out, "shape", None)
        got = f"a Tensor of shape {shape}" if isinstance(out, Tensor) else f"{type(out).__name__} {out!r}"
        raise TypeError(f"gradcheck: f must return a scalar Value or a one-element Tensor, got {got}")
    # a result with no graph (f constant: the derivative of neg is -1 everywhere) has gradient zero, as for `grad`
    analytic = [leaf._zero_like(leaf) for leaf in leaves] if out.is_constant else gradients(out, leaves)
    _check_uses_inputs(f, out, leaves, points, names)
    rows = []
    for i, (name, point, grad) in enumerate(zip(names, points, analytic)):
        for index in np.ndindex(np.shape(point)):
            rows.append(_row(name, point, index, grad, _central_difference(f, points, i, index, eps), atol, rtol))
    return _verdict(rows, eps, atol, rtol)


def _check_uses_inputs(f: Callable[..., Any], out: Node, leaves: list[Node], points: list[Any], names: list[str]):
    """Refuse an f whose result depends on nodes it captured but on none of its inputs: the check
    would compare zeros with zeros and pass whatever the captured graph's rules are. Captured
    nodes are the leaves that a second call of f, on fresh inputs, reaches again."""
    reached = _leaves(out)
    if any(id(leaf) in reached for leaf in leaves):
        return
    again = f(*[_leaf(p, name) for p, name in zip(points, names)])
    if isinstance(again, Node) and reached.keys() & _leaves(again).keys():
        raise GradcheckError(
            "gradcheck: f's result depends on nodes it captured, not on the inputs it was given (f gets "
            "fresh float64 copies of `inputs`): make f compute from its arguments; to check the "
            "parameters a loss uses, call gradcheck_params"
        )


def _leaves(out: Node) -> dict[int, Node]:
    return {id(n): n for n in topological_order(out) if n.op is None}


def gradcheck_params(
    loss: Callable[[], Any],
    params: Sequence[Node] | Mapping[str, Node],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    max_per_param: int | None = 20,
    seed: int = 0,
) -> bool:
    """Check the gradient of `loss()` (a scalar node computed from `params`, such as a model's
    loss on a batch) in each parameter against central finite differences. `params` is a list,
    or a dict from names to parameters (the names label the table).

    Each parameter is moved by +-eps in place, one element at a time, and put back; Tensor
    parameters are checked in float64 and restored to their own dtype afterwards. At most
    `max_per_param` elements of each parameter are checked (drawn with `seed`; None: all), as each
    costs two evaluations of `loss`. Returns True, or raises GradcheckError with a table.
    """
    _check_settings("gradcheck_params", eps, atol, rtol)
    named = (
        list(params.items())
        if isinstance(params, Mapping)
        else [(p.label or f"param {i}", p) for i, p in enumerate(params)]
    )
    params = [p for _, p in named]
    originals = [p.data for p in params]
    try:
        for p in params:
            if isinstance(p, Tensor):
                p.data = np.asarray(p.data, dtype=np.float64)
        out = loss()
        if not isinstance(out, Node) or np.size(out.data) != 1:
            raise TypeError(f"gradcheck_params: loss() must return a scalar Value or Tensor, got {out!r}")
        analytic = gradients(out, params)
        rng = np.random.default_rng(seed)
        rows = []
        for (name, p), grad in zip(named, analytic):
            indices = list(np.ndindex(np.shape(p.data)))
            if max_per_param is not None and len(indices) > max_per_param:
                indices = [indices[k] for k in sorted(rng.choice(len(indices), max_per_param, replace=False))]
            for index in indices:
                rows.append(_row(name, p.data, index, grad, _moved_difference(loss, p, index, eps), atol, rtol))
    finally:
        for p, data in zip(params, originals):
            p.data = data
    return _verdict(rows, eps, atol, rtol)


def _check_settings(caller: str, eps: Any, atol: Any, rtol: Any) -> None:
    """Refuse a step or tolerance that makes the check meaningless before anything is computed:
    eps 0 divides by zero, and a NaN or negative tolerance fails every row, blaming the gradients."""
    for name, value, least in (("eps", eps, "> 0"), ("atol", atol, ">= 0"), ("rtol", rtol, ">= 0")):
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise TypeError(f"{caller}: {name} must be a number, got {type(value).__name__} {value!r}")
        if not (math.isfinite(value) and (value > 0 if name == "eps" else value >= 0)):
            raise ValueError(f"{caller}: {name} must be finite and {least}, got {value!r}")


def _row(name: str, point: Any, index: tuple, grad: Any, numeric: float, atol: float, rtol: float) -> tuple:
    """One line of the table: where, at what value, analytic, numeric, errors, and whether it passes."""
    a = float(np.asarray(grad)[index])
    error = abs(a - numeric)
    relative = error / abs(numeric) if numeric else (0.0 if error == 0 else float("inf"))
    label = name + (str(list(index)) if index else "")
    value = float(np.asarray(point)[index])
    # an infinite difference (f overflowed or hit a pole at x ± eps) checks nothing: inf <= rtol * inf would pass
    return label, value, a, numeric, error, relative, math.isfinite(numeric) and error <= atol + rtol * abs(numeric)


def _verdict(rows: list[tuple], eps: float, atol: float, rtol: float) -> bool:
    if not rows:
        raise ValueError(
            "gradcheck: the inputs (or parameters) given have no elements, so there is no derivative to check "
            "(a check of nothing would pass whatever the rules are)"
        )
    if all(ok for *_, ok in rows):
        return True
    raise GradcheckError(_table(rows, eps, atol, rtol))


def _moved_difference(loss: Callable[[], Any], p: Node, index: tuple, eps: float) -> float:
    """(loss at p + eps - loss at p - eps) / (2 eps), moving p's element in place and putting it back."""
    scalar = np.ndim(p.data) == 0 and not isinstance(p.data, np.ndarray)
    original = p.data if scalar else p.data.copy()

    def at(shift: float) -> float:
        if scalar:
            p.data = original + shift
        else:
            moved = original.copy()
            moved[index] += shift
            p.data = moved
        return float(np.asarray(loss().data).item())

    try:
        with no_grad():
            return (at(eps) - at(-eps)) / (2 * eps)
    finally:
        p.data = original


def _point(x: Any, name: str) -> Any:
    """The input as float64: a float for a Value or number, an array for a Tensor or array (of real
    numbers: text, a bool or a complex number is refused, not read as a number)."""
    if isinstance(x, Tensor | np.ndarray):
        data = np.asarray(x.data if isinstance(x, Tensor) else x)
        if data.dtype.kind not in REAL_KINDS:
            raise TypeError(f"gradcheck: {name} is an array of dtype {data.dtype}; give real numbers (floats)")
        if data.dtype != np.float64:
            warnings.warn(
                f"gradcheck: {name} is {data.dtype}; checking in float64 (finite differences need its precision)",
                stacklevel=3,
            )
        return data.astype(np.float64)
    if isinstance(x, Value):
        return x.data
    if not isinstance(x, numbers.Real) or isinstance(x, bool):
        raise TypeError(f"gradcheck: {name} is {type(x).__name__} {x!r}; give a number, a Value, an array or a Tensor")
    return float(x)


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

"""What gradcheck refuses before it compares anything, naming the input or entry: settings that make the check
meaningless, an f whose result is not real numbers, writes into its inputs or uses none of them, a point where
f's output is not finite, an element where x + eps or x - eps rounds to x, and a point moved by eps outside
f's domain."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from .check_inputs import _copy, _leaf
from .check_numeric import GradcheckError
from .dtypes import REAL_KINDS
from .graph import Node, raw
from .graph_order import topological_order
from .modes import enable_grad, is_real
from .type_names import repr_of, type_name


def is_refusal(e: BaseException) -> bool:
    """Whether e is gradcheck's refusal of a point or of f (a ValueError or TypeError it raises, its message beginning
    "gradcheck"), not f's own error, which is passed on as it is."""
    return type(e) in (ValueError, TypeError) and str(e).startswith("gradcheck")


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


def check_steps(point: Any, eps: float, who: str, name: str) -> None:
    """Refuse a check at a point with an element where x + eps or x - eps rounds to x: a step of 0
    measures nothing on that side (eps below half x's float spacing: 1e-9 at 1e8), and of a difference
    that measures nothing, nothing can be judged."""
    x = np.asarray(point, dtype=np.float64)
    with np.errstate(invalid="ignore"):  # inf - eps is inf: not finite, refused elsewhere if at all
        lost = np.isfinite(x) & ((x + eps == x) | (x - eps == x))
    if lost.any():
        index = tuple(int(k) for k in np.argwhere(lost)[0])
        v = float(x[index])
        raise ValueError(
            f"{who}: {name}{list(index) if index else ''} = {v!r}, where x + eps or x - eps rounds to x (eps={eps} "
            f"is below half its float spacing, {np.spacing(abs(v)):.3g}), so the difference measures nothing "
            "there: give a larger eps, or check at a smaller value"
        )


def check_output(out: Any, who: str) -> None:
    """Refuse an f whose result is not real numbers, at least one: there would be nothing to differentiate."""
    data = raw(out)
    if isinstance(data, bool) or not isinstance(data, numbers.Real | np.ndarray | np.generic):
        raise TypeError(f"{who} must return a Value, a Tensor or a number, got {type_name(out)} {out!r}")
    if np.asarray(data).dtype.kind not in REAL_KINDS or not np.size(data):
        raise TypeError(
            f"{who} must return real numbers, at least one, got {np.asarray(data).dtype} of shape {np.shape(data)}"
        )


def check_unchanged(leaves: list[Node], points: list[Any], names: list[str], who: str) -> None:
    """Refuse an f whose forward (or a rule) wrote into its inputs: the check would go on around another point."""
    for leaf, point, name in zip(leaves, points, names):
        if not np.array_equal(raw(leaf), raw(point), equal_nan=True):
            raise GradcheckError(
                f"gradcheck: {who} changed {name} in place ({raw(point)!r} became {raw(leaf)!r}): an op's forward and "
                "its rule must not write into their inputs (copy first: x = x.copy())"
            )


def check_uses_inputs(
    f: Callable[..., Any], out: Any, leaves: list[Node], points: list[Any], names: list[str], checked: list[int]
) -> None:
    """Refuse an f whose result depends on nodes it captured but on none of its `checked` inputs: the check
    would compare zeros with zeros and pass whatever the captured graph's rules are. Captured
    nodes are the leaves that a second call of f, on fresh inputs, reaches again."""
    if not isinstance(out, Node):
        return
    reached = _leaves(out)
    if any(id(leaves[i]) in reached for i in checked):
        return
    with enable_grad():
        again = f(*[_leaf(_copy(p), name) for p, name in zip(points, names)])
    if isinstance(again, Node) and reached.keys() & _leaves(again).keys():
        raise GradcheckError(
            "gradcheck: f's result depends on nodes it captured, not on the inputs it was given (f gets "
            "fresh float64 copies of `inputs`): make f compute from its arguments; to check the "
            "parameters a loss uses, call gradcheck_params"
        )


def _leaves(out: Node) -> dict[int, Node]:
    """The leaves out's graph reaches, by id."""
    return {id(n): n for n in topological_order(out) if n.op is None}


def check_settings(caller: str, eps: Any, atol: Any, rtol: Any) -> tuple[float, float, float]:
    """eps, atol and rtol as Python floats (a float32 eps would compute the differences in float32),
    refused if they make the check meaningless: eps 0 divides by zero, and a NaN or negative
    tolerance fails every row, blaming the gradients."""
    for name, value, least in (("eps", eps, "> 0"), ("atol", atol, ">= 0"), ("rtol", rtol, ">= 0")):
        if not is_real(value):
            raise TypeError(f"{caller}: {name} must be a number, got {type_name(value)} {repr_of(value)}")
        if not (math.isfinite(value) and (value > 0 if name == "eps" else value >= 0)):
            raise ValueError(f"{caller}: {name} must be finite and {least}, got {value!r}")
    return float(eps), float(atol), float(rtol)

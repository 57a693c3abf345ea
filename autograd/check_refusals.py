"""What gradcheck refuses before it compares anything, naming the input or entry: settings that make the check
meaningless, an f whose result is not real numbers, writes into its inputs or uses none of them, a point where
f's output is not finite, an element where x + eps or x - eps rounds to x, and a point moved by eps outside
f's domain."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .check_inputs import _copy, _leaf
from .check_numeric import GradcheckError
from .check_richardson import HALVINGS
from .dtypes import REAL_KINDS
from .graph import Node, raw
from .graph_order import topological_order
from .modes import enable_grad, is_real
from .type_names import repr_of, type_name

# how much smaller than eps a difference refined by halving it is counted on to step, at most (check_wider's larger
# eps too): 2**12, four halvings short of HALVINGS, which go on where an f turning fast needs them (sin(1e5 x) at eps
# 0.01) but may stop sooner for f's rounding
REACH = 2 ** (HALVINGS - 4)


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


def check_steps(points: Sequence[tuple[str, Any]], eps: float, who: str) -> None:
    """Refuse a check at a point with an element where x + eps or x - eps rounds to x: a step of 0 measures
    nothing on that side (eps below half x's float spacing: 1e-9 at 1e8), and of a difference that measures
    nothing, nothing can be judged. `points`: (name, point) of each input (or parameter) checked. The error names
    the largest such element and the eps that steps it; where the least such eps is over REACH times the eps asked
    for at the size of an element checked beside it (sizes below 1 counting as 1), it says to check them apart
    where f bends within it there: [1, 1e16] at eps 1.5e10 moved 1.0 by 1.5e10, and x ** 3's rule doubled on it
    alone could not be judged (torch's gradcheck fails the right rule at either eps); gradgradcheck's grad_outputs
    beside x ** 3's 1e16, in which f is linear, are judged at such an eps."""
    lost = []  # (|x|, name, index, x) of each input's largest element whose step rounds away
    for name, point in points:
        x = np.asarray(point, dtype=np.float64)
        with np.errstate(invalid="ignore"):  # inf - eps is inf: not finite, refused elsewhere if at all
            away = np.isfinite(x) & ((x + eps == x) | (x - eps == x))
        if away.any():
            index = np.unravel_index(int(np.argmax(np.where(away, np.abs(x), -1.0))), x.shape)
            lost.append((float(np.abs(x[index])), name, tuple(int(k) for k in index), float(x[index])))
    if not lost:
        return
    size, name, index, v = max(lost, key=lambda item: item[0])
    half = float(np.spacing(size)) / 2
    said = (
        f"{who}: {_element(name, index)} = {v!r}, where x + eps or x - eps rounds to x (eps={eps} is below half its "
        f"float spacing, {2 * half:.3g}), so the difference measures nothing there"
    )
    least, smallest = _smallest(points)
    apart = (
        f"; such an eps is over {REACH} times the eps={eps} asked for at the size of {smallest} = {least[1]!r}, "
        f"{size / least[0]:.2g} times smaller, beyond what a difference refined down to eps / {REACH} reaches: where f "
        "bends within it there, and that element cannot be judged, check them apart, each with an eps fitted to its "
        "size (gradcheck: a call for each, the others held fixed inside f as constant Tensors; gradcheck_params: a "
        "call per parameter)"
    )
    raise ValueError(
        f"{said}: give an eps above {half:.3g}, or well above where f's values round at its size too (x ** 2 at 1e12: "
        f"eps times |x|, {eps * size:.2g}, the step eps takes at 1, scaled to x), or check at a smaller value"
        + (apart if half > REACH * eps * least[0] else "")
    )


def _smallest(points: Sequence[tuple[str, Any]]) -> tuple[tuple[float, float], str]:
    """The finite element of least size, max(1, |x|), among `points` (its size and value), and its name."""
    best, named = (np.inf, np.inf), ""
    for name, point in points:
        x = np.asarray(point, dtype=np.float64)
        sizes = np.where(np.isfinite(x), np.maximum(1.0, np.abs(x)), np.inf)
        if x.size and np.isfinite(sizes).any():
            index = np.unravel_index(int(np.argmin(sizes)), x.shape)
            if sizes[index] < best[0]:
                best, named = (float(sizes[index]), float(x[index])), _element(name, tuple(int(k) for k in index))
    return best, named


def _element(name: str, index: tuple[int, ...]) -> str:
    """An element's name: `input 0[2]`, or the input's alone where it has no index (a Value)."""
    return f"{name}{list(index) if index else ''}"


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

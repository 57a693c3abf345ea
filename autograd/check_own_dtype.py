"""gradcheck's inputs of a narrower float dtype (float32, float16), checked in float64 (finite differences in
float32 are too coarse): their rules were run in float64 alone, so a rule wrong only for float32 (one that
branches on its input's dtype, or computes with a float32 constant that rounds to another number) passed.
Here f is also run once on them in their own dtype, and backward with the check's seed: each gradient must
be the float64 one, within the check's tolerance, that dtype's rounding, and 16 times f's output's relative
move in that dtype, of the largest gradient (`_drift`): a right rule's float32 gradient is off as far as f
rounds there (x - mean over float32 data of 3e3 + N(0, 1), normalised: 0.6% off where it is small, the
output 6e-4 off; the table's rules failed as computing otherwise in float32)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .check_entries import your_rule
from .check_inputs import laid_out_as
from .check_numeric import GradcheckError
from .check_rounding import gradient_seed
from .graph import Node, raw
from .graph_functions import gradients
from .graph_order import topological_order
from .modes import enable_grad
from .tensor_class import Tensor

_ROUNDINGS = 128  # a right rule's gradient in a narrower dtype is within this many of its eps (relative)
# and within this many times f's output's relative move in that dtype, of its largest gradient (measured: up
# to 2.6 times, ((x + 0.1)**2 - x**2).sum() at x ~ 1e5; x - mean over 1e3 + N(0, 1): 0.25 times)
_DRIFTS = 16


def narrow_float(data: Any) -> bool:
    """Whether `data` is an array (or a numpy scalar) of a float dtype narrower than float64."""
    return isinstance(data, np.ndarray | np.generic) and data.dtype.kind == "f" and data.dtype.itemsize < 8


def narrow_inputs(inputs: Sequence[Any], checked: list[int]) -> list[int]:
    """The positions of the checked inputs given as arrays or Tensors of a float dtype narrower than float64."""
    narrow = []
    for i in checked:
        data = inputs[i].data if isinstance(inputs[i], Tensor) else inputs[i]
        if isinstance(data, np.ndarray) and narrow_float(data):
            narrow.append(i)
    return narrow


def check_own_dtype(
    f: Callable[..., Any],
    leaves: list[Any],
    inputs: Sequence[Any],
    checked: list[int],
    wide: tuple[list[Any], Any, Node],
    tolerances: tuple[float, float],
) -> str | None:
    """Refuse a rule whose gradient in a narrow input's own dtype is not its float64 one (`wide`: the
    float64 gradients of the `checked` inputs, the seed's weights and f's float64 result; `leaves`: f's
    float64 arguments, of which the narrow ones are given in their own dtype; `tolerances`: atol, rtol).
    Where a gradient there is not finite, that entry is not judged where a node of f is not its float64 value there
    (overflowing, or underflowing: x * x at 1e-30) or the float64 gradient of the input or of a node is beyond that
    dtype's range (float32 overflows sooner), or where f reaches no op of one's own (the table's rules overflow there
    as PyTorch's: polygamma's at 1e-15), and fails where none (a rule's own
    overflow: g * exp(x) / (1 + exp(x)) at 100, NaN for 1); where f gives
    no graph or another shape in that dtype, nothing is. Returns why the gradients there cannot be judged
    (`compare_own_dtype`), or None."""
    narrow = narrow_inputs(inputs, checked)
    if not narrow:
        return None
    analytic, weights, wide_out = wide
    given = list(leaves)
    for i in narrow:
        data = np.asarray(inputs[i].data if isinstance(inputs[i], Tensor) else inputs[i])
        given[i] = Tensor(laid_out_as(data), requires_grad=True, label=getattr(leaves[i], "label", ""))
    with enable_grad(), np.errstate(all="ignore"):  # overflowing there alone is read off its nodes, not warned of
        out = f(*given)
    names = [getattr(leaves[i], "label", "") or f"input {i}" for i in narrow]
    wide_grads = [analytic[checked.index(i)] for i in narrow]
    return compare_own_dtype(out, [given[i] for i in narrow], (wide_grads, weights, wide_out), names, tolerances)


def compare_own_dtype(
    out: Any,
    nodes: list[Node],
    wide: tuple[list[Any], Any, Node],
    names: list[str],
    tolerances: tuple[float, float],
    run: str = "f is given it",
) -> str | None:
    """Refuse a rule whose gradient in `nodes` (narrow leaves, of which `out` was computed in their own
    dtype) is not its float64 one (`wide`: their float64 gradients, the seed's weights and the float64
    result; `names` label them; `run` says how out was computed with them: gradcheck's f, or
    gradcheck_params's loss()). Where f gives no graph or another shape in that dtype, nothing is judged.
    Where a node of f's graph in that dtype is off its float64 value by more than 128 of that dtype's
    roundings of its largest entry (`_node_drift`), f computes other numbers there (sin(x**2) at x = 15089 in
    float32: x**2 rounds by up to 8, and its sine is another number), and a right rule's gradients part as
    far as they like (-29805 for 799): where f's rules, run in float64 at those very numbers, give its
    gradients there too (`_rules_in_float64`), returns why they cannot be judged, for the caller to raise as
    undecided once the float64 rows agree (it said a rule computes otherwise in float32)."""
    wide_grads, weights, wide_out = wide
    base = np.asarray(raw(wide_out), dtype=np.float64)
    if not isinstance(out, Node) or out.is_constant or np.shape(raw(out)) != np.shape(base):
        return None  # f gave no graph, or another shape, in that dtype: no rule to compare
    seed = gradient_seed(out, weights)
    with np.errstate(all="ignore"):  # a node overflowing in that dtype alone: `_node_drift` says so
        grads = gradients(out, nodes, seed)
    atol, rtol = tolerances
    drift = _drift(raw(out), base)
    for position, (node, label, g, wide_g) in enumerate(zip(nodes, names, grads, wide_grads)):
        wide_g = np.asarray(wide_g, dtype=np.float64)
        own = np.asarray(g, dtype=np.float64)
        dtype = np.asarray(raw(node)).dtype
        rounding = _ROUNDINGS * float(np.finfo(dtype).eps)
        largest = float(np.max(np.abs(wide_g), initial=0.0))
        allowed = atol + (rtol + rounding) * np.abs(wide_g) + (rounding + _DRIFTS * drift) * largest
        lost = _overflowed(own, wide_g, dtype)
        # f's own numbers there its float64 ones (not lost to underflow: sqrt(x * x) at 1e-30), the gradient in
        # each a number there (x / (y * y)'s in y * y at y = 1e-20 is -1e50), and a rule of one's own among f's (the
        # table's polygamma overflows at 1e-15 in float32, as PyTorch's: no fault of the user's)
        fits = _node_drift(out, wide_out)[0] <= rounding and _gradients_fit(out, seed, dtype)
        if lost.any() and fits and any(your_rule(n) for n in topological_order(out)):
            at = tuple(int(k) for k in np.argwhere(lost)[0])
            raise GradcheckError(
                f"gradcheck: the gradient of {label + (str(list(at)) if at else '')} is {float(own[at]):.8g} when "
                f"{run} in its own dtype ({dtype}), {float(wide_g[at]):.8g} in float64, where f's every number is "
                f"finite in {dtype} and the gradient fits it: a rule overflows in {dtype} (exp of a large number "
                "inside it: compute it stably, sigmoid(x) rather than exp(x) / (1 + exp(x)))"
            )
        off = _apart(own, wide_g, allowed)
        if off.any():
            at = tuple(int(k) for k in np.argwhere(off)[0])
            name = label + (str(list(at)) if at else "")
            apart = f"{float(own[at]):.8g} when {run} in its own dtype ({dtype}), {float(wide_g[at]):.8g} in float64"
            far, what = _node_drift(out, wide_out)
            # f's numbers in that dtype are not its float64 ones, and its rules give there what they give in
            # float64 at those very numbers: no telling of the rules
            if far > rounding and not _apart(own, _rules_in_float64(out, nodes, seed)[position], allowed).any():
                return (
                    f"gradcheck: the gradient of {name} cannot be judged in its own dtype: it is {apart}, but f "
                    f"computes other numbers in {dtype} ({what}: a large number rounding before an op that turns "
                    "fast, as sin(x**2) at 15089, or overflowing), so a "
                    "right rule's gradients there part as far as they like; the float64 rows agree: check at a point "
                    "of smaller magnitude, or give the input in float64"
                )
            raise GradcheckError(
                f"gradcheck: the gradient of {name} is {float(own[at]):.8g} when {run} in its own dtype "
                f"({dtype}), {float(wide_g[at]):.8g} in float64 (whose rules the rows check), beyond atol + rtol * "
                f"|gradient| and {_ROUNDINGS} times {dtype}'s rounding: a rule computes otherwise in {dtype} (does it "
                "branch on its input's dtype, or use a constant that rounds there?)"
            )


def _apart(own: np.ndarray, other: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Where two gradients, both finite, are further apart than `allowed`."""
    with np.errstate(invalid="ignore"):
        return np.isfinite(own) & np.isfinite(other) & (np.abs(own - other) > allowed)


def _overflowed(own: np.ndarray, wide: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Where the gradient in the narrow dtype is not finite and the float64 one is, within that dtype's range (a
    rule's own overflow there: exp(100) in float32 inside g * exp(x) / (1 + exp(x)), whose gradient is 1)."""
    with np.errstate(invalid="ignore"):
        return ~np.isfinite(own) & np.isfinite(wide) & (np.abs(wide) <= float(np.finfo(dtype).max))


def _gradients_fit(out: Node, seed: Any, dtype: np.dtype) -> bool:
    """Whether the gradient of every node of f's graph in `dtype` (`out`), by its rules run in float64 at its numbers
    (`_rules_in_float64`), lies within `dtype`'s range: where one does not, its gradient there is not finite whatever
    the rules (log's slope at a subnormal)."""
    grads = _rules_in_float64(out, [n for n in topological_order(out) if n.op is not None], seed)
    largest = float(np.finfo(dtype).max)
    return all(g is None or bool(np.all(np.abs(np.asarray(raw(g), dtype=np.float64)) <= largest)) for g in grads)


def _rules_in_float64(out: Node, nodes: list[Node], seed: Any) -> list[Any]:
    """The gradients of `nodes` by the rules of out's graph run in float64 at the very numbers it computed in the
    narrow dtype (each node's data widened for the pass, then put back): where the narrow pass's gradients are
    these, its rules compute there what they compute in float64, and a gradient off the float64 run's is the
    doing of f's other numbers; where not, a rule computes otherwise in the narrow dtype (one giving 0 there
    beside (x + 3000) - 3000.5, which rounds otherwise in float32, was said to be one that cannot be judged)."""
    order = [n for n in topological_order(out) if isinstance(n, Tensor)]
    kept = [n._data for n in order]
    try:
        for n in order:  # the data alone, not its version count: the graph is the same, read again
            if narrow_float(n._data):
                n._data = n._data.astype(np.float64)
        with np.errstate(all="ignore"):
            return gradients(out, nodes, seed)
    finally:
        for n, data in zip(order, kept):
            n._data = data


def _node_drift(narrow: Node, wide: Node) -> tuple[float, str]:
    """The largest `_drift` of a node of f's graph in the narrow dtype from the same node in float64, and what
    that node is and how far off ("sin's output is off its float64 value by 1.5 of its largest entry"); inf
    where a node overflows there alone (x**6 at 4e8: its float32 gradient is 0 beside 4.6e17 in float64); (0,
    "") where the two graphs differ in their nodes or shapes."""
    nodes, wide_nodes = topological_order(narrow), topological_order(wide)
    if len(nodes) != len(wide_nodes):
        return 0.0, ""
    worst = (0.0, "")
    for n, w in zip(nodes, wide_nodes):
        if np.shape(raw(n)) != np.shape(raw(w)) or (n.op is None) != (w.op is None):
            return 0.0, ""
        if n.op is None:
            continue
        if np.any(np.isfinite(np.asarray(raw(w), dtype=np.float64)) & ~np.isfinite(np.asarray(raw(n)))):
            return math.inf, f"{n.op.name}'s output overflows"
        drift = _drift(raw(n), raw(w))
        if drift > worst[0]:
            worst = (drift, f"{n.op.name}'s output is off its float64 value by {drift:.2g} of its largest entry")
    return worst


def _drift(narrow: Any, wide: np.ndarray) -> float:
    """How far f's output in the narrow dtype is from its float64 one, relative to the latter's largest entry
    (entries finite in both; inf where the float64 one is 0 and the narrow one is not: no telling)."""
    narrow, wide = np.asarray(narrow, dtype=np.float64), np.asarray(wide, dtype=np.float64)
    both = np.isfinite(narrow) & np.isfinite(wide)
    if not both.any():
        return 0.0
    narrow, wide = narrow[both], wide[both]  # inf - inf would be numpy's NaN and its warning
    moved = float(np.max(np.abs(narrow - wide)))
    size = float(np.max(np.abs(wide)))
    return moved / size if size > 0 else (0.0 if moved == 0 else math.inf)

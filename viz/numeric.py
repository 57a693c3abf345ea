"""`draw(check=True)`: each leaf's gradient beside a central finite difference, so a wrong derivative
rule shows where. The root is recomputed with the leaf moved by ±h: the recorded ops replayed on raw
data (`Op.run`), inputs before the nodes made from them, in float64."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd import Node, Tensor, gradcheck

_DEFAULTS = inspect.signature(gradcheck).parameters  # the step and tolerances gradcheck uses by default
STEP, ATOL, RTOL = (_DEFAULTS[name].default for name in ("eps", "atol", "rtol"))


@dataclass(frozen=True)
class Check:
    """A leaf's gradient against the finite difference: for a tensor, both along one random direction
    (the sum of grad × direction, against the root's change as the whole tensor moves that way)."""

    analytic: float
    numeric: float | None  # None: the root is undefined at leaf ± h
    problem: str  # why numeric is None
    direction: bool  # compared along a random direction (tensors)

    @property
    def agrees(self) -> bool:
        return self.numeric is not None and abs(self.analytic - self.numeric) <= ATOL + RTOL * abs(self.numeric)


def finite_difference_checks(
    root: Node, order: list[Node], consts: set[int], grads: dict[int, Any]
) -> dict[int, Check]:
    """By leaf id, each leaf's gradient (`grads`, d root / d node by id) against a central difference."""
    require_one_number(root)
    base = replay(order, {})
    inputs = list(reversed(order))
    checks = {}
    for leaf in (n for n in order if n.op is None and id(n) not in consts):
        direction = np.random.default_rng(0).standard_normal(leaf.shape) if isinstance(leaf, Tensor) else 1.0
        analytic = float(np.sum(np.asarray(grads[id(leaf)], dtype=np.float64) * direction))
        try:
            ends = [replay(inputs, {id(leaf): base[id(leaf)] + s * STEP * direction}, base, reverse=False)
                    for s in (1, -1)]  # fmt: skip
        except (ArithmeticError, ValueError) as e:
            checks[id(leaf)] = Check(analytic, None, str(e), isinstance(leaf, Tensor))
            continue
        numeric = (_number(ends[0][id(root)]) - _number(ends[1][id(root)])) / (2 * STEP)
        checks[id(leaf)] = Check(analytic, numeric, "", isinstance(leaf, Tensor))
    return checks


def require_one_number(root: Node) -> None:
    """Refuse a root that is not one number: a finite difference measures the change of one."""
    if isinstance(root, Tensor) and root.size != 1:
        raise ValueError(f"check=True compares gradients of one number: the root has shape {root.shape}; draw y.sum()")


def replay(
    order: list[Node], moved: dict[int, Any], base: dict[int, Any] | None = None, reverse: bool = True
) -> dict[int, Any]:
    """Every node's data recomputed (by id) through the recorded ops, in float64, with the leaves in
    `moved` (by id) given new data. With `base` (an earlier replay), only the nodes that depend on a
    moved leaf are recomputed. `order` is root first (`reverse`) or inputs first."""
    values: dict[int, Any] = dict(base) if base else {}
    changed = set(moved)
    with np.errstate(all="ignore"):  # a NaN is a value to compare, not a warning
        for node in reversed(order) if reverse else order:
            if id(node) in moved:
                values[id(node)] = moved[id(node)]
            elif node.op is None:
                if base is None:
                    values[id(node)] = _float64(node.data)
            elif base is None or any(id(p) in changed for p in node.parents):
                params = node.op_params if isinstance(node, Tensor) else None
                values[id(node)] = node.op.run([values[id(p)] for p in node.parents], params)
                changed.add(id(node))
    return values


def _float64(data: Any) -> Any:
    """Floating data in float64, for differences of 1e-6; anything else (integer labels) as it is."""
    if isinstance(data, np.ndarray) and data.dtype.kind == "f":
        return data.astype(np.float64)
    return data


def _number(x: Any) -> float:
    return float(np.asarray(x, dtype=np.float64).reshape(-1)[0])

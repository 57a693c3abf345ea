"""Rounding inside an op of the user's own, looked for at a larger scale: f's slope at eps beside its slope
at PROBE eps, for every element that reaches such an op.

`Op(lambda x: (x + 1e12) - 1e12, rule 0)(x) + b` keeps x to steps of 2**-13, so it does not move at x +- 1e-6,
and its value takes b's bits: no reading of the bits of f's numbers (check_grain) shows the grid, and the
rule's 0 passed beside the difference's 0 (a right rule, 1, failed). Over PROBE eps the grid moves it by
at least half its slope wherever its step is below PROBE eps. A smooth f's slope moves there too, by its
truncation, but gradually, 4 times as far at each doubling of the shift: where it moves off suddenly
(`far_off`), f has a grid, a kink or a jump within PROBE eps of the point, and its slope at eps cannot
vouch for the rule. Ops of the op table compute in their graph's sight (check_rounding reads their
rounding): their inputs are not looked at."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .check_grain import LOST, PROBE
from .check_rounding import gradient_seed
from .graph import Node, raw
from .graph_order import topological_order
from .graph_rules import pullback
from .op import engine_forward

GRAIN = 8192  # a grid of eps / GRAIN or wider inside f: check_richardson's smallest step, eps / 4096, may meet it


class Far(NamedTuple):
    """An entry whose slope at PROBE eps (`far`) is not its slope at eps (`near`) as a smooth f's would be:
    its position in the row's entries (in ravel's order); and the row's slope at PROBE eps (`row`)."""

    entry: int
    near: float
    far: float
    row: float


def own_op(node: Node) -> bool:
    """Whether node's op computes with a forward of the user's (not an engine op's: engine_forward), whose inside
    is not seen."""
    return node.op is not None and not engine_forward(node.op)


def _coarse_nodes(order: list[Node], leaves: list[Node], eps: float) -> set[int]:
    """The ids of the nodes of f's graph (`order`: the output first) that keep the leaves to a grid `LOST` bits
    coarser than the finest leaf's and eps / GRAIN wide or more: each node's spacing over its largest slope in the
    leaves, carried up from them by each op's own rule, one step a node (`pullback`, seeded with ones: a bound for
    a path's slope, not a sum of paths'). Where a rule giving 0 below leaves a node no slope in them (sin(x) + 1e12,
    the sin's rule 0), its own step: `LOST` bits coarser than the input it moves with. Ops of the user's own are
    not stepped through (their leaves are looked at already, and their rules not run again); integers neither."""
    slopes = {id(leaf): 1.0 for leaf in leaves}  # a node reached from the leaves: its largest slope in them, or 0
    own = 2.0**LOST * min((_spacing(leaf) for leaf in leaves), default=0.0)  # the finest leaf's: the most looked at
    coarse: set[int] = set()
    with np.errstate(all="ignore"):
        for node in reversed(order):
            reached = [id(p) in slopes for p in node.parents]
            if node.op is None or own_op(node) or not any(reached) or np.asarray(raw(node)).dtype.kind != "f":
                continue
            local = [_largest(g) for g in pullback(node, gradient_seed(node, None))]
            spacing = _spacing(node)
            slope = slopes[id(node)] = max(a * slopes.get(id(p), 0.0) for p, a in zip(node.parents, local))
            if slope > 0 and spacing / slope >= max(own, eps / GRAIN):
                coarse.add(id(node))
            elif slope == 0 and any(
                a > 0 and spacing / a >= max(own, 2.0**LOST * _spacing(p))
                for p, a, r in zip(node.parents, local, reached)
                if r
            ):
                coarse.add(id(node))
    return coarse


def _largest(values: Any) -> float:
    """The largest magnitude among `values` (None: 0)."""
    return 0.0 if values is None else float(np.max(np.abs(np.asarray(raw(values), dtype=np.float64)), initial=0.0))


def _spacing(node: Node) -> float:
    """The largest spacing of node's values."""
    return float(np.max(np.spacing(np.abs(np.asarray(raw(node)))), initial=0.0))


def reaching_own_ops(out: Any, leaves: list[Node], eps: float) -> frozenset[int]:
    """The positions among `leaves` of those some op of the user's own in out's graph depends on, or a node that
    keeps them to a grid `LOST` bits coarser than their own and eps / GRAIN wide or more (`_coarse_nodes`): its
    rounding is read through the gradients after it, which a wrong rule sets. 2 x + sin(3e3 (x + 1e12)), the
    sin's rule giving 0 (x + 1e12 keeps x to steps of 1.2e-4, 41 bits coarser than 0.3's), passed; so did 2 x +
    sin(3e3 g) + log(g), g = x + 1e12, its rounding read at log's 1e-12, and a sin of (((x + 1e3) + 1e6) + 1e9) +
    1e12, which loses 10 or 11 bits at each node. Not x**2 at 49068 (4.9e-12, finer than x's 7.3e-12), a flat
    op's (floor's slope 0: no grid it keeps), or a sum of 4096 numbers near 1 (a grid of 9e-13 in each, which eps
    reads)."""
    if not isinstance(out, Node) or out.is_constant:
        return frozenset()
    order = topological_order(out)
    coarse = _coarse_nodes(order, leaves, eps)
    feeds: set[int] = set()  # the ids of nodes an op of the user's, or a coarse grid, depends on
    for node in order:  # from the output down: a node's consumers come before it (reversed, x * 1.0 was not seen)
        if id(node) in feeds or own_op(node) or id(node) in coarse:
            feeds.update(id(p) for p in node.parents)
    return frozenset(k for k, leaf in enumerate(leaves) if id(leaf) in feeds)


def far_off(
    at: Callable[[float], np.ndarray],
    step: Callable[[float], float],
    near: np.ndarray,
    rounding: np.ndarray,
    weights: Any,
    tolerances: tuple,
) -> Far | None:
    """The first entry whose slope at PROBE eps is not its slope at eps (`near`, each entry's; `rounding`,
    how far its rounding may move it) within atol + rtol * its size, and whose slope moves off that at eps
    suddenly, not as a smooth f's does, at one of the shifts 2, 4, ..., PROBE eps; or None. `weights`: the
    row's (None for one entry); `at(shift)`: f's output at the point moved by shift (the row's entries);
    `step`: the shift as it rounds; `tolerances`: eps, atol, rtol. Where f is undefined or not finite that
    far out, no telling: None.

    A smooth f's slope moves off by about h**2 f''' / 6 at a shift h, 4 times as far at each doubling
    (about as far once the shift passes a bend; near a pole, more: 1/x at 4e-4 moves 8 times as far at
    256 eps as at 128). A grid of step q leaves the slope as it is at shifts that reach no step, and moves
    it by half its hidden slope or more at the first shift that does (a kink or a jump alike): from a slope
    not yet moved beyond the allowed error at half the shift, beyond 6 times that move (and the allowed
    error), it is read as no smooth f's. Two more calls of f at the screen, 14 more where it parts."""
    eps, atol, rtol = tolerances
    near, rounding = np.ravel(near), np.ravel(rounding)
    try:
        with np.errstate(all="ignore"):
            far = _slopes_at(at, step, PROBE * eps)
            allowed = atol + rtol * np.maximum(np.abs(near), np.abs(far)) + rounding
            off = (np.abs(far - near) > allowed) & np.isfinite(far) & np.isfinite(near)
            if not off.any():
                return None
            # from eps: a baseline at eps / 2 (a smooth f's move there is a quarter of the one to 2 eps) left a
            # jump 0.4 eps away unseen (its moves halve), and a grid behind a slope that moves that fast too
            sudden, before = np.zeros_like(off), np.zeros_like(near)
            shift = 2 * eps
            while shift <= PROBE * eps:
                moved = (far if shift == PROBE * eps else _slopes_at(at, step, shift)) - near
                # from a slope not yet seen to move: a smooth f's, near a pole, grows past 6 times its move
                # at half the shift once it moves by a tenth (1/x at 4e-4), a grid's from nothing
                still = np.abs(before) <= allowed
                sudden |= still & np.isfinite(moved) & (np.abs(moved) > 6 * np.abs(before) + allowed)
                before, shift = moved, 2 * shift
    except (ArithmeticError, ValueError):  # f undefined that far out (a domain's edge): no telling
        return None
    off &= sudden
    if not off.any():
        return None
    k = int(np.flatnonzero(off)[0])
    row = float(far[0]) if weights is None else float(np.sum(np.ravel(weights) * far))
    return Far(k, float(near[k]), float(far[k]), row)


def _slopes_at(at: Callable[[float], np.ndarray], step: Callable[[float], float], shift: float) -> np.ndarray:
    """Each entry's central difference with a shift of `shift`, by the step as it rounds."""
    return np.ravel(at(shift) - at(-shift)) / (step(shift) - step(-shift))


FAR_ROW = f"an op of yours steps within {PROBE} eps:"  # how such a row's verdict reads after "cannot judge"
FAR = (
    f"an op of yours (not the op table's), or a node of f's graph that keeps x to a grid 12 bits coarser than "
    "its own (x + 1e12: steps of 1.2e-4), whose rounding is read through gradients a rule after it sets, steps "
    f"within {PROBE} eps of x: an entry of f's output (f[k], in f's "
    f"ravel order) has another slope at {PROBE} eps than at eps, and moves to it suddenly, not as a smooth f's "
    "does (4 times as far at each doubling of the shift): rounding inside the op ((x + 1e12) - 1e12 keeps x "
    "to steps of 1.2e-4, which x +- eps does not show where other numbers are added to it), a kink or a "
    "jump. Its slope at eps cannot vouch for a rule there: compute the op without the rounding, check with "
    "an eps well beyond its steps, or at a point farther from the kink"
)


def within_reach(a: float, n: float, far: Far, tolerance: float) -> bool:
    """Whether the rule's slope `a` lies within what a grid, kink or jump within PROBE eps, which moves the
    row's slope from its numeric one `n` to `far.row`, leaves open: n, give or take twice that move and the
    row's `tolerance`. A rule beyond it fails as it would (3 where (x + 1e12) - 1e12's slope is 1)."""
    return abs(a - n) <= abs(far.row - n) * 2 + tolerance


def far_reason(far: Far, block: slice | None) -> str:
    """A row's verdict where `far` names an entry (of the row's `block` of f's output; None: all of it)."""
    k = far.entry + (block.start if block is not None else 0)
    return f"{FAR_ROW} f[{k}]'s slope is {far.near:.6g} at eps, {far.far:.6g} at {PROBE} eps"

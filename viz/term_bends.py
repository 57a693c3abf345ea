"""Whether the terms inside the root follow a line across a step of `check=True`'s measure. A term may bend, wiggle
or jump within a step while the root's rounding hides it: 2·x + sin(x) at 4.4e14 (the root's rounding 1.6 per unit
of step beside sin's wiggles of 1) measured 2 at every step wide enough to see past that rounding, though its slope
is 3, and was drawn red. A step is judged only where every term is as straight across it as the root must be
(`numeric._Try.settled`, steady from the step before), each by its own rounding.

The terms are the nodes between the leaf and the root, but not rounding ops or what is made from them: their stairs
are told by whole_floats and the measure with them held still (numeric_leaves)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd import Node, Tensor

from .check_verdicts import EPS, ROUNDING, SETTLED, TINY
from .numeric import BEST_STEP, largest
from .whole_floats import rounds


@dataclass(frozen=True)
class Slopes:
    """Every term element's one-sided slopes at one step, and their rounding (per unit of step)."""

    right: np.ndarray
    left: np.ndarray
    noise: np.ndarray

    @property
    def central(self) -> np.ndarray:
        return self.right / 2 + self.left / 2

    @property
    def gap(self) -> np.ndarray:
        return np.abs(self.right - self.left)


@dataclass(frozen=True)
class Terms:
    """The terms of a leaf's root (`smooth_terms`): which term each of their flattened numbers is of, and the
    rounding each carries from the terms it is made from."""

    nodes: list[Node]
    owners: np.ndarray  # each element's term, as an index into `nodes`
    carried: np.ndarray  # each term's: the rounding of the terms it is made from, as it moves the term
    at: np.ndarray  # their numbers at x (the base replay's: moving the leaf nowhere replays them bit for bit)

    def values(self, replayed: dict[int, Any]) -> np.ndarray:
        """The terms' numbers in one replay, flattened into one array."""
        return _flat(self.nodes, replayed)

    def slopes(self, up: np.ndarray, down: np.ndarray, h_up: float, h_down: float) -> Slopes:
        """The one-sided slopes between the replays at x − h, x and x + h, and their rounding, as the root's: each
        term rounds at its own size and with what it carries (`Terms.carried`)."""
        at = self.at
        with np.errstate(all="ignore"):
            own = np.maximum.reduce([np.abs(up), np.abs(at), np.abs(down)])
            biggest = np.maximum(own + self.carried[self.owners], TINY)
            noise = ROUNDING * EPS * biggest / min(h_up, h_down)
            return Slopes((up - at) / h_up, (at - down) / h_down, noise)

    def bending(self, before: Slopes, now: Slopes) -> np.ndarray:
        """Which term elements do not follow a line across the step, nor two (a kink: relu(x) at 0): a line's
        one-sided slopes agree or draw together from the step before, and its central slope stays; a kink's
        one-sided slopes each stay. A term that is not finite at either step is left to the root's own measure."""
        with np.errstate(all="ignore"):
            scale = np.maximum.reduce([np.abs(before.right), np.abs(before.left), np.abs(now.right), np.abs(now.left)])
            allowed = SETTLED * scale + before.noise + now.noise

            def stays(a: np.ndarray, b: np.ndarray) -> np.ndarray:
                return np.abs(a - b) <= allowed

            settled = (now.gap <= SETTLED * scale + now.noise) | (now.gap <= before.gap / 2)
            line = settled & stays(now.central, before.central)
            # a smooth bend, as Taylor's series has it: the one-sided slopes draw together as the step, their gap the
            # step times the curvature, and the central one moves by a small share of that gap (x³ at -8.95e-5:
            # 3.6e-11 beside 3.3e-9, though 1.5e-3 of its slope), leaving the finer step's central slope a hundredth
            # of that off. Wiggles within the step (sin at 1e14, its period 6.3 beside steps of 6e8) part and join
            # at random
            apart, apart_before = now.right - now.left, before.right - before.left
            tenfold = np.abs(apart - apart_before / 10) <= np.abs(apart_before) / BEND / 10 + now.noise
            smooth = tenfold & (np.abs(now.central - before.central) <= np.abs(apart_before) / BEND)
            kink = stays(now.right, before.right) & stays(now.left, before.left)
            finite = np.isfinite(now.central) & np.isfinite(before.central) & np.isfinite(now.noise)
            return finite & ~(line | smooth | kink)

    def unresolved(self, now: Slopes, bent: np.ndarray) -> bool:
        """Whether a term element that bent at a wider step (`bent`) moves only within its rounding now: tan(x·x) at
        5.7e13 bends within every step, till at the finest its slope, -20 ± 42, is x·x's rounding alone, which a
        line fits as well as tan's wiggles do. A line that never bent may (2·x at 5e4, its slope 2 ± 5)."""
        with np.errstate(all="ignore"):
            moving = (now.right != 0) | (now.left != 0)
            return bool(np.any(bent & moving & (np.abs(now.central) <= now.noise)))

    def name(self, bent: np.ndarray) -> str:
        """The op of the first term element in `bent`."""
        return self.nodes[int(self.owners[int(np.argmax(bent))])].op.name


def smooth_terms(downstream: list[Node], base: dict[int, Any], grads: dict[int, Any]) -> Terms:
    """The nodes strictly between the leaf and the root (`downstream`, inputs first, the root last) that are no
    rounding op nor made from one, with numbers (not labels). Each rounds at its own size and carries the rounding of
    the terms it is made from, times its slope in them: the larger of what backward's gradients give (theirs over its
    own) and what its op gives (`_slope`), as a rule of 0 gives none (tan(x·x) at 8.2e13 carries x·x's 6.7e27 times
    1.2: its measured slopes are that rounding's, and would say 4e-15); not the leaf's, which the measure moves exactly
    (sin(x) at 4.4e14 rounds at 1). A wrong rule misjudges only what a term carries, so which steps judge, never the
    judging."""
    stepped: set[int] = set()
    nodes: list[Node] = []
    for n in downstream[1:-1]:
        if rounds(n) or any(id(p) in stepped for p in n.parents):
            stepped.add(id(n))
        elif np.asarray(base[id(n)]).dtype.kind in "fc":
            nodes.append(n)
    index = {id(n): i for i, n in enumerate(nodes)}
    carried = np.zeros(len(nodes))
    with np.errstate(all="ignore"):
        for i, n in enumerate(nodes):
            mine = largest(grads.get(id(n), 0.0))
            for p in (p for p in {id(p): p for p in n.parents}.values() if id(p) in index):  # x·x's x once
                gain = largest(grads.get(id(p), 0.0)) / mine if mine > 0 else 0.0
                size = largest(base[id(p)])
                # backward's gain is the rule's, which a rule of 0 makes 0 (sin(x·3) + x at 55.4 carried nothing of
                # x·3's rounding, seemed to bend at fine steps and took back its red): the op's own slope as well
                gain = max(gain, _slope(n, p, base) / size if size > 0 else 0.0)
                carried[i] += (size + carried[index[id(p)]]) * gain
    sizes = [int(np.size(base[id(n)])) for n in nodes]
    return Terms(nodes, np.repeat(np.arange(len(nodes)), sizes), carried, _flat(nodes, base))


def _flat(nodes: list[Node], replayed: dict[int, Any]) -> np.ndarray:
    """The nodes' numbers in one replay, flattened into one array."""
    if not nodes:
        return np.zeros(0)
    return np.concatenate([np.asarray(replayed[id(n)], dtype=np.float64).reshape(-1) for n in nodes])


# a smooth bend's one-sided slopes' gap shrinks tenfold with the step, within 1 / BEND of itself, and its central slope
# moves by at most 1 / BEND of the gap before (the step times the third derivative over the second, a sixth: the step
# well within where the bend changes)
BEND = 4

# the shares of a parent its op's slope is measured over: the finite differences' best step, and a finer one for an op
# that wiggles within that (sin of x·x = 4.4e7, whose period of 6.3 BEST_STEP's share, 260, spans 40 times)
SHARES = (BEST_STEP, 1e-10)


def _slope(node: Node, parent: Node, base: dict[int, Any]) -> float:
    """How far `node` moves, as its op says (not its rule), when `parent` is scaled by 1 ± a share (SHARES): per unit of
    that share, its largest change over the shares (0 where the op refuses there)."""
    params = node.op_params if isinstance(node, Tensor) else None

    def run(scale: float) -> np.ndarray:
        inputs = [base[id(q)] * scale if q is parent else base[id(q)] for q in node.parents]
        return np.asarray(node.op.run(inputs, params), dtype=np.float64)

    try:
        return max(largest((run(1 + s) - run(1 - s)) / (2 * s)) for s in SHARES)
    except (ArithmeticError, ValueError):  # out of its domain there
        return 0.0

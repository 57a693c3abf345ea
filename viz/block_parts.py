"""The directions `draw(check=True)` measures a tensor of more than one block's elements along: gradcheck_blocks'
blocks, cut apart by the elements' sizes (`groups`), and halved where a block measured a kink (`halves`).

A block's steps are scaled by its largest element (numeric.measure), so elements more than SPREAD apart in size are
blocked apart: 64 elements, every other near 1 and the rest near 1e16, through tanh with a rule off by +1, were grey,
the small ones moved by steps of 6e10. A block that measures a kink (a max pool's tie) says nothing of its other
elements, which a tie leaves smooth: halved until the kink is an element's own, a rule doubled on the untied ones
shows red, as the right rule stays a grey kink at the tie; at most SPLITS halves a block and LEAF_SPLITS a
leaf, as each costs a measure.
Each block is measured along the signs of backward's gradient too (`_signed`), and its halves keep its signs."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from autograd import gradcheck_blocks

from .check_verdicts import BEST_STEP, DISAGREE, KINK, KINK_DISAGREE, RESOLVES, RTOL, TOO_SMALL, Check, best_steps
from .number_text import summary
from .numeric import SHRINKS

# sizes a block may mix: its steps, scaled by its largest element and shrinking tenfold SHRINKS times while they bend,
# still reach a step fitted to its smallest
SPREAD = 10.0 ** (SHRINKS - 1)
SPLITS = 128  # halves measured at most per block (a block of 32 has 62: each is halved to its elements)
# and per leaf: a later block was told grey where earlier ones spent a shared 128, its error unconfirmed
LEAF_SPLITS = 512  # a leaf of 256 elements halved whole: 8 blocks of 62
RED = (DISAGREE, KINK_DISAGREE)
HALVED = (KINK, TOO_SMALL, *RED)  # a block that measured these is halved, for the elements it cannot tell of
ALONG_BLOCK, ALONG_SIGNS = "along a direction", "along the gradient's signs"  # a block's two directions


class Part(NamedTuple):
    """A direction to measure along: its name, the direction (the tensor's shape), the gradient, and a block's tolerance
    with the share of it its elements' rounding makes (None for one element, judged as one number)."""

    name: str
    direction: np.ndarray
    grad: Any
    tolerance: tuple[float, float] | None
    along: str = ALONG_BLOCK


class Blocks(NamedTuple):
    """A tensor's data and gradient in float64, each element's rounding share of its tolerance, and the block size."""

    data: np.ndarray
    grad: np.ndarray
    rounding: np.ndarray
    size: int

    def parts(self) -> tuple[list[Part], str]:
        """A Part per block of each group of sizes, and how they compared: "in 2 blocks of 32 elements"."""
        groups = _groups(self.data)
        if len(groups) == 1:  # the whole tensor: its blocks named by numpy's index, as gradcheck_params names them
            step = _step(self.data)
            whole = gradcheck_blocks("", self.data, self.grad, step, self.rounding, RTOL, self.size, _rng())
            parts = [self._part(f"elements {b.elements}", b.direction, b.tolerance, ALONG_BLOCK) for b in whole]
        else:
            parts = [part for low, high, members in groups for part in self._blocks(members, self.size, _of(low, high))]
        even = len(groups) == 1 and self.data.size % self.size == 0
        signed = [twin for part in parts for twin in (part, self._signed(part))]
        return signed, f"in {len(parts)} blocks of {'' if even else 'up to '}{self.size} elements"

    def halves(self, part: Part) -> list[Part]:
        """A block's two halves (an element alone is no block: none), each along the block's own signs: the block's
        slope is theirs summed, its tolerance too, so where the block disagrees one of them does."""
        members = np.flatnonzero(part.direction)
        halved = " (a block halved)"
        return self._blocks(members, -(-members.size // 2), halved, part) if members.size > 1 else []

    def lost(self) -> np.ndarray:
        """The elements (flat indices) whose rounding share of their tolerance is RESOLVES of their slope or more (of
        the largest slope, for a slope of 0): a block's green says nothing of them. x² of 64 elements ±1..1e8, a root
        near 3e16, allowed the elements near 1, slopes near 2, its rounding of 1.8e7, and a rule 2x + 1 was green."""
        slopes = np.abs(self.grad.ravel())
        largest = float(np.max(slopes, initial=0.0, where=np.isfinite(slopes)))
        reach = np.where(slopes > 0, slopes, largest)
        return np.flatnonzero((self.rounding.ravel() >= RESOLVES * reach) & (reach > 0))

    def _blocks(self, members: np.ndarray, m: int, note: str, parent: Part | None = None) -> list[Part]:
        own = (self.data.ravel()[members], self.grad.ravel()[members], self.rounding.ravel()[members])
        parts = []
        for b in gradcheck_blocks("", *own[:2], _step(own[0]), own[2], RTOL, m, _rng()):
            direction = np.zeros(self.data.size)
            direction[members] = b.direction
            direction = direction.reshape(self.data.shape)
            if parent is not None:  # a direction's tolerance is its sizes' alone: the parent's signs keep it
                direction = np.abs(direction) * np.sign(parent.direction)
            named = _named(self.data.shape, members[b.start : b.stop]) + note
            parts.append(self._part(named, direction, b.tolerance, ALONG_BLOCK if parent is None else parent.along))
        return parts

    def _signed(self, part: Part) -> Part:
        """The block along the signs of backward's gradient (+ where it is 0): an error that is a share of each
        element's slope adds up there, where the block's own signs, random against the slopes', cancel it (sin of 64
        elements ±1e3..1e8, its rule 1.01·cos, backward 7427558 beside 7354010: green)."""
        direction = np.abs(part.direction) * np.where(self.grad < 0, -1.0, 1.0)
        return self._part(part.name.removesuffix(f" {part.along}"), direction, part.tolerance[0], ALONG_SIGNS)

    def _part(self, named: str, direction: np.ndarray, tolerance: float, along: str) -> Part:
        share = float(np.sum(abs(direction) * self.rounding))
        return Part(f"{named} {along}", direction, self.grad, (tolerance, share), along)


def halved_parts(part: Part, measured: Any, blocks: Blocks, left: list[int], ends: list) -> tuple[Any, Any]:
    """A red element found by halving `part` on (each half red, a kink or too small to judge is halved again, up to
    left[0] halves), and the first element alone found at a kink: (name, check) each, or None. A half too small to
    judge may hold the block's error: clip of 64 elements, 16 at -1 or 1, its rule doubled, read 1.4e-5 beside 3.3e-5
    as a block, each half ±1.5e-5, and was drawn grey."""
    kink = None
    split = blocks.halves(part) if left[0] > 0 else []
    left[0] -= len(split)
    if not split:  # no halves left to measure: the part is told undecided
        ends.append((part.name, Check(0.0, None, TOO_SMALL)))
    for half in split:  # the kink's halves in turn: it is found within few
        check = measured(half)
        alone = np.count_nonzero(half.direction) == 1
        if alone and check.verdict in RED:
            return (half.name, check), kink
        if alone and check.verdict == KINK:
            kink = kink or (half.name, check)
        if alone or check.verdict not in HALVED:
            ends.append((half.name, check))
        else:  # too small: it may hold the block's error
            red, within = halved_parts(half, measured, blocks, left, ends)
            kink = kink or within
            if red is not None:
                return red, kink
    return None, kink


def _step(x: np.ndarray) -> float:
    """The step gradcheck_blocks takes a block's tolerance along as it rounds: numeric.measure's, scaled by the
    largest max(1, |x|) it moves. Unscaled, x ± 6e-6 rounded to x for elements near 1e16, and the tolerance was 0:
    float32 (w ** 3).sum() of 64 such elements, a right rule, red ("numeric 2.784e+49 ✗ backward 2.784e+49")."""
    return float(np.max(best_steps(x), initial=BEST_STEP, where=np.isfinite(x)))


def _rng() -> np.random.Generator:
    return np.random.default_rng(0)


def _groups(x: np.ndarray) -> list[tuple[float, float, np.ndarray]]:
    """The elements' flat indices (ravel's order) grouped by size, max(1, |x|), each group's within SPREAD of its
    smallest, with the least and the most of its sizes. One group where all are within SPREAD (most tensors)."""
    sizes = np.maximum(1.0, np.abs(np.where(np.isfinite(x), x, 1.0))).ravel()
    order = np.argsort(sizes, kind="stable")
    ordered = sizes[order]
    groups, start = [], 0
    while start < order.size:
        stop = int(np.searchsorted(ordered, SPREAD * ordered[start], side="right"))
        groups.append((float(ordered[start]), float(ordered[stop - 1]), np.sort(order[start:stop])))
        start = stop
    return groups


def _named(shape: tuple[int, ...], members: np.ndarray) -> str:
    """Elements by their index in `shape`: one alone; a run as its first to its last (a vector's as a slice), else the
    first three and the last."""
    index = [str(list(map(int, np.unravel_index(i, shape)))) for i in members]
    if len(index) == 1:
        return f"element {index[0]}"
    if members[-1] - members[0] == len(members) - 1:  # a run of ravel's order
        shown = f"[{members[0]}:{members[-1] + 1}]" if len(shape) == 1 else f"{index[0]} to {index[-1]}"
    else:
        shown = ", ".join(index) if len(index) <= 4 else f"{', '.join(index[:3])}, …, {index[-1]}"
    return f"elements {shown}"


def _of(low: float, high: float) -> str:
    """A group's sizes, as a note to its blocks' names."""
    return (
        f" (of the elements of |x| {f'up to {summary(high)}' if low == 1.0 else f'{summary(low)} to {summary(high)}'})"
    )

"""The rows of `gradcheck_params` that check every element of a parameter too large to check one element
at a time: one row per block of at most `block` elements, the slope along a direction that moves that
block alone, judged by a tolerance that makes its promise exact.

Where each element i may be off by its own tolerance t_i = atol + rtol * |g_i| (g: the rule's gradient),
a direction d may be off by sum |d_i| t_i and no more: the row allows that much, so it fails only where
some element is off by more than its own tolerance. With d_i = +-t_min / t_i (t_min the block's least
t_i) that sum is m t_min for a block of m elements, and an error e in element j moves the row by
|e| t_min / t_j: the row fails once |e| > m t_j, whatever the other elements' gradients are. One
direction moving every element, judged by atol + rtol * |slope|, passed an error of 20% in 1 of 1000
elements (the error shrinks there like 1 / sqrt(n), and the slope's tolerance grows with every element).

Errors in several elements of a block add up in its row as d . e, and may cancel: no one direction sees
every error. The signs (`_signs`) make the same error c in every element add up to c sum |d_i| / 2 or
more, so it fails once c > 2 t_max (the block's largest t_i): with random signs the row passed it in 1
block of 7 (their sum is 0), and the elements drawn to be checked alone (20 of 1000) missed that block
half the time. Other patterns of error spread over a block (alternating with the signs) can still cancel
in its row; an element drawn is checked alone, and fails beyond its own tolerance.

Beyond MOST_BLOCKS * BLOCK = 8,192 elements the blocks grow (m = n / 256), and the promise with them: a
million elements, m = 3,907. No 256 directions promise more: a row must allow each element it moves to
be off by its own tolerance (a rule within tolerance everywhere passes), so an element is sure to fail
at K times its tolerance only where its share of some direction's allowance is 1 / K or more, which at
most K elements of a direction can have: D directions promise K to at most D * K elements, K >= n / D.
A smaller `block` keeps the promise at 2 n / block evaluations of the loss; sampled elements are exact."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

BLOCK = 32  # elements per block: an element off by more than 32 times its tolerance fails
MOST_BLOCKS = 256  # directions per parameter at most (each costs three evaluations of the loss): larger blocks beyond


class Block(NamedTuple):
    """A block's row: the elements it moves (`span`: numpy's index of them, `W[7, :]`), its direction (the
    parameter's shape, 0 outside the block), the rule's slope along it, the tolerance it is judged by, the norm
    of the block's values, whether the step of some element it moves rounds away (x + eps * d is x: its error
    would not show, and the row cannot vouch for it), and those elements' range in ravel's order."""

    elements: str
    direction: np.ndarray
    analytic: float
    tolerance: float
    value: float
    lost: bool = False
    start: int = 0  # the block's first element, in ravel's order
    stop: int = 0  # one past its last

    @property
    def label(self) -> str:
        """The row's name in gradcheck's table: the slope along d over its elements, `W[7, :]·d`."""
        return f"{self.elements}·d"


def block_size(size: int, block: int | None) -> int:
    """The elements per block of a parameter of `size` elements: `block`, or by default BLOCK, larger
    where that would take more than MOST_BLOCKS directions."""
    return block if block is not None else max(BLOCK, math.ceil(size / MOST_BLOCKS))


def blocks(
    name: str,
    data: np.ndarray,
    grad: np.ndarray,
    eps: float,
    atol: float | np.ndarray,
    rtol: float,
    m: int,
    rng: np.random.Generator,
) -> Iterator[Block]:
    """A Block for each run of `m` elements of the parameter (`data`, in ravel's order; the last may be
    shorter). `atol` is one number, or each element's own (of the parameter's shape: draw(check=True) gives
    the rounding of each element's finite difference). The analytic slope and the tolerance are taken along
    the step as it rounds, (x + eps d) - (x - eps d), which is what the central difference measures: an
    element whose step rounds to 0 is moved by none."""
    flat, gflat = data.ravel(), np.asarray(grad, dtype=np.float64).ravel()
    own = np.asarray(atol, dtype=np.float64).ravel() + rtol * np.abs(gflat)  # each element's tolerance
    for lo in range(0, flat.size, m):
        hi = min(lo + m, flat.size)
        t = own[lo:hi]
        least = np.min(t, where=t > 0, initial=np.inf)
        weights = np.where(t > 0, least / np.where(t > 0, t, 1.0), 1.0) if np.isfinite(least) else np.ones_like(t)
        direction = np.zeros(flat.size)
        direction[lo:hi] = _signs(weights, rng) * weights
        direction = direction.reshape(data.shape)
        step = ((data + eps * direction) - (data - eps * direction)) / (2 * eps)  # the step as it rounds
        analytic = float(np.sum(np.asarray(grad) * step))
        tolerance = float(np.sum(np.abs(step) * own.reshape(data.shape)))
        lost = bool(np.any((step == 0) & (direction != 0)))
        value = float(np.linalg.norm(flat[lo:hi]))
        yield Block(span(name, data.shape, lo, hi), direction, analytic, tolerance, value, lost, lo, hi)


def span(name: str, shape: tuple[int, ...], lo: int, hi: int) -> str:
    """Elements lo to hi - 1 (ravel's order) of `name`, of `shape`, as numpy's index of them in that shape, as a
    user thinks of the parameter: `W[7, :]` (row 7), `W[2, 32:64]`, `W[4:8, :]`; where they are no such slice,
    the first and the last, `W[1, 12] to W[3, 3]` (a 1-d parameter's, `w[32:64]`). Named `W[224:256]` before."""
    if len(shape) < 2:
        return f"{name}[{lo}:{hi}]"
    for k, side in enumerate(shape):
        stride = math.prod(shape[k + 1 :])
        if lo % stride or hi % stride:
            continue
        prefix, a = divmod(lo // stride, side)
        b = hi // stride - prefix * side
        if b <= side:
            fixed = [str(int(i)) for i in np.unravel_index(prefix, shape[:k])] if k else []
            along = str(a) if b - a == 1 else f"{a}:{b}"
            return f"{name}[{', '.join([*fixed, along, *[':'] * (len(shape) - k - 1)])}]"
    first, last = (list(map(int, np.unravel_index(i, shape))) for i in (lo, hi - 1))
    return f"{name}{first} to {name}{last}"


def _signs(sizes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A sign for each element of a block (`sizes`: how far its direction moves each), in a random order +
    until three quarters of the block's total moves up, - after: so the same error in every element adds
    up to half its sum at least. Random signs summed to 0 in 1 block of 7 (C(32, 16) / 2**32), and a rule
    off by 500 times the tolerance in each element of w[416:448] passed (no element drawn there)."""
    order = rng.permutation(sizes.size)
    before = np.cumsum(sizes[order]) - sizes[order]
    signs = np.empty(sizes.size)
    signs[order] = np.where(before < 0.75 * np.sum(sizes), 1.0, -1.0)
    return signs

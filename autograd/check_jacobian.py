"""gradcheck's check of each Jacobian entry alone, for an f of several numbers: its rows weigh a block of
entries (check_outputs), in which an entry's error hides beside large ones (a matvec over 100 whose rule
gave 0.025 for an entry of 0.01 beside entries up to 2.4 passed). Each entry's analytic slope is taken by
a backward pass seeded with it alone (one per entry of f's output), its numeric one from f at x +- eps (the
calls the rows make), and it is judged by atol + rtol * |numeric| as a row is; where it parts by more, at
eps / 2 too (two more calls of f): a difference off by f's bending moves then, a rule's error does not."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from . import check_weights
from .check_richardson import QUARTER
from .check_verdict import Row, agrees
from .graph import Node
from .graph_functions import gradients


def entry_gradients(out: Node, leaves: list[Node], j: int) -> list[np.ndarray]:
    """The gradients of f's output entry j (in ravel's order) alone in each leaf, each a float64 array."""
    seed = np.zeros(np.shape(out.data))
    seed.flat[j] = 1.0
    return [np.asarray(g, dtype=np.float64) for g in gradients(out, leaves, seed)]


def jacobian(out: Node, leaves: list[Node]) -> list[np.ndarray] | None:
    """Each leaf's Jacobian, of shape (f's entries, *the leaf's shape), by one backward pass per entry of f's
    output; None beyond check_weights.KEPT numbers (32 MB: 2,000 entries by 2,000 elements), where the blocks' rows
    alone judge."""
    size = out.data.size
    if size * sum(leaf.data.size for leaf in leaves) > check_weights.KEPT:
        return None
    kept = [np.empty((size, *np.shape(leaf.data))) for leaf in leaves]
    for j in range(size):
        for k, g in enumerate(entry_gradients(out, leaves, j)):
            kept[k][j] = g
    return kept


def difference_rounding(up: np.ndarray, down: np.ndarray, h: float, dtype: np.dtype) -> np.ndarray:
    """How far each end's rounding (in f's output dtype) may move each entry's difference (up - down) / h: 1e8 + x,
    whose slope is 1, differs by 0.9984 at x = 0.3 (its spacing 1.5e-8 over 2e-6)."""
    with np.errstate(over="ignore", invalid="ignore"):  # ends near the largest float, an infinite h: no telling
        return np.finfo(dtype if np.dtype(dtype).kind == "f" else np.float64).eps * (np.abs(up) + np.abs(down)) / h


# the steps (in eps) an entry of an op of one's own is also read at, off the halving's ladder and on it, where a smooth
# f's differences lie on the curve through eps's and eps / 2's: a grid inside the op moved those two alike by chance
# (((x + 1e6) - 1e6) + sin(1e4 x) / 1e4 of A @ x: f[6] in x[7] 3.2e-5 off, its tolerance 2.4e-5, failed a right rule)
SCATTER = (0.6, 0.25)


def off_alone(
    column: np.ndarray,
    ends: tuple[np.ndarray, np.ndarray, float],
    dtype: np.dtype,
    atol: float,
    rtol: float,
    allowed: np.ndarray | float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """gradcheck's criterion for each Jacobian entry alone (the one place it is written): each entry's numeric slope
    (up - down) / h (`ends`), its error beside its analytic one (`column`), its difference's rounding, and whether it
    is off: |analytic - numeric| > atol + rtol * |numeric| + that rounding + `allowed` (what else may move it)."""
    up, down, h = ends
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf where f overflows at x +- eps: that row says so
        numeric = (up - down) / h
    error, rounding = np.abs(column - numeric), difference_rounding(up, down, h, dtype)
    return numeric, error, rounding, error > atol + rtol * np.abs(numeric) + rounding + allowed


def entry_rows(
    rows: list[Row],
    column: np.ndarray,
    ends: Callable[[float], tuple[np.ndarray, np.ndarray, float]],
    shifts: Callable[[], list[float]],
    weights: np.ndarray,
    where: tuple[str, float, tuple, tuple, np.dtype, bool],
    tolerances: tuple[float, float, float],
) -> list[Row]:
    """The rows of the entries of f's output an element's block rows (`rows`) agree on but that are off alone
    (`column`: each entry's analytic slope in the element; `ends(shift)`: f's output, flat, at the element
    moved by +- shift, and the shift's width as it rounds; `shifts()`: the steps f's output is known at already,
    a refined row's smaller ones; `weights`: each entry's weight in its block's row;
    `where`: the element's label, value, (input, index), f's output shape and dtype, and whether the element reaches
    an op of one's own: check_scales' `reaching_own_ops`). An entry of a row that
    does not agree is not judged alone (its row's kink, jump or grain is its too); each entry may be off by its
    row's rounding, grid and bending over its weight; where it is off, its slope is extrapolated from the two smallest
    steps (eps / 2 and eps, or a refined row's), judged by the bend left at the smaller or, where that would leave
    it unjudged, by the extrapolation's own error (`_settled`); where its row was refined, it cannot fail (a
    difference taken so near f's bend may be off however it shrinks). Where the element reaches an op of one's own,
    the extrapolation only excuses, as check_richardson's does a row's: the entry is judged by its difference at eps,
    which may be off by twice as far as the extrapolation from eps and eps / 2 moves it, and cannot be judged where
    its differences at `SCATTER` steps (two more calls of f each) are not a smooth f's (`_off_course`): (x + 1e6) -
    1e6 + sin(1e3 x) / 1e3 of A @ x keeps x to steps of 1.2e-10, which no number f gives shows and which move an
    entry's difference by up to 6e-5: an entry of -0.0323 differing by -0.0323 at eps and extrapolated to -0.0324
    failed its right rule."""
    eps, atol, rtol = tolerances
    label, x, at, shape, dtype, own = where
    judged, refined = np.ones(column.size, dtype=bool), np.zeros(column.size, dtype=bool)
    band, bends, grid = np.zeros(column.size), np.zeros(column.size), np.zeros(column.size)
    for r in rows:
        block, w = r.block or slice(0, column.size), np.abs(weights[r.block or slice(None)])
        if not agrees(r, atol, rtol):
            judged[block] = False
            continue
        band[block] += r.rounding / w
        grid[block] += r.steps / w  # a grid inside f coarser than its output's dtype (an op's float32 sin)
        bends[block] += r.truncation / w  # a refined row's, of its extrapolated slope: its entries cannot fail
        refined[block] = r.refined
    numeric, _, rounding, off_at_eps = off_alone(column, ends(eps), dtype, atol, rtol, band + grid + bends)
    off = np.flatnonzero(judged & off_at_eps)
    if not off.size:
        return []
    band += rounding
    # the two smallest steps, eps / 2 and eps or those a refined row took: a smooth f's difference is off by c h**2
    small, larger = sorted({eps, eps / 2, *shifts()})[:2]
    extrapolated, near, far, rounds = _extrapolated(ends, small, larger, dtype)
    band += rounds + 3 * grid  # each difference's grid error, the smaller's twice, and 4 / 3 and 1 / 3 of them
    bends += np.abs(near - extrapolated)  # the smaller step's error; the extrapolation's is smaller
    if own:  # from eps and eps / 2 alone (a refined row's smaller steps are the grid's more): f smooth there?
        own_extrapolated, _, _, _ = _extrapolated(ends, eps / 2, eps, dtype)
        course = _off_course(ends, eps, numeric, own_extrapolated, atol + rtol * np.abs(numeric))
        moved_by = 2 * np.abs(own_extrapolated - numeric) + course
    out, place = [], (label, x, at, shape)
    for j in off:
        if own:  # a grid inside the op may move either difference by more than the tolerance: no step settles it
            r = _entry_row(j, column, numeric, (band[j], moved_by[j]), place)
        else:
            r = _entry_row(j, column, extrapolated, (band[j], bends[j]), place)
        if agrees(r, atol, rtol):
            continue
        if not (refined[j] or own) and r.error <= atol + rtol * abs(r.numeric) + r.truncation:
            steps = (small, larger, near, far, dtype)
            allowed = (band[j] + 3 * grid[j], bends[j] - abs(near[j] - extrapolated[j]), place)
            r = _settled(r, j, column, ends, steps, allowed)
        if not agrees(r, atol, rtol):
            out.append(r._replace(truncation=math.inf) if refined[j] else r)
    return out


def _off_course(
    ends: Callable, eps: float, numeric: np.ndarray, extrapolated: np.ndarray, tolerance: np.ndarray
) -> np.ndarray:
    """How far each entry's differences at `SCATTER` steps may leave its difference at eps (`numeric`): twice the
    most they miss what a smooth f's predict there (`extrapolated` + (numeric - extrapolated) (h / eps)**2) beyond
    8 times their rounding, where that is within an eighth of the larger of the difference at eps's move from the
    extrapolation and the entry's `tolerance`; infinite (f is not seen to be smooth: a grid inside it) beyond."""
    misses = []
    for k in SCATTER:
        up, down, width = ends(eps * k)
        predicted = extrapolated + (numeric - extrapolated) * k**2
        rounding = difference_rounding(up, down, width, np.float64)
        misses.append(np.maximum(np.abs((up - down) / width - predicted) - 8 * rounding, 0.0))
    miss = np.max(misses, axis=0)
    return np.where(miss <= np.maximum(np.abs(numeric - extrapolated), tolerance) / 8, 2 * miss, np.inf)


def _extrapolated(ends: Callable, small: float, larger: float, dtype: np.dtype) -> tuple[np.ndarray, ...]:
    """Each entry's slope extrapolated from its central differences at steps `small` < `larger` (their c h**2
    cancelled), the differences at both, and the smaller one's rounding."""
    (up1, down1, h1), (up2, down2, h2) = ends(small), ends(larger)
    near, far = (up1 - down1) / h1, (up2 - down2) / h2
    return near + (near - far) / ((h2 / h1) ** 2 - 1), near, far, difference_rounding(up1, down1, h1, dtype)


def _entry_row(j: int, column: np.ndarray, numeric: np.ndarray, errors: tuple, where: tuple) -> Row:
    """Entry j's row: its analytic slope (`column`), numeric one, and how far rounding and bending move it."""
    (label, x, at, shape), (rounding, bending) = where, errors
    a, n = float(column[j]), float(numeric[j])
    e = abs(a - n)
    entry = ", ".join(map(str, np.unravel_index(j, shape)))
    r = Row(f"{label}→f[{entry}]", x, a, n, e, e / abs(n) if n else math.inf, "", float(rounding), 0.0, float(bending))
    return r._replace(at=at, block=slice(j, j + 1))


def _settled(r: Row, j: int, column: np.ndarray, ends: Callable, steps: tuple, allowed: tuple) -> Row:
    """Entry j's row judged by its extrapolation's own error where the bend left at the smaller step alone would
    leave it unjudged (tanh(x @ w) @ w.T at eps = 0.02: extrapolated within 2e-7 of a right rule, 3.5e-4 of bend
    at eps / 2 beside a tolerance of 3.1e-4): from one more step, half the smaller (two more calls of f), where
    its difference moves by about a quarter of its last move (f smooth there, check_richardson), twice the two
    extrapolations' difference, as a refined row's; `r` as it was elsewhere."""
    (small, larger, near, far, dtype), (band, bends, place) = steps, allowed
    finer, nearer, _, rounds = _extrapolated(ends, small / 2, small, dtype)
    # a smooth f's difference moves by c h**2: from larger to small, then from small to small / 2
    expected = 0.75 * small**2 / (larger**2 - small**2)
    ratio = (nearer[j] - near[j]) / (near[j] - far[j]) if near[j] != far[j] else math.nan
    if not QUARTER[0] < ratio / expected * 0.25 < QUARTER[1]:
        return r
    return _entry_row(j, column, finer, (band + rounds[j], bends + 2 * abs(finer[j] - r.numeric)), place)

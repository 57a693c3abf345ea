"""gradcheck's rows: for each input element, one per block of f's output entries (all of them where f
gives at most BLOCK numbers), the slope of sum(w * f(x)) over that block alone.

Each entry k is weighed by w_k = r_k * T_max / T_k (check_weights: T_k = atol + rtol * s_k + its
rounding, s_k its largest slope in any input element; r_k random in [1, SPREAD), signs alternating), so
|w_k| >= 1 and |w_k| T_k < SPREAD * T_max. A row over m entries is allowed atol + rtol * |its slope|, at
most sum |w_k| (atol + rtol * |slope_k|) <= sum |w_k| T_k < SPREAD * m * T_max; an error e in entry k's
gradient in the row's input element moves it by |w_k| e >= T_max * e / T_k. So an error beyond
SPREAD * m * T_k fails (or, beyond the difference's own error, cannot be judged: never passes), however
many entries f gives: 64 T_k with the defaults, 6.4% of a slope of 1.
One sum over every entry passed an error of 15% in one entry of 100,000 (an error in one entry stays
as it is, and the tolerance grows like the square root of the entries' count). Each block costs a
backward pass; f is called as often as before (each call's output read in every block)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .check_blocks import BLOCK, span
from .check_grain import PROBE, StillEntries, moved_input, swallowed, tread_entries
from .check_inputs import _copy, _leaf
from .check_jacobian import entry_rows
from .check_numeric import Slopes, Step, output, rounded_step, slopes
from .check_refusals import undefined
from .check_rounding import Precision, gradient_seed, precision, rounding_inside
from .check_verdict import Row, row
from .graph import Node
from .graph_functions import gradients
from .modes import enable_grad


@functools.lru_cache(maxsize=4)  # each element's rows ask for them
def output_blocks(size: int) -> tuple[slice, ...]:
    """The runs of BLOCK entries of an output of `size` entries (in ravel's order; the last may be shorter)."""
    return tuple(slice(lo, min(lo + BLOCK, size)) for lo in range(0, size, BLOCK))


class Outputs(NamedTuple):
    """What every element's rows read of f's output at the point: it (`base`, in float64), its entries'
    weights (None for one entry), and, for an output of several, how each entry reads where an element
    leaves it as it is (`entries`, check_grain's StillEntries), where its blocks start, and which blocks'
    rounding could hide a slope beyond atol where none of their entries moves (`swallowed`): read once, not
    in each element's rows."""

    base: np.ndarray
    weights: Any = None
    entries: StillEntries | None = None
    starts: list[int] | None = None  # where each block starts
    swallowed: Any = None
    own_ops: frozenset[int] = frozenset()  # the inputs that reach an op of the user's own (check_scales)


def read_outputs(
    base: np.ndarray, weights: Any, entries: StillEntries | None, eps: float, atol: float, own_ops: frozenset[int]
) -> Outputs:
    """`Outputs` of f's output `base` weighed by `weights` (final: equilibrated), `entries` read where they
    do not move (None for one entry); `own_ops`, the inputs that reach an op of the user's own."""
    if weights is None or entries is None:
        return Outputs(base, weights, own_ops=own_ops)
    starts = [b.start for b in output_blocks(base.size)]
    hidden = swallowed(base, abs(weights), entries.dtype, eps, atol, starts)
    return Outputs(base, weights, entries, starts, hidden, own_ops)


def within(weights: np.ndarray, block: slice) -> np.ndarray:
    """`weights` (f's output's shape) where in `block`, 0 elsewhere."""
    kept = np.zeros(weights.size)
    kept[block] = weights.ravel()[block]
    return kept.reshape(weights.shape)


def block_gradients(out: Node, leaves: list[Node], weights: np.ndarray, block: slice, nodes: list[Node]) -> tuple:
    """The gradients of <weights, out> over `block` alone in each of `leaves`, and that sum's Precision
    (check_rounding; `nodes`: out's `rounded_nodes`)."""
    seed = gradient_seed(out, within(weights, block))
    grads = gradients(out, [*leaves, *nodes], seed)
    return grads[: len(leaves)], precision(out, nodes, grads[len(leaves) :])


def moved(f: Callable[..., Any], points: list[Any], at: tuple, shift: float, eps: float, read: Callable) -> Any:
    """`read` of f's output at the point moved by shift in input at[0]'s element at[1] (its graph built
    where `read` is rounding_inside's, which reads it)."""
    i, index = at
    moved = [_copy(p) for p in points]
    if isinstance(moved[i], np.ndarray):
        moved[i][index] += shift
        where = f"{moved[i][index]!r} at {list(index)}"
    else:
        moved[i] += shift
        where = repr(moved[i])
    try:
        with enable_grad():  # f may take gradients itself (create_graph=True: a rule's own derivative), as at the point
            return read(f(*map(_leaf, moved)))
    except (ArithmeticError, ValueError) as e:
        raise undefined("gradcheck: f", f"input {i} = {where}", eps, e) from None


def element_value(points: list[Any], at: tuple) -> float:
    """The value of input at[0]'s element at[1]."""
    i, index = at
    return float(np.asarray(points[i], dtype=np.float64)[index])


def element_rows(
    f: Callable[..., Any],
    points: list[Any],
    at: tuple,
    name: str,
    analytic: tuple[np.ndarray, list[Precision], np.ndarray | None],
    read: Outputs,
    tolerances: tuple[float, float, float],
    known: dict[tuple, np.ndarray],
) -> list[Row]:
    """The rows of input at[0]'s element at[1] (`name`: the input's): one per block of f's output
    (`output_blocks`; one for all where `analytic` has one), `analytic` giving each block's gradient of
    that input (stacked, blocks first) and each block's Precision, f called once at each shift for all of
    them (`read`: f's output at the point, `Outputs`; `known`: f's outputs already computed, by (input,
    index, shift)). A block the element moves no entry of, whose gradient there is 0 and whose rounding
    hides no slope beyond atol (`swallowed`), has no row: it would pass, 0 beside 0; but where the element moves
    no entry at all, a block f moves on both sides within PROBE eps (a grain inside f: `stairs`) has one."""
    eps, atol, rtol = tolerances
    i, index = at
    outputs: dict[float, np.ndarray] = {}
    x = element_value(points, at)
    step = rounded_step(x)  # x + eps as it rounds
    base, weights, entries = read.base, read.weights, read.entries
    fine = False if entries is None else entries.fine.reshape(np.shape(base))
    own = i in read.own_ops

    def full(shift: float) -> np.ndarray:
        if shift not in outputs:
            kept = known.pop((i, index, shift), None)
            outputs[shift] = kept if kept is not None else moved(f, points, at, shift, eps, output)
        return outputs[shift]

    def inside(shift: float, w: Any) -> float:
        return moved(f, points, at, shift, eps, lambda out: rounding_inside(out, w))

    def alone(rows: list[Row]) -> list[Row]:  # with the rows of the entries off alone (check_jacobian)
        if jacobian is None or weights is None:
            return rows
        ends = lambda h: (full(h).ravel(), full(-h).ravel(), step(h) - step(-h))  # noqa: E731
        label = name + (str(list(index)) if index else "")
        where = (label, x, at, np.shape(base), entries.dtype, own)
        column = jacobian[(slice(None), *index)]
        shifts = lambda: [h for h in outputs if 0 < h <= eps and -h in outputs]  # noqa: E731
        return rows + entry_rows(rows, column, ends, shifts, weights.ravel(), where, tolerances)

    slopes_of_blocks, rounding, jacobian = analytic
    slopes_of_blocks = slopes_of_blocks[(slice(None), *index)]  # the rule's slope of each block's sum
    if len(rounding) == 1:
        a, rounds = float(slopes_of_blocks[0]), rounding[0]
        s = _slopes(
            full, lambda y: y, base, weights, weights, (eps, atol, rtol, rounds), a, inside, (step, x, fine, own)
        )
        return alone([row(name, points[i], index, a, s)._replace(at=at)])
    flat, blocks, starts = base.ravel(), output_blocks(base.size), read.starts
    still = (full(eps).ravel() == flat) & (full(-eps).ravel() == flat)
    moves = np.logical_or.reduceat(~still, starts)
    unseen_entries = np.logical_or.reduceat(entries.among(still, moved_input(x, eps)), starts)
    unseen_blocks = read.swallowed | unseen_entries
    if own:  # a block whose entries an op of the user's moves only farther out (check_scales) is looked at too
        unseen_blocks = unseen_blocks | np.logical_or.reduceat(_moved_far(full, flat, PROBE * eps), starts)
    else:  # entries still at x +- eps moving on both sides within PROBE eps: a grain inside f (`tread_entries`),
        # which no number in f's graph need show ((1e-12 x + 1 - 1) * 1e12 keeps x to steps of 222 eps, its numbers
        # all fine), in a block the element moves no entry of or beside entries that move
        grain = tread_entries(lambda shift: full(shift).ravel(), flat, still, eps)
        unseen_blocks = unseen_blocks | np.logical_or.reduceat(grain, starts)
    rows = []
    for b in np.flatnonzero(moves | unseen_blocks | (slopes_of_blocks != 0)):  # else 0 beside 0: it would pass
        block, a, rounds = blocks[b], float(slopes_of_blocks[b]), rounding[b]
        part, w = flat[block], weights.ravel()[block]

        def cut(x: np.ndarray, block: slice = block) -> np.ndarray:
            return x.ravel()[block]

        where = (step, x, cut(fine), own)
        s = _slopes(full, cut, part, w, within(weights, block), (eps, atol, rtol, rounds), a, inside, where)
        r = row(name, points[i], index, a, s)
        label = f"{r.label}→{span('f', np.shape(base), block.start, block.stop)}"  # f[2, :], in f's own shape
        rows.append(r._replace(label=label, at=at, block=block))
    return alone(rows)


def _moved_far(full: Callable, flat: np.ndarray, shift: float) -> np.ndarray:
    """Which entries f's output at the point moved by +-shift (`full`) moves from `flat` (none where f is undefined
    there: no telling)."""
    try:
        with np.errstate(all="ignore"):
            return (full(shift).ravel() != flat) | (full(-shift).ravel() != flat)
    except (ArithmeticError, ValueError):
        return np.zeros(flat.shape, dtype=bool)


def _slopes(
    full: Callable,
    cut: Callable,
    base: np.ndarray,
    w: Any,
    seed: Any,
    tolerances: tuple,
    a: float,
    inside: Callable,
    where: tuple[Step, float, Any, bool],
) -> Slopes:
    """The slopes of <w, cut(f's output)> (`full(shift)`: f's output at the point moved by shift; `seed`:
    w in f's output's shape, where the rounding inside f is read; `where`: the element's shift as it rounds,
    its value, the entries seen to move to numbers on no coarse grid, StillEntries.fine, cut, and whether
    the element reaches an op of the user's own)."""
    step, x, fine, own = where
    inside_at = lambda s: inside(s, seed)  # noqa: E731
    at = lambda s: cut(full(s))  # noqa: E731
    return slopes(at, base, w, *tolerances, analytic=a, inside_at=inside_at, step=step, point=x, fine=fine, own_ops=own)

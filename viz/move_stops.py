"""Where `check=True`'s move of a leaf stops before the root, and whether rounding may have stopped it (step_doubts'
`unmoved` turns an equal 0 grey there) or the op itself: a 0 out of relu, a product with 0, a pick that leaves the
moved place out, an op of the table flat in pieces where its rule gives 0 (clip past a bound, max's other elements,
hardtanh at 2). In floats a saturated tanh is as flat as a clip: only the op's own knowledge tells them apart."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from autograd import FLAT_PIECES, SLOW_PIECES, Node, Tensor

from .check_verdicts import EPS
from .numeric import largest
from .whole_floats import rounds


class Stop(NamedTuple):
    """Where the leaf's move stopped short of the root, at one replay: `kept` the op whose rounding may have kept it
    still (tanh at 37), or ""; `flat` whether every stop was on a flat piece of an op flat in pieces (`_flat_at`), the
    root then exactly still (clip past its bound) and a rule's slope there none of its; `tied` the op, where every stop
    was on a flat piece but one at a tie at its pick (`_tied`: the median of 2, 2, 2), or ""; `chosen` the op, where
    every stop was on a flat piece and one op's rule gives the moved places a number at x only (`_chosen`: clip(x, 2, 2)
    at 2), or ""."""

    kept: str = ""
    flat: bool = False
    tied: str = ""
    chosen: str = ""


def kept_still(downstream: list[Node], values: dict[int, Any], base: dict[int, Any]) -> Stop:
    """Where the leaf's move stops (`Stop`): at an op whose rounding may have kept it still, at a number other than 0
    (tanh at 37 stays 1; exp(x) + 1 at -74 stays 1, exp's move far below its rounding), or exactly: on a flat piece
    (`_flat_at`: clip past its bound, relu below 0, max's other elements), where the op ignores the moved places
    (`_ignored`: a product with 0, the neuron's x2·w2; a matmul's weight of a feature 0), on a rounding op's stair. A
    tensor's element stops where its input's element of the same place moved; through other ops, where any moved."""
    moved = {id(downstream[0])}
    # a stop on a flat piece; one at a tie at a pick there (`_tied`), where a rule's number that is not 0 may be
    # right; one of another kind, which may be underflow's
    flat, tied, chosen, other = False, "", "", False
    for n in downstream[1:]:
        now, then = np.asarray(values.get(id(n), base[id(n)])), np.asarray(base[id(n)])
        if now.dtype.kind not in "fc" or not np.array_equal(now, then, equal_nan=True):
            moved.add(id(n))  # labels are left to the root's own measure
            continue
        movers = [p for p in n.parents if id(p) in moved]
        if not movers:
            continue
        if _flat_at(n, movers, values, base):
            flat, tied = True, tied or (n.op.name if _tied(n, movers, values, base) else "")
            chosen = chosen or (n.op.name if _chosen(n, movers, values, base) else "")
            continue
        other = True
        if rounds(n):
            continue
        kept = _reached(n, movers, values, base) & ~_ignored(n, movers, values, base, then)
        for p in movers:
            was, went = np.asarray(base[id(p)]), np.asarray(values.get(id(p), base[id(p)]))
            if was.shape == then.shape and was.dtype.kind in "fc":
                kept = kept & (went != was)  # an input of the same shape: only the places it moved
        if np.any(kept):
            return Stop(n.op.name)
    return Stop(flat=flat and not (other or tied or chosen), tied="" if other else tied, chosen="" if other else chosen)


def _reached(n: Node, movers: list[Node], values: dict[int, Any], base: dict[int, Any]) -> Any:
    """Where `n`'s output depends on its inputs' moved places at all: NaN there, where the output turns NaN. A pick
    leaves the rest out exactly (X[0] of X moved at 1, an embedding's rows not looked up), as relu below 0 does, and
    its held output is no rounding's. True (every place) where the op refuses NaN."""
    out = _run_moved(n, movers, values, base, lambda was, went: np.nan)
    return np.isnan(out) if out is not None and out.shape == np.shape(base[id(n)]) else True


def _flat_at(n: Node, movers: list[Node], values: dict[int, Any], base: dict[int, Any]) -> bool:
    """Whether `n` is an engine op flat in pieces (autograd's FLAT_PIECES: the op table's knowledge) that stays put
    with every place its inputs moved moved as far, both ways, and at least SHOWS·eps of the numbers: on a flat piece,
    whose stillness is exact (clip past its bound), not rounding's. The ops' other pieces rise at least 1/6 as fast as
    their input (hardsigmoid's), which such a move shows above the output's rounding: hardsigmoid at 1e-20, its move of
    1e-26 lost in 0.5, moves there. Not where the table says one rises slower (SLOW_PIECES: hardswish near its vertex
    at −1.5, where a rule of 0 was drawn green beside a slope of 3.3e-23). No further: the widest step (1.2e-5 at
    2 + 1e-6) crossed clip's bound at 2, and its 0 was told as rounding's. Each is monotone in each input, or
    elementwise, so two corners tell (hardswish's vertex lies in its slow piece). Never for an op of one's own, of
    which nothing is known."""
    if not (n.op.built_in and n.op.name in FLAT_PIECES) or _slow(n, movers, values, base):
        return False
    then = np.asarray(base[id(n)])
    ends = _ends(n, movers, values, base, _shown(then))
    return all(end is not None and np.array_equal(end, then) for end in ends)


def _slow(n: Node, movers: list[Node], values: dict[int, Any], base: dict[int, Any]) -> bool:
    """Whether a place an input of `n` moved lies where a piece of its op that is not flat rises slowly (SLOW_PIECES):
    only the moved places (hardswish of [-5, -1.9] moved at -5 is on its flat piece)."""
    if n.op.name not in SLOW_PIECES:
        return False
    lo, hi = SLOW_PIECES[n.op.name]
    for p in movers:
        was = np.asarray(base[id(p)])
        moved = np.asarray(values.get(id(p), was)) != was
        if np.any(moved & (was > lo) & (was < hi)):
            return True
    return False


def _shown(then: Any) -> Any:
    """How far `_flat_at` moves each moved place (`was`, moved to `went` at the step): as far as the step did, and at
    least SHOWS·eps of it and of the op's output `then` (an elementwise op's own place's, else its largest)."""

    def far(was: Any, went: Any) -> Any:
        out = np.abs(then) if then.shape == np.shape(was) else largest(then)
        return np.maximum(np.abs(went - was), SHOWS * EPS * np.maximum(np.abs(was), out))

    return far


SHOWS = 64  # a move of this many eps of the numbers shows a piece rising 1/6 as fast: 10 roundings of the output


def _chosen(n: Node, movers: list[Node], values: dict[int, Any], base: dict[int, Any]) -> bool:
    """Whether `n`'s rule (g of ones) gives a moved place a number other than 0 at x, yet 0 with it moved both ways as
    `_flat_at` moves it: clip(x, 2, 2) at 2, constant, its rule 1 where lo ≤ x ≤ hi (PyTorch's). A number the rule
    takes at one point, where its pieces meet; a rule wrong on the whole piece gives it beside x too."""
    then = np.asarray(base[id(n)])
    at = _rule_moved(n, movers, values, base, lambda was, went: was)
    far = _shown(then)
    ends = [_rule_moved(n, movers, values, base, lambda was, went, s=s: was + s * far(was, went)) for s in (1, -1)]
    if at is None or any(end is None for end in ends):
        return False
    moved = [np.asarray(values.get(id(p), base[id(p)])) != np.asarray(base[id(p)]) for p in n.parents]
    return any(
        np.any(place & (a != 0)) and all(np.all(np.asarray(end[k])[place] == 0) for end in ends)
        for k, (place, a) in enumerate(zip(moved, at, strict=True))
        if a is not None and np.shape(a) == np.shape(place)
    )


def _tied(n: Node, movers: list[Node], values: dict[int, Any], base: dict[int, Any]) -> bool:
    """Whether a moved place of a reducing op's input holds the number of an output it reaches (`_reached`): a tie at
    the pick (the median of 2, 2, 2 stays put as any one moves, both ways, yet its rule shares 1/3 among them, as
    PyTorch's does: a choice where it has no derivative, no wrong rule). Of a block's places, any output they reach."""
    then = np.asarray(base[id(n)])
    reducing = [p for p in movers if np.shape(base[id(p)]) != then.shape]
    if not reducing:
        return False
    picks = then[np.broadcast_to(_reached(n, movers, values, base), then.shape)]
    for p in reducing:
        was = np.asarray(base[id(p)])
        went = np.asarray(values.get(id(p), was))
        if np.isin(was[went != was], picks).any():
            return True
    return False


def _ignored(n: Node, movers: list[Node], values: dict[int, Any], base: dict[int, Any], then: Any) -> Any:
    """Where `n`'s output ignores its inputs' moved places, moved FAR times further: the same both ways (a product
    with 0, 0 · (w ± 1e6); a matmul's weight of a feature 0), or a 0 that stays 0 one way (a relu of one's own below 0).
    Not a number that rounding keeps (tanh at 37 is -1 at 37 - 3.7e7), nor a 0 of underflow (x³ at 1e-120 moves)."""
    up, down = (
        end == then if end is not None and np.shape(end) == np.shape(then) else np.zeros(np.shape(then), dtype=bool)
        for end in _ends(n, movers, values, base, lambda was, went: FAR * _size(was))
    )
    return (up & down) | ((then == 0) & (up | down))


FAR = 1e6  # how much further than the number itself `_ignored` moves a moved place


def _size(x: Any) -> Any:
    return np.maximum(1.0, np.abs(x))


def _ends(n: Node, movers: list[Node], values: dict[int, Any], base: dict[int, Any], far: Any) -> list[Any]:
    """`n`'s op run with each place its inputs moved moved `far(was, went)` up, then down (None where it refuses:
    math.exp's overflow)."""
    return [
        _run_moved(n, movers, values, base, lambda was, went: was + far(was, went)),
        _run_moved(n, movers, values, base, lambda was, went: was - far(was, went)),
    ]


def _run_moved(n: Node, movers: list[Node], values: dict[int, Any], base: dict[int, Any], to: Any) -> Any:
    """`n`'s op on its inputs with each place they moved put at `to(was, went)`, or None where it refuses them."""
    inputs = _moved_inputs(n, movers, values, base, to)
    try:
        with np.errstate(all="ignore"):
            return np.asarray(n.op.run(inputs, n.op_params if isinstance(n, Tensor) else None))
    except (ArithmeticError, ValueError, TypeError):
        return None


def _rule_moved(n: Node, movers: list[Node], values: dict[int, Any], base: dict[int, Any], to: Any) -> Any:
    """`n`'s rule for g of ones there, as `_run_moved` moves its inputs: a gradient (or None) per input, or None
    where the op or its rule refuses them."""
    inputs = _moved_inputs(n, movers, values, base, to)
    params = dict(n.op_params) if isinstance(n, Tensor) else {}
    if n.op.takes_needs:
        params["needs"] = (True,) * len(inputs)
    try:
        with np.errstate(all="ignore"):
            out = n.op.run(inputs, n.op_params if isinstance(n, Tensor) else None)
            return list(n.op.vjp(np.ones(np.shape(out)), out, *inputs, **params))
    except Exception:  # noqa: BLE001 (a rule that will not run on raw numbers: no choice known, judged as before)
        return None


def _moved_inputs(n: Node, movers: list[Node], values: dict[int, Any], base: dict[int, Any], to: Any) -> list[Any]:
    """`n`'s inputs with each place they moved put at `to(was, went)` (a Value's as a number)."""
    inputs, moving = [], {id(p) for p in movers}
    for p in n.parents:
        was = np.asarray(base[id(p)])
        if id(p) in moving and was.dtype.kind in "fc":
            went = np.asarray(values.get(id(p), was))
            was = np.where(went != was, to(was, went), was)
        inputs.append(was if isinstance(p, Tensor) else was.item())
    return inputs

"""Which directions `draw(check=True)` measures each leaf along, and what it says of them all.

A Value, and a tensor of one element, is checked as one number. A tensor of a few elements (one block's
worth, 32) is checked element by element. A larger one is checked in blocks (autograd's
gradcheck_blocks, as gradcheck_params checks the elements it does not draw): one direction per block of
m elements, each element weighed by its own tolerance (rtol·|g| plus the rounding of its own finite
difference, as gradcheck's rows allow), judged by the sum of those tolerances, so that one element off by
more than about 2m times its own tolerance is sure to show red, or grey where the rounding alone could
explain it; and a second along the signs of backward's gradient, where an error that is a share of each
slope adds up (block_parts). A share of the largest |g| as a floor of every element's tolerance drew green a
rule of 0 for an element whose slope is 3e-5 of the largest. One random direction moving every element hid such
errors: a rule 20% wrong in 1 element of 1000 moved the slope by 0.02%, within the tolerance of a slope
over 1000. The blocks are block_parts': elements far apart in size blocked apart, a kinked block halved."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from autograd import Node, Tensor, gradcheck_block_size

from .block_parts import ALONG_SIGNS, HALVED, LEAF_SPLITS, RED, SPLITS, Blocks, Part, halved_parts
from .check_verdicts import (
    AGREE,
    DISAGREE,
    EPS,
    FLOOR,
    KINK,
    KINK_DISAGREE,
    ROUNDING,
    TINY,
    TOO_SMALL,
    UNDEFINED,
    UNMEASURED,
    Check,
    best_steps,
)
from .move_stops import kept_still
from .number_text import summary
from .numeric import largest, measure
from .replay import downstream_of, replay
from .term_bends import Terms, smooth_terms
from .whole_floats import REMAINDERS, STAIRS, divisor, quotient, rounded_on_whole_floats, rounds, stairs_crossed

# the verdicts from the most telling to the least: a leaf shows its first part of the most telling one
_TELLING = (DISAGREE, KINK_DISAGREE, UNMEASURED, UNDEFINED, TOO_SMALL, KINK, AGREE)


def finite_difference_checks(
    root: Node, order: list[Node], consts: set[int], grads: dict[int, Any]
) -> dict[int, Check]:
    """By leaf id, each leaf's gradient (`grads`, d root / d node by id) against a central difference;
    `root` is one number (draw refuses any other)."""
    try:
        base = replay(order, {})
    except ValueError:  # an op that cannot run again: a node built by hand (micrograd's way)
        # its error speaks of its inputs ("0.5 * -1.0 is undefined"), which are fine: only the node is at fault
        raise ValueError(
            "check=True reruns the recorded ops to move each leaf, but a node built by hand (Value(data, (a, b), "
            "'*') with its own _backward) keeps no forward: draw without check=True, or build that node with "
            "chainrule's ops"
        ) from None
    inputs = list(reversed(order))
    f0 = _number(base[id(root)])
    checks = {}
    for leaf in (n for n in order if n.op is None and id(n) not in consts):
        downstream = downstream_of(inputs, leaf)
        big = max([abs(f0), *(largest(base[id(n)]) for n in downstream[1:])])  # the replay's rounding scale

        terms = smooth_terms(downstream, base, grads)

        def root_at(
            data: Any, downstream: list[Node] = downstream, held: dict | None = None, terms: Terms = terms
        ) -> tuple[float, float, np.ndarray, str]:
            values = replay(downstream, {id(downstream[0]): data}, base, reverse=False, instead=held)
            big = max((largest(values[id(n)]) for n in downstream[1:]), default=0.0)
            # where the move stopped is asked only of a root that stayed put: worked out then (`Stop`)
            return _number(values[id(root)]), big, terms.values(values), lambda: kept_still(downstream, values, base)

        with np.errstate(all="ignore"):  # an infinite or NaN gradient is judged, not warned about
            at = (base[id(leaf)], grads[id(leaf)], (f0, big), isinstance(leaf, Tensor), terms)
            check = _leaf_check(root_at, *at)
            # a NaN or infinite gradient stays red: no rounding of stairs makes one
            judged = check.verdict == DISAGREE and np.isfinite(check.analytic)
            whole = rounded_on_whole_floats(downstream, base, grads, big) if judged else ""
            # at a stair itself (floor at 2601) the one-sided slopes never settle: nothing measured either; and a
            # difference across stairs measures their average, which can agree with a wrong rule (% beside it)
            held = _stairs_held(root_at, downstream, base, at) if whole or check.verdict != DISAGREE else None
            # an agreement across stairs that, held still, cannot be judged: what cancelled there is not the rules
            unjudged = check.verdict == AGREE and held is not None and held.verdict not in (AGREE, DISAGREE)
            across = unjudged and stairs_crossed(downstream, base, grads, big)
        told = replace(check, numeric=None, verdict=UNMEASURED, detail=whole) if whole else check
        checks[id(leaf)] = _with_held(told, held, downstream, across, beyond=bool(whole))
    return checks


def _with_held(
    check: Check, held: Check | None, downstream: list[Node], across: bool = False, beyond: bool = False
) -> Check:
    """The check as drawn, given the one measured with the rounding ops held on their stairs (`_stairs_held`): red
    where that disagrees; green where it agrees and the check itself could not measure, but for stairs `beyond` 2**52
    (whole_floats). Grey, `across`, an agreement
    measured across stairs (`whole_floats.stairs_crossed`) where the held one judged nothing."""
    if held is None:
        return check
    names = " and ".join(dict.fromkeys(n.op.name for n in downstream[1:] if rounds(n)))
    if across:
        why = f"the steps cross {names}'s stairs, whose jumps the rules leave out, and held still it cannot be judged"
        return replace(check, numeric=None, verdict=UNMEASURED, detail=why)
    # where the check itself could not measure (at a stair the root jumps: tanh(x·x) + ceil(x) at 3), the held one is
    # the root as the rules have it, and judges: green where it agrees, as red where it disagrees; not where it
    # measured only the stairs' held 0 (floor(x) alone), which is their rule itself, nor `beyond` 2**52, where the
    # stairs cannot be told from the floats' own (whole_floats: x % -1e-300's quotient, 1.6e300)
    measured = held.verdict == AGREE and bool(held.numeric) and not beyond
    decides = held.verdict == DISAGREE or check.verdict == UNMEASURED and measured
    if decides and np.isfinite(held.analytic):
        return replace(held, detail=f"measured with {names}'s stairs held still, as the rules say")
    return check


def _stairs_held(root_at: Any, downstream: list[Node], base: dict[int, Any], at: tuple) -> Check | None:
    """The leaf's check measured again with each rounding op held still (`_held`: what their rules say of them): the
    rest of the root then has no stairs, and a wrong rule beside them shows red. dbl(x) + floor(x),
    its rule 1 for 2, was drawn grey at 2601, a stair (the one-sided slopes never settle), and at 6327.02, its error
    under half the stairs' slope; dbl(x) + x % 3 at 1e15 + 0.5 green, the steps across thousands of stairs measuring
    %'s average slope, 0, where its rule says 1. None where no rounding op is downstream (`_with_held` tells it)."""
    ops = [n for n in downstream[1:] if rounds(n)]
    if not ops:
        return None
    held = {id(n): _held(n, base) for n in ops}
    # a remainder held, a − b·q, rounds at a's size, which its result (8.9 % 0.0012 is 0.0005) does not show
    scale = max((largest(base[id(n.parents[0])]) for n in ops if n.op.name in REMAINDERS), default=0.0)

    def held_at(data: Any) -> tuple[float, float, np.ndarray, str]:
        f, big, inner, still = root_at(data, held=held)
        return f, max(big, scale), inner, still

    x, grad, (_, big), tensor, terms = at
    try:  # the root as held still: a remainder's a − b·q rounds otherwise than its own
        f0 = held_at(x)[0]
    except (ArithmeticError, ValueError):  # an op refuses that rounding (log of a remainder of 0): nothing measured
        return None
    return _leaf_check(held_at, x, grad, (f0, max(big, scale)), tensor, terms, wider=True)


def _held(node: Node, base: dict[int, Any]) -> Any:
    """A rounding op held on its stair, as a function of its inputs: floor, ceil, round and trunc their value (their
    rule's 0), % and fmod a − b·q and frac x − q with the whole quotient q the forward took (their rules' 1 and −q)."""
    if node.op.name in STAIRS:
        value = base[id(node)]
        return lambda inputs: value
    q = quotient(node.op.name, [base[id(p)] for p in node.parents], base[id(node)])
    return lambda inputs: inputs[0] - divisor(inputs) * q


def _leaf_check(
    root_at: Any, x: Any, grad: Any, root: tuple[float, float], tensor: bool, terms: Terms, wider: bool = False
) -> Check:
    """One leaf's check: as one number, element by element, or by blocks (the module's docstring); `root`:
    the root's value and the largest number downstream of the leaf, which its finite differences round at;
    `terms` the nodes between them, which must follow a line across a step that judges (term_bends); `wider`: a
    number may be measured with steps wider than the best where rounding swamps its slope (numeric.WIDER)."""
    f0, big = root
    size = int(np.size(x))
    if size == 0:  # nothing to move, nothing to compare: not a green that checked nothing
        return Check(0.0, None, UNMEASURED, detail="it is empty: no element to move")
    if not np.isfinite(f0):  # nothing moved, no element compared
        analytic = float(np.asarray(grad).reshape(-1)[0]) if size == 1 else 0.0
        return Check(analytic, None, UNMEASURED, detail=f"the root is {summary(f0)} here")
    if not tensor or size == 1:
        one = np.asarray(grad).reshape(-1)[0] if tensor else grad
        return measure(root_at, x, np.ones(np.shape(x)), one, f0, terms, wider=wider)
    m = gradcheck_block_size(size, None)
    if size <= m:  # a block's worth: each element on its own, its derivative itself
        parts = [
            Part(f"element {list(index)}", _one_hot(x, index), np.asarray(grad)[index], None)
            for index in np.ndindex(np.shape(x))
        ]
        return _told(parts, root_at, x, f0, _each(size), terms)
    data = np.asarray(x, dtype=np.float64)
    blocks = Blocks(data, np.asarray(grad, dtype=np.float64), _rounding(data, big), m)
    parts, compared = blocks.parts()
    return _told(parts, root_at, x, f0, compared, terms, blocks)


def _told(
    parts: list[Part], root_at: Any, x: Any, f0: float, compared: str, terms: Terms, blocks: Blocks | None = None
) -> Check:
    """Measure each part and keep the most telling: the first that disagrees, else the first that cannot be judged,
    else the first kink; where all agree, no part. A block that measured a kink is halved (`_halved`) so that its
    elements the kink is not at are judged: an element alone that disagrees is told, else the block's kink stays. A
    block that disagrees is halved too, and told red only where an element alone confirms it: kinks of both kinds
    cancel in a block's one-sided slopes (hardtanh of 64 elements at -1 and 1 by turns, its right rule: the block
    read smooth, 8 beside backward's 0); unconfirmed, it is told by a kink found within it, else grey (clip of 64
    elements, 40% of them at -1 or 1, its right rule, disagreed along the slopes' signs, 2.1e-4 beside 1.1e-4, where
    each half was too small to judge).
    A block too small to judge is halved too: its kinks' one-sided slopes (relu of tile([0, 1, -1, 2]), 8 beside 0
    per block) can swamp its central slope's error, and where its halves judge every element beside them it is told
    by them (a kink within, else green).
    Once a part is red, nothing more is measured: none could tell more. Where `blocks` has elements whose slopes
    the root's rounding swamps (Blocks.lost), a leaf whose parts agree or are kinks is told grey by them."""
    found, spent = [], 0  # the halves measured, LEAF_SPLITS at most

    def measured(part: Part) -> Check:
        return measure(root_at, x, part.direction, part.grad, f0, terms, part.tolerance)

    halved = False  # whether the last part was halved: its elements are judged, its twin along the slopes' signs not
    for part in parts:
        if halved and part.along == ALONG_SIGNS:
            halved = False
            continue
        check = measured(part)
        halved = blocks is not None and check.verdict in HALVED and np.count_nonzero(part.direction) > 1
        ends: list[tuple[str, Check]] = []  # the halves the halving ended at, none halved on
        given = min(SPLITS, LEAF_SPLITS - spent)  # this block's halves
        left, unhalved = [given], halved and given <= 0
        red, kink = halved_parts(part, measured, blocks, left, ends) if halved else (None, None)
        spent = min(LEAF_SPLITS, spent + given - left[0])
        if check.verdict in (KINK, TOO_SMALL) and red is not None:  # a red element within the block is told
            found.append(red)
        elif halved and check.verdict in RED and red is None:  # no element alone red: a kink within is told, or grey
            found.append(_unconfirmed(part.name, check, kink, unhalved))
        elif halved and check.verdict == TOO_SMALL and all(c.verdict in (AGREE, KINK) for _, c in ends):
            # its kinks made the block's error too large to judge; its halves judged every element beside them
            found.append(kink or ends[0])
        else:  # a red block confirmed is told as measured; one still too small, its twin along the signs measured
            found.append((part.name, check))
            halved = halved and check.verdict != TOO_SMALL
        if found[-1][1].verdict == DISAGREE:
            break
    rank = {verdict: i for i, verdict in enumerate(_TELLING)}
    name, worst = min(found, key=lambda pair: rank[pair[1].verdict])  # min keeps the first of equals
    lost = blocks.lost() if blocks is not None and worst.verdict in (AGREE, KINK) else []
    if len(lost):  # where nothing else was grey: the leaf's ✓ would vouch for them
        name, worst = _lost(blocks, lost)
    return replace(worst, compared=compared, part="" if worst.verdict == AGREE else name)


def _unconfirmed(name: str, check: Check, kink: Any, unhalved: bool = False) -> tuple[str, Check]:
    """A block that disagreed where no element alone does, as told: by the `kink` found within it, else grey; and
    `unhalved`, where the leaf's halves were spent before it, grey saying so."""
    if kink is not None:
        why = "its block disagreed, but no element of it alone does: kinks of both kinds cancel in a block's slopes"
        return kink[0], replace(kink[1], detail=f"{kink[1].detail}; {why}")
    why = "it disagrees as a block, but no half of it does: what it measured is no one element's error"
    if unhalved:
        why = (
            f"it disagrees as a block, unconfirmed: the {LEAF_SPLITS} halves a leaf may measure went to blocks "
            "before it, and an error of a block as a whole may be no one element's (kinks cancelling)"
        )
    return name, replace(check, numeric=None, verdict=UNMEASURED, detail=why)


def _lost(blocks: Blocks, lost: np.ndarray) -> tuple[str, Check]:
    """The elements whose slopes the root's rounding swamps, as a grey part: the first of them named, with its
    slope and rounding."""
    first = int(lost[0])
    slope, rounding = float(blocks.grad.ravel()[first]), float(blocks.rounding.ravel()[first])
    others = f" and {lost.size - 1} more" if lost.size > 1 else ""
    why = (
        f"its slope, {summary(slope)}, is lost in the root's rounding (±{summary(rounding)} at the steps taken)"
        f"{others}: no difference of this root can judge it"
    )
    index = list(map(int, np.unravel_index(first, blocks.data.shape)))
    return f"element {index}", Check(slope, None, UNMEASURED, detail=why)


def _rounding(x: np.ndarray, big: float) -> np.ndarray:
    """How far rounding may move each element's own finite difference at its best step (best_steps), with the floor
    `measure` sets on an element judged alone: the replay's numbers round to EPS of the largest, `big`."""
    return FLOOR * ROUNDING * EPS * max(big, TINY) / best_steps(x)


def _one_hot(x: Any, index: tuple[int, ...]) -> np.ndarray:
    direction = np.zeros(np.shape(x))
    direction[index] = 1.0
    return direction


def _each(size: int) -> str:
    return f"element by element ({size})"


def _number(x: Any) -> float:
    return float(np.asarray(x, dtype=np.float64).reshape(-1)[0])

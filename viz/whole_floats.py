"""Where `check=True` cannot judge a rounding op: from 2**52 on every float is a whole number, so floor,
ceil, round, trunc (and the whole quotient of % and fmod) are the identity on the floats there, and a
finite difference measures slope 1 beside the 0 of their rule (stairs too narrow for any float step); from
2**47 on a step within a stair is lost in the check's allowance for rounding, with the same result."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Node


def rounded_on_whole_floats(
    downstream: list[Node], values: dict[int, Any], grads: dict[int, Any] | None = None, big: float = 0.0
) -> str:
    """Why a finite difference cannot judge the leaf of `downstream` (it and the nodes computed from it,
    with their data in `values`), or "": an op rounds a number of 2**52 or more to a whole one, and there
    every float is whole, so its stairs lie between floats: on floats it is the identity (slope 1), which
    no step can tell from the stairs (slope 0) its rule follows. Or a step within a stair is lost in the
    check's allowance for rounding numbers as large as `big` (`_lost`, with the root's `grads`)."""
    for node in downstream[1:]:
        rounded = _ROUNDED.get(node.op.name)
        if rounded is None:
            continue
        inputs = [values[id(p)] for p in node.parents]
        size = np.max(np.abs(rounded(*inputs)))
        what = "its input" if node.op.name in _ROUNDING else "the quotient a / b"
        if size >= WHOLE:
            return (
                f"{node.op.name} rounds {what}, of size {size:.3g} here: from 2**52 on every float is a whole "
                "number, so its stairs lie between floats and no step can tell them from a slope of 1"
            )
        if grads is not None and _lost(node, inputs, grads, big):
            return (
                f"{node.op.name} rounds {what}, of size {size:.3g} here: a step within one of its stairs changes "
                f"the root by less than the check allows for rounding numbers as large as {big:.3g}, so no step "
                "can tell the stairs from a slope of 1"
            )
    return ""


def _lost(node: Node, inputs: list[Any], grads: dict[int, Any], big: float) -> bool:
    """Whether the root's jump at one of `node`'s stairs (its gradient there times the stair's rise: 1, or the
    divisor b of % and fmod) is at most `big` / UNSEEN: a step of half a stair then moves the root by no more than
    the check allows for rounding numbers as large as `big` (numeric.ROUNDING units of eps, doubled by FLOOR).
    floor(1e15) was drawn red, "numeric 1 ✗ backward 0": every step it could take was wider than a stair."""
    rise = np.abs(inputs[1]) if node.op.name in _ROUNDED_QUOTIENT else 1.0
    jump = np.max(np.abs(np.asarray(grads.get(id(node), 0.0), dtype=float)) * rise)
    return bool(0 < jump and big >= UNSEEN * jump)


WHOLE = 2.0**52  # from here on a float's spacing is 1 or more: every float is a whole number
# numbers this many times a stair's jump in the root: the check's allowance for rounding them at a step of half a
# stair (numeric.ROUNDING units of eps per unit of step: 8 × 2.2e-16 × 2**47 × 2 = 0.5, doubled by numeric.FLOOR)
# is the stairs' whole slope
UNSEEN = 2.0**47
_ROUNDING = ("floor", "ceil", "round", "trunc")  # step functions whose stairs are the whole numbers (halves for round)
# what each op rounds to a whole number: the rounding ops their input, % and fmod the quotient a / b
_ROUNDED_QUOTIENT = ("%", "fmod")
_ROUNDED = {name: (lambda x: x) for name in _ROUNDING} | {op: (lambda a, b: a / b) for op in _ROUNDED_QUOTIENT}

"""Where `check=True` cannot judge a rounding op: from 2**52 on every float is a whole number, so floor,
ceil, round, trunc (and the whole quotient of % and fmod) are the identity on the floats there, and a
finite difference measures slope 1 beside the 0 of their rule (stairs too narrow for any float step)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Node


def rounded_on_whole_floats(downstream: list[Node], values: dict[int, Any]) -> str:
    """Why a finite difference cannot judge the leaf of `downstream` (it and the nodes computed from it,
    with their data in `values`), or "": an op rounds a number of 2**52 or more to a whole one, and there
    every float is whole, so its stairs lie between floats: on floats it is the identity (slope 1), which
    no step can tell from the stairs (slope 0) its rule follows."""
    for node in downstream[1:]:
        rounded = _ROUNDED.get(node.op.name)
        size = np.max(np.abs(rounded(*(values[id(p)] for p in node.parents)))) if rounded is not None else 0.0
        if size >= WHOLE:
            what = "its input" if node.op.name in _ROUNDING else "the quotient a / b"
            return (
                f"{node.op.name} rounds {what}, of size {size:.3g} here: from 2**52 on every float is a whole "
                "number, so its stairs lie between floats and no step can tell them from a slope of 1"
            )
    return ""


WHOLE = 2.0**52  # from here on a float's spacing is 1 or more: every float is a whole number
_ROUNDING = ("floor", "ceil", "round", "trunc")  # step functions whose stairs are the whole numbers (halves for round)
# what each op rounds to a whole number: the rounding ops their input, % and fmod the quotient a / b
_ROUNDED = {name: (lambda x: x) for name in _ROUNDING} | {op: (lambda a, b: a / b) for op in ("%", "fmod")}

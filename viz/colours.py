"""The fill of a value's record and the key under a drawing that says what the fills mean: a leaf's
finite-difference check, the first NaN or infinity, or (color_by_grad) its gradient's sign and size."""

from __future__ import annotations

from typing import Any

import numpy as np

from .check_verdicts import AGREE, DISAGREE, KINK_DISAGREE, Check
from .number_text import finite, magnitude, summary

AGREE_FILL, DISAGREE_FILL, UNJUDGED_FILL, FIRST_NONFINITE_FILL = "#d4efd4", "#f6c4c4", "#e6e6e6", "#ff9c9c"
NONFINITE_GRAD_FILL = "gray80"  # with corner marks: a NaN or infinite gradient has no place on the colour scale
POSITIVE_HUE, NEGATIVE_HUE, MIXED_HUE = "0.0", "0.6", "0.8"  # red, blue, and the purple of the two mixed
MISSING = object()  # no gradient has reached the node


def fill(
    grad: Any, top: float, color_by_grad: bool, check: Check | None, first: bool, slip: bool = False
) -> dict[str, str]:
    """A value's fill: red where the first NaN or infinity appeared (`first`); a leaf's check, green
    where it agrees, red where it does not or where it disagrees with the `.grad` held beside (`slip`: set by
    hand with a slip), grey where it cannot judge; else the shade of its gradient (`color_by_grad`; grey with
    corner marks for a NaN or infinite one) or white."""
    if first:
        return {"style": "filled", "fillcolor": FIRST_NONFINITE_FILL}
    if slip:
        return {"style": "filled", "fillcolor": DISAGREE_FILL}
    if check is not None:
        judged = {AGREE: AGREE_FILL, DISAGREE: DISAGREE_FILL, KINK_DISAGREE: DISAGREE_FILL}
        return {"style": "filled", "fillcolor": judged.get(check.verdict, UNJUDGED_FILL)}
    if not color_by_grad or grad is MISSING:
        return {"style": "filled", "fillcolor": "white"}
    if not finite(grad):
        return {"style": "filled,diagonals", "fillcolor": NONFINITE_GRAD_FILL}
    return {"style": "filled", "fillcolor": _shade(grad, top)}


def mixed(grad: Any) -> bool:
    """Whether a gradient has elements of both signs (zeros have none): a tensor's whose mean, or any one
    number, would tell one sign where it has two (cross-entropy's logits: mean 0, its sign float noise)."""
    a = np.asarray(grad)
    return bool(np.any(a > 0) and np.any(a < 0))


def _shade(grad: Any, top: float) -> str:
    """A diverging colour: red for a positive gradient, blue for a negative one, purple for a tensor's of
    both signs, from white for 0 to saturated for the largest finite mean |grad| in the graph (`top`)."""
    hue = MIXED_HUE if mixed(grad) else NEGATIVE_HUE if np.any(np.asarray(grad) < 0) else POSITIVE_HUE
    return f"{hue} {min(magnitude(grad) / top, 1.0) * 0.85:.3f} 1.0"


def colour_key(grads: dict[int, Any], top: float, first: int | None = None) -> str:
    """The note under a drawing coloured by gradient: what the colours mean, purple and grey where drawn. The
    first NaN or infinity (`first`, a node id) is filled light red, not grey: the key says so, and speaks of
    grey only where another value wears it."""
    if not grads:  # before any backward: every record white, no scale to speak of (it read "deepest at |grad| 1")
        return "colours: none yet, no value holds a gradient: call backward() on the root, then draw it"
    drawn = [g for g in grads.values() if finite(g)]
    # a tensor's shade is by its mean |grad| (`magnitude`), a number its record does not show: said so
    size = "mean |grad|" if any(np.size(g) > 1 for g in drawn) else "|grad|"
    key = f"colours: red for a positive gradient, blue for a negative one, deepest at {size} {summary(top)}"
    key += (
        "; purple: a tensor gradient of both signs, some elements positive and some negative"
        if any(map(mixed, drawn))
        else ""
    )
    grey = any(not finite(g) for i, g in grads.items() if i != first)
    key += "; grey with corner marks: NaN or infinite" if grey else ""
    red = "; light red: the first NaN or infinity, off the scale (red borders: its path)"
    return key + (red if first is not None else "")

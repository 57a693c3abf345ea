"""The gradients gradcheck compares with f's differences: backward's, of <weights, f's output>, refused where a
rule is not linear in the gradient from above; and the precision of f's output, read off the same pass."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .check_numeric import GradcheckError
from .check_rounding import Precision, gradient_seed, precision, rounded_nodes
from .graph import Node
from .graph_functions import gradients


def analytic_gradients(
    out: Any,
    leaves: list[Node],
    weights: Any,
    names: list[str],
    unchanged: Callable[[], None],
    atol: float,
    rtol: float,
) -> tuple[list[Any], Precision]:
    """The gradients of <weights, out> by backward, and the precision of out (`check_rounding`, from the
    gradients of the same pass at every node); and refused unless a backward seeded -2 times as
    large gives -2 times as much, within the check's tolerances (exactly, in binary floating point,
    for rules that multiply their g, but where gradients round as subnormals, or overflow: those
    are not judged). The sign catches a rule that drops g's (abs(g)). `unchanged` refuses a rule
    that wrote into an input (called after each backward, before the scaling is judged)."""
    if not isinstance(out, Node) or out.is_constant:  # no graph (the derivative of neg is -1 everywhere): zero
        return [leaf._zero_like(leaf) for leaf in leaves], precision(out, [], [])
    seed = gradient_seed(out, weights)
    nodes = rounded_nodes(out)
    grads = gradients(out, [*leaves, *nodes], seed)
    grads, moves = grads[: len(leaves)], grads[len(leaves) :]
    unchanged()
    scaled = gradients(out, leaves, seed * -2)
    unchanged()
    for name, g, g2 in zip(names, grads, scaled):
        expected = np.multiply(g, -2)
        judged = np.isfinite(expected) & np.isfinite(g2)  # an overflow in either tells nothing
        if not np.allclose(np.where(judged, g2, 0), np.where(judged, expected, 0), rtol=rtol, atol=atol):
            raise GradcheckError(
                f"gradcheck: the gradient of {name} is not -2 times as much when the gradient from above is "
                f"({np.asarray(g).ravel()[:4]} became {np.asarray(g2).ravel()[:4]}): a rule must be linear in the g "
                "it is given (g * its derivative); does one ignore its g, use it twice, or drop its sign?"
            )
    return grads, precision(out, nodes, moves)

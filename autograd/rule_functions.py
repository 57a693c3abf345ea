"""The functions derivative rules are written with besides the ops themselves (op_functions.function), so
that one rule runs on floats, arrays and nodes: `where` (a differentiable selection), `gated` (the rule
of an op flat on a piece), `unknown_at_nan` (a piecewise rule's NaN), `sign` (a constant), `nowhere_zero`.

The policy at NaN, one for every op (docs/edge-points.md): where an input is NaN, a gradient whose value
depends on that input is NaN. A piecewise op picks its derivative by comparing the input, and every
comparison with NaN is false, so without care the piece a NaN lands on is an accident of how the test
was written (relu's `x > 0` sent 0, hardshrink's `|x| > lambd` the gradient itself): `unknown_at_nan`
puts NaN there (`gated_off_nan`: with `gated`, in one read). A derivative that is the same number at every
point (add's 1, mul's b to a, floor's 0) is sure at NaN too and stays."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .elementwise_forwards import holds_nan
from .graph import Node, raw
from .op_functions import _ENGINES
from .scaled_sums import squares_finite, vdot


def where(x: Any, y: Any, cond: Any, unpicked: float = -0.0) -> Any:
    """x where cond holds, else y; differentiable in x and y, on either engine. cond is boolean (a
    comparison, `raw(x) > 0`): a number is not read as true where nonzero. `unpicked`: the gradient's zero
    where an input is not picked (below); +0 where a constant is picked on a piece whose slope is constant
    (elu's, hardswish's), so that their exact 0 there is +0 on a Tensor as on a Value and in PyTorch."""
    if cond.__class__ is not bool and getattr(cond, "dtype", None) != np.bool_:
        from .tensor_indexing import boolean  # here: tensor_indexing is built on the op table, op_def under it

        cond = boolean(cond, "where", "condition")
    if np.ndim(cond) == 0 and not hasattr(x, "shape") and not hasattr(y, "shape"):
        return x if cond else y
    # the gradient's zero where x or y is not picked is −0, the sum's identity: x's gradient is the sum of its
    # paths' (a series' and a formula's, `piecewise`), and a path's −0 (atan''(inf), the limit's sign) plus
    # where's +0 made +0 beside finite entries, where a Tensor of infinite entries alone gave −0
    return _ENGINES["tensor"]["where"](x, y, cond=cond, unpicked=unpicked)


def gated(g: Any, factor: Any, out: np.ndarray | None = None) -> Any:
    """g * factor, and 0 wherever factor is 0 whatever g is there: the rule of an op flat on a piece
    (relu, clip, the smaller input of maximum, rounding) selects, as PyTorch's do, so that an infinite
    or NaN gradient from above (sqrt's at 0, in `sqrt(maximum(d, 0))`) stays out of where the op is
    flat instead of making NaN (0 * inf). `factor`: a constant, a bool mask or numbers (maximum's 1/2
    at a tie), 0 exactly where the op is flat: a factor that varies with the input (a slope that
    crosses 0) would lose its own derivative here. `out`: an array to write the result into (a
    compiled step's buffer)."""
    f = raw(factor)
    if not hasattr(g, "shape") and not isinstance(f, np.ndarray):  # floats and Values: 1/x near 0 is inf
        return g * factor if f else 0.0
    # all finite: the product, then, is the selection (np.where's is many times slower); squares_finite's one pass,
    # else .all()'s reduce, in C
    data = raw(g)
    finite = (data.__class__ is np.ndarray and squares_finite(data)) or np.logical_and.reduce(
        np.isfinite(data), axis=None
    )
    if isinstance(g, Node):  # a Tensor under create_graph: recorded, differentiable in g, a plain pass's bits
        return g * f if finite else where(g if np.result_type(f) == np.bool_ else g * f, 0.0, cond=np.not_equal(f, 0))
    if finite:
        return np.multiply(g, f, out=out)
    with np.errstate(invalid="ignore"):  # inf * 0 where the factor is 0: not kept
        selected = np.where(f, g * f, 0)
    if out is None:
        return selected
    np.copyto(out, selected)
    return out


def gated_off_nan(g: Any, factor: Any, x: Any) -> Any:
    """gated(g, unknown_at_nan(factor, x)): the rule of a piecewise op flat on a piece (relu, clip, hardtanh),
    its two reads made as one where g and x are arrays alike (`finite_together`): factor then stands and
    g * factor is the selection. Where they are not, the two reads apart, as ever."""
    if finite_together(g, x):
        return np.multiply(g, factor)
    return gated(g, unknown_at_nan(factor, x))


def finite_together(g: Any, x: Any) -> bool:
    """Whether g and x, arrays alike (float32 or float64, one shape, C-contiguous), hold no NaN and no infinity,
    read as one: their dot product is finite only then (such an entry makes its term, and any sum of it, NaN or
    infinite). One pass over both instead of one over each, and two calls fewer than unknown_at_nan's and gated's
    reads; False where they are not alike or the sum overflowed (huge but finite): the caller reads them apart."""
    return (
        g.__class__ is np.ndarray
        and x.__class__ is np.ndarray
        and g.dtype == x.dtype
        and g.dtype.char in "fd"
        and g.shape == x.shape
        and g.flags.c_contiguous
        and x.flags.c_contiguous
        and math.isfinite(vdot(g, x))
    )


def unknown_at_nan(factor: Any, x: Any) -> Any:
    """`factor` (a bool mask or numbers: a piecewise op's derivative, picked by comparing the input), NaN
    wherever `x` is NaN: there no piece holds and the derivative is unknown. `x` is what is NaN exactly
    there: the input, or the output where the op propagates NaN (maximum's, for both inputs at once). An
    array without NaN costs one pass, no copy (`holds_nan`); the factor comes back as it was given, a bool
    mask too."""
    x = raw(x)
    if not isinstance(x, np.ndarray):
        return factor if x == x else math.nan
    if x.dtype.kind != "f" or not holds_nan(x):
        return factor
    return np.where(np.isnan(x), x, factor)  # x's own NaN: its dtype, as the mask's gated product


def sign(x: Any) -> Any:
    """-1, 0 or 1 as a constant (the data's sign), a float for a float; NaN for NaN, on both engines."""
    x = raw(x)
    return np.sign(x) if isinstance(x, np.ndarray) else float((x > 0) - (x < 0)) if x == x else x


def nowhere_zero(x: Any) -> bool:
    x = raw(x)
    return bool(np.all(x != 0)) if isinstance(x, np.ndarray) else x != 0

"""The errors of a tensor op's forward: numpy's words about shapes made a ShapeError naming the op."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from .modes import short, too_large
from .op import Op
from .tensor_data import RAGGED
from .tensor_ops import ShapeError

_FLOAT_MAX = sys.float_info.max  # a Python float: an int compares with it exactly, never converted
_SHAPE_WORDS = ("shape", "broadcast", "dimension", "size")
_NUMPYS_SHAPE_ERRORS = (
    "could not be broadcast",
    "mismatch in its core dimension",
    "cannot reshape array",
    "not aligned",
)


def overflow_error(op: Op, arguments: Sequence[Any], e: OverflowError) -> Exception:
    """numpy's OverflowError at a Python int among the op's operands (their data) and keyword arguments
    (`t + 10**400`, `t ** 10**400`), naming the op and the number, as a Value's operator does: beside a
    float array, one no float holds; beside integers only, one their dtype cannot hold. Any other as it is."""
    ints = [x for x in arguments if isinstance(x, int) and not isinstance(x, bool)]
    if not ints:
        return e
    floating = any(isinstance(a, np.ndarray) and a.dtype.kind == "f" for a in arguments)
    for x in ints:
        if floating and abs(x) > _FLOAT_MAX:
            return too_large(x, f"{op.name}: ")
    dtypes = ", ".join(sorted({str(a.dtype) for a in arguments if isinstance(a, np.ndarray)}))
    big = max(ints, key=abs)
    return OverflowError(f"{op.name}: int {short(big)} does not fit {dtypes or 'a float'} ({e})")


def bool_error(op: Op, datas: Sequence[Any], e: TypeError) -> Exception:
    """numpy's refusal of bools in a built-in op (`-mask`, `sign(mask)`: a ufunc without a bool loop, in
    numpy's words) naming the op and the way on; any other TypeError as it is."""
    if not op.built_in or not any(getattr(d, "dtype", None) == np.bool_ for d in datas):
        return e
    if "numpy boolean" not in str(e) and "did not contain a loop" not in str(e):
        return e
    return TypeError(
        f"{op.name} of a bool tensor is not defined ({e}); for numbers, make it integers or floats first "
        "(t.astype(int)); for masks, ~ negates and ^ is xor"
    )


def forward_error(op: Op, datas: Sequence[Any], e: ValueError) -> Exception:
    """numpy's complaints about shapes become a ShapeError naming the op and the shapes: in a built-in
    op, any that speaks of shapes; in a user's op, numpy's own sentences only (its words may speak of a
    "window size" out of its domain). Errors that already say what is wrong (ours, a bad axis) pass
    as they are; any other ValueError is the op's input outside its domain, named as on Values."""
    if isinstance(e, ShapeError | np.exceptions.AxisError) or type(e) is not ValueError:
        return e
    words = str(e)
    if "inhomogeneous" in words:  # a ragged list among the op's arguments (an index)
        return ValueError(f"{op.name}: {RAGGED}")
    if "zero-size" not in words and any(w in words for w in (_SHAPE_WORDS if op.built_in else _NUMPYS_SHAPE_ERRORS)):
        shapes = " and ".join(str(np.shape(d)) for d in datas)
        matmul = len(datas) == 2 and any(w in words for w in ("core dimension", "remapped shapes"))
        why = _matmul_mismatch(*map(np.shape, datas)) if matmul else f"({e})"
        return ShapeError(f"{op.name}: shapes {shapes} do not fit {why}")
    return op.domain_error(datas, e)


def _matmul_mismatch(a: tuple[int, ...], b: tuple[int, ...]) -> str:
    """Which dims of a matrix product's operands disagree, where numpy speaks of its gufunc signature."""
    inner = b[-2 if len(b) > 1 else 0] if b else None
    if a and a[-1] != inner:
        where = "next to last" if len(b) > 1 else "only"
        return f"(a product needs the first's last dim, {a[-1]}, to be the second's {where} dim, {inner})"
    return f"(the dims before the last two, {a[:-2]} and {b[:-2]}, do not broadcast)"

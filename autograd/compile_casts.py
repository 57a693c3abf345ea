"""`Tensor(x)` of an array that it casts (float16 to float32 unless told, `dtype=` another float) while a step is
compiled: noted as the table's astype op on a leaf over the array itself, so that a replay casts each call's
input (or the caller's array as it is then) as the eager call does, rather than run the step eagerly."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import compile_record
from .compile_watched import Watched, plain_array, same_layout
from .dtype_fits import check_cast_fits, check_float_fits
from .dtypes import DATA_KINDS
from .op import Op
from .tensor_ops import OPS

_ASTYPE = OPS["astype"]
_CHECKED: dict[tuple[np.dtype, str], Op] = {}  # checked casts (_checked), by dtype and the cast's name


def tensor_made(tensor: Any, data: Any) -> None:
    """Note `tensor`, which Tensor() made as a copy of `data` (another dtype, or a list), in the recording. Of a
    watched input (compile_watched), a view of it made by numpy, it holds the input itself, or a plain view."""
    if isinstance(data, Watched):
        plain = plain_array(data)
        if same_layout(tensor._data, plain):
            tensor._data = plain  # as eagerly: Tensor(x) holds x
            return
        data = plain
    made = tensor._data.dtype
    # a cast to integers checks that every value fits (dtype_fits), which astype would not: those stay refused; an
    # array of objects or complex numbers, which Tensor() casts but holds no leaf of, is data made outside the graph
    if (
        isinstance(data, np.ndarray)
        and data.dtype.kind in DATA_KINDS
        and data.shape == tensor.shape
        and (made.kind not in "iu" or np.can_cast(data.dtype, made))
    ):
        leaf = type(tensor)(data, dtype=data.dtype)  # over the array itself: an input, or the caller's read live
        if np.can_cast(data.dtype, made):
            compile_record.made_constant(tensor, _ASTYPE, {"dtype": made}, [leaf], False)
        else:  # into a narrower float: each replay checks its call's numbers fit, as Tensor() does (1e300: refused)
            compile_record.made_constant(tensor, _checked(made, "Tensor()"), {}, [leaf], False)
    else:
        compile_record.constant_from_inputs(tensor, [data])


def integer_cast(cast: Any, tensor: Any, kind: np.dtype, name: str) -> None:
    """Note `cast`, `tensor`'s values cast to the integer or bool dtype `kind` (`t.astype(np.int64)`, `t.long()`,
    named `name`), in the recording: as an op that needs no gradient, which each replay runs on that call's
    numbers (the cast's shape is its operand's), refusing a value that does not fit as eagerly (a replay that
    meets one stops, and the call runs eagerly, raising the eager error). Of a tensor a gradient flows to (the
    graph's numbers: `(x * w).astype(np.int64)`) too, where it was a constant that, all zeros on both recorded
    calls, a replay reused for a later call's other numbers."""
    op = _checked(kind, name)
    of_graph = compile_record.needs_grad(tensor) or compile_record.of_graph([tensor])
    compile_record.constant_from_inputs(cast, [[tensor], {}], (op, {}, [tensor]), of_graph)


def _checked(kind: np.dtype, name: str) -> Op:
    """The op that casts a call's numbers to `kind` as the eager call (`name`) does, refusing one that does not fit
    (dtype_fits: NaN or 300 into int8, 1e300 into float32), which the table's astype would cast unchecked."""
    op = _CHECKED.get((kind, name))
    if op is None:

        def forward(data: np.ndarray) -> np.ndarray:
            check_cast_fits(data, kind, name)
            check_float_fits(data, kind, name, f"pass a wider dtype than {kind}")
            return _ASTYPE.forward(data, dtype=kind)

        op = _CHECKED[(kind, name)] = Op(name, forward, lambda g, out, x: (None,))
    return op

"""`Tensor(x)` of an array that it casts (float16 to float32 unless told, `dtype=` another float) while a step is
compiled: noted as the table's astype op on a leaf over the array itself, so that a replay casts each call's
input (or the caller's array as it is then) as the eager call does, rather than run the step eagerly."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import compile_record
from .dtypes import DATA_KINDS
from .tensor_ops import OPS

_ASTYPE = OPS["astype"]


def tensor_made(tensor: Any, data: Any) -> None:
    """Note `tensor`, which Tensor() made as a copy of `data` (another dtype, or a list), in the recording."""
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
        compile_record.made_constant(tensor, _ASTYPE, {"dtype": made}, [leaf], False)
    else:
        compile_record.constant_from_inputs(tensor, [data])

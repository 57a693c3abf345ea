"""`autograd.exp`, `log`, `relu`, ...: one function per unary op of the table, for numbers,
Values, arrays and Tensors alike.

Each picks the scalar op (math) or the tensor op (numpy) by its argument, so a user-defined
derivative rule written with them works in every mode: floats, Values, arrays, Tensors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import scalar_ops, tensor_ops
from .op import Op
from .op_table import TABLE
from .tensor import Tensor


def _either(scalar: Op, tensor: Op) -> Callable[[Any], Any]:
    def function(x: Any) -> Any:
        return tensor(x) if isinstance(x, Tensor | np.ndarray) else scalar(x)

    function.__doc__ = f"{scalar.name} of a number, Value, array or Tensor (differentiable on Values and Tensors)."
    return function


FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    d.name: _either(scalar_ops.OPS[d.name], tensor_ops.ELEMENTWISE[d.name]) for d in TABLE if d.arity == 1
}
for _name, _function in FUNCTIONS.items():
    _function.__name__ = _function.__qualname__ = _name
globals().update(FUNCTIONS)

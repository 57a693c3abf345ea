"""exp, log, sqrt, tanh, sigmoid, relu, sin, cos: one name for numbers, Values, arrays and Tensors.

Each picks the scalar op (math) or the tensor op (numpy) by its argument, so a user-defined
derivative rule written with them works in every mode: floats, Values, arrays, Tensors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import scalar_ops, tensor_ops
from .graph import Op
from .tensor import Tensor


def _either(scalar: Op, tensor: Op) -> Callable[[Any], Any]:
    def function(x: Any) -> Any:
        return tensor(x) if isinstance(x, Tensor | np.ndarray) else scalar(x)

    function.__name__ = function.__qualname__ = scalar.name
    function.__doc__ = f"{scalar.name} of a number, Value, array or Tensor (differentiable on Values and Tensors)."
    return function


exp = _either(scalar_ops.exp, tensor_ops.exp)
log = _either(scalar_ops.log, tensor_ops.log)
sqrt = _either(scalar_ops.sqrt, tensor_ops.sqrt)
tanh = _either(scalar_ops.tanh, tensor_ops.tanh)
sigmoid = _either(scalar_ops.sigmoid, tensor_ops.sigmoid)
relu = _either(scalar_ops.relu, tensor_ops.relu)
sin = _either(scalar_ops.sin, tensor_ops.sin)
cos = _either(scalar_ops.cos, tensor_ops.cos)

"""`autograd.exp`, `log`, `relu`, ...: one function per unary op of the table (`op_table.function`),
for numbers, Values, arrays and Tensors alike.

Each picks the scalar op (math) or the tensor op (numpy) by its argument, so a user-defined
derivative rule written with them works in every mode: floats, Values, arrays, Tensors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import scalar_ops, tensor_ops  # noqa: F401 (they register their ops, which the functions call)
from .op_table import ELEMENTWISE

FUNCTIONS: dict[str, Callable[[Any], Any]] = {d.name: d.apply for d in ELEMENTWISE if d.arity == 1}

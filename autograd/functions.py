"""`autograd.exp`, `maximum`, `leaky_relu`, ...: one function per elementwise op of the table
(`OpDef.apply`), for numbers, Values, arrays and Tensors alike, also under its aliases
(`arctan2`); an operator's under its name (`autograd.remainder(a, b)` is `a % b`). And the
predicates `isnan isinf isfinite`, which are not differentiable.

Each picks the scalar op (math) or the tensor op (numpy) by its arguments, so a user-defined
derivative rule written with them works in every mode: floats, Values, arrays, Tensors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import scalar_ops, tensor_ops  # noqa: F401 (they register their ops, which the functions call)
from .graph import Node
from .op_def import OPERATORS
from .op_functions import checked_engine
from .op_table import ELEMENTWISE
from .op_table_gamma import torch_order
from .operators import TESTS


def _operator(name: str, symbol: str) -> Callable[[Any, Any], Any]:
    apply = OPERATORS[symbol]

    def operator_function(a: Any, b: Any) -> Any:
        checked_engine(name, (a, b))  # as every function of the table: two lists would be joined, not added
        return apply(a, b)

    operator_function.__name__ = operator_function.__qualname__ = name
    operator_function.__doc__ = f"a {symbol} b, for numbers, Values, arrays and Tensors (`autograd.{name}`)."
    return operator_function


def _predicate(name: str, of_data: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def predicate(x: Any) -> Any:
        checked_engine(name, (x,))
        if isinstance(x, Node):
            return getattr(x, name)()
        return of_data(x) if isinstance(x, np.ndarray) else bool(of_data(x))

    predicate.__name__ = predicate.__qualname__ = name
    predicate.__doc__ = (
        f"np.{name} of the data, not differentiable: a bool for a number or a Value, a bool array for an "
        "array, a constant bool Tensor (requires_grad=False) for a Tensor."
    )
    return predicate


FUNCTIONS: dict[str, Callable[..., Any]] = {
    name: _operator(d.name, d.symbol) if d.symbol else d.apply for d in ELEMENTWISE for name in (d.name, *d.aliases)
}
FUNCTIONS |= {name: _predicate(name, of_data) for name, of_data in TESTS.items()}
FUNCTIONS["polygamma"] = torch_order(FUNCTIONS["polygamma"])  # torch.polygamma(n, input) too
for _function in FUNCTIONS.values():  # where pickle and help() find them: autograd.exp (op_functions has no exp)
    _function.__module__ = __name__.rpartition(".")[0]

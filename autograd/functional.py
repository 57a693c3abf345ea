"""`grad`: the gradient of a function as a function, nestable for higher derivatives."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .graph import Node, enable_grad, gradients
from .tensor import Tensor
from .value import Value


def grad(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """Return a function that computes d f / d args[argnums] for a scalar-valued `f`.

    Given plain numbers (or arrays) it returns plain numbers (or arrays). Given nodes (as happens inside another
    `grad`) it returns nodes with their own graph, so `grad(grad(f))` is the second derivative.
    Nothing's `.grad` is touched; `f` is traced even inside `no_grad`.
    """
    single = isinstance(argnums, int)
    positions = (argnums,) if single else tuple(argnums)

    def grad_f(*args: Any) -> Any:
        args = list(args)
        if any(i >= len(args) or i < -len(args) for i in positions):
            raise IndexError(f"grad: argnums={argnums} but the function was called with {len(args)} arguments")
        nested = any(isinstance(args[i], Node) for i in positions)
        for i in positions:
            if isinstance(args[i], np.ndarray):
                args[i] = Tensor(args[i], requires_grad=True)
            elif not isinstance(args[i], Node):
                args[i] = Value(args[i])
        wrt = [args[i] for i in positions]
        with enable_grad():  # differentiating needs the graph, even inside no_grad
            out = f(*args)
        if isinstance(out, Node):
            result = gradients(out, wrt, create_graph=nested)
        else:  # f does not depend on its inputs through the graph: a constant
            result = [x._zero_like(x) for x in wrt]
        if not nested:
            result = [r.data if isinstance(r, Node) else r for r in result]
        return result[0] if single else tuple(result)

    grad_f.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    grad_f.__doc__ = f"The gradient of {getattr(f, '__name__', 'f')} with respect to argument(s) {argnums}."
    return grad_f

"""nn.Parameter, as PyTorch users write it in `__init__`: `self.w = nn.Parameter(autograd.randn(3, 4))`.

A Module's parameters are the leaf Tensors among its attributes that require grad, or are frozen (see
`structure.is_parameter`): being one is a state of a Tensor, not a class. So nn.Parameter(...) gives a
plain Tensor in that state, over the same array (no copy), and nothing else has to know of it: ops,
optimizers, nn.save, autograd.compile and viz see the Tensor they always saw. `isinstance(p,
nn.Parameter)` asks that question of `p`: True for any Tensor a Module would take as its parameter
(PyTorch's asks of the class; there a plain leaf Tensor that requires grad is no parameter)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Tensor, check_memory, type_name

from .arguments import check_flag
from .structure import is_parameter


class _ParameterCheck(type):
    """`isinstance(p, Parameter)`: whether `p` is a Tensor that a Module takes as its parameter."""

    def __instancecheck__(cls, value: Any) -> bool:
        return isinstance(value, Tensor) and is_parameter(value)


class Parameter(metaclass=_ParameterCheck):
    """`data` (a floating-point Tensor or numpy array) as a new leaf Tensor over the same array that
    requires grad: assigned to a Module's attribute, a parameter of it. `requires_grad=False` makes
    it frozen (still the module's, saved and loaded, skipped by optimizers), as PyTorch's frozen
    Parameter is. Of a Tensor, it shares the array and its version count (`detach`)."""

    def __new__(cls, data: Any, requires_grad: bool = True) -> Tensor:  # type: ignore[misc]
        requires_grad = check_flag("nn.Parameter", "requires_grad", requires_grad)
        if isinstance(data, Tensor):
            made = data.detach()
        elif isinstance(data, np.ndarray):
            made = Tensor(data, dtype=data.dtype)  # dtype given: Tensor(array) would copy float16 into float32
        else:
            raise TypeError(
                f"nn.Parameter takes a Tensor or a numpy array, got {type_name(data)}: make one first, "
                "nn.Parameter(autograd.tensor(data)) (a copy) or nn.Parameter(autograd.zeros(3, 4))"
            )
        if made.dtype.kind != "f":
            raise TypeError(
                f"nn.Parameter needs floating-point data, got {made.dtype}: an integer parameter could not hold "
                "its gradient; convert it first (data.astype(np.float32))"
            )
        made.requires_grad = True
        made.requires_grad = requires_grad  # switched off after being on: frozen, still the module's
        return made


def check_parameters(
    owner: str, sizes: dict[str, int], shapes: Iterable[tuple[int, ...]], dtype: Any, drawn: bool = True
) -> None:
    """Refuse at once, before any is made, a module's parameters and buffers of `shapes` in `dtype`
    where no memory holds them: `nn.Linear(10**6, 10**6)` asked numpy for 7.28 TiB, and its error named
    neither the layer nor its sizes. `sizes`: the arguments that set the shapes, as the error names them.
    `drawn`: each is drawn at random in float64 first, then cast, one at a time: the largest's draw is alive
    beside all of them (Linear's scaling of its draw is done in it: numpy reuses a temporary's memory)."""
    shapes = list(shapes)
    counts = [math.prod(shape) for shape in shapes]
    dtype, entries = np.dtype(dtype), sum(counts)
    largest = max(shapes, key=math.prod, default=())
    if drawn and counts:  # the largest's float64 draw, counted in `dtype`'s entries
        entries += -(-max(counts) * 8 // dtype.itemsize)
    given = ", ".join(f"{name}={value}" for name, value in sizes.items())
    first = ", drawn in float64 first" if drawn else ""
    check_memory(
        owner,
        f"{given}: the storage of its parameters (the largest of shape {largest}{first})",
        entries,
        dtype,
        f"give smaller {', '.join(sizes)}",
    )

"""PyTorch's names for what a Tensor does under numpy's (a mixin of Tensor): `clamp` is `clip`,
`pow` is `**`, `matmul` is `@`, `clone` a differentiable copy, `float`/`double`/`half`/`long`/
`int`/`bool` casts, `expand_as`, `requires_grad_`, `dim`, `numel`, `tolist`. Each is the numpy-named operation
itself, so it records the same ops."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import compile_record
from . import tensor_ops as ops
from .compile_record import RECORDING
from .dtype_fits import check_cast_fits
from .graph_order import refuse_number_of_lifted
from .shape_args import dim as dim_in
from .tensor_data import array_of


class TorchSpellings:
    """Methods PyTorch users reach for, each one line over the numpy-named one."""

    __slots__ = ()

    def clamp(self, min: float | None = None, max: float | None = None) -> Any:  # noqa: A002 (PyTorch's names)
        """PyTorch's clip: `t.clamp(min=0.0)`, `t.clamp(-1.0, 1.0)`."""
        return self.clip(min, max)

    def pow(self, exponent: Any) -> Any:
        return self**exponent

    def matmul(self, other: Any) -> Any:
        return self @ other

    def clone(self) -> Any:
        """A copy of the data that stays in the graph (its gradient flows back to this tensor)."""
        return self.astype(self.dtype)

    def expand_as(self, other: Any) -> Any:
        """This tensor broadcast to `other`'s shape (other: a Tensor or an array)."""
        return self.broadcast_to(np.shape(other if hasattr(other, "shape") else array_of(other, "expand_as")))

    def requires_grad_(self, requires_grad: bool = True) -> Any:
        """Set requires_grad (a leaf's; checked as assigning it is) and return this tensor. On a computed
        tensor that requires grad, True changes nothing (as PyTorch's)."""
        if not (requires_grad is True and self.requires_grad):
            self.requires_grad = requires_grad
        return self

    def dim(self) -> int:
        return self.ndim

    def numel(self) -> int:
        return int(self.size)

    def tolist(self) -> Any:
        refuse_number_of_lifted(self, ".tolist()")
        if RECORDING:  # numbers read in Python while a step is recorded
            compile_record.read_data(self)
        return self._data.tolist()


def constant_cast(t: Any, kind: np.dtype, name: str) -> Any:
    """t's values in the integer or bool dtype `kind`, as a new constant (as PyTorch's: rounding passes no
    gradient on, and an integer tensor cannot hold one). A value the integer dtype cannot hold (NaN, 3e9
    into int32, 300 into uint8) is a ValueError naming `name`, the cast, rather than numpy's made-up number."""
    check_cast_fits(t._data, kind, name)
    return type(t)(ops.astype(t._data, dtype=kind))  # the op's forward on the data: no node


# PyTorch's casts by name: t.long() is t.astype(np.int64), a constant as every integer or bool cast
CASTS = {
    "float": np.float32,
    "double": np.float64,
    "half": np.float16,
    "long": np.int64,
    "int": np.int32,
    "bool": np.bool_,
}


def _cast(name: str, dtype: Any) -> Any:
    kind = np.dtype(dtype)

    def cast(self: Any) -> Any:
        # astype's own branches, the integer one called here so that a refusal names `t.long()`, as written
        return self.astype(kind) if kind.kind == "f" else constant_cast(self, kind, f"{name}()")

    cast.__name__ = cast.__qualname__ = name
    cast.__doc__ = f"PyTorch's t.{name}(): t.astype({kind.name})."
    return cast


for _name, _dtype in CASTS.items():
    setattr(TorchSpellings, _name, _cast(_name, _dtype))


class Size(int):
    """A tensor's number of entries (numpy's `t.size`), callable as PyTorch's `t.size()` (the shape)
    and `t.size(dim)` (one dim's length): `x.view(x.size(0), -1)` ports as it is."""

    shape: tuple[int, ...]

    def __new__(cls, entries: int, shape: tuple[int, ...] = ()) -> Size:
        size = super().__new__(cls, entries)
        size.shape = shape
        return size

    def __call__(self, dim: int | None = None) -> Any:
        return self.shape if dim is None else self.shape[dim_in(dim, len(self.shape), "size")]

"""PyTorch's names for what a Tensor does under numpy's (a mixin of Tensor): `clamp` is `clip`,
`pow` is `**`, `matmul` is `@`, `clone` a differentiable copy, `float`/`double`/`half`/`long`/
`int`/`bool` casts and `to`, `type_as`, `t`, `mT`, `amax`/`amin`, `eq ne lt le gt ge`, `new_zeros`/
`new_ones`/`new_full`, `expand_as`, `reshape_as`, `view_as`, `contiguous`, `requires_grad_`, `dim`, `numel`,
`tolist`, and `where` as a method (`lerp` and `addmm`: tensor_blends.py). Each is the numpy-named
operation itself, or a few of them, so it records the same ops."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import compile_casts, compile_read_hooks
from . import tensor_ops as ops
from .compile_record import RECORDING
from .creation_args import dtype_of
from .devices import check_cpu, is_device
from .dtype_fits import check_cast_fits
from .graph_order import refuse_number_of_lifted
from .modes import flag
from .reduction_args import over_entries, reduced_axes
from .shape_args import dim as dim_in
from .tensor_blends import TorchBlends
from .tensor_comparisons import NAMED, named
from .tensor_data import array_of
from .type_names import type_name


class TorchSpellings(TorchBlends):
    """Methods PyTorch users reach for, each one line over the numpy-named one."""

    __slots__ = ()

    def clamp(self, min: float | None = None, max: float | None = None) -> Any:  # noqa: A002 (PyTorch's names)
        """PyTorch's clip: `t.clamp(min=0.0)`, `t.clamp(-1.0, 1.0)`; neither bound is refused, as torch's (clip,
        numpy's spelling, returns x then)."""
        if min is None and max is None:
            raise TypeError("clamp: give min or max (or both): t.clamp(min=0.0), t.clamp(-1.0, 1.0)")
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
        return self.broadcast_to(_shape_of(other, "expand_as"))

    def reshape_as(self, other: Any) -> Any:
        """This tensor's entries in `other`'s shape (other: a Tensor or an array)."""
        return self.reshape(_shape_of(other, "reshape_as"))

    def view_as(self, other: Any) -> Any:
        """PyTorch's name for reshape_as."""
        return self.view(_shape_of(other, "view_as"))

    def contiguous(self, memory_format: Any = None) -> Any:
        """This tensor where its array is C-contiguous, else a copy that is (in the graph), as PyTorch's:
        no op needs it (numpy takes any layout, and `view` reshapes any), but a result written in
        place afterwards (`t.T.contiguous().zero_()`) must not change the tensor it came from."""
        if memory_format is not None and str(memory_format) != "torch.contiguous_format":
            raise ValueError(
                f"contiguous: memory_format {memory_format!r} is not offered: chainrule's arrays are numpy's, "
                "C-contiguous (torch.contiguous_format) when made by its ops; permute the dims yourself for another"
            )
        if self._data.flags.c_contiguous:
            return self
        flat = self.reshape(-1)  # numpy's flat copy in C order, but a view where strides allow (a[::2])
        if np.may_share_memory(flat._data, self._data):
            flat = flat.clone()  # a 1-d copy, C-contiguous
        return flat.reshape(self.shape)

    def where(self, condition: Any, other: Any) -> Any:
        """PyTorch's `x.where(condition, y)`: `autograd.where(condition, x, y)`."""
        from .tensor_functions import where  # here: tensor_functions is built on the Tensor class

        return where(condition, self, other)

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

    def nelement(self) -> int:
        """PyTorch's other name for numel(): the number of entries."""
        return self.numel()

    def tolist(self) -> Any:
        refuse_number_of_lifted(self, ".tolist()")
        if RECORDING:  # numbers read in Python while a step is recorded
            compile_read_hooks.read_data(self, into_python=True)
        return self._data.tolist()

    def t(self) -> Any:
        """A 2-d tensor transposed; a 0-d or 1-d one as it is (PyTorch's t()). More dims are refused, as
        PyTorch refuses them: which two to swap is for the caller to say."""
        if self.ndim > 2:
            raise ops.ShapeError(
                f"t() transposes at most 2 dims, got a {self.ndim}-d tensor of shape {self.shape}: use .mT for "
                "the last two, swapaxes(a, b) or permute(...)"
            )
        return self.transpose()

    @property
    def mT(self) -> Any:  # noqa: N802 (PyTorch's name)
        """The last two dims swapped: each matrix of a batch transposed (PyTorch's mT). Fewer than 2
        dims are refused (PyTorch's 0-d identity is deprecated, its 1-d an error)."""
        if self.ndim < 2:
            raise ops.ShapeError(f"mT swaps the last two dims, got a {self.ndim}-d tensor: use .t() or .T for it")
        return self.swapaxes(-2, -1)

    def to(
        self, *args: Any, device: Any = None, dtype: Any = None, non_blocking: bool = False, copy: bool = False
    ) -> Any:
        """PyTorch's `t.to(dtype)`, `t.to(device)`, `t.to(device, dtype)`, `t.to(other)` (other's dtype):
        a cast, `astype`, on the CPU, the one device ("cpu", or a torch.device of type cpu; another is a
        ValueError). A tensor already of that dtype is returned itself, unless copy=True, as PyTorch's.
        `non_blocking` changes nothing on the CPU."""
        flag(non_blocking, "to(): non_blocking")  # checked, as every flag, though without effect
        copy = flag(copy, "to(): copy")
        for arg in args:  # PyTorch's forms: a dtype, a device, both, or a tensor
            if isinstance(arg, type(self)):
                dtype = _once(dtype, arg.dtype)
            elif is_device(arg):
                device = _once(device, arg)
            else:
                dtype = _once(dtype, arg)
        check_cpu(device, "to")
        kind = self.dtype if dtype is None else dtype_of(dtype, "to")
        return self if kind == self.dtype and not copy else self.astype(kind)

    def type_as(self, other: Any) -> Any:
        """This tensor in `other`'s dtype (a Tensor): `to(other)`."""
        if not isinstance(other, type(self)):
            raise TypeError(f"type_as(): other must be a Tensor, got {type_name(other)}")
        return self.to(other.dtype)

    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        """autograd.zeros in this tensor's dtype (or `dtype`): `x.new_zeros(2, 3)`, `x.new_zeros((2, 3))`."""
        return _made_like(self, "zeros", size, dtype, requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Any:
        """autograd.ones in this tensor's dtype (or `dtype`)."""
        return _made_like(self, "ones", size, dtype, requires_grad)

    def new_full(self, size: Any, fill_value: Any, *, dtype: Any = None, requires_grad: bool = False) -> Any:
        """autograd.full in this tensor's dtype (or `dtype`), whatever `fill_value`'s type, as PyTorch's."""
        return _made_like(self, "full", (size, fill_value), dtype, requires_grad)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Any:
        """The largest entries over `dim` (all of them by default, `()` or None), as torch.amax: `max(axis=)`,
        whose gradient is torch.amax's (shared evenly among tied entries, where max(dim) picks one)."""
        return _over_dims(self, self.max, "amax", dim, keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Any:
        """The smallest entries over `dim`, as torch.amin: `min(axis=)` (see `amax`)."""
        return _over_dims(self, self.min, "amin", dim, keepdim)


def _shape_of(other: Any, what: str) -> tuple[int, ...]:
    """The shape of `other`, a Tensor or an array (or a list, numpy's array of it)."""
    return np.shape(other if hasattr(other, "shape") else array_of(other, what))


def constant_cast(t: Any, kind: np.dtype, name: str) -> Any:
    """t's values in the integer or bool dtype `kind`, as a new constant (as PyTorch's: rounding passes no
    gradient on, and an integer tensor cannot hold one). A value the integer dtype cannot hold (NaN, 3e9
    into int32, 300 into uint8) is a ValueError naming `name`, the cast, rather than numpy's made-up number."""
    check_cast_fits(t._data, kind, name)
    cast = type(t)(ops.astype(t._data, dtype=kind))  # the op's forward on the data: no node
    if RECORDING:
        compile_casts.integer_cast(cast, t, kind, name)
    return cast


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
for _name in NAMED:
    setattr(TorchSpellings, _name, named(_name))


def _once(given: Any, value: Any) -> Any:
    """An argument of to() given once: a second device or dtype (`to("cpu", "cpu")`, a tensor and a dtype)
    is a TypeError, as PyTorch's, rather than one of them silently ignored."""
    if given is not None:
        raise TypeError(f"to() got a device or a dtype twice: {given!r} and {value!r}; pass each once")
    return value


def _made_like(t: Any, creation_function: str, args: tuple[Any, ...], dtype: Any, requires_grad: bool) -> Any:
    """new_zeros, new_ones, new_full: autograd's creation function of that name, in t's dtype by default."""
    from . import creation  # here: creation makes Tensors, whose class is built on this module

    make = getattr(creation, creation_function)
    return make(*args, dtype=t.dtype if dtype is None else dtype, requires_grad=requires_grad)


def _over_dims(t: Any, reduce: Any, name: str, dim: Any, keepdim: Any) -> Any:
    """amax or amin as max's or min's values over axes: checked here, so that an error names PyTorch's
    call and words. No dims, `()` or `[]`, are all of them in PyTorch (max refuses them as ambiguous:
    numpy's axis=() reduces none)."""
    dim = None if isinstance(dim, tuple | list) and not dim else dim
    axes = over_entries(t, name, reduced_axes(t, name, None, dim), "largest" if name == "amax" else "smallest")
    return reduce(axis=axes, keepdims=flag(keepdim, f"{name}(): keepdim"))


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

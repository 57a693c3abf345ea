"""What a Tensor tells of itself: its shape, ndim, size (numpy's, which also answers PyTorch's size()),
dtype, the op that made it, whether it holds a gradient, PyTorch's is_leaf and device, and retain_grad(),
which asks it to keep one. A
mixin, so that tensor_class.py keeps how a Tensor is made and how an op is applied and recorded."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import compile_record
from .op import Op
from .tensor_backward import held_grad
from .tensor_torch import Size


class device(str):  # noqa: N801 (PyTorch's name, which devices.is_device reads)
    """The CPU as PyTorch's torch.device names it, for ported code: `x.device.type` is "cpu", `x.device.index`
    None, and, being the string "cpu", it is a device wherever chainrule takes one (`t.to(x.device)`,
    `model.to(x.device)`, a layer's device=)."""

    __slots__ = ()
    index = None

    @property
    def type(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"device(type={str(self)!r})"


CPU = device("cpu")


class TensorAttributes:
    """Tensor's read-only attributes and retain_grad (its `_data`, `_made_by`, `grad` are the core's)."""

    __slots__ = ()
    _data: np.ndarray
    _made_by: Any
    grad: Any

    @property
    def shape(self) -> tuple[int, ...]:
        return np.shape(self._data)

    @property
    def ndim(self) -> int:
        return np.ndim(self._data)

    @property
    def size(self) -> Size:
        """numpy's size, the number of entries, which also answers PyTorch's `t.size()` and `t.size(0)`."""
        return Size(np.size(self._data), self._data.shape)

    @property
    def dtype(self) -> np.dtype:
        return np.result_type(self._data)

    @property
    def op(self) -> Op | None:
        return self._made_by.op if self._made_by is not None else None

    @property
    def is_leaf(self) -> bool:
        """PyTorch's is_leaf: True for a tensor no recorded op made (made by the user, a parameter, a
        detached tensor) and for every tensor that does not require grad; False for one computed in the graph."""
        return self._made_by is None or not self.requires_grad  # type: ignore[attr-defined]

    @property
    def device(self) -> device:
        """The device the data is on: always the CPU (chainrule computes with numpy), as torch.device("cpu")."""
        return CPU

    @property
    def grad_computed(self) -> bool:
        """Whether this tensor holds a gradient (leaves, and tensors that retain theirs, after a backward)."""
        return held_grad(self) is not None  # not `.grad`, which warns of a computed tensor that keeps none

    @property
    def is_constant(self) -> bool:
        """Whether no gradient is kept for this tensor (it does not require grad)."""
        return not self.requires_grad  # type: ignore[attr-defined]

    def retain_grad(self) -> Any:
        """Keep `.grad` on this non-leaf tensor after backward (leaves always keep theirs). On a tensor
        that does not require grad it raises, as PyTorch's: no gradient would ever be kept."""
        if not compile_record.needs_grad(self):  # a compiled step's input: eagerly it requires no grad either
            raise RuntimeError(
                "retain_grad() on a tensor that does not require grad: no backward reaches it, so .grad would "
                "stay None; give its inputs requires_grad=True (outside no_grad)"
            )
        self._retains_grad = True
        return self

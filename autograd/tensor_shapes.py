"""Tensor's shape methods (a mixin of Tensor): transpose, swapaxes, reshape, `.T`."""

from __future__ import annotations

from typing import Any

from . import tensor_ops as ops


class ShapeMethods:
    """Methods that move a tensor's entries about without changing them."""

    __slots__ = ()

    @property
    def T(self) -> Any:
        return self.transpose()

    def transpose(self, *axes: int) -> Any:
        """Reverse the axes, or put them in the given order (like numpy)."""
        if len(axes) == 1 and not isinstance(axes[0], int):
            axes = () if axes[0] is None else tuple(axes[0])
        return self._apply(ops.transpose, (self,), {"axes": axes or None})

    def swapaxes(self, a: int, b: int) -> Any:
        order = list(range(self.ndim))
        order[a], order[b] = order[b], order[a]
        return self.transpose(order)

    def reshape(self, *shape: Any) -> Any:
        if len(shape) == 1 and not isinstance(shape[0], int):
            shape = tuple(shape[0])
        return self._apply(ops.reshape, (self,), {"shape": shape})

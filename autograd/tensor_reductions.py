"""Tensor's reductions and the softmax family (a mixin of Tensor): sum, mean, max, min,
logsumexp over an axis, clip, softmax, log_softmax."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import tensor_ops as ops
from .op import Op
from .tensor_data import reduction_axis
from .tensor_ops import Axis


def _reduction(op: Op) -> Callable[..., Any]:
    """The method reducing self by `op` over `axis` (all by default), keeping the reduced axes as 1
    with `keepdims`; a 0-d tensor takes axis 0 or -1, as PyTorch."""

    def reduce(self: Any, axis: Axis = None, keepdims: bool = False) -> Any:
        return self._apply(op, (self,), {"axis": reduction_axis(self.ndim, axis), "keepdims": keepdims})

    reduce.__name__ = op.name
    reduce.__doc__ = f"{op.name} over `axis` (None: all), recording it in the graph."
    return reduce


class ReductionMethods:
    """Methods that reduce a tensor over axes, or normalise along one."""

    __slots__ = ()

    sum = _reduction(ops.sum)
    mean = _reduction(ops.mean)
    max = _reduction(ops.max)
    min = _reduction(ops.min)
    logsumexp = _reduction(ops.logsumexp)

    def clip(self, lo: float | None = None, hi: float | None = None) -> Any:
        return self._apply(ops.clip, (self,), {"lo": lo, "hi": hi})

    def softmax(self, axis: int = -1) -> Any:
        return self._apply(ops.softmax, (self,), {"axis": axis})

    def log_softmax(self, axis: int = -1) -> Any:
        return self._apply(ops.log_softmax, (self,), {"axis": axis})

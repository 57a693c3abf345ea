"""PyTorch's blends of several tensors as Tensor methods (a mixin of Tensor, through TorchSpellings):
`lerp` and `addmm`, each written in the ops it records (where, +, *, @), with PyTorch's choices where
an operand is left out or a product overflows."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import compile_read_hooks
from . import tensor_ops as ops
from .compile_record import RECORDING
from .dtypes import holds_numbers
from .graph import Node, raw
from .modes import is_number, is_real, short, too_large
from .shape_args import broadcasts_to
from .type_names import repr_of, type_name
from .value_lists import is_value


class TorchBlends:
    """lerp and addmm."""

    __slots__ = ()

    def lerp(self, end: Any, weight: Any) -> Any:
        """PyTorch's lerp, `self + weight * (end - self)`, as PyTorch computes it: from `end` where |weight|
        is 0.5 or more (`end - (end - self) * (1 - weight)`), so weight 1 gives end exactly; but where that
        product overflows and the result need not (lerp(0, 2e38, -1) in float32: -2e38, not -inf), from
        `self` there. `weight`: a number, or a tensor broadcast with the others (a gradient flows to each
        that requires grad)."""
        from .tensor_class import operand_of  # here: tensor_class is built on these methods
        from .tensor_functions import where  # and tensor_functions on the Tensor class

        if not isinstance(weight, Node) and not holds_numbers(weight):  # abs() of a date: numpy's ufunc words
            raise TypeError(f"lerp: weight must be a number or a tensor, got {type_name(weight)} {short(weight)}")
        if isinstance(end, int) and abs(end) > 2**1000:  # float(10**400) overflows in the `-` below, naming it
            try:
                float(end)
            except OverflowError:
                raise too_large(end, "lerp: end: ") from None
        if not isinstance(end, Node) or is_value(end):
            end = operand_of(end, "lerp")  # its refusals naming lerp (a Value's too), not the `-` below
        if isinstance(weight, np.bool_):  # as Python's: 1 - np.True_ is an int64, which made float32 float64
            weight = bool(weight)
        if not is_number(weight) and (not isinstance(weight, Node) or is_value(weight)):  # a bool is a number here
            weight = operand_of(weight, "lerp")  # (PyTorch's too: True had been made a tensor, float32 float64)
        shapes = (self.shape, end.shape, weight.shape if isinstance(weight, Node) else ())
        if not _fit(shapes):
            raise ops.ShapeError(f"lerp: the shapes {shapes[0]}, {shapes[1]} (end) and {shapes[2]} (weight) do not fit")
        diff = end - self
        small = abs(weight) < 0.5
        if isinstance(small, bool | np.bool_):  # a number: the one branch PyTorch takes
            if small:
                return self + weight * diff
            # |1 - weight| <= 1 (weight in [0.5, 2]) never overflows: no data read
            if abs(1 - weight) <= 1 or not (small := _overflows(diff, 1 - weight)).any():
                return end - diff * (1 - weight)
            # the factors in diff's dtype, as numpy rounds a number beside it (a float64 array would widen)
            factor = np.where(small, weight, weight - 1).astype(np.result_type(raw(diff), weight))
        else:
            small = raw(small) | _overflows(diff, 1 - raw(weight))
            factor = where(small, weight, weight - 1)
        # one product on both pieces, end - diff * (1 - weight) written end + (weight - 1) * diff (the same
        # bits): the piece a where leaves out would still send back its product's 0 * inf, NaN
        return where(small, self, end) + factor * diff

    def addmm(self, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
        """PyTorch's addmm, `beta * self + alpha * (mat1 @ mat2)`, mat1 and mat2 matrices and self broadcast
        to their product's shape. With beta 0 self is ignored, NaN and infinity too, as PyTorch's (its
        gradient is 0 there), and so is the product with alpha 0."""
        for name, number in (("beta", beta), ("alpha", alpha)):
            if not is_real(number):
                raise TypeError(f"addmm: {name} must be a real number, got {type_name(number)} {repr_of(number)}")
        for name, m in (("mat1", mat1), ("mat2", mat2)):
            if np.ndim(raw(m)) != 2:
                raise ops.ShapeError(f"addmm: {name} must be a matrix (2-d), got shape {np.shape(raw(m))}")
        product = self._apply(ops.matmul, (mat1, mat2), {})
        if not broadcasts_to(self.shape, product.shape):
            raise ops.ShapeError(
                f"addmm: self of shape {self.shape} does not broadcast to the product's shape {product.shape}"
            )
        none = np.zeros(product.shape, bool)  # where's first operand left out (NaN too), its gradient 0
        if alpha == 0:  # the product left out, as PyTorch's: beta * self, -0 kept, or zeros
            scaled = 0.0 if beta == 0 else self if beta == 1 else self * beta
            return product.where(none, scaled) if beta else self.where(none, product.where(none, scaled))
        product = product if alpha == 1 else product * alpha
        if beta == 0:
            return self.where(none, product)
        return (self if beta == 1 else self * beta) + product


# lerp's choice of formula, |weight| < 0.5, is data made from the weight's numbers outside the graph: its
# caller reads them, as with autograd.where(abs(w) < 0.5, ...), so a compiled step does not replay it stale
compile_read_hooks.FORWARDERS.add(TorchBlends.lerp.__code__)


def _overflows(diff: Any, factor: Any) -> np.ndarray:
    """Where diff · factor overflows to ±inf though both are finite (lerp's product), read from the data:
    a step being compiled notes the read (its caller's, lerp being a forwarder), as a comparison's."""
    if RECORDING:
        compile_read_hooks.read_data(diff)
    data, factor = raw(diff), raw(factor)  # a number stays weak: the product in diff's dtype, as lerp's
    with np.errstate(over="ignore", invalid="ignore"):
        return np.isinf(data * factor) & np.isfinite(data) & np.isfinite(factor)


def _fit(shapes: tuple[tuple[int, ...], ...]) -> bool:
    """Whether the shapes broadcast together at all (numpy's refusal names none of them)."""
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        return False
    return True

"""PyTorch's in-place methods (a mixin of Tensor): `add_ sub_ mul_ div_ clamp_ abs_ neg_`, each the
in-place operator's own implementation (in_place.change_in_place: `t.mul_(x)` is `t *= x`), and the
writes `zero_ fill_ copy_`, which are item assignment's (tensor_versions.write: `t.fill_(v)` is
`t[...] = v`). Outside the graph (under no_grad, or a tensor that needs no gradient) they change the
data in place and count the change, so a graph that used the old values refuses backward; on a leaf
that requires grad while the graph is recorded they raise, as PyTorch's. Where the operator would
give a new node (a tensor the graph computed, or an operand that requires grad), a method cannot
rebind the caller's name, so it raises rather than leave the tensor as it was."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .dtype_fits import check_fits
from .graph import raw
from .in_place import change_in_place
from .modes import flag
from .shape_args import broadcasts_to
from .tensor_ops import ShapeError
from .tensor_versions import write
from .type_names import repr_of, type_name


class InPlaceMethods:
    """PyTorch's `t.add_(x)`, `t.zero_()`, ...: the in-place operators and item assignment, by name."""

    __slots__ = ()

    def add_(self, other: Any, *, alpha: Any = 1) -> Any:
        """`t += alpha * other` in place (PyTorch's add_); returns t."""
        scaled = _scaled(other, alpha, "add_")
        return change_in_place(self, lambda: self + scaled, "t.add_(x)", "t = t + x", method=True)

    def sub_(self, other: Any, *, alpha: Any = 1) -> Any:
        """`t -= alpha * other` in place (PyTorch's sub_); returns t."""
        scaled = _scaled(other, alpha, "sub_")
        return change_in_place(self, lambda: self - scaled, "t.sub_(x)", "t = t - x", method=True)

    def mul_(self, other: Any) -> Any:
        """`t *= other` in place; returns t."""
        return change_in_place(self, lambda: self * other, "t.mul_(x)", "t = t * x", method=True)

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Any:
        """`t /= other` in place; returns t. PyTorch's rounding modes are not offered (chainrule's
        division has none): refused, naming the fix, rather than divided without rounding."""
        if rounding_mode is not None:
            raise ValueError(
                f"t.div_(x, rounding_mode={repr_of(rounding_mode)}): chainrule's division has no rounding mode; round "
                "the quotient yourself (t.copy_((t / x).trunc()) under autograd.no_grad(), or numpy's "
                "np.floor_divide on the data for 'floor')"
            )
        return change_in_place(self, lambda: self / other, "t.div_(x)", "t = t / x", method=True)

    def clamp_(self, min: Any = None, max: Any = None) -> Any:  # noqa: A002 (PyTorch's names)
        """`t.clamp(min, max)` in place; returns t."""
        return change_in_place(
            self, lambda: self.clamp(min, max), "t.clamp_(min, max)", "t = t.clamp(min, max)", method=True
        )

    def abs_(self) -> Any:
        """`abs(t)` in place; returns t."""
        return change_in_place(self, lambda: abs(self), "t.abs_()", "t = t.abs()", method=True)

    def neg_(self) -> Any:
        """`-t` in place; returns t."""
        return change_in_place(self, lambda: -self, "t.neg_()", "t = -t", method=True)

    def zero_(self) -> Any:
        """Every entry set to 0 in place (a write: counted, as `t[...] = 0`); returns t."""
        write(self, ..., 0, "t.zero_()")
        return self

    def fill_(self, value: Any) -> Any:
        """Every entry set to `value` (a number, or a 0-d tensor or array) in place; returns t."""
        data = np.asarray(raw(value))
        huge = data.dtype == object and isinstance(value, int) and not isinstance(value, bool)  # beyond int64
        if data.dtype.kind not in "biuf" and not huge:
            raise TypeError(f"t.fill_(value): value must be a real number, got {type_name(value)} {value!r}")
        if data.ndim:
            raise ShapeError(
                f"t.fill_(value): value must be one number (a 0-d tensor), got shape {data.shape}; "
                "to write an array use t.copy_(src)"
            )
        # 1e5 into float16 is inf, 2**70 into int64 beyond it: refused, as torch's
        check_fits(value if huge else data.item(), self.dtype, "t.fill_(value)")
        write(self, ..., value, "t.fill_(value)")
        return self

    def copy_(self, src: Any, non_blocking: bool = False) -> Any:
        """`src`'s entries written into t in place, broadcast to t's shape and cast to its dtype, as
        PyTorch's copy_ (a float into an integer tensor truncates; NaN or a value out of its range is
        refused); returns t. `non_blocking` changes nothing on the CPU."""
        flag(non_blocking, "copy_(): non_blocking")
        shape = np.shape(raw(src))
        if not broadcasts_to(shape, self.shape):
            raise ShapeError(
                f"t.copy_(src): src of shape {shape} does not broadcast to t's shape {self.shape}; copy_ "
                "keeps t's shape (reshape src, or make a new tensor)"
            )
        write(self, ..., src, "t.copy_(src)")
        return self


def _scaled(other: Any, alpha: Any, name: str) -> Any:
    """`alpha * other`, the term add_ and sub_ add (other itself at PyTorch's default alpha of 1)."""
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"t.{name}(x, alpha=...): alpha must be a real number, got {type_name(alpha)} {repr_of(alpha)}")
    if alpha == 1:
        return other
    return (np.asarray(other) if isinstance(other, list | tuple) else other) * alpha

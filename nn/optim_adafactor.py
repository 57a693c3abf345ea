"""Adafactor (Shazeer and Stern), as torch.optim.Adafactor: Adam's second moment without its memory. A parameter
of two or more dimensions keeps the running mean of its squared gradient over its last dimension (`row_var`) and
over the one before (`col_var`) only, their product over the rows' mean standing for the whole; one of fewer
keeps the whole (`variance`). Its step is relative: the lr at most, times the parameter's RMS."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Node, Tensor

from .optim_base import Optimizer, settings_given
from .optim_flush import eps_share, flush_below
from .optim_state import COUNT
from .optim_updates import coefficient, descend, lerp, scratch, signed


class Adafactor(Optimizer):
    """At step t (the parameter's, from 1): beta2_t = 1 - t ** beta2_decay, rho = min(lr, 1 / sqrt(t)), and
    alpha = max(eps2, RMS(data)) * rho; then data *= 1 - lr * weight_decay; the squared gradient's means over its
    last dimension and the one before lerp `row_var` and `col_var` by 1 - beta2_t, and V = row_var @ col_var /
    max(mean of row_var over its rows, eps1) (a parameter of fewer than two dimensions lerps `variance` by it and
    V is that); u = grad / sqrt(max(V, eps1 ** 2)) and data -= alpha * u / max(1, RMS(u) / d). grad is negated
    with `maximize`. eps1 None is the parameter's dtype's machine epsilon (torch's, but for a group of parameters
    of several dtypes: torch takes the first one's for all). Each number in torch's order of operations (its
    single-tensor step; but V divided first where the factors' product overflows, and torch's V is inf): float64
    parameters and state within 1e-12 of torch 2.13's after 30 steps. The Values of a model are one vector here
    (packed), as a 1-d parameter is."""

    hyperparameters = ("lr", "beta2_decay", "eps", "d", "weight_decay")
    pairs = {"eps": "(eps1, eps2)"}
    first_optional = ("eps",)
    ranges = {"beta2_decay": (-math.inf, 0.0), "d": (1.0, math.inf)}
    flags = ("maximize",)
    slot_ranges = {"row_var": (0.0, math.inf), "col_var": (0.0, math.inf), "variance": (0.0, math.inf)}
    torch_options = ("foreach",)

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-2,
        beta2_decay: float = -0.8,
        eps: tuple[float | None, float] = (None, 1e-3),
        d: float = 1.0,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
        **torch_options: Any,
    ) -> None:
        super().__init__(params, **settings_given(locals()))

    def slot_layout(self, shape: tuple[int, ...], dtype: np.dtype) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
        if len(shape) < 2:
            return {"step": ((), COUNT), "variance": (shape, dtype)}
        rows, cols = (*shape[:-1], 1), (*shape[:-2], 1, shape[-1])
        return {"step": ((), COUNT), "row_var": (rows, dtype), "col_var": (cols, dtype)}

    def update(self, state: dict[str, Any], data: np.ndarray, grad: np.ndarray) -> None:
        factored = data.ndim >= 2
        if "step" not in state:
            layout = self.slot_layout(data.shape, data.dtype)
            state.update({k: np.zeros(shape, dtype) for k, (shape, dtype) in layout.items() if k != "step"}, step=0)
        state["step"] += 1
        if not data.size:  # nothing to move (torch's step divides by the size, 0: ZeroDivisionError)
            return
        grad = signed(state, grad, self.maximize)
        eps1, eps2, t = self._eps1(data.dtype), self.eps[1], float(state["step"])
        weight = t**self.beta2_decay  # 1 - beta2_t
        rho = min(self.lr, 1 / (t**0.5))
        alpha = max(eps2, _norm(data) / (data.size**0.5)) * rho  # before the weight decay, as torch's
        if self.weight_decay != 0:
            data *= coefficient(1 - self.lr * self.weight_decay, data)
        v = scratch(state, data, "estimate")
        if factored:
            row, col = state["row_var"], state["col_var"]
            lerp(state, row, _mean_square(grad, -1), weight)
            lerp(state, col, _mean_square(grad, -2), weight)
            mean = np.maximum(row.mean(axis=-2, keepdims=True), eps1)
            if _product_overflows(row, col):  # torch's V is inf there, its step 0: V divided first, as it fits
                np.multiply(row, np.divide(col, mean, out=np.zeros_like(col), where=mean != 0), out=v)
            else:  # torch's order: the product, then the division
                np.matmul(row, col, out=v)
                np.divide(v, mean, out=v, where=mean != 0)  # a mean of 0 (eps1 0): every row_var 0, and v 0 too
        else:
            variance = state["variance"]
            lerp(state, variance, np.multiply(grad, grad, out=v), weight)
            np.copyto(v, variance)
        np.maximum(v, eps1 * eps1, out=v)
        np.sqrt(v, out=v)
        if v.dtype.type(eps1 * eps1):  # no v is 0
            np.divide(1, v, out=v)  # rsqrt
            v *= grad
        else:  # eps1 ** 2 is 0 in this dtype: a v of 0 (a squared gradient 0 or underflowed) moves nothing, where
            zero = np.equal(v, 0, out=scratch(state, v, "zero", bool))  # torch's inf * grad is inf or NaN
            np.divide(1, v, out=v, where=np.logical_not(zero, out=scratch(state, v, "kept", bool)))
            v *= grad
            np.copyto(v, 0, where=zero)
        clip = max(1.0, _norm(v) / ((v.size**0.5) * self.d))
        descend(state, data, v, alpha / clip)

    def _checked_tensors(self) -> list[tuple[int, Tensor, np.ndarray, np.ndarray]]:
        """The base's, and FloatingPointError, before anything moves, for a finite gradient whose sums of squares
        pass its dtype (float32 gradients of 1.8e19: the second moment inf, V inf / inf, the weights NaN, as
        torch's)."""
        moving = super()._checked_tensors()
        for _, t, data, g in moving:
            if _squares_overflow(g):
                what = f"{self._called(t)}, of shape {data.shape} ({data.dtype})"
                beyond = f"{data.dtype} (the largest {float(np.max(np.abs(g))):.3g})"
                held = f"values whose squares pass {beyond}"
                error = FloatingPointError(
                    f"Adafactor: the squares of the gradient of {what} pass {beyond}: its second "
                    "moment would be inf and the step NaN, so no parameter moved. Scale the loss down, or clip the "
                    "gradients (nn.clip_grad_norm_)"
                )
                error.parameter, error.held, error.parameter_name = t, held, self._name(t)  # nn.fit says them again
                raise error
        return moving

    def flush(self, state: dict[str, Any]) -> None:
        """The second moments below eps1 ** 2's share (`eps_share`: V is taken as at least eps1 ** 2): `variance`
        there; a factor where, times the other's largest over eps1 (V's denominator is at least eps1), it is
        (zeroed, V moves by less than that share)."""
        if "variance" in state:
            v = state["variance"]
            flush_below(v, eps_share(self._eps1(v.dtype) ** 2, v.dtype))
            return
        row, col = state["row_var"], state["col_var"]
        eps1 = self._eps1(row.dtype)
        share = eps_share(eps1 * eps1, row.dtype) * eps1
        for factor, other in ((row, col), (col, row)):
            most = float(np.max(other, initial=0.0))
            flush_below(factor, share / most if most else math.inf)

    def _eps1(self, dtype: np.dtype) -> float:
        """eps1, or the machine epsilon of `dtype` where it is None."""
        eps1 = self.eps[0]
        return float(np.finfo(dtype).eps) if eps1 is None else eps1


def _norm(x: np.ndarray) -> float:
    """The 2-norm of all of `x`, as a Python float (torch's x.norm(2).item()), summed in float64 and rounded to
    x's dtype once."""
    wide = x.astype(np.float64, copy=False).ravel()
    return float(x.dtype.type(np.sqrt(np.dot(wide, wide))))


def _product_overflows(row: np.ndarray, col: np.ndarray) -> bool:
    """Whether some product of a row and a column factor is beyond their dtype (float32 gradients of 4.3e9 and up:
    squared 1.8e19, the product 3.4e38), though V, that product over the rows' mean, is not."""
    most = float(np.max(row, initial=0.0)) * float(np.max(col, initial=0.0))  # in float64, or inf
    return most > float(np.finfo(row.dtype).max)


def _squares_overflow(g: np.ndarray) -> bool:
    """Whether a sum of squares a step keeps of `g` (each square for fewer than 2 dimensions, else each row's and
    column's, `_mean_square`'s before its division) is beyond g's dtype: looked at one by one only where the sum of
    all of them (np.vdot: one pass) is not well within it."""
    top = float(np.finfo(g.dtype).max)
    if g.dtype.char in "fd" and g.flags.c_contiguous and float(np.vdot(g, g)) < top / 16:
        return False
    with np.errstate(over="ignore"):
        if g.ndim < 2:
            return not np.isfinite(np.multiply(g, g)).all()
        return not (np.isfinite(_mean_square(g, -1)).all() and np.isfinite(_mean_square(g, -2)).all())


def _mean_square(g: np.ndarray, axis: int) -> np.ndarray:
    """The mean of g * g over `axis`, kept, as torch's norm(g, dim=axis, keepdim=True).square_().div_(n): the
    norm (summed in float64, rounded to g's dtype once), then squared, then divided."""
    wide = g.astype(np.float64, copy=False)
    norm = np.sqrt(np.sum(wide * wide, axis=axis, keepdims=True)).astype(g.dtype)
    norm *= norm
    norm /= g.shape[axis]
    return norm

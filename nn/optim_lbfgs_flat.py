"""LBFGS's view of its parameters as one flat vector (torch.optim.LBFGS's `_gather_flat_grad`, `_add_grad`):
Tensors and Values alike, in the order the optimizer was given them, in their common dtype (float64 where a
Value is among them). A Tensor without a gradient counts as a gradient of zeros, as in PyTorch; a frozen one
(requires_grad switched off) too, and it never moves (its part of a direction is zeroed). Every gradient is
checked (its shape, NaN and infinities) before the step uses any."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, raw

from .arguments import read_only
from .optim_base import _float
from .optim_finite import first_not_finite, refuse


class Flat:
    """The parameters of `owner` (an LBFGS) as slices of one vector of `size` numbers of `dtype`."""

    def __init__(self, owner: Any) -> None:
        self.owner, self.params = owner, owner.params
        self.dtype = flat_dtype(owner)
        sizes = [p.data.size if isinstance(p, Tensor) else 1 for p in self.params]
        ends = np.cumsum(sizes).tolist()
        self.slices = [slice(end - size, end) for end, size in zip(ends, sizes)]
        self.size = ends[-1]
        self.frozen = [s for p, s in zip(self.params, self.slices) if isinstance(p, Tensor) and not p.requires_grad]

    def check_writable(self) -> None:
        """Refuse a parameter whose data a step would write and cannot (read-only), before anything moves."""
        for p in self.params:
            if isinstance(p, Tensor) and p.requires_grad and not p.data.flags.writeable:
                whose = f"{type(self.owner).__name__}: the data of {p!r}"
                raise read_only(whose, "so a step cannot change it; give the parameter its own copy")

    def gradient(self) -> np.ndarray:
        """Every parameter's gradient in one new vector; ShapeError for a gradient of another shape, and
        FloatingPointError naming the first parameter whose gradient holds NaN or an infinity (nn.optim_finite)."""
        flat = np.zeros(self.size, self.dtype)
        for p, part in zip(self.params, self.slices):
            if not isinstance(p, Tensor):
                flat[part] = _float(self.owner, p)
                continue
            g = p.grad
            if g is None or not p.requires_grad:
                continue
            if g.shape != p.shape:
                raise ShapeError(
                    f"{type(self.owner).__name__}: a gradient of shape {g.shape} for a parameter of shape {p.shape} "
                    f"({p!r}); a gradient has its parameter's shape"
                )
            flat[part] = (g if g.__class__ is np.ndarray else raw(g)).ravel()
        if first_not_finite([flat]) is not None:
            self._refuse(flat)
        return flat

    def _refuse(self, flat: np.ndarray) -> None:
        """The FloatingPointError of nn.optim_finite for the first parameter whose gradient in `flat` is not finite."""
        owner = self.owner
        for p, part in zip(self.params, self.slices):
            g = flat[part]
            if np.isfinite(g).all():
                continue
            if isinstance(p, Tensor):
                what = f"{owner._called(p)}, of shape {p.shape} ({p.dtype})"
                refuse(owner, p, g.reshape(p.shape), what, owner._name(p))
            refuse(owner, p, g[0], f"the Value {p!r} ({owner._called(p)})", owner._name(p))

    def hold(self, d: np.ndarray) -> None:
        """Zero the frozen parameters' part of the direction `d` (in place): they do not move."""
        for part in self.frozen:
            d[part] = 0

    def snapshot(self) -> list[Any]:
        """A copy of every parameter's data, for `restore`."""
        return [np.array(p.data) if isinstance(p, Tensor) else p.data for p in self.params]

    def restore(self, saved: list[Any]) -> None:
        """Every parameter's data as `snapshot` copied it (in place: a Tensor keeps its array)."""
        for p, was in zip(self.params, saved):
            if isinstance(p, Tensor):
                if p.requires_grad and p.data.flags.writeable:
                    data = p.data
                    np.copyto(data, was)
                    p.data = data  # the array changed in place: tell the version counter
            else:
                p.data = was

    def move(self, t: Any, d: np.ndarray) -> None:
        """Every parameter that trains += t * its part of `d`, in place (PyTorch's p.add_(d, alpha=t))."""
        step = d * t
        for p, part in zip(self.params, self.slices):
            if isinstance(p, Tensor):
                if p.requires_grad:
                    data = p.data
                    np.add(data, step[part].reshape(data.shape), out=data, casting="same_kind")
                    p.data = data
            else:
                p.data = p.data + float(step[part][0])


def flat_dtype(owner: Any) -> np.dtype:
    """The dtype of `owner`'s parameters as one vector: their common type, float64 where a Value is among them."""
    kinds = [t.dtype for t in owner.tensors] + ([np.dtype(np.float64)] if owner.values else [])
    return np.result_type(*kinds)

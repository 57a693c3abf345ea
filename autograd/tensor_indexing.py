"""Tensor's indexing methods (a mixin of Tensor, through ShapeMethods): gather take_along_dim index_select
scatter scatter_add masked_fill dot outer (tril triu diag diagonal trace: tensor_diagonals.py). Each is a
composition of the op table's getitem, index_add, where, reshape and matmul: none needs a rule of its own."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import compile_record, linalg
from . import shape_args as args
from . import tensor_ops as ops
from .creation_args import real_number
from .dtype_fits import check_fits
from .graph import Node, raw
from .half_precision import adding_in
from .modes import short
from .tensor_data import array_of, kept, refuse_value
from .tensor_diagonals import DiagonalMethods
from .type_names import type_name

NARROWED = "masked_fill's value, of a wider dtype, is checked to fit in Python: give it in t's dtype (.astype)"


def index_array(index: Any, what: str) -> np.ndarray:
    """An integer index (an array, a list or a Tensor: a constant, never differentiated)."""
    array = kept(array_of(raw(index), what), index)
    if array.dtype.kind not in "iu":
        raise TypeError(
            f"{what} needs integer indices, got dtype {array.dtype}"
            " (Tensor() and autograd.arange make floats by default: index with np.array([...]), "
            "arange(n, dtype=int) or .astype(int))"
        )
    return array


def boolean(mask: Any, what: str, noun: str = "mask") -> np.ndarray:
    """A boolean mask or condition (a bool, or an array, list or Tensor of them: a comparison's result) as
    an array; anything else one TypeError naming `what`: numbers are not read as true where nonzero, and
    None or text as one truth value, as PyTorch refuses them. A ragged list gets Tensor()'s message."""
    data = raw(mask)
    array = array_of(data, what)
    if array.dtype != bool:
        shown = f"of dtype {array.dtype}" if isinstance(data, np.ndarray | list | tuple) else short(mask)
        raise TypeError(f"{what} needs a boolean {noun}, got {type_name(mask)} {shown} (compare: t > 0)")
    return kept(array, mask)


def _checked_in_range(index: np.ndarray, n: int, what: str, lowest: int = 0) -> np.ndarray:
    """index, each in [lowest, n); else an IndexError naming the first outside."""
    if index.size and (index.min() < lowest or index.max() >= n):
        bad = index[(index < lowest) | (index >= n)][0]
        span = f"indices go from {lowest} to {n - 1}" if n else "it has no entries"
        raise IndexError(f"{what}: index {bad} is out of range for a dim of length {n} ({span})")
    return index


def _wrapped(index: np.ndarray, n: int, what: str) -> np.ndarray:
    """index in [-n, n), the negative ones counted from the end (numpy's and PyTorch's take_along_dim); past
    either end an IndexError, as numpy's (PyTorch 2.13's take_along_dim takes them modulo the dim's length)."""
    return _checked_in_range(index, n, what, lowest=-n) % max(n, 1)


def _last_writers(target: tuple[np.ndarray, ...], index_shape: tuple[int, ...], shape: tuple[int, ...]) -> Any:
    """Where in index (flat, C order) each entry written to is written last, and where that entry is (flat, in
    `shape`): of repeated targets the last in C order wins, as numpy's assignment and PyTorch's CPU loop write."""
    flat = np.ravel_multi_index(np.broadcast_arrays(*target), shape).reshape(-1) if np.prod(index_shape) else None
    if flat is None:
        return np.zeros(0, np.intp), np.zeros(0, np.intp)
    _, from_end = np.unique(flat[::-1], return_index=True)
    winners = flat.size - 1 - from_end
    return winners, flat[winners]


def along(index: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
    """The full numpy index that picks, at each position of `index`, entry index[...] along `dim`
    and the position's own coordinate along every other dim."""
    full = list(np.indices(index.shape, sparse=True))
    full[dim] = index
    return tuple(full)


def _check_fits(index: np.ndarray, shape: tuple[int, ...], dim: int | None, what: str, name: str) -> None:
    """index has shape's number of dims and is no longer along any dim (but `dim`)."""
    if index.ndim != len(shape) or any(k > n for d, (k, n) in enumerate(zip(index.shape, shape)) if d != dim):
        but = "" if dim is None else f" (but dim {dim})"
        raise ops.ShapeError(
            f"{what}: index of shape {index.shape} does not fit {name} of shape {shape}: it needs "
            f"as many dims, each no longer{but}"
        )


class IndexingMethods(DiagonalMethods):
    """Methods that pick, place or contract entries by index."""

    __slots__ = ()

    def _node(self, x: Any, what: str) -> Any:
        """x as a node of this tensor's type, taken as the operators take an operand (`operand_of`: a
        Python number stays weak, an array keeps numpy's dtype, so float16 stays float16, a list is
        float64); a Value is refused."""
        from .tensor_class import operand_of  # tensor_class.py imports this mixin

        refuse_value(x, what)
        return x if isinstance(x, Node) else operand_of(x, what)

    def gather(self, dim: int, index: Any) -> Any:
        """out[i][j][k] = self[index[i][j][k]][j][k] for dim 0, and so on (PyTorch's gather, numpy's
        take_along_axis): indexing, so the gradient is added back at the index."""
        d = args.dim(dim, self.ndim, "gather")
        index = index_array(index, "gather")
        _check_fits(index, self.shape, d, "gather", "the input")
        return self[along(_checked_in_range(index, self.shape[d], "gather"), d)]

    def take_along_dim(self, indices: Any, dim: int | None = None) -> Any:
        """The entries at `indices` along `dim`, self and indices broadcast against each other on every other dim
        (PyTorch's take_along_dim, numpy's take_along_axis); dim=None: of the flattened tensor. Negative indices
        count from the end; past either end is an IndexError. Indexing: the gradient is added back at the index."""
        index = index_array(indices, "take_along_dim")
        if dim is None:
            flat = self.reshape(-1)
            return flat[_wrapped(index.reshape(-1), flat.shape[0], "take_along_dim")]
        d = args.dim(dim, self.ndim, "take_along_dim")
        if index.ndim != self.ndim:
            raise ops.ShapeError(
                f"take_along_dim: indices of {index.ndim} dims for an input of {self.ndim}: they need as many dims"
            )
        if self.ndim == 0:
            return self.reshape(1)[_wrapped(index.reshape(1), 1, "take_along_dim")].reshape(())
        try:  # every dim but d broadcast, as numpy's and PyTorch's
            shape = list(np.broadcast_shapes(*(s[:d] + (1,) + s[d + 1 :] for s in (self.shape, index.shape))))
        except ValueError:
            raise ops.ShapeError(
                f"take_along_dim: indices of shape {index.shape} do not broadcast with the input's {self.shape} "
                f"on the dims other than dim {d}"
            ) from None
        x = self.broadcast_to(*shape[:d], self.shape[d], *shape[d + 1 :])
        index = np.broadcast_to(index, tuple(shape[:d]) + (index.shape[d],) + tuple(shape[d + 1 :]))
        return x[along(_wrapped(index, self.shape[d], "take_along_dim"), d)]

    def index_select(self, dim: int, index: Any) -> Any:
        """The entries at `index` (one int or a 1-d list of them, repeats allowed) along `dim`, every
        other dim whole (PyTorch's index_select, numpy's take with an axis): indexing, so the gradient is
        added back at the index. Negative indices are refused, as PyTorch's."""
        if self.ndim == 0:
            raise ops.ShapeError("index_select needs a tensor of at least 1 dim, got a 0-d tensor")
        d = args.dim(dim, self.ndim, "index_select")
        index = index_array(index, "index_select")
        if index.ndim > 1:
            raise ops.ShapeError(f"index_select takes one int or a 1-d index, got an index of shape {index.shape}")
        _checked_in_range(index, self.shape[d], "index_select")
        return self[(slice(None),) * d + (index.reshape(-1),)]

    def scatter_add(self, dim: int, index: Any, src: Any) -> Any:
        """A new tensor: this one with each src[i][j] added at [index[i][j]][j] for dim 0, and so on
        (PyTorch's scatter_add, not in place). Repeated indices add up; both get gradients."""
        d = args.dim(dim, self.ndim, "scatter_add")
        index, src = index_array(index, "scatter_add"), self._node(src, "scatter_add")
        _check_fits(index, self.shape, d, "scatter_add", "the input")
        _check_fits(index, src.shape, None, "scatter_add", "src")
        _checked_in_range(index, self.shape[d], "scatter_add")
        used = src if src.shape == index.shape else src[tuple(slice(0, k) for k in index.shape)]
        dtype = np.result_type(self.dtype, used.dtype)
        wide = adding_in(dtype)  # float16: self and the adds in float32, rounded once (PyTorch's 0.5 ulps, was 12)
        if wide == dtype:
            return self + ops.index_add(used, index=along(index, d), shape=self.shape)
        added = self.astype(wide) + ops.index_add(used.astype(wide), index=along(index, d), shape=self.shape)
        return added.astype(dtype)

    def scatter(self, dim: int, index: Any, src: Any = None, *, value: Any = None) -> Any:
        """A new tensor: this one with src[i][j] written at [index[i][j]][j] for dim 0, and so on, or the number
        `value` (PyTorch's scatter, not in place; a number or a 0-d tensor as src is a value, whose gradient sums
        the places written). Where index repeats a place, the last write in index's order wins (numpy's
        assignment; PyTorch leaves it unspecified). The gradient: 0 at the entries written over (PyTorch's), and
        for src only to the writes that stayed (PyTorch sends it to every write of a repeated place, also the ones
        written over: not a gradient of what it computed). A 0-d tensor is one entry, its index 0-d (PyTorch's)."""
        d = args.dim(dim, self.ndim, "scatter")
        if (src is None) == (value is None):
            raise TypeError("scatter takes src (a tensor or a number) or value=, one of them")
        if value is not None and np.ndim(raw(value)) != 0:
            raise TypeError(
                f"scatter: value= is one number (or a 0-d tensor), got shape {np.shape(raw(value))}: "
                "give a tensor of values as src"
            )
        index = index_array(index, "scatter")
        _check_fits(index, self.shape, d, "scatter", "the input")
        given = value if src is None else src
        number = np.ndim(raw(given)) == 0  # masked_fill's value
        if not number:
            fix = f"src.astype({self.dtype})" if hasattr(given, "astype") else f"np.asarray(src, dtype=np.{self.dtype})"
            given = self._node(given, "scatter")
            _check_fits(index, given.shape, None, "scatter", "src")
            if given.dtype != self.dtype:  # PyTorch's refuses too: promoting made float32 zeros float64
                raise TypeError(
                    f"scatter: src of {given.dtype} into a tensor of {self.dtype}; give {fix} "
                    "(PyTorch's scatter takes a src of the input's dtype only)"
                )
        if self.ndim == 0:  # as a line of one entry
            return self.reshape(1).scatter(0, index.reshape(1), value=given).reshape(())
        _checked_in_range(index, self.shape[d], "scatter")
        target = along(index, d)
        writers, places = _last_writers(target, index.shape, self.shape)
        written = np.zeros(self.size, dtype=bool)
        written[places] = True
        written = written.reshape(self.shape)
        if number:
            return self.masked_fill(written, given)
        picked = given[np.unravel_index(writers, index.shape)]  # the writes that stay: the gradient goes to them
        placed = ops.index_add(picked, index=np.unravel_index(places, self.shape), shape=self.shape)
        return self._apply(ops.where, (placed, self), {"cond": written})

    def masked_fill(self, mask: Any, value: Any) -> Any:
        """This tensor with `value` where the boolean `mask` (broadcast to its shape) holds; the
        gradient flows to the entries kept (and to value, if it is a 0-d tensor)."""
        refuse_value(value, "masked_fill")
        mask = boolean(mask, "masked_fill")
        if np.ndim(raw(value)) != 0:
            raise ValueError(f"masked_fill fills with one number (or a 0-d tensor), got shape {np.shape(raw(value))}")
        fits = mask.ndim <= self.ndim and all(m in (1, n) for m, n in zip(mask.shape[::-1], self.shape[::-1]))
        if not fits:
            raise ops.ShapeError(f"masked_fill: a mask of shape {mask.shape} does not broadcast to {self.shape}")
        # the fill takes this tensor's dtype, as PyTorch's: a number cast to it (numpy 2 would make float32
        # float64 for np.float64(2.0); 2.5 into int64 is 2), a 0-d tensor of another dtype cast in the graph
        if isinstance(value, Node):  # of a wider dtype it must fit too (1e300 into float32 was inf), checked here,
            if not np.can_cast(value.dtype, self.dtype):  # not by a replay: a changing one's step runs eagerly
                check_fits(raw(value).item(), self.dtype, "masked_fill")
                rec = compile_record.current()
                if rec and (
                    value.requires_grad or value._made_by is not None or compile_record.inputs_of(rec.derived, [value])
                ):
                    compile_record.eager_only(NARROWED)  # an input's, or computed: a replay's would not be checked
            value = value if value.dtype == self.dtype else value.astype(self.dtype)
        else:  # refused where it does not fit, as creation's full refuses it (300 into int8 would wrap)
            number = real_number(np.asarray(value).item(), "masked_fill")
            check_fits(number, self.dtype, "masked_fill")
            value = np.asarray(number).astype(self.dtype).item()
        return self._apply(ops.where, (value, self), {"cond": mask})

    def dot(self, other: Any) -> Any:
        """numpy's dot: the sum of products over this tensor's last dim and other's second-to-last
        (its only one, for a vector); PyTorch's dot of two vectors. A number scales."""
        other = self._node(other, "dot")
        if self.ndim == 0 or other.ndim == 0:
            return self * other
        return linalg.tensordot(self, other, ((self.ndim - 1,), (max(other.ndim - 2, 0),)))

    def outer(self, other: Any) -> Any:
        """out[i, j] = self[i] * other[j] (inputs of more than one dim are flattened, as numpy)."""
        return self.reshape(-1, 1) * self._node(other, "outer").reshape(1, -1)

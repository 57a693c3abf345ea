"""Tensor's shape methods (a mixin of Tensor), in PyTorch's spelling beside numpy's: reshape view
transpose permute movedim swapaxes `.T` flatten unflatten squeeze unsqueeze expand broadcast_to flip
roll repeat tile split chunk unbind. Each is the op table's reshape, transpose, broadcast_to, getitem
or roll: only roll has a rule of its own."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import shape_args as args
from . import tensor_ops as ops
from .conv_limits import check_memory
from .modes import short
from .tensor_indexing import IndexingMethods
from .type_names import type_name


class ShapeMethods(IndexingMethods):
    """Methods that move a tensor's entries about without changing them."""

    __slots__ = ()

    @property
    def T(self) -> Any:
        return self.transpose()

    def transpose(self, *axes: Any) -> Any:
        """numpy's transpose and PyTorch's, told apart by the arguments:
        no argument or None: the axes reversed; one sequence, or one int per dim: that order of
        the axes (numpy); two ints on a tensor that is not 2-d: those two dims swapped (PyTorch).
        On a 2-d tensor `transpose(1, 0)` is a swap in both; `transpose(0, 0)` is PyTorch's
        identity (numpy refuses it); `transpose(0, 1)` is numpy's identity but PyTorch's swap,
        so it raises a ValueError: write `swapaxes(0, 1)`, `.T` or `permute(1, 0)` to swap."""
        if not axes or (len(axes) == 1 and axes[0] is None):
            return self._apply(ops.transpose, (self,), {"axes": None})
        ints = args.ints(axes, "transpose", "axes")
        given_one_by_one = len(axes) > 1 or args.is_int(axes[0])
        if given_one_by_one and len(ints) == 2:  # PyTorch's swap, where numpy's reading does not differ
            if self.ndim == 2 and tuple(args.dim(a, 2, "transpose") for a in ints) == (0, 1):
                raise ValueError(
                    f"transpose{axes} of a 2-d tensor is ambiguous: numpy reads it as the axes in their "
                    "order (no change), PyTorch as a swap of dims 0 and 1. To swap, write swapaxes(0, 1), "
                    ".T or permute(1, 0); to keep the order, permute(0, 1)"
                )
            return self.swapaxes(*ints)
        return self._apply(ops.transpose, (self,), {"axes": args.permutation(ints, self.ndim, "transpose")})

    def permute(self, *dims: Any) -> Any:
        """The dims in the given order (PyTorch): `permute(2, 0, 1)` or `permute((2, 0, 1))`."""
        order = args.permutation(args.ints(dims, "permute", "dims"), self.ndim, "permute")
        return self._apply(ops.transpose, (self,), {"axes": order})

    def swapaxes(self, a: int, b: int) -> Any:
        """Dims a and b swapped (numpy's swapaxes, PyTorch's transpose(a, b))."""
        a, b = args.dim(a, self.ndim, "swapaxes"), args.dim(b, self.ndim, "swapaxes")
        order = list(range(self.ndim))
        if not order:  # a 0-d tensor: its dim 0 is itself, as PyTorch
            return self.transpose()
        order[a], order[b] = order[b], order[a]
        return self._apply(ops.transpose, (self,), {"axes": tuple(order)})

    def movedim(self, source: Any, destination: Any) -> Any:
        """The dims `source` (an int or a sequence) moved to the places `destination`, the others in
        their order (PyTorch's movedim, numpy's moveaxis)."""
        src = args.dim_or_dims(source, self.ndim, "movedim", "source dim")
        dst = args.dim_or_dims(destination, self.ndim, "movedim", "destination dim")
        if len(src) != len(dst):
            raise ValueError(
                f"movedim: {len(src)} source dims {src} and {len(dst)} destination dims {dst}; give as many"
            )
        if not self.ndim:  # a 0-d tensor: its dim 0 is itself, as PyTorch
            return self.transpose()
        order = [d for d in range(self.ndim) if d not in src]
        for d, s in sorted(zip(dst, src)):
            order.insert(d, s)
        return self.permute(order)

    def reshape(self, *shape: Any) -> Any:
        """This tensor's entries in a new shape, given one by one or as one sequence; one size may
        be -1 (worked out). Sizes are ints of at least -1 (numpy would read -2 as -1; PyTorch refuses it)."""
        return self._apply(ops.reshape, (self,), {"shape": args.sizes(shape, "reshape")})

    def view(self, *shape: Any) -> Any:
        """PyTorch's name for reshape (this tensor's entries, in a new shape; one size may be -1)."""
        return self._apply(ops.reshape, (self,), {"shape": args.sizes(shape, "view")})  # errors say view

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Any:
        """Dims start_dim to end_dim (both included) as one (PyTorch); a 0-d tensor becomes 1-d."""
        start, end = args.dim(start_dim, self.ndim, "flatten"), args.dim(end_dim, self.ndim, "flatten")
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} (shape {self.shape})")
        s = self.shape
        return self.reshape(s[:start] + (math.prod(s[start : end + 1]),) + s[end + 1 :])

    def unflatten(self, dim: int, sizes: Any) -> Any:
        """Dim `dim` as several of the given sizes (PyTorch); one size may be -1 (worked out)."""
        d, sizes = args.dim(dim, self.ndim, "unflatten"), args.sizes((sizes,), "unflatten")
        known, n = math.prod(k for k in sizes if k != -1), self.shape[d]
        if sizes.count(-1) > 1 or (n != known if -1 not in sizes else known == 0 or n % known):
            raise ops.ShapeError(f"unflatten: sizes {sizes} do not make dim {dim} of length {n} (shape {self.shape})")
        return self.reshape(self.shape[:d] + sizes + self.shape[d + 1 :])

    def squeeze(self, dim: Any = None) -> Any:
        """Dims of length 1 removed: all of them, or those of `dim` (an int or a tuple) that have
        length 1. A given dim of another length is left as it is (PyTorch; numpy raises)."""
        if dim is None:
            drop = {d for d, n in enumerate(self.shape) if n == 1}
        else:
            drop = set(args.dim_or_dims(dim, self.ndim, "squeeze"))
        return self.reshape(tuple(n for d, n in enumerate(self.shape) if not (d in drop and n == 1)))

    def unsqueeze(self, dim: int) -> Any:
        """A new dim of length 1 at `dim` (in [-ndim - 1, ndim], as PyTorch)."""
        d = args.dim(dim, self.ndim + 1, "unsqueeze")
        return self.reshape(self.shape[:d] + (1,) + self.shape[d:])

    def broadcast_to(self, *shape: Any) -> Any:
        """This tensor repeated along dims of length 1 and new leading dims (numpy); the gradient is summed back."""
        target = args.sizes(shape, "broadcast_to")
        lead = len(target) - self.ndim
        if lead < 0 or any(n not in (1, t) for n, t in zip(self.shape, target[lead:])) or -1 in target:
            raise ops.ShapeError(
                f"broadcast_to: a tensor of shape {self.shape} cannot be broadcast to {target}: each dim "
                "must keep its length or have length 1, and new dims go in front"
            )
        return self._apply(ops.broadcast_to, (self,), {"shape": target})

    def expand(self, *sizes: Any) -> Any:
        """broadcast_to with PyTorch's -1 for a size kept as it is."""
        target = args.sizes(sizes, "expand")
        lead = len(target) - self.ndim
        if lead < 0 or -1 in target[:lead]:
            raise ops.ShapeError(f"expand: sizes {target} need one per dim of {self.shape}, new leading dims not -1")
        return self.broadcast_to(target[:lead] + tuple(n if t == -1 else t for n, t in zip(self.shape, target[lead:])))

    def flip(self, *axes: Any, dims: Any = None) -> Any:
        """The order of entries reversed along the given dims, one by one or as PyTorch's `dims=` (a
        sequence, an empty one reversing nothing); all of them if none is given (numpy's default)."""
        if dims is not None and axes:
            raise TypeError("flip: got dims both by position and as dims=; give them one way")
        given = (dims,) if dims is not None else axes
        # a set of dims is taken, as np.flip takes one: the dims reversed are the same in any order
        chosen = args.ints(given, "flip", "dims", ordered=False) if given else None
        if self.ndim == 0:  # nothing to reverse (PyTorch's flip(0) of a 0-d tensor: itself)
            args.dims(chosen or (), 1, "flip")
            return self[...]
        flipped = range(self.ndim) if chosen is None else args.dims(chosen, self.ndim, "flip")
        index = [slice(None)] * self.ndim
        for d in flipped:
            index[d] = slice(None, None, -1)
        return self[tuple(index)]

    def roll(self, shifts: Any, dims: Any = None) -> Any:
        """Entries shifted along dims, those leaving one end coming in at the other (PyTorch's and
        numpy's roll). Without dims the tensor is rolled as if flat. One shift for several dims
        shifts each by it (numpy)."""
        if dims is None:
            if not args.is_int(shifts):
                raise TypeError(f"roll without dims takes one int shift, got {type_name(shifts)} {short(shifts)}")
            return self.reshape(-1).roll(shifts, 0).reshape(self.shape)
        shifts, dims = args.ints((shifts,), "roll", "shifts"), args.ints((dims,), "roll", "dims")
        if len(shifts) == 1:  # one shift for several dims shifts each by it (numpy)
            shifts *= len(dims)
        elif len(dims) == 1:
            dims *= len(shifts)
        if len(shifts) != len(dims):
            raise ValueError(f"roll: shifts {short(shifts)} and dims {short(dims)} need the same length")
        axes = tuple(args.dim(d, self.ndim, "roll") for d in dims)
        # a shift taken modulo its dim's length: the same roll, and numpy's takes no int beyond a C long
        shifts = tuple(s % self.shape[a] if self.shape[a] else 0 for s, a in zip(shifts, axes))
        return self._apply(ops.roll, (self,), {"shifts": shifts, "axes": axes})

    def tile(self, *reps: Any) -> Any:
        """This tensor repeated reps[i] times along dim i (numpy's tile, PyTorch's torch.tile): fewer
        reps than dims repeat the last dims; more add leading dims. A broadcast, then a reshape."""
        return self._tiled(args.ints(reps, "tile", "repetitions"), "tile")

    def repeat(self, *sizes: Any) -> Any:
        """PyTorch's repeat: tile with one repetition per dim at least (not numpy's repeat, which
        repeats each entry in place)."""
        sizes = args.ints(sizes, "repeat", "repetitions")
        if len(sizes) < self.ndim:
            raise ValueError(
                f"repeat needs a repetition for each of the {self.ndim} dims, got {short(sizes)}; tile pads them"
            )
        return self._tiled(sizes, "repeat")

    def _tiled(self, reps: tuple[int, ...], name: str) -> Any:
        """tile and repeat, `name` the one called: its refusals name it."""
        if any(r < 0 for r in reps):
            raise ValueError(f"{name}: repetitions are non-negative, got {short(reps)}")
        shape = (1,) * (len(reps) - self.ndim) + self.shape
        reps = (1,) * (len(shape) - len(reps)) + reps
        if all(r == 1 for r in reps):  # a copy, as numpy's tile and PyTorch's repeat give, not a view of self
            return self.clone().reshape(shape)
        check_memory(  # the tiled tensor and its gradient, refused before the broadcast is copied
            name,
            f"repetitions {short(reps)}: the tiled tensor and its gradient",
            2 * math.prod(r * n for r, n in zip(reps, shape)),
            self.dtype,
            "give fewer repetitions",
        )
        spread = self.reshape(tuple(k for n in shape for k in (1, n)))
        tiled = spread.broadcast_to(tuple(k for r, n in zip(reps, shape) for k in (r, n)))
        return tiled.reshape(tuple(r * n for r, n in zip(reps, shape)))

    def narrow(self, dim: int, start: int, length: int) -> Any:
        """`length` entries along `dim` from `start` (negative: counted from the end), every other dim
        whole: a slice, as PyTorch's narrow, which must lie inside the dim."""
        d = _dim_to_cut(self, dim, "narrow")
        start, length = args.ints((start, length), "narrow", "start and length")
        n = self.shape[d]
        if not -n <= start <= n:
            raise IndexError(
                f"narrow: start {start} is out of range for dim {dim} of length {n} (it takes {-n} to {n})"
            )
        if length < 0:
            raise ValueError(f"narrow: length must be non-negative, got {length}")
        first = start + n if start < 0 else start
        if first + length > n:
            raise IndexError(f"narrow: length {length} from start {start} does not fit in dim {dim} of length {n}")
        return self[(slice(None),) * d + (slice(first, first + length),)]

    def unfold(self, dimension: int, size: int, step: int) -> Any:
        """Every window of `size` entries along `dimension`, `step` apart, as a new last dim, as PyTorch's
        Tensor.unfold (`autograd.unfold` is torch.nn.functional.unfold's, of images): that dim becomes the count of
        windows, (n - size) // step + 1. By indexing: an entry in several windows gets their gradients added."""
        d = args.dim(dimension, self.ndim, "unfold", "dimension")
        for name, given in (("size", size), ("step", step)):
            if not args.is_int(given):  # one int each (args.ints would offer them as one sequence)
                raise TypeError(f"unfold: {name} must be an int, got {type_name(given)} {short(given)}")
        size, step = int(size), int(step)
        if size < 0 or step < 1:
            raise ValueError(f"unfold: size must be >= 0 and step >= 1, got size={size}, step={step}")
        n = 1 if self.ndim == 0 else self.shape[d]
        if size > n:
            raise ValueError(f"unfold: a window of size {size} does not fit in dimension {dimension} of length {n}")
        if self.ndim == 0:  # PyTorch's: the one entry as a window of 1 (or none, of size 0)
            return self.reshape(1)[:size]
        starts = np.arange(0, n - size + 1, min(step, n - size + 1))  # a step past the end: the first window alone
        windows = starts[:, None] + np.arange(size)  # (count, size) positions along d
        return self[(slice(None),) * d + (windows,)].movedim(d + 1, -1)

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple[Any, ...]:
        """Pieces along `dim` (PyTorch's split): of `split_size` each (the last may be shorter), or
        of the given sizes, which must add up to the dim's length. numpy's split takes cut points
        or a count instead: `np.split(x, [i, j])` is `split([i, j - i, n - j])`, and `np.split(x, k)`
        is `chunk(k)` where k divides the length."""
        d = _dim_to_cut(self, dim, "split")
        n = self.shape[d]
        if args.is_int(split_size_or_sections):
            size = int(split_size_or_sections)
            if size <= 0:
                raise ValueError(f"split: the split size must be positive, got {short(size)}")
            lengths = [min(size, n - start) for start in range(0, n, size)] or [0]
        else:
            lengths = list(args.ints((split_size_or_sections,), "split", "sizes"))
            if sum(lengths) != n or min(lengths, default=0) < 0:
                raise ops.ShapeError(f"split: sizes {lengths} do not add up to dim {dim}'s length {n}")
        ends = np.cumsum(lengths)
        lead = (slice(None),) * d
        return tuple(self[lead + (slice(int(end) - k, int(end)),)] for k, end in zip(lengths, ends))

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Any, ...]:
        """At most `chunks` pieces along `dim` of ceil(length / chunks) each (PyTorch's chunk)."""
        if not args.is_int(chunks):
            raise TypeError(
                f"chunk: the number of chunks must be a positive int, got {type_name(chunks)} {short(chunks)}"
            )
        chunks = int(chunks)  # a numpy uint64's arithmetic below would wrap (-n // chunks)
        if chunks <= 0:
            raise ValueError(f"chunk: the number of chunks must be a positive int, got {short(chunks)}")
        n = self.shape[_dim_to_cut(self, dim, "chunk")]
        return self.split(-(-n // chunks) if n else [0] * chunks, dim)  # an empty dim: `chunks` empty pieces

    def unbind(self, dim: int = 0) -> tuple[Any, ...]:
        """The slices along `dim`, that dim removed (PyTorch's unbind): `a, b = pairs.unbind(1)`."""
        d = _dim_to_cut(self, dim, "unbind")
        return tuple(self[(slice(None),) * d + (i,)] for i in range(self.shape[d]))


def _dim_to_cut(tensor: Any, dim: Any, what: str) -> int:
    """The dim that split or chunk cuts, in [0, ndim); a 0-d tensor has none (PyTorch refuses it too)."""
    if tensor.ndim == 0:
        raise ops.ShapeError(f"{what} needs a tensor of at least 1 dim to cut, got a 0-d tensor")
    return args.dim(dim, tensor.ndim, what)

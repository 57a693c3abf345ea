"""Tensor functions for shapes, indexing and linear algebra, as PyTorch and numpy have them: most are
the Tensor method of the same name (`autograd.flip(x, 0)` is `x.flip(0)`), for Tensors, arrays and
lists alike; pad, one_hot, einsum and tensordot are functions only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import compile_read_hooks, compile_record, linalg, pad_modes
from . import shape_args as args
from . import tensor_ops as ops
from .compile_record import RECORDING
from .conv_limits import check_memory
from .creation_args import real_number, refuse_text
from .dtype_fits import check_fits
from .dtypes import dtype_of
from .graph import Node
from .modes import short
from .ordered import check_ordered
from .tensor_class import Tensor, _apply, operand
from .tensor_data import refuse_value
from .tensor_indexing import index_array
from .type_names import type_name

_METHODS = (
    "reshape transpose permute movedim swapaxes flatten unflatten squeeze unsqueeze broadcast_to flip roll tile "
    "split chunk unbind narrow gather take_along_dim index_select scatter scatter_add masked_fill tril triu diag "
    "diagonal trace dot outer "
    "sort argsort topk kthvalue median quantile logcumsumexp cummax cummin"
).split()


def _function(name: str) -> Callable[..., Any]:
    """The method `name` as a function of its tensor: `autograd.name(x, ...)` is `x.name(...)`."""

    def function(x: Any, *arguments: Any, **keywords: Any) -> Any:
        return getattr(_operand(x, name), name)(*arguments, **keywords)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"`x.{name}(...)` for a Tensor, array or list x. " + (getattr(Tensor, name).__doc__ or "")
    # what the method reads of x's numbers (the order of sort, argsort, topk) its caller reads, as with `x.sort()`: a
    # compiled step that calls autograd.sort(x) is not replayed with the order of its recording. Every
    # function made here runs this one code object
    compile_read_hooks.FORWARDERS.add(function.__code__)
    return function


globals().update({name: _function(name) for name in _METHODS})


def take_along_axis(arr: Any, indices: Any, axis: int | None = -1) -> Tensor:
    """numpy's take_along_axis: `arr.take_along_dim(indices, axis)` for a Tensor, array or list arr; with
    axis=None, of the flattened arr, and then indices are 1-d, as numpy's."""
    x = _operand(arr, "take_along_axis")
    if axis is None and np.ndim(index_array(indices, "take_along_axis")) != 1:
        raise ValueError(
            f"take_along_axis: with axis=None the indices are 1-d (numpy's), got {np.ndim(indices)} dims: "
            "flatten them, or give an axis"
        )
    return x.take_along_dim(indices, axis)


def _operand(x: Any, what: str) -> Tensor:
    """x as a Tensor function's operand (a Value refused: it does not mix with Tensors)."""
    refuse_value(x, what)
    return operand(x, what)


def _pad_widths(pad: Any, ndim: int) -> tuple[pad_modes.Widths, int | None]:
    """(before, after) per dim, and how many pairs a flat pad gives (None for numpy's form): from
    PyTorch's flat pad (last dim first: (left, right, top, bottom, ...); a negative width crops that
    side) or numpy's pad_width (an int for every side, or one (before, after) pair per dim; as numpy's,
    never negative)."""
    refuse_text(pad, "pad", "widths are ints or (before, after) pairs")
    check_ordered("pad", "pad", pad)  # a set was Python's "'set' object is not subscriptable"
    plain = isinstance(pad, list | tuple) or args.is_int(pad)  # np.ndim of a ragged list is numpy's ValueError
    if not plain and (isinstance(pad, dict) or np.ndim(pad) == 0):  # None, 1.5 were Python's "not iterable"
        raise TypeError(f"pad: widths are ints or (before, after) pairs, got {type_name(pad)} {short(pad)}")
    if not args.is_int(pad) and all(args.is_int(p) for p in pad):  # PyTorch's
        if len(pad) % 2 or len(pad) > 2 * ndim:
            raise ValueError(f"pad: {tuple(pad)} needs pairs (left, right), one pair per dim from the last at most")
        pairs = [(int(pad[i]), int(pad[i + 1])) for i in range(0, len(pad), 2)][::-1]
        return ((0, 0),) * (ndim - len(pairs)) + tuple(pairs), len(pairs)
    if args.is_int(pad):  # numpy's: one int for every side, one pair for every dim, or a pair per dim
        widths = ((int(pad), int(pad)),) * ndim
    else:
        pairs = [args.ints((p,), "pad") if not args.is_int(p) else (p, p) for p in pad]
        if len(pairs) == 1:
            pairs *= ndim
        if len(pairs) != ndim or any(len(p) != 2 for p in pairs):
            raise ValueError(f"pad: numpy's pad_width {pad!r} needs one (before, after) pair per dim ({ndim})")
        widths = tuple((int(a), int(b)) for a, b in pairs)
    if any(w < 0 for pair in widths for w in pair):
        raise ValueError(
            f"pad: numpy's pad_width is non-negative, got {pad!r}; to crop, give PyTorch's flat pad (a negative "
            "width crops that side: (-1, 0) drops the last dim's first entry) or slice the tensor"
        )
    return widths, None


def pad(x: Any, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """x with `value` (None: 0, PyTorch's default) around it: PyTorch's F.pad (a flat pad, last dim
    first: `pad(x, (1, 2))` pads the last dim by 1 before and 2 after; a negative width crops), or
    numpy's pad_width (an int for every side, or ((before, after), ...) pairs per dim). A flat pair
    always means PyTorch's (the last dim only). mode 'reflect', 'replicate' or 'circular' extends x
    with its own entries instead, on the dims PyTorch's does (pad_modes)."""
    if not (isinstance(mode, str) and mode in pad_modes.MODES):
        raise ValueError(f"pad: mode must be one of {', '.join(map(repr, pad_modes.MODES))}, got {short(mode)}")
    if mode != "constant":
        # PyTorch refuses a fill for these modes (0, its default, aside): one would be silently unused
        if value is not None and (isinstance(value, Node) or np.ndim(value) != 0 or not value == 0):
            raise ValueError(f"pad: mode={mode!r} fills with x's own entries and takes no value, got {short(value)}")
        x = _operand(x, "pad")
        widths, flat_pairs = _pad_widths(pad, x.ndim)
        pad_modes.check_dims(mode, x.ndim, widths, flat_pairs)
        pad_modes.check_extent(mode, x.shape, widths, flat_pairs)
        return pad_modes.extended(x, widths, mode)
    if value is None:  # PyTorch's default, 0 (numpy would pad with NaN)
        value = 0.0
    if isinstance(value, Node | list | tuple | set | dict) or np.ndim(value) != 0:  # np.ndim of a ragged list raises
        raise TypeError(f"pad fills with a number, got {type_name(value)} {short(value)}")
    # a real number, as PyTorch's float argument (a bool is 0 or 1 there too): text, which numpy reads
    # as its number, and a complex number, whose imaginary part it drops, are refused
    number = real_number(np.asarray(value).item(), "pad's value")
    x = _operand(x, "pad")
    check_fits(number, x.dtype, "pad's value")  # 1e300 around float32 was infinity, 300 around int8 was 44
    widths, _ = _pad_widths(pad, x.ndim)
    kept = pad_modes.crop(widths, x.shape)
    pad_modes.check_size(x.shape, widths, mode, x.dtype)
    if kept is not None:  # PyTorch's negative widths: crop first, then pad the rest
        x, widths = x[kept], tuple((max(before, 0), max(after, 0)) for before, after in widths)
    return _apply(ops.pad, (x,), {"widths": widths, "value": number})


def one_hot(labels: Any, num_classes: int = -1, dtype: Any = np.float32) -> Tensor:
    """A constant float tensor with a 1 at each label along a new last dim (PyTorch's
    F.one_hot, in a float dtype); num_classes=-1: the largest label plus one."""
    given, labels, dtype = labels, index_array(labels, "one_hot"), dtype_of(dtype, "one_hot")  # what a Tensor holds
    if not args.is_int(num_classes):  # True was 1 class; "3" numpy's words of a ufunc's loop
        raise TypeError(
            f"one_hot: num_classes must be an int (-1: the largest label plus one), got {type_name(num_classes)} "
            f"{short(num_classes)}"
        )
    num_classes = int(num_classes)
    if num_classes < -1 or num_classes == 0:  # 0: no class any label could be (torch refuses it too)
        raise ValueError(
            f"one_hot: num_classes must be at least 1 (or -1: the largest label plus one), got {num_classes}"
        )
    if num_classes == -1:
        if labels.size == 0:
            raise ValueError("one_hot: with no labels, num_classes must be given")
        num_classes = int(labels.max()) + 1
    wrong = (labels < 0) | (labels >= num_classes)
    if wrong.any():
        raise ValueError(
            f"one_hot: label {labels[wrong][0]} is not a class of {num_classes} (classes 0 to {num_classes - 1})"
        )
    # each label's row written in place: np.eye(num_classes)[labels] built num_classes² entries first
    # (40 GB of float32 for one label of 100,000 classes)
    check_memory(
        "one_hot",
        f"num_classes {num_classes}: a row of that many for each of {labels.size} labels",
        labels.size * num_classes,
        np.dtype(dtype),
        "give fewer labels or classes",
    )
    rows = np.zeros((*labels.shape, num_classes), dtype)
    np.put_along_axis(rows, labels[..., None], 1, axis=-1)
    hot = Tensor(rows, dtype=rows.dtype)  # the dtype asked for: Tensor() alone makes float16 float32
    if RECORDING:
        compile_record.constant_from_inputs(hot, [given])
    return hot


def einsum(subscripts: str, *operands: Any) -> Tensor:
    """Sums of products named by subscripts, as numpy's and PyTorch's einsum ("ij,jk->ik",
    "bij,bjk->bik", "ii->i", "...ij->...ji", implicit outputs; operands one by one or as one list)."""
    if not isinstance(subscripts, str):
        raise TypeError(
            f"einsum takes its subscripts first, as a string ('ij,jk->ik'), got {type_name(subscripts)}; "
            "numpy's interleaved form einsum(a, [0, 1], b, [1, 2]) is not supported"
        )
    if len(operands) == 1:  # a set's operands would meet the subscripts in its hashes' order (it was a
        check_ordered("einsum", "operands", operands[0])  # TypeError about Tensor() of an object array)
        if isinstance(operands[0], list | tuple):
            operands = tuple(operands[0])
    tensors = [_operand(x, "einsum") for x in operands]
    explicit = linalg.explicit_subscripts(subscripts, [t.shape for t in tensors])
    return _apply(ops.einsum, tensors, {"subscripts": explicit})


def tensordot(a: Any, b: Any, dims: Any = 2, *, axes: Any = None) -> Tensor:
    """The sum of products over dims: n (a's last n with b's first n) or (a's dims, b's dims);
    `axes` is numpy's name for dims."""
    return linalg.tensordot(_operand(a, "tensordot"), _operand(b, "tensordot"), dims if axes is None else axes)


__all__: list[str] = sorted([*_METHODS, "pad", "one_hot", "einsum", "tensordot", "take_along_axis"])

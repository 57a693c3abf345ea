"""The checks of convolution's and pooling's arguments (autograd.conv): ranks, counts, pairs, groups,
padding and the window geometry, each naming the function, the argument and the fix."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from .conv_columns import Padding, Pair
from .graph import Node
from .modes import short
from .shape_args import is_int
from .tensor_data import numbers_array, refuse_value
from .tensor_ops import ShapeError


def operand(x: Any, fn: str) -> Any:
    """A Tensor as it is; a Value refused (it does not mix with Tensors); anything else as an array of
    numbers (a constant), refused as Tensor() refuses it (a ragged list, text, None)."""
    refuse_value(x, fn)
    return x if isinstance(x, Node) else numbers_array(x, fn)


def one_example_too(ndim: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A convolution's or pooling's function that also takes one example without its batch axis, as
    PyTorch's: an input of ndim - 1 axes ((channels, height, width) for ndim 4) is run as a batch of
    one, and its result (each of a pool's values and indices) given back without the batch axis (both
    steps in the graph); a ShapeError, which names the batch's shape and axes, says so."""

    def wrap(f: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(f)
        def run(x: Any, *args: Any, **kwargs: Any) -> Any:
            x = operand(x, f.__name__)
            if x.ndim != ndim - 1:
                return f(x, *args, **kwargs)
            try:
                out = f(x[None], *args, **kwargs)
            except ShapeError as e:  # its shapes and axes are the batch's: say so
                raise ShapeError(f"{e} (one example of shape {x.shape}, run as a batch of one)") from None
            # a pool's (values, indices) with return_indices: each without the batch axis
            return tuple(part[0] for part in out) if isinstance(out, tuple) else out[0]

        return run

    return wrap


def at_height_one(a: Any) -> Any:
    """A 1-d form's array (batch, channels, length), or its kernel (out, in, k), as the 2-d form's at height 1."""
    return a.reshape(*a.shape[:2], 1, a.shape[2])


def without_height(out: Any) -> Any:
    """The 2-d form's result at height 1 as the 1-d form's: (batch, channels, length)."""
    return out.reshape(*out.shape[:2], out.shape[3])


def as_given(fn: str, value: Any) -> Any:
    """A shape, pair or padding of the 2-d form as the caller of `fn` gave it, for its messages: a 1-d
    form's (conv1d, max_pool1d, ...: run at height 1) without the height, a shape (n, c, 1, L) as
    (n, c, L), a pair (1, k) or a padding ((0, 0), (left, right)) as its second; a 2-d form's as it is."""
    if not fn.endswith("1d"):
        return value
    value = tuple(value)
    return value[:2] + value[3:] if len(value) == 4 else value[1]


def axis_names(fn: str) -> tuple[str, ...]:
    """The names of the spatial axes as `fn`'s caller knows them: a 1-d form's second is its length (it
    runs as the 2-d form at height 1), a 3-d form's are depth, height and width."""
    if fn.endswith("1d"):
        return ("height", "length")
    return ("depth", "height", "width") if fn.endswith("3d") else ("height", "width")


# an input's layout by its spatial axes, for messages
LAYOUTS = {
    1: "(batch, channels, length)",
    2: "(batch, channels, height, width)",
    3: "(batch, channels, depth, height, width)",
}


def rank(fn: str, what: str, x: Any, ndim: int, layout: str) -> None:
    if x.ndim != ndim:
        alone = ", or one example's without the batch axis" if what == "input" else ""
        raise ShapeError(f"{fn} needs {what} of shape {layout}{alone}, got shape {x.shape}")


def whole(fn: str, name: str, value: Any, least: int) -> int:
    if not is_int(value):
        raise TypeError(f"{fn}: {name} must be an int, got {short(value)}")
    if value < least:
        raise ValueError(f"{fn}: {name} must be at least {least}, got {short(value)}")
    return int(value)


def single(fn: str, name: str, value: Any, least: int) -> int:
    """An int, or PyTorch's tuple of one int (conv1d's `stride=(2,)`), at least `least`."""
    if _sequence(value):
        if len(value) != 1:
            raise TypeError(f"{fn}: {name} must be an int or a tuple of one int, got {short(value)}")
        (value,) = value
    return whole(fn, name, value, least)


def pair(fn: str, name: str, value: Any, least: int = 1, dims: int = 2) -> Pair:
    """An int or `dims` ints (a pair for the 2-d forms, a triple for the 3-d ones), each at least
    `least`, as a tuple of `dims`."""
    if _sequence(value):
        if len(value) != dims:
            many = "a pair of ints" if dims == 2 else f"a tuple of {dims} ints"
            raise TypeError(f"{fn}: {name} must be an int or {many}, got {short(value)}")
        return tuple(whole(fn, name, v, least) for v in value)
    return (whole(fn, name, value, least),) * dims


def adaptive_size(fn: str, output_size: Any, size: Pair) -> Pair:
    """An adaptive pooling's output size: an int, or one int per spatial axis (a pair in 2-d) each at
    least 1, or None for "the input's size along that axis" (PyTorch's; a bare None is refused there too)."""
    dims = len(size)
    if output_size is None:
        many = "a pair of ints or Nones" if dims == 2 else f"{dims} ints or Nones"
        raise TypeError(f"{fn}: output_size must be an int or {many}, got None: write {(None,) * dims}")
    if _sequence(output_size) and len(output_size) == dims:
        kept = tuple(n if given is None else given for given, n in zip(output_size, size))
        return pair(fn, "output_size", kept, dims=dims)
    return pair(fn, "output_size", output_size, dims=dims)


def _sequence(value: Any) -> bool:
    """A tuple, a list or an array of one or more dims (a 0-d array is one number, as numpy takes it)."""
    return isinstance(value, tuple | list) or (isinstance(value, np.ndarray) and value.ndim > 0)


def nonempty(fn: str, what: str, x: Any, axes: tuple[int, ...], layout: str) -> None:
    """ShapeError unless x has at least 1 along each of `axes`: a kernel of size 0, or a weight with no
    channels where PyTorch needs them, would make an output of zeros (or numpy's words on a reshape)."""
    if any(x.shape[a] == 0 for a in axes):
        raise ShapeError(f"{fn} needs {what} of shape {layout} with at least 1 along axes {axes}, got shape {x.shape}")


def groups_of(fn: str, groups: Any, channels_in: int, channels_out: int) -> int:
    groups = whole(fn, "groups", groups, 1)  # the rule of every int argument: a TypeError for a float or a bool
    if channels_in % groups or channels_out % groups:
        raise ShapeError(
            f"{fn}: groups={groups} must divide the input channels ({channels_in}) and the output channels "
            f"({channels_out})"
        )
    return groups


def padding_of(fn: str, padding: Any, kernel: Pair, stride: Pair, dilation: Pair) -> Padding:
    """(before, after) per spatial axis ((top, bottom), (left, right) in 2-d) from an int, one per axis,
    "valid" or "same" (PyTorch's split of an odd total: the extra entry after)."""
    dims = len(kernel)
    if isinstance(padding, str) and padding == "valid":
        return ((0, 0),) * dims
    if isinstance(padding, str) and padding == "same":
        if any(s != 1 for s in stride):
            raise ValueError(
                f"{fn}: padding='same' needs stride 1, got stride {as_given(fn, stride)}: pad with numbers instead"
            )
        return same_padding(kernel, dilation)  # type: ignore[return-value]
    if isinstance(padding, str):
        many = "a pair" if dims == 2 else f"{dims} ints"
        raise ValueError(f"{fn}: padding must be an int, {many}, 'valid' or 'same', got {short(padding)}")
    return on_both_sides(pair(fn, "padding", padding, least=0, dims=dims))


def same_padding(kernel_size: Any, dilation: Any = 1) -> tuple[tuple[int, int], ...]:
    """The (before, after) padding of each spatial axis that padding='same' gives a stride-1
    convolution, PyTorch's split: the dilated kernel's reach less one, d * (k - 1), the odd entry
    after. `same_padding((3, 4), (1, 3))` is ((1, 1), (4, 5)). `kernel_size` is an int (one axis) or
    a tuple of ints, one per axis; `dilation` an int for every axis or a tuple of as many. Public so
    that a padding_mode ('reflect', ...) extends its input by the very widths conv2d pads with (nn's
    layers do), e.g. with np.pad or autograd.pad."""
    kernel = _each("kernel_size", kernel_size, None)
    dilation = _each("dilation", dilation, len(kernel))
    totals = (d * (k - 1) for d, k in zip(dilation, kernel))
    return tuple((t // 2, t - t // 2) for t in totals)


def _each(name: str, value: Any, axes: int | None) -> tuple[int, ...]:
    """same_padding's `name`: ints of at least 1, one per axis (`axes` of them; an int is one for each)."""
    values = tuple(value) if _sequence(value) else (value,) * (axes or 1)
    if not values or (axes is not None and len(values) != axes):
        wanted = "one or more ints" if axes is None else f"an int or {axes} ints, one per axis of kernel_size"
        raise TypeError(f"same_padding: {name} must be {wanted}, got {short(value)}")
    return tuple(whole("same_padding", name, v, 1) for v in values)


def pool_geometry(
    fn: str, x: Any, kernel_size: Any, stride: Any, padding: Any, dims: int = 2
) -> tuple[Pair, Pair, Padding]:
    """The kernel, the stride (the kernel's by default) and the padding of a pooling, checked; of a 1-d
    pooling (`dims` 1), as pairs of its 2-d form at height 1."""
    rank(fn, "input", x, dims + 2, LAYOUTS[dims])
    if dims == 1:
        parse = lambda fn, name, value, least=1: (least, single(fn, name, value, least))  # noqa: E731
    else:
        parse = lambda fn, name, value, least=1: pair(fn, name, value, least, dims)  # noqa: E731
    kernel = parse(fn, "kernel_size", kernel_size)
    stride = kernel if stride is None else parse(fn, "stride", stride)
    pad = parse(fn, "padding", padding, 0)
    if any(2 * p > k for p, k in zip(pad, kernel)):
        raise ValueError(
            f"{fn}: padding {as_given(fn, pad)} must be at most half the kernel size {as_given(fn, kernel)}"
        )
    return kernel, stride, on_both_sides(pad)


def on_both_sides(pad: Pair) -> Padding:
    """A padding per axis, each added before and after: ((top, bottom), (left, right)) in 2-d."""
    return tuple((p, p) for p in pad)


def fits(fn: str, size: tuple[int, ...], kernel: Pair, padding: Padding, dilation: Pair) -> None:
    padded = tuple(n + sum(p) for n, p in zip(size, padding))
    span = tuple(d * (k - 1) + 1 for d, k in zip(dilation, kernel))
    if any(s > n for s, n in zip(span, padded)):
        kernel, span, dilation, padded = (short(as_given(fn, v)) for v in (kernel, span, dilation, padded))
        raise ShapeError(
            f"{fn}: the kernel {kernel} (covering {span} with dilation {dilation}) is larger than the padded "
            f"input {padded}: use a smaller kernel or dilation, or more padding"
        )


def windows_meet_input(
    fn: str, size: tuple[int, ...], kernel: Pair, stride: Pair, padding: Padding, dilation: Pair
) -> None:
    """ValueError if a pooling window lies wholly in the padding (dilation lets it skip the input): its
    maximum would be of nothing. Undilated windows never do: the padding is at most half the kernel, and
    ceil_mode's last window starts inside the input.
    Each window's first and last kernel entry inside the input, at once for all windows (a Python loop
    over windows and entries took seconds for a long axis)."""
    for n, k, s, (before, after), d, axis in zip(size, kernel, stride, padding, dilation, axis_names(fn)):
        if d == 1:
            continue
        span = d * (k - 1) + 1
        starts = np.arange(-before, n + after - span + 1, s)  # after: more than before under ceil_mode
        first = np.maximum(-(starts // d), 0)  # the first entry at or past the input's start: ceil(-start / d)
        last = np.minimum((n - 1 - starts) // d, k - 1)  # the last entry before the input's end
        empty = np.flatnonzero(first > last)
        if empty.size:
            start = int(starts[empty[0]])
            raise ValueError(
                f"{fn}: a window along the {axis} (at {start}, {start + d}, ..., {start + span - 1}) lies "
                f"wholly in the padding {before} of an input of {n}: use less padding or dilation"
            )

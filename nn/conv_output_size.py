"""ConvTranspose's `output_size` (PyTorch's argument of its forward): a stride above 1 leaves a transposed
convolution's output size open (a stride-2 Conv2d maps 7 and 8 pixels both to 4), and output_size picks it
as the output_padding that gives it, each axis between the smallest size the geometry gives and stride - 1
more (PyTorch's range, which a dilation larger than the stride does not widen)."""

from __future__ import annotations

from typing import Any

from autograd import type_name

from .arguments import TEXT, is_int, shown
from .conv_padding import each_axis


def output_padding_for(owner: str, x: Any, output_size: Any, options: dict[str, Any], kernel: tuple[int, ...]) -> Any:
    """The output_padding that makes the output of `x` (a batch or one example, a Tensor) `output_size`: its
    spatial sizes, or the whole shape as PyTorch also takes it. Geometry the functional refuses (or an input
    of the wrong rank) is left to it: the layer's own output_padding is returned, for its message."""
    dims = len(kernel)
    if isinstance(output_size, TEXT) or not isinstance(output_size, tuple | list):
        raise TypeError(
            f"{owner}: output_size must be a sequence of ints (the output's spatial sizes), got "
            f"{type_name(output_size)} {shown(output_size)}"
        )
    geometry = [each_axis(options[name], dims) for name in ("stride", "padding", "dilation")]
    if x.ndim not in (dims + 1, dims + 2) or any(g is None for g in geometry):
        return options["output_padding"]
    sizes = tuple(output_size)
    if len(sizes) == x.ndim:  # the whole shape: its last `dims` sizes are the spatial ones
        sizes = sizes[x.ndim - dims :]
    if len(sizes) != dims:
        raise ValueError(
            f"{owner}: output_size must have {dims} sizes (or {x.ndim}, the whole shape), got {len(output_size)}"
        )
    if not all(is_int(n) for n in sizes):
        raise TypeError(f"{owner}: output_size must hold ints, got {shown(output_size)}")
    padding = []
    for axis, (wanted, n, k, (s, p, d)) in enumerate(zip(sizes, x.shape[-dims:], kernel, zip(*geometry))):
        smallest = (n - 1) * s - 2 * p + d * (k - 1) + 1
        if not smallest <= wanted < smallest + s:
            gives = f"{smallest} to {smallest + s - 1}" if s > 1 else str(smallest)
            raise ValueError(
                f"{owner}: output_size {wanted} along spatial axis {axis} is out of range: an input of {n} gives "
                f"{gives} (stride {s}, padding {p}, dilation {d}, kernel {k})"
            )
        padding.append(int(wanted) - smallest)
    return tuple(padding)

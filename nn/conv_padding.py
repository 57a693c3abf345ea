"""Conv1d's and Conv2d's padding_mode, as PyTorch's: 'zeros' is the functional's own padding; 'reflect',
'replicate' and 'circular' extend the input with autograd.pad's mode of that name, then convolve it
without padding (as PyTorch's layers do)."""

from __future__ import annotations

from typing import Any

from autograd import pad, repr_of, same_padding

from .arguments import is_int, layer_input

MODES = ("zeros", "reflect", "replicate", "circular")


def check_mode(owner: str, mode: Any, transposed: bool = False) -> str:
    """A padding_mode PyTorch takes: one of MODES, 'zeros' alone for a transposed convolution."""
    allowed = ("zeros",) if transposed else MODES
    if not (isinstance(mode, str) and mode in allowed):
        raise ValueError(f"{owner}: padding_mode must be one of {', '.join(map(repr, allowed))}, got {repr_of(mode)}")
    return mode


def extended(owner: str, x: Any, mode: str, options: dict[str, Any], kernel: tuple[int, ...]) -> tuple[Any, dict]:
    """x and the options to convolve it with: as given for 'zeros'; else x (a batch, or one example
    without its batch axis) extended by the padding and a padding of 0. Options the functional refuses
    (or an input of the wrong rank) are left to it, as given, so that its message names the problem."""
    if mode == "zeros":
        return x, options
    widths = _widths(options, kernel)
    x = layer_input(owner, x)
    if widths is None or x.ndim not in (len(kernel) + 1, len(kernel) + 2):
        return x, options
    leading = ((0, 0),) * (x.ndim - len(kernel))  # the channels, and the batch if there is one
    return pad(x, (*leading, *widths), mode), {**options, "padding": 0}


def _widths(options: dict[str, Any], kernel: tuple[int, ...]) -> tuple[tuple[int, int], ...] | None:
    """(before, after) per spatial axis of the layer's padding: an int or one per axis, 'valid', or
    'same' at stride 1 (autograd.same_padding, the functional's own split); None for
    anything the functional refuses."""
    padding, stride, dilation = (each_axis(options[name], len(kernel)) for name in ("padding", "stride", "dilation"))
    if options["padding"] == "valid":
        return ((0, 0),) * len(kernel)
    if options["padding"] == "same":
        if stride is None or dilation is None or any(s != 1 for s in stride):
            return None
        return same_padding(kernel, dilation)
    if padding is None or any(p < 0 for p in padding):
        return None
    return tuple((p, p) for p in padding)


def each_axis(value: Any, dims: int) -> tuple[int, ...] | None:
    """An int, or `dims` of them, as one per axis; None for anything else."""
    if isinstance(value, str):
        return None
    values = (value,) * dims if is_int(value) else tuple(value) if isinstance(value, tuple | list) else ()
    return tuple(int(v) for v in values) if len(values) == dims and all(is_int(v) for v in values) else None

"""What a layer's constructor takes beside its sizes: PyTorch's factory arguments (the dtype of its parameters
and their device) and other names of its arguments (micrograd's, `renamed`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograd import check_cpu, is_device, numpy_dtype

from .arguments import shown


def parameter_dtype(owner: str, dtype: Any, unknown: str = "is not a dtype") -> np.dtype:
    """The dtype of a layer's parameters: float32 for None (PyTorch's default dtype, which its `dtype=None`
    means), else float16, float32 or float64, given by numpy's name or a torch dtype's (torch.float64).
    TypeError for anything else, naming `owner`: integers would not train, and numpy's longdouble is
    no dtype nn.save or PyTorch writes. `unknown`: what the message says of what is no dtype at all."""
    if dtype is None:
        return np.dtype(np.float32)
    name = "" if isinstance(dtype, list | tuple) else str(dtype)  # a list is no dtype (its str may nest too deep)
    if name.endswith("bfloat16"):
        raise TypeError(f"{owner}: numpy has no bfloat16; use float16, float32 or float64")
    try:
        kind = np.dtype(numpy_dtype(dtype))
    except (TypeError, RecursionError):  # RecursionError: np.dtype of a list nested too deep (read as fields)
        raise TypeError(f"{owner}: {shown(dtype)} {unknown}") from None
    if kind.kind != "f":
        raise TypeError(f"{owner}: parameters are floating point; {kind} would make them untrainable")
    if kind.itemsize > 8:
        raise TypeError(f"{owner}: chainrule computes in float16, float32 or float64, not {kind}")
    return kind


def factory_dtype(owner: str, device: Any, dtype: Any, displaced: tuple[str, Iterable[str]] = ("", ())) -> np.dtype:
    """PyTorch's factory arguments of a layer, `device` then `dtype` (its order): the device checked (the
    CPU or None: chainrule computes with numpy there), the dtype as parameter_dtype reads it. A dtype given
    in device's place (by position, in chainrule's order before it took device) is refused, naming both;
    so is a value of the argument that stood there before, `displaced` (its name and its values: Linear's
    init, "xavier"), which is now given by keyword."""
    name, values = displaced
    if isinstance(device, str) and device in values:
        raise TypeError(
            f"{owner}: {device!r} was given as device (PyTorch's place, by position), where chainrule's {name} "
            f"stood before; {name} is given by keyword: {name}={device!r}"
        )
    if device is not None and not is_device(device):
        raise TypeError(
            f"{owner}: {shown(device)} was given as device, but is no device (a dtype?); PyTorch's order is "
            "device, then dtype: give it by keyword, dtype=..."
        )
    check_cpu(device, owner)
    return parameter_dtype(owner, dtype)


def renamed(**aliases: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A constructor that also takes other names of its arguments by keyword, `old="new"` (Linear's nin
    and nout, micrograd's, for PyTorch's in_features and out_features); both names given is a TypeError.
    Its signature (inspect's) stays the constructor's own, PyTorch's."""

    def wrap(init: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(init)
        def taking_aliases(self: Any, *args: Any, **kwargs: Any) -> Any:
            for old, new in aliases.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{type(self).__name__} got {old}= and {new}=, two names of one argument")
                    kwargs[new] = kwargs.pop(old)
            return init(self, *args, **kwargs)

        return taking_aliases

    return wrap

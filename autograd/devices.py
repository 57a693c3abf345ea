"""Devices as PyTorch names them, for `to()`, `nn.Module.to()` and the creation functions: chainrule
computes with numpy on the CPU, so a device other than the CPU is refused, naming it."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from .modes import short
from .type_names import repr_of, type_name

Made = TypeVar("Made", bound=Callable[..., Any])


def is_device(arg: Any) -> bool:
    """A device as PyTorch names one: a string that is no dtype's name ("cpu", "cuda:0"), a torch.device, or
    an int (PyTorch's `to(0)` is cuda:0)."""
    if isinstance(arg, int) and not isinstance(arg, bool):
        return True
    if isinstance(arg, str):
        try:
            np.dtype(arg)
        except TypeError:
            return True
        return False
    return type(arg).__name__ == "device"


def check_cpu(device: Any, what: str) -> None:
    """Refuse a device other than the CPU ("cpu", "cpu:0", a torch.device of type cpu; None: not given)."""
    kind = device.split(":")[0] if isinstance(device, str) else getattr(device, "type", device)
    if not (device is None or isinstance(device, str) or is_device(device)):  # an array: numpy's ambiguous truth
        raise TypeError(
            f"{what}: device must be a str such as 'cpu', a torch.device or an int, got {type_name(device)} "
            f"{short(device)}"
        )
    if device is not None and kind != "cpu":
        raise ValueError(
            f"{what}: chainrule computes with numpy on the CPU, so device {repr_of(device)} is not available; "
            "use 'cpu' or leave the device out"
        )


def takes_device(make: Made) -> Made:
    """`make` (a creation function) taking PyTorch's keyword `device=` too: the CPU or None accepted, any other
    device refused naming the function (`check_cpu`), so that `zeros(n, device=x.device)` ports as written."""
    name = make.__name__

    @functools.wraps(make)
    def with_device(*args: Any, device: Any = None, **kwargs: Any) -> Any:
        check_cpu(device, name)
        return make(*args, **kwargs)

    signature = inspect.signature(make)
    keyword = inspect.Parameter("device", inspect.Parameter.KEYWORD_ONLY, default=None)
    with_device.__signature__ = signature.replace(parameters=[*signature.parameters.values(), keyword])  # type: ignore[attr-defined]
    return with_device  # type: ignore[return-value]

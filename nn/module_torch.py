"""PyTorch's Module methods for walking and converting a model (a mixin of Module): `apply`,
`children`, `requires_grad_`, `to`, `cpu`, `float`, `double`, `half`. Ported scripts run as written;
a device other than the CPU is refused by name, since chainrule computes with numpy there."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from autograd import Tensor


class ModuleSpellings:
    """Methods over a Module's `modules()`, `named_children()`, `parameters()` and buffers."""

    def apply(self, fn: Callable[[Any], Any]) -> Any:
        """Call `fn` on every submodule, children first, then on this module (PyTorch's order, so
        `model.apply(init_weights)` reaches each layer once). Returns self."""
        if not callable(fn):
            raise TypeError(f"apply: fn must be callable (a function of a module), got {type(fn).__name__}")
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def children(self) -> Iterator[Any]:
        """The modules held directly by this one (`named_children()` without the names)."""
        return (m for _, m in self.named_children())

    def requires_grad_(self, requires_grad: bool = True) -> Any:
        """Switch every Tensor parameter's requires_grad: False freezes the model (its parameters stay
        its own, saved and loaded, and optimizers skip them), True trains it again. Returns self."""
        if not isinstance(requires_grad, bool):
            raise TypeError(f"requires_grad_: requires_grad must be True or False, got {requires_grad!r}")
        tensors = [p for p in self.parameters() if isinstance(p, Tensor)]
        if len(tensors) < len(self.parameters()):
            raise TypeError(
                "requires_grad_: micrograd's Value parameters have no requires_grad flag; leave them out of "
                "the optimizer to freeze them"
            )
        for p in tensors:
            p.requires_grad = requires_grad
        return self

    def to(self, *args: Any, device: Any = None, dtype: Any = None, non_blocking: bool = False) -> Any:
        """PyTorch's `model.to(device)`, `.to(dtype)`, `.to(device, dtype)`: the device must be the CPU
        ("cpu", or a torch.device of type cpu); a dtype (floating point) converts every floating-point
        parameter, gradient and buffer in place, the parameters staying the same objects. Returns self."""
        for arg in args:
            if _is_device(arg):
                device = arg
            else:
                dtype = arg
        if device is not None and _device_type(device) != "cpu":
            raise ValueError(
                f"to: chainrule computes with numpy on the CPU, so device {device!r} is not available; "
                "use 'cpu' or drop the call"
            )
        if dtype is not None:
            self._convert(_float_dtype(dtype))
        return self

    def cpu(self) -> Any:
        """Self: chainrule's parameters are numpy arrays, on the CPU already."""
        return self

    def float(self) -> Any:
        """Floating-point parameters and buffers to float32, in place. Returns self."""
        return self.to(np.float32)

    def double(self) -> Any:
        """Floating-point parameters and buffers to float64, in place. Returns self."""
        return self.to(np.float64)

    def half(self) -> Any:
        """Floating-point parameters and buffers to float16, in place. Returns self."""
        return self.to(np.float16)

    def _convert(self, dtype: np.dtype) -> None:
        if not all(isinstance(p, Tensor) for p in self.parameters()):
            raise TypeError("to(dtype): micrograd's Value parameters are Python floats, of no other dtype")
        tensors = [p for p in self.parameters() if p.dtype.kind == "f"]
        grads = [None if p.grad is None else np.asarray(p.grad).astype(dtype) for p in tensors]
        for p, grad in zip(tensors, grads, strict=True):
            p.data = p.data.astype(dtype)
            p.grad = grad
        for module in self.modules():
            for name in module._buffer_names:
                buffer = getattr(module, name)
                if buffer.dtype.kind == "f":
                    setattr(module, name, buffer.astype(dtype))


def _is_device(arg: Any) -> bool:
    """A device as PyTorch names one: a string that is no dtype's name ("cpu", "cuda:0"), or a torch.device."""
    if isinstance(arg, str):
        try:
            np.dtype(arg)
        except TypeError:
            return True
        return False
    return type(arg).__name__ == "device"


def _float_dtype(dtype: Any) -> np.dtype:
    """A floating-point numpy dtype from numpy's names or a torch dtype's (torch.float64 is float64)."""
    name = str(dtype)
    try:
        kind = np.dtype(name.removeprefix("torch.") if name.startswith("torch.") else dtype)
    except TypeError:
        raise TypeError(f"to: {dtype!r} is neither a device nor a dtype") from None
    if kind.kind != "f":
        raise TypeError(f"to: a module's parameters are floating point; to({kind}) would make them untrainable")
    return kind


def _device_type(device: Any) -> str:
    return device.split(":")[0] if isinstance(device, str) else getattr(device, "type", "")

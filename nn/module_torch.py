"""PyTorch's Module methods for walking and converting a model (a mixin of Module): `apply`,
`children`, `requires_grad_`, `to`, `cpu`, `float`, `double`, `half`, and what `load_state_dict`
returns (`IncompatibleKeys`). Ported scripts run as written; a device other than the CPU is refused
by name, since chainrule computes with numpy there."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np

from autograd import Tensor, check_cpu, is_device, raw, type_name

from .arguments import check_flag
from .arguments_factory import parameter_dtype
from .state_checks import check_array_fits


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict` returns, as PyTorch's: the model's names the state has no entry for, in
    the model's order, and the state's names the model has not, in the state's (both empty but for a
    load with strict=False). `missing, unexpected = model.load_state_dict(state, strict=False)`."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class ModuleSpellings:
    """Methods over a Module's `modules()`, `named_children()`, `parameters()` and buffers."""

    def apply(self, fn: Callable[[Any], Any]) -> Any:
        """Call `fn` on every submodule, children first, then on this module (PyTorch's order), once
        each: a module held twice (a shared layer) is not initialised or scaled twice. Returns self."""
        if not callable(fn):
            raise TypeError(f"apply: fn must be callable (a function of a module), got {type_name(fn)}")
        for _, module in self._walk(children_first=True):
            fn(module)
        return self

    def children(self) -> Iterator[Any]:
        """The modules held directly by this one (`named_children()` without the names)."""
        return (m for _, m in self.named_children())

    def requires_grad_(self, requires_grad: bool = True) -> Any:
        """Switch every Tensor parameter's requires_grad: False freezes the model (its parameters stay
        its own, saved and loaded, and optimizers skip them), True trains it again. Returns self."""
        requires_grad = check_flag("requires_grad_", "requires_grad", requires_grad)
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
            if is_device(arg):
                device = arg
            else:
                dtype = arg
        check_cpu(device, "to")
        if dtype is not None:
            self._convert(parameter_dtype("to", dtype, "is neither a device nor a dtype"))
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
        """Every floating-point parameter (and its gradient) and buffer of another dtype in `dtype`, all
        computed first: a finite value the dtype cannot hold (1e5 in float16) is a ValueError naming it,
        nothing converted. One already in `dtype` is left as it is (a graph that used it stays valid)."""
        if not all(isinstance(p, Tensor) for p in self.parameters()):
            raise TypeError("to(dtype): micrograd's Value parameters are Python floats, of no other dtype")
        changes: list[tuple[Any, np.ndarray, Any]] = []
        for name, p in self.named_parameters():
            if p.dtype.kind == "f" and p.dtype != dtype:
                grad = (
                    None
                    if p.grad is None
                    else _cast_fitting(raw(p.grad), dtype, f"to({dtype}), nothing converted: {name}.grad")
                )
                changes.append((p, _cast_fitting(p.data, dtype, f"to({dtype}), nothing converted: {name}"), grad))
        buffers = [
            (
                module,
                attribute,
                _cast_fitting(
                    getattr(module, attribute),
                    dtype,
                    f"to({dtype}), nothing converted: {path}.{attribute}".replace(": .", ": "),
                ),
            )
            for path, module in self.named_modules()
            for attribute in module._buffer_names
            if getattr(module, attribute).dtype.kind == "f" and getattr(module, attribute).dtype != dtype
        ]
        for p, data, grad in changes:  # everything is computed: from here nothing can fail
            p.data = data
            p.grad = grad
        for module, attribute, array in buffers:
            setattr(module, attribute, array)


def _cast_fitting(values: np.ndarray, dtype: np.dtype, what: str) -> np.ndarray:
    """`values` in the float dtype `dtype`, refused (ValueError naming `what`) where a finite one would become
    infinity, by the rule and words of every other refusal of it (state_checks.check_array_fits)."""
    check_array_fits(what, values, dtype)
    return values.astype(dtype)

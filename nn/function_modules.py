"""A function as a module, its options kept as attributes of the module: the base of the activation
layers (`nn.LeakyReLU(0.2)` is `leaky_relu(x, negative_slope=0.2)`) and of the loss modules
(`nn.CrossEntropyLoss(label_smoothing=0.1)` is `cross_entropy(x, y, label_smoothing=0.1)`). As in
PyTorch, an option set later (`criterion.label_smoothing = 0.2`, `layer.negative_slope = 0.5`) is the
one the next call uses, and reads back as set."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from .module import Module


@functools.cache
def options_of(function: Callable[..., Any]) -> dict[str, Any]:
    """The options of `function` with their defaults: its parameters that have one (after its inputs)."""
    params = inspect.signature(function).parameters.values()
    return {p.name: p.default for p in params if p.default is not inspect.Parameter.empty}


class FunctionModule(Module):
    """`forward(*inputs)` is `function(*inputs, **options)`, each option read from the attribute of
    its name; a subclass sets `function`, checks the options in its constructor and keeps them
    (`keep_options`)."""

    function: Callable[..., Any]  # set by each subclass (function_module)

    def keep_options(self, given: dict[str, Any]) -> None:
        """Each option of `function` as an attribute: the value given, else the function's default."""
        for name, default in options_of(type(self).function).items():
            setattr(self, name, given.get(name, default))

    def forward(self, *inputs: Any) -> Any:
        function = type(self).function
        return function(*inputs, **{name: getattr(self, name) for name in options_of(function)})

    def extra_repr(self) -> str:
        """The options that differ from their defaults, by name."""
        options = options_of(type(self).function).items()
        return ", ".join(f"{k}={getattr(self, k)!r}" for k, default in options if _differs(getattr(self, k), default))


def _differs(value: Any, default: Any) -> bool:
    """Whether an option's value is not its default (an array or a Tensor given as one always is)."""
    plain = (int, float, str)
    if isinstance(value, plain) and isinstance(default, plain):
        return value != default
    return value is not default


def function_module(name: str, function: Callable[..., Any], base: type[FunctionModule], doc: str) -> type:
    """The subclass `name` of `base` applying `function`, named as a class of `base`'s module."""
    return type(name, (base,), {"function": staticmethod(function), "__doc__": doc, "__module__": base.__module__})

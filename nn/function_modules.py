"""A function as a module, with its arguments bound when the module is made: the base of the
activation layers (`nn.LeakyReLU(0.2)` is `leaky_relu(x, 0.2)`) and of the loss modules
(`nn.CrossEntropyLoss(label_smoothing=0.1)` is `cross_entropy(x, y, label_smoothing=0.1)`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .module import Module


class FunctionModule(Module):
    """`forward(*inputs)` is `function(*inputs, *args, **kwargs)`; a subclass sets `function` and
    checks the arguments in its constructor."""

    function: Callable[..., Any]  # set by each subclass (function_module)
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any]

    def forward(self, *inputs: Any) -> Any:
        return type(self).function(*inputs, *self.args, **self.kwargs)

    def extra_repr(self) -> str:
        return ", ".join([*map(repr, self.args), *(f"{k}={v!r}" for k, v in self.kwargs.items())])


def function_module(name: str, function: Callable[..., Any], base: type[FunctionModule], doc: str) -> type:
    """The subclass `name` of `base` applying `function`, named as a class of `base`'s module."""
    return type(name, (base,), {"function": staticmethod(function), "__doc__": doc, "__module__": base.__module__})

"""Activation layers, each one of autograd's elementwise functions as a Module, under PyTorch's
class name and with its parameters in PyTorch's order: `LeakyReLU(0.2)`, `GELU(approximate="tanh")`.

They work on Tensors and on Values alike (the functions do). PyTorch's `inplace=` is accepted, by
the layers and by their functions in nn.functional (`F.relu(x, inplace=True)`), so that its code runs
unchanged (`accept_inplace`).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import autograd

from .arguments import check_flag
from .function_modules import FunctionModule, function_module, options_of

_UNSET = object()


def accept_inplace(owner: str, args: tuple[Any, ...], inplace: Any = _UNSET) -> tuple[Any, ...]:
    """Check PyTorch's `inplace` and drop it: the result is computed out of place either way, as the
    graph keeps the input for the gradient (PyTorch's in-place one writes the same result over the
    input). Without effect, but True or False only: anything else is a mistake, a TypeError. PyTorch
    takes it last by position too (`nn.ReLU(True)`, `nn.LeakyReLU(0.2, True)`): a bool ending `args`
    is it (no parameter of an activation is a bool). Returns the other arguments."""
    if args and type(args[-1]) is bool:
        if inplace is not _UNSET:
            raise TypeError(f"{owner} got inplace twice, by position and as inplace=: pass one")
        *args, inplace = args  # type: ignore[assignment]
    check_flag(owner, "inplace", False if inplace is _UNSET else inplace)
    return tuple(args)


def check_required(owner: str, required: tuple[str, ...], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """TypeError unless each option in `required` is given, by position (in order) or by name: those
    PyTorch's function has no default for (threshold's threshold and value), though autograd's has."""
    missing = [name for name in required[len(args) :] if name not in kwargs]
    if missing:
        raise TypeError(f"{owner} needs {' and '.join(missing)} (PyTorch's has no default): give them")


def _functional(function: Callable[..., Any], required: tuple[str, ...] = ()) -> Callable[..., Any]:
    """`function` taking PyTorch's `inplace` too, as torch.nn.functional's: `F.relu(x, inplace=True)`,
    `F.leaky_relu(x, 0.2, True)`; the options in `required` must be given (check_required)."""

    @functools.wraps(function)  # its name, and `__wrapped__`: the layer's function itself
    def activation(input: Any, *args: Any, inplace: Any = _UNSET, **kwargs: Any) -> Any:  # noqa: A002 (PyTorch's)
        args = accept_inplace(function.__name__, args, inplace)
        check_required(function.__name__, required, args, kwargs)
        return function(input, *args, **kwargs)

    activation.__doc__ = f"{function.__doc__} PyTorch's `inplace=` is accepted (nn.activations.accept_inplace)."
    activation.__signature__ = torch_signature(function, required, first="input")  # type: ignore[attr-defined]
    # pickle finds a function by module and name: nn.functional's is this one (autograd's is the layer's own)
    activation.__module__, activation.__qualname__ = "nn.functional", function.__name__
    return activation


def torch_signature(function: Callable[..., Any], required: tuple[str, ...], first: str = "") -> inspect.Signature:
    """What an activation layer (or, with `first`, its function) takes, as PyTorch's shows it: the input
    `first`, the function's options in order (those in `required` without a default), then inplace."""
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    params = [inspect.Parameter(first, kind)] if first else []
    for name, default in options_of(function).items():
        params.append(inspect.Parameter(name, kind, default=inspect.Parameter.empty if name in required else default))
    return inspect.Signature([*params, inspect.Parameter("inplace", kind, default=False)])


class Activation(FunctionModule):
    """An elementwise function of autograd as a layer; its arguments are the function's own (those in
    `required` must be given, as PyTorch's layer has no default for them)."""

    required: tuple[str, ...] = ()

    def __init__(self, *args: Any, inplace: Any = _UNSET, **kwargs: Any) -> None:
        args = accept_inplace(type(self).__name__, args, inplace)
        check_required(type(self).__name__, self.required, args, kwargs)
        type(self).function(0.0, *args, **kwargs)  # wrong parameters (NaN ones too) raise here, not at the first batch
        self.keep_options(dict(zip(options_of(type(self).function), args)) | kwargs)


def _activation(
    name: str, function: str | Callable[..., Any], required: tuple[str, ...] = (), doc: str = ""
) -> type[Activation]:
    """The layer `name` applying `function` (autograd's, by name, or one of this module's)."""
    if isinstance(function, str):
        doc, function = (
            f"`autograd.{function}` as a layer: {name}(...) takes its parameters.",
            getattr(autograd, function),
        )
    layer = function_module(name, function, Activation, doc)
    layer.required = required
    layer.__signature__ = torch_signature(function, required)  # inspect.signature(nn.LeakyReLU), as torch's reads
    return layer


def softplus(x: Any, beta: float = 1.0, threshold: float = 20.0) -> Any:
    """autograd.softplus with PyTorch's default threshold, 20: linear (x) where beta * x > threshold, as
    torch.nn.Softplus and F.softplus compute (autograd's own default, None, never switches)."""
    return autograd.softplus(x, beta, threshold)


ReLU = _activation("ReLU", "relu")
Tanh = _activation("Tanh", "tanh")
Sigmoid = _activation("Sigmoid", "sigmoid")
LeakyReLU = _activation("LeakyReLU", "leaky_relu")
ELU = _activation("ELU", "elu")
CELU = _activation("CELU", "celu")
SELU = _activation("SELU", "selu")
GELU = _activation("GELU", "gelu")
SiLU = _activation("SiLU", "silu")
Mish = _activation("Mish", "mish")
Softplus = _activation("Softplus", softplus, doc="`softplus` as a layer: log(1 + exp(beta * x)) / beta.")
Softsign = _activation("Softsign", "softsign")
LogSigmoid = _activation("LogSigmoid", "logsigmoid")
Hardtanh = _activation("Hardtanh", "hardtanh")
ReLU6 = _activation("ReLU6", "relu6")
Hardswish = _activation("Hardswish", "hardswish")
Hardsigmoid = _activation("Hardsigmoid", "hardsigmoid")
Hardshrink = _activation("Hardshrink", "hardshrink")
Softshrink = _activation("Softshrink", "softshrink")
Threshold = _activation("Threshold", "threshold", ("threshold", "value"))  # as PyTorch's: no defaults


def tanhshrink(x: Any) -> Any:
    """x - tanh(x), as torch.nn.functional.tanhshrink: a composition, its gradient tanh(x)²."""
    return x - autograd.tanh(x)


Tanhshrink = _activation("Tanhshrink", tanhshrink, doc="`tanhshrink` as a layer: x - tanh(x).")

# the functions of the layers above, by name, taking `inplace=` as the layers do: nn.functional's
# activations (F.gelu, F.leaky_relu, ...)
FUNCTIONS: dict[str, Callable[..., Any]] = {
    cls.function.__name__: _functional(cls.function, cls.required) for cls in Activation.__subclasses__()
}

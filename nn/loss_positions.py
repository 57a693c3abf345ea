"""The options a loss function takes by position, as PyTorch's does (`F.cross_entropy(x, y, w)`,
`F.mse_loss(x, y, None, None, "sum")`): each function lists, where it is defined, the names PyTorch's
signature gives its options after the inputs, in their order (tests/test_loss_positions.py compares them with
torch 2.13's), and takes them so. PyTorch's deprecated size_average and reduce, which chainrule does not take,
are refused (unless None, their default) by position and by keyword, naming the reduction= to write."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from .arguments import shown

# PyTorch's deprecated spellings of reduction=, which chainrule does not take
DEPRECATED = ("size_average", "reduce")


def deprecated_reduction(owner: str, name: str, how: str) -> TypeError:
    """The error for PyTorch's deprecated `name` (size_average or reduce), given `how` (by position, by keyword)."""
    return TypeError(
        f"{owner}: {name} ({how}) is PyTorch's deprecated spelling of the reduction, which chainrule does not take: "
        "write reduction= by keyword (size_average=True is reduction='mean', size_average=False 'sum', "
        "reduce=False 'none')"
    )


def torch_positions(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A loss function (its options keyword-only) that also takes its options by position in PyTorch's order,
    `names`, after its inputs (its parameters before the `*`). Its signature (inspect's) stays its own."""

    def wrap(function: Callable[..., Any]) -> Callable[..., Any]:
        params = inspect.signature(function).parameters.values()
        inputs = sum(1 for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD)
        owner = function.__name__

        @functools.wraps(function)
        def taking_positions(*args: Any, **options: Any) -> Any:
            for name in DEPRECATED:  # None, their default, taken as by position
                given = options.pop(name, None)
                if given is not None:
                    raise deprecated_reduction(owner, name, f"{name}={shown(given)}")
            extra = args[inputs:]
            if len(extra) > len(names):
                raise TypeError(
                    f"{owner} takes {inputs} inputs and then, as PyTorch's, at most {len(names)} options by position "
                    f"({', '.join(names) or 'none'}), got {len(args)} positional arguments"
                )
            for name, value in zip(names, extra):
                if name in DEPRECATED:
                    if value is not None:
                        raise deprecated_reduction(owner, name, f"{shown(value)} by position")
                    continue
                if name in options:
                    raise TypeError(f"{owner} got {name} both by position and as {name}=")
                options[name] = value
            return function(*args[:inputs], **options)

        taking_positions.torch_positions = names  # type: ignore[attr-defined]
        return taking_positions

    return wrap

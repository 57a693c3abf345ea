"""The options a loss takes by position, as PyTorch's does (`F.cross_entropy(x, y, w)`,
`F.mse_loss(x, y, None, None, "sum")`, `nn.MSELoss(None, None, "sum")`): each function lists, where it is
defined, the names PyTorch's signature gives its options after the inputs, in their order (tests/
test_loss_positions.py compares them with torch 2.13's), and what PyTorch's class of it takes of them
(tests/test_loss_modules.py compares): both take them so, from this one list. PyTorch's deprecated size_average
and reduce, which chainrule does not take, are refused (unless None, their default) by position and by keyword,
naming the reduction= to write."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
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


def bind_options(owner: str, names: Sequence[str], given: Sequence[Any], options: dict[str, Any]) -> dict[str, Any]:
    """`options` (by keyword) with the options `given` by position, named by `names` in order (the caller checks
    their count): PyTorch's deprecated size_average and reduce dropped where None, their default (PyTorch's too
    treats None as not given), refused otherwise; an option given both ways is a TypeError, as Python's."""
    for name in DEPRECATED:
        value = options.pop(name, None)
        if value is not None:
            raise deprecated_reduction(owner, name, f"{name}={shown(value)}")
    for name, value in zip(names, given):
        if name in DEPRECATED:
            if value is not None:
                raise deprecated_reduction(owner, name, f"{shown(value)} by position")
            continue
        if name in options:
            raise TypeError(f"{owner} got {name} both by position and as {name}=")
        options[name] = value
    return options


def torch_positions(
    *names: str, module_lacks: tuple[str, ...] = (), module_keywords: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A loss function (its options keyword-only) that also takes its options by position in PyTorch's order,
    `names`, after its inputs (its parameters before the `*`). Its signature (inspect's) stays its own. What
    PyTorch's class of it takes is noted on it for nn.loss_modules: `module_lacks`, the options the class does
    not take (torch 2.13's weight= per element of mse_loss), and the rest of `names` by position, or none with
    `module_keywords` (GaussianNLLLoss's are keyword-only)."""

    def wrap(function: Callable[..., Any]) -> Callable[..., Any]:
        params = inspect.signature(function).parameters.values()
        inputs = sum(1 for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD)
        owner = function.__name__

        @functools.wraps(function)
        def taking_positions(*args: Any, **options: Any) -> Any:
            extra = args[inputs:]
            if len(extra) > len(names):
                raise TypeError(
                    f"{owner} takes {inputs} inputs and then, as PyTorch's, at most {len(names)} options by position "
                    f"({', '.join(names) or 'none'}), got {len(args)} positional arguments"
                )
            return function(*args[:inputs], **bind_options(owner, names, extra, options))

        taking_positions.torch_positions = names  # type: ignore[attr-defined]
        taking_positions.module_lacks = module_lacks  # type: ignore[attr-defined]
        module_positions = () if module_keywords else tuple(n for n in names if n not in module_lacks)
        taking_positions.module_positions = module_positions  # type: ignore[attr-defined]
        return taking_positions

    return wrap

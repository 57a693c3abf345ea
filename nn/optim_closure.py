"""PyTorch's `optimizer.step(closure)`: the closure (zero_grad, the loss, backward, return the loss) is called
first, with gradients recorded even inside no_grad (as PyTorch's, under enable_grad), then the step; its loss
is returned. A compiled step given a closure runs eagerly: its backward would happen inside the replayed step,
which a replay does not run again. LBFGS, whose step calls its closure many times, checks it here too."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from autograd import eager_only, enable_grad, type_name


def checked_closure(owner: Any, closure: Any, why: str | None = None) -> Callable[[], Any]:
    """`closure`, refused (TypeError) unless it is a function; a compiled step that calls a step with one runs
    eagerly, saying why (`why`, where the optimizer's own reason is another)."""
    name = f"{type(owner).__name__}.step"
    if not callable(closure):
        raise TypeError(f"{name}: closure must be a function, got {type_name(closure)}")
    eager_only(
        why
        or f"{name}(closure) runs the closure's backward inside the step, which a replay would not run again: "
        "compute the loss and call backward() in the compiled function, then optimizer.step()"
    )
    return closure


def takes_closure(step: Callable[[Any], None]) -> Callable[..., Any]:
    """`step` (an optimizer's method of no argument) taking PyTorch's optional `closure` as well."""

    def with_closure(self: Any, closure: Callable[[], Any] | None = None) -> Any:
        if closure is None:
            return step(self)
        checked_closure(self, closure)
        with enable_grad():
            loss = closure()
        step(self)
        return loss

    # step's name and docstring, its marks (autograd.replayed's), and __wrapped__; the signature is this one's
    functools.update_wrapper(with_closure, step, assigned=("__module__", "__name__", "__qualname__", "__doc__"))
    with_closure.__signature__ = inspect.signature(with_closure, follow_wrapped=False)  # type: ignore[attr-defined]
    return with_closure


def requires_closure(step: Callable[..., Any]) -> bool:
    """Whether `step` (a bound method) has a positional argument without a default: PyTorch's step(self, closure)
    as a port of its LBFGS writes it. nn's own steps take the closure as an option (`takes_closure`)."""
    try:
        parameters = inspect.signature(step).parameters.values()
    except (TypeError, ValueError):  # no signature to read: a step as nn's optimizers take it
        return False
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return any(p.kind in positional and p.default is inspect.Parameter.empty for p in parameters)

"""torch.nn.functional's max_pool{1,2,3}d_with_indices and adaptive_max_pool{1,2,3}d_with_indices: the max pools
with return_indices=True, whatever their own return_indices says (PyTorch's ignore it), so that ported code
that calls them gets (output, indices) as there. One factory makes the six from the pools themselves: their
arguments (names, order, defaults) are the pools', written once in autograd."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from autograd import (
    Tensor,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    adaptive_max_pool3d,
    max_pool1d,
    max_pool2d,
    max_pool3d,
)

from .arguments import check_flag


def _signature(pool: Callable[..., Any]) -> inspect.Signature:
    """`pool`'s arguments as torch's *_with_indices spell them: the tensor named input, the rest the pool's
    names, kinds and defaults (flags typed bool, sizes Any), returning (output, indices)."""
    first, *rest = inspect.signature(pool).parameters.values()
    typed = [p.replace(annotation="bool" if isinstance(p.default, bool) else "Any") for p in rest]
    return inspect.Signature(
        [first.replace(name="input", annotation="Tensor"), *typed], return_annotation="tuple[Tensor, Tensor]"
    )


def _with_indices(pool: Callable[..., Any]) -> Callable[..., tuple[Tensor, Tensor]]:
    """`pool` called with return_indices=True, under the name `pool`_with_indices and `pool`'s signature;
    its own return_indices checked (True or False) and otherwise ignored, as torch's. A wrong call is a
    TypeError naming the function, what is wrong in inspect's words ("too many positional arguments") and the
    arguments it takes."""
    name = f"{pool.__name__}_with_indices"
    signature = _signature(pool)
    # the arguments a wrong call is told of: inspect's message names one problem ("too many positional arguments")
    shown = signature.replace(
        parameters=[p.replace(annotation=p.empty) for p in signature.parameters.values()],
        return_annotation=signature.empty,
    )

    def with_indices(*args: Any, **kwargs: Any) -> tuple[Tensor, Tensor]:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"{name}(): {e}; it takes {name}{shown}") from None
        bound.apply_defaults()
        check_flag(name, "return_indices", bound.arguments["return_indices"])
        bound.arguments["return_indices"] = True
        return pool(*bound.args, **bound.kwargs)

    with_indices.__name__ = with_indices.__qualname__ = name
    with_indices.__signature__ = signature  # type: ignore[attr-defined]
    # typing.get_type_hints reads these, not the signature: the arguments' types, not (*args, **kwargs)'s
    hints = {p.name: p.annotation for p in signature.parameters.values()}
    with_indices.__annotations__ = hints | {"return": signature.return_annotation}
    with_indices.__doc__ = (
        f"{pool.__name__}'s (output, indices), as torch's (its return_indices, checked, changes nothing)."
    )
    return with_indices


max_pool1d_with_indices = _with_indices(max_pool1d)
max_pool2d_with_indices = _with_indices(max_pool2d)
max_pool3d_with_indices = _with_indices(max_pool3d)
adaptive_max_pool1d_with_indices = _with_indices(adaptive_max_pool1d)
adaptive_max_pool2d_with_indices = _with_indices(adaptive_max_pool2d)
adaptive_max_pool3d_with_indices = _with_indices(adaptive_max_pool3d)

__all__ = [
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices",
    "max_pool1d_with_indices",
    "max_pool2d_with_indices",
    "max_pool3d_with_indices",
]

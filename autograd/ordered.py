"""The one rule for an argument whose order counts (a shape, dims, a model's inputs, an optimizer's
parameters, the inputs of a gradient): a set is refused, since it iterates in its hashes' order, not the
order written ({4, 3} gives 3, then 4), and a set of nodes (hashed by their address) in another order
each run, so a saved optimizer state or a check's table would pair numbers with the wrong parameters.
PyTorch's add_param_group refuses a set of parameters for that reason; chainrule refuses one wherever
order counts. A dict and its views keep the order written, and are taken as PyTorch takes them."""

from __future__ import annotations

from typing import Any

from .modes import short
from .type_names import type_name


def check_ordered(owner: str, name: str, items: Any) -> None:
    """Raise a TypeError naming `owner`'s argument `name` and the fix (a list) if `items` is a set or a
    frozenset; return otherwise."""
    if isinstance(items, set | frozenset):
        raise TypeError(
            f"{owner}: {name} must be in order, but a {type_name(items)} has none (it iterates in its "
            f"hashes' order, which can change between runs), got {short(items)}; give a list"
        )

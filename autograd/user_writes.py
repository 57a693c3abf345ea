"""What a user's op is given to read: read-only views of the arrays it gets (inputs, keyword arguments, and
for its rule g and out), so that a forward or rule that writes into one (`x *= 2`) is refused naming the op,
not left to change a leaf's data, what other rules read, or what a second backward reads, without a word.
The tensor engine's Record and user_forward use these, and so does a Value's op with array arguments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


class WroteIntoInput(ValueError):
    """A user's op whose forward or rule wrote into an array the graph reads (numpy refused the write)."""


def read_only(x: Any) -> Any:
    """An array as a view that cannot be written; anything else (a Tensor under create_graph) as it is."""
    if x.__class__ is not np.ndarray:
        return x
    view = x.view()
    view.flags.writeable = False
    return view


def read_only_values(params: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments with each array a read-only view."""
    return {name: read_only(value) for name, value in params.items()} if params else params


def forward_wrote(name: str, e: ValueError) -> ValueError:
    """numpy's refusal of a write in op `name`'s forward, named as the op's (any other error as it is)."""
    return _named(
        e,
        f"the forward of op {name!r} wrote into an input or a keyword argument ({e}), data the graph and your "
        "other ops read: compute a new array instead (x * 2, not x *= 2; y = x.copy() before writing into y)",
    )


def rule_wrote(name: str, e: ValueError) -> ValueError:
    """numpy's refusal of a write in op `name`'s rule, named as the op's (any other error as it is)."""
    return _named(
        e,
        f"the derivative rule of op {name!r} wrote into its g, its out, an input or a keyword argument ({e}), "
        "which other rules and the graph read too: compute a new array instead (g * 2, not g *= 2)",
    )


def _named(e: ValueError, message: str) -> ValueError:
    """WroteIntoInput(message) where `e` is numpy's refusal of a write into a read-only array, else `e`."""
    return WroteIntoInput(message) if "read-only" in str(e) else e


def refusing_writes(name: str, f: Callable[..., Any], wrote: Callable[[str, ValueError], ValueError]) -> Any:
    """f, its writes into a read-only array refused naming op `name` (`wrote`: forward_wrote or rule_wrote)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except ValueError as e:
            refused = wrote(name, e)
            if refused is e:
                raise
            raise refused from None

    return call


def value_op(op: Any, params: dict[str, Any], needs: tuple[bool, ...]) -> Any:
    """op bound to a Value node's keyword arguments and needs (Op.bind). Arrays among them are given as
    read-only views, and a forward or rule that writes into one is refused naming the op, as a tensor's
    user op is: it changed what the rule read, and every later backward, silently."""
    if not params or not any(v.__class__ is np.ndarray for v in params.values()):
        return op.bind(params, needs=needs)
    bound = op.bind(read_only_values(params), needs=needs)
    bound.forward = refusing_writes(bound.name, bound.forward, forward_wrote)
    bound.vjp = refusing_writes(bound.name, bound.vjp, rule_wrote)
    return bound

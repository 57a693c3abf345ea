"""Steps of `autograd.testing.tensor_expressions` through the shapes ops: name -> (template, apply,
accepts), as `testing_expression.Kind` takes them; each keeps a 2-d operand's shape (rows, columns)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import tensor_ops as tops
from .op_def import ANYWHERE

_ANY = (ANYWHERE,)


def _shifted_in(a: Any) -> Any:
    """a's columns moved right by one, 0.5 coming in on the left: padded, then the last column cut."""
    padded = tops.pad(a, widths=((0, 0), (1, 0)), value=0.5)
    return tops.getitem(padded, index=(Ellipsis, slice(None, -1)))


KINDS: dict[str, tuple[str, Callable[..., Any], tuple[Callable[[Any], bool], ...]]] = {
    "roll": ("roll({0}, 1, -1)", lambda a, c: tops.roll(a, shifts=(1,), axes=(-1,)), _ANY),
    "pad": ("pad({0}, (1, 0), value=0.5)[..., :-1]", lambda a, c: _shifted_in(a), _ANY),
    "einsum": (
        "einsum('ij,kj,kl->il', {0}, {1}, {2})",
        lambda a, b, d, c: tops.einsum(a, b, d, subscripts="ij,kj,kl->il"),
        _ANY * 3,
    ),
}

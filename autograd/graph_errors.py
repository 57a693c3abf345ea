"""What a backward pass refuses, and how it says so: a node asked for a number, nodes of the two kinds
in one op, a rule that divided by zero, and under jvp a user's rule that read its g as data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import modes
from .type_names import type_name

if TYPE_CHECKING:
    from .graph import Node
    from .op import Op


class NodeAsNumber(TypeError):
    """float(), int() or complex() of a node, refused: its number is `.data`, a constant. A rule run on the
    nodes themselves (create_graph) that asks for one (math.cos(x)) is named by vjp_at."""


class MixedNodes(TypeError):
    """An op met a Value and a Tensor (or an array): the two node types do not mix in one op.
    (The function transforms catch it, and trace again with their number arguments as 0-d Tensors.)"""


# What a learner mixing micrograd's scalars with tensors is told, wherever the two meet
VALUE_DATA = "v.data is a Value's number, without its gradient"
NOT_BOTH = "a graph is of Values (nn.MLP) or of Tensors (nn.Linear), not both"


def tensor_with_value(what: str) -> MixedNodes:
    """The error of an op of Tensors given a Value (`Tensor * Value`, `autograd.stack([t, v])`)."""
    return MixedNodes(f"{what}: cannot combine a Tensor with a Value: {NOT_BOTH} ({VALUE_DATA})")


def infinite_derivative(node: Node) -> ZeroDivisionError:
    """What a backward pass raises when the rule of `node`'s op divided by zero."""
    shown = node._made_by.show([p.data for p in node.parents])
    return ZeroDivisionError(f"backward of {shown}: the derivative is infinite at this point")


def keeps_g(op: Op, i: int, on_nodes: bool, gx: Any) -> None:
    """Under jvp (modes.tangents), TypeError for the gradient `gx` a user's rule gave input i in a pass
    `on_nodes` (create_graph's) if it is no node: the rule read its g as data (raw(g), g.data), or gave a
    constant, so jvp, which differentiates each rule in its g, would give 0 for every term through it
    (torch.func.jvp refuses such a rule too). jvp runs the rules at g = 0, so a constant 0 cannot be told
    from g read as data: it is refused too (0 * g is a node)."""
    if not (on_nodes and modes.entered and modes.current.tangents and gx is not None):
        return
    from .graph import Node  # here: graph imports this module

    if not isinstance(gx, Node):
        raise TypeError(
            f"jvp: the derivative rule of op {op.name!r} gave input {i} a gradient off the graph "
            f"({type_name(gx)}, not a node): it read its g as data (raw(g), g.data, .item()); jvp "
            "differentiates each rule in its g, so write the rule with arithmetic on g (g * 2 * raw(x), g * 0)"
        )

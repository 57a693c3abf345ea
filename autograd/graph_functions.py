"""The functional forms over a graph: the gradients of a root for some inputs (leaving `.grad` alone),
the order a backward takes its nodes in, and resetting `.grad` before the next backward."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .compile_record import eager_only
from .graph import Node, _check_retain, raw, require_node
from .graph_order import _scratch_space
from .modes import flag, short
from .ordered import check_ordered
from .type_names import type_name


def zero_grad(nodes: Iterable[Node], set_to_none: bool = True) -> None:
    """Reset `.grad` of each node (0.0 for a Value) before the next backward accumulates into it:
    a Tensor's to None, or with `set_to_none=False` (PyTorch's older default) one it holds to zeros."""
    set_to_none = flag(set_to_none, "zero_grad: set_to_none")
    nodes = node_list(nodes, "zero_grad: nodes")  # all checked before any is reset
    eager_only(  # an optimizer's or a module's zero_grad is replayed: the call inside it is the replay's
        "autograd.zero_grad(...) is called inside the step, which a replay would not do: call "
        "optimizer.zero_grad() or model.zero_grad() there (a replay calls those again)"
    )
    for n in nodes:
        if set_to_none:  # a Tensor's None, a Value's 0.0
            n.grad = n._grad_zero
            continue
        held = raw(n.grad)  # an array (a create_graph Tensor's, detached, as PyTorch), or a Value's float
        n.grad = np.zeros_like(held) if isinstance(held, np.ndarray) else n._grad_zero


def gradients(
    root: Node,
    inputs: Sequence[Node],
    seed: Any = None,
    *,
    create_graph: bool = False,
    retain_graph: bool | None = None,
    grad_outputs: Any = None,
) -> list[Any]:
    """d(root)/d(input) for each input, without touching any `.grad` (the functional form;
    `retain_graph` as backward's). `seed`: the gradient from above of a root of more than one number,
    also by torch.autograd.grad's name, `grad_outputs=`."""
    if grad_outputs is not None:
        if seed is not None:
            raise TypeError("gradients() got seed and grad_outputs=, two names of one argument: pass one")
        seed = grad_outputs
    _check_retain(retain_graph, "gradients")
    require_node(root, "gradients: root")
    check_ordered("gradients", "inputs", inputs)  # the gradients come back in the inputs' order
    inputs = node_list(inputs, "gradients: inputs")
    create_graph = flag(create_graph, "gradients: create_graph")
    with _scratch_space(root, inputs, create_graph):
        for x in inputs:
            x._grad_sum = None  # what a pass leaves on an input it does not reach
        start = type(root)._backward_pass(root, seed, create_graph, False)
        grads = [x._zero_like(x) if x._grad_sum is None or x._grad_sum is start else x._grad_sum for x in inputs]
        if create_graph:
            grads = [x._as_node(x, g) for x, g in zip(inputs, grads)]
        for x in inputs:  # not kept beside the caller's copy: a parameter would hold it (under create_graph,
            x._grad_sum = None  # a whole graph) until the next pass reached it
        return type(root)._handed_out(grads)


def backward_order(root: Node) -> list[Node]:
    """Every node a backward from root reaches, in the order it takes them: root first, each once all
    its consumers are done, so a node's gradient is its consumers' shares summed in this order (which
    rounding can tell from another: 1e16 - 1e16 + 1 is 1, 1 + 1e16 - 1e16 is 0). For Values it is the
    pass's first sweep taken in reverse (no rule runs); for Tensors it is `topological_order`."""
    require_node(root, "backward_order: root")
    with _scratch_space(root):
        return type(root)._backward_order(root)


def node_list(xs: Any, what: str) -> list[Node]:
    """xs (a list, a tuple, any iterable) as a list of nodes; a node alone is refused, not read row by
    row (a Tensor iterates over its rows, new nodes that no backward reaches)."""
    if xs.__class__ is list:  # the common case (an optimizer's zero_grad): no walk through the Iterable ABC
        xs = xs.copy()
    elif isinstance(xs, Node):
        raise TypeError(f"{what} must be a list of Values or Tensors, got one {type_name(xs)}: write [x]")
    elif isinstance(xs, str | bytes | np.ndarray) or not isinstance(xs, Iterable):
        raise TypeError(f"{what} must be a list of Values or Tensors, got {type_name(xs)} {short(xs)}")
    else:
        xs = list(xs)
    for i, x in enumerate(xs):
        if not isinstance(x, Node):  # the message only then: an optimizer's zero_grad passes every parameter
            require_node(x, f"{what}[{i}]")
    return xs

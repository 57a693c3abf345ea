"""The graph core shared by every node type: the node, its backward pass and the functional forms.

A node records the `Op` that made it and its parent nodes. Backward walks the graph once in
reverse topological order and asks each op's vector-Jacobian rule for its parents' gradients.
Rules receive raw data (floats, arrays) for a plain backward and the nodes themselves under
`create_graph`, so one rule serves both and second derivatives come for free.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np

from . import modes
from .dtypes import DATA_KINDS
from .graph_errors import NodeAsNumber, infinite_derivative
from .graph_order import MANY, _scratch_space, _topological_order, refuse_backward_in_transform
from .modes import flag, short
from .type_names import type_name

if TYPE_CHECKING:
    from .op import Op

# the ids of the nodes that hold gradient hooks (hooks.py, register_hook), each with a weak reference that
# drops it when its node is freed: a pass tests this table; the hooks themselves are in a Tensor's `_hooks`,
# a Value's in hooks.VALUE_HOOKS
HOOKS: dict[int, Any] = {}


class Node:
    """Base of Value and Tensor: the slots the graph core reads and writes.

    `_made_by` is what made the node (an `Op` for a Value, a tensor's record of its op), None for a leaf.
    Parents live in two slots rather than a tuple: one object per node for the garbage collector to
    scan instead of two, and less memory. `_a` is the first parent (None for a leaf), `_b` the second
    (None for a unary op); an op of three or more inputs (and a Value built by hand, micrograd's way)
    keeps their tuple in `_a` and MANY in `_b`; a Value computed under no_grad is a leaf with NO_GRAPH
    in `_b` (a Tensor says so by requires_grad). Scratch space for one backward pass: `_visit`, the
    token of the pass that reached the node (the topological sort's; Value's own pass counts the
    node's consumers there; unset on a Value until a pass reaches it, one store fewer per node made), and
    `_grad_sum`, d root / d node summed so far. `__weakref__` lets a record
    point at a node without keeping it (an nn module's record of its calls' outputs, for drawings): a
    freed node's id may be a new node's, so an id alone cannot say which node it was. `label`, a name
    for drawings, is each type's own: a Tensor's slot, a table beside the nodes for Values (value_labels),
    whose op outputs and lifted numbers, nearly every node, never get one.
    A node type provides the hooks declared below; the core calls nothing else of it.
    """

    __slots__ = ("data", "grad", "_made_by", "_a", "_b", "_visit", "_grad_sum", "__weakref__")
    label: str

    @property
    def op(self) -> Op | None:
        """The op that made this node; None for a leaf."""
        return self._made_by

    @property
    def op_params(self) -> dict[str, Any]:
        """The keyword arguments of the call that made this node (`axis=1`, `negative_slope=0.2`)."""
        return dict(self._made_by.params) if self._made_by is not None else {}

    is_constant: bool  # a leaf whose gradient nobody reads: a number an operator lifted, a tensor without grad

    @property
    def parents(self) -> tuple[Node, ...]:
        """The nodes this one was computed from, in the op's argument order."""
        a, b = self._a, self._b
        if a is None:
            return ()
        if b is None:
            return (a,)
        return a if b is MANY else (a, b)

    # ---- the interface each node type provides to the core (Value and Tensor define them) ----
    _grad_sum_start: Any  # where `_grad_sum` starts: adding the first gradient to it gives that gradient
    _grad_zero: Any  # `.grad` after zero_grad (a Value's NOT_COMPUTED, a Tensor's None)
    # what a plain pass adds gradients with (a Tensor's graph_sums.GradientSums), or None: `a + b`
    _gradient_sums: Any = None
    # a node's numbers as a plain pass hands them to rules (a C getter: a Tensor's `.data` is a property)
    _data_of: Any = attrgetter("data")

    @staticmethod
    def _apply(op: Op, inputs: Sequence[Any], params: dict[str, Any]) -> Node:
        """Apply `op` to `inputs` (at least one of this type): run its forward, record a node."""
        raise NotImplementedError

    def _seed(self, grad: Any, create_graph: bool) -> Any:
        """The gradient a backward from this node starts with: `grad` checked against the node,
        or one; a node of its own under create_graph."""
        raise NotImplementedError

    @staticmethod
    def _zero_like(x: Node) -> Any:
        """The gradient of an input that no path from the root reaches."""
        raise NotImplementedError

    @staticmethod
    def _as_node(x: Node, g: Any) -> Node:
        """x's gradient g from a create_graph pass as a node, as every gradient is one there: g itself, or
        a constant node holding it where g depends on nothing (0 where an op is flat, a rule's constant,
        the zeros of an input no path reaches)."""
        raise NotImplementedError

    def _hook_argument(self, g: Any) -> Any:
        """What a gradient hook of this node is given for its gradient g (a pass's sum)."""
        raise NotImplementedError

    def _hook_result(self, result: Any, create_graph: bool, name: str) -> Any:
        """What a hook (`name`) returned, checked, as this node's gradient in a pass (create_graph's: a node)."""
        raise NotImplementedError

    @staticmethod
    def _handed_out(grads: list[Any]) -> list[Any]:
        """`gradients`' results as the caller gets them: each its own (a Value's float already is)."""
        return grads

    @staticmethod
    def _check_graph(order: list[Node]) -> None:
        """Refuse a backward over `order` that would give wrong gradients (a Tensor changed in place)."""
        raise NotImplementedError

    @staticmethod
    def _accumulate(order: list[Node]) -> None:
        """After a pass over `order`: add each node's gradient (`_grad_sum`) into `.grad` where this
        type keeps one (Tensor leaves and tensors that retain theirs)."""
        raise NotImplementedError

    @staticmethod
    def _backward_pass(root: Node, grad: Any, create_graph: bool, accumulate: bool) -> Any:
        """One backward pass from root, seeded with `grad`: d(root)/d(node) in each reached node's
        `_grad_sum` (and added into `.grad` with `accumulate`). Returns where the pass started every
        sum: a node whose sum still holds it got no gradient. This generic pass sorts the graph
        (`topological_order`), runs the rules, then accumulates; a node type may have its own."""
        order = _topological_order(root)
        seed = root._seed(grad, create_graph)
        type(root)._check_graph(order)
        _propagate(order, seed, create_graph)
        if accumulate:
            type(root)._accumulate(order)
        return root._grad_sum_start

    @staticmethod
    def _backward_order(root: Node) -> list[Node]:
        """The order `_backward_pass` takes the nodes in (the generic pass: topological)."""
        return _topological_order(root)

    def backward(self, grad: Any = None, *, create_graph: bool = False, retain_graph: bool | None = None) -> None:
        """Accumulate d(self)/d(node) into `.grad` of every node reachable from self.

        Gradients add up across calls (as in PyTorch): call `zero_grad` between steps.
        With `create_graph=True` the gradients are nodes with their own graph, so a second
        backward through them gives second derivatives. `retain_graph` is PyTorch's and changes
        nothing: a graph lives as long as its nodes, so a second backward works either way.
        """
        _check_retain(retain_graph, "backward")
        create_graph = flag(create_graph, "backward: create_graph")
        refuse_backward_in_transform(self, "backward()")
        if create_graph:
            with _scratch_space(self, create_graph=True), modes.enable_grad():
                type(self)._backward_pass(self, grad, True, True)  # under create_graph, sums are nodes too
            return
        with _scratch_space(self):
            type(self)._backward_pass(self, grad, False, True)

    def _backward(self) -> None:
        """One local step of the chain rule, micrograd's `_backward`: add this node's `.grad` times
        each local derivative into its parents' `.grad` (a Value's not computed yet is 0.0, and adds as
        micrograd's: 0.0 + -0.0 is 0.0; a Tensor's None takes the gradient as it is, as PyTorch's).
        Called on every node in reverse topological order after setting the root's `.grad`, it
        does what `backward()` does, one node at a time (for learners stepping through it by hand)."""
        refuse_backward_in_transform(self, "_backward()")
        for parent, g in zip(self.parents, pullback(self, self.grad)):
            if g is not None:
                held = parent.grad
                parent.grad = g if held is None else held + g


def check_backward(op: Op, node: Node, gs: Sequence[Any]) -> None:
    """detect_anomaly's test of the gradients a rule gave. A constant parent's goes nowhere (a number lifted
    into a Value: gammainc's a, whose rule gives NaN there), so it is no anomaly."""
    for i, (g, parent) in enumerate(zip(gs, node.parents)):
        if g is not None and not parent.is_constant and not modes.is_finite(raw(g)):
            shown = op.show([p.data for p in node.parents])
            raise modes.AnomalyError(
                f"backward of {shown} gave {modes.not_finite(raw(g))} as the gradient of input {i} (detect_anomaly)"
            )


def raw(x: Any) -> Any:
    """The data behind a node; anything else as it is."""
    return x.data if isinstance(x, Node) else x


# ---- propagation ----


def _propagate(order: list[Node], seed: Any, create_graph: bool) -> None:
    """The chain rule over `order` (root first, as `topological_order` gives it): leaves
    d(root)/d(node) in each node's `_grad_sum` (the empty sum where none arrives). Gradients are added
    without writing into any rule's array (a rule may hand the same array to two inputs): in place only
    into a buffer the pass made itself (graph_sums)."""
    order[0]._grad_sum = seed
    check = modes.current.anomaly
    # a plain pass adds in place, and a slice's gradient at its index (graph_sums); detect_anomaly reads each
    # rule's gradients whole, and under create_graph the sums are nodes: `a + b`
    plain = type(order[0])._gradient_sums
    sums = None if create_graph or check or plain is None else plain()
    hooks = HOOKS if HOOKS and not modes.current.tangents else None  # jvp's pass of its pullback runs none
    # Rules build graphs only from nodes, which they get only under create_graph, so a plain
    # pass needs no no_grad block (entering one would send every thread's ops down the slow path).
    with modes.enable_grad() if create_graph else contextlib.nullcontext():
        for node in order:
            if node._grad_sum is node._grad_sum_start:
                # no gradient reached the node (each rule that could send one gave None: a constant operand
                # such as a loss's weights): d root / d node is 0, so its hooks and its rule have nothing to
                # work on, and the rule is never called with the empty sum, which is no gradient
                continue
            if hooks is not None and id(node) in hooks:
                from .hooks import run_hooks  # here: hooks imports the compile modules, built on this one

                node._grad_sum = run_hooks(node, node._grad_sum, create_graph)
            op = node._made_by
            if op is None:
                continue
            try:
                if sums is not None and op.scatters:  # g added at the index: the input's zeros never formed
                    a = node._a
                    a._grad_sum = sums.added_at(id(a), a._grad_sum, op.params["index"], node._grad_sum, a.data)
                    continue
                gs = vjp_at(op, node, node._grad_sum, create_graph)
                a, b = node._a, node._b
                for p, gp in zip(a if b is MANY else (a,) if b is None else (a, b), gs):
                    if gp is None:
                        continue
                    if p._grad_sum is not p._grad_sum_start:
                        p._grad_sum = p._grad_sum + gp if sums is None else sums.added(id(p), p._grad_sum, gp)
                    else:  # the first share: itself, for a Tensor (its empty sum adds as that); a Value's 0.0 + gp
                        p._grad_sum = gp if sums is not None else p._grad_sum + gp
            except ZeroDivisionError:
                raise infinite_derivative(node) from None
            if check:
                check_backward(op, node, gs)


def vjp_at(op: Op, node: Node, g: Any, create_graph: bool) -> Sequence[Any]:
    """The gradients op's rule sends from `node` to its parents when d(root)/d(node) is g, called as
    a backward pass calls it: on the data, or on the nodes themselves under create_graph."""
    a, b = node._a, node._b
    data = node._data_of
    try:
        if b is None:
            gs, inputs = (op.vjp(g, node, a) if create_graph else op.vjp(g, data(node), data(a))), 1
        elif b is not MANY:
            gs, inputs = (op.vjp(g, node, a, b) if create_graph else op.vjp(g, data(node), data(a), data(b))), 2
        else:
            gs, inputs = (op.vjp(g, node, *a) if create_graph else op.vjp(g, data(node), *map(data, a))), len(a)
    except NodeAsNumber as e:  # a rule on numbers alone (math.cos), run on nodes for a second derivative
        if not create_graph:  # on numbers, the node is one the rule holds itself: Value's own words
            raise
        raise NodeAsNumber(
            f"the derivative rule of op {op.name!r} runs on the nodes themselves for a second derivative "
            f"(create_graph, hessian, grad of grad), and it asked for a number: {e}. Write the rule with "
            "autograd's functions (autograd.cos(x), not math.cos(x)), which run on numbers and nodes alike"
        ) from None
    if not isinstance(gs, (tuple, list)) or len(gs) != inputs:  # a bare array would be read row by row
        got = f"{len(gs)} gradients" if isinstance(gs, (tuple, list)) else f"{type_name(gs)} {short(gs)}, not a tuple,"
        raise TypeError(
            f"the derivative rule of op {op.name!r} returned {got} for {inputs} input(s); it must return a "
            "tuple with one gradient per input (None where none flows): `return (g * ...,)` for one input"
        )
    return gs


def pullback(node: Node, grad: Any) -> list[Any]:
    """What backward sends from `node` to each of its parents when d(root)/d(node) is `grad`: the
    op it recorded, its rule called as a backward pass calls it (on raw data, with the op's
    keyword arguments; None for a parent that gets no gradient). Empty for a leaf. For drawing
    the backward pass, and for stepping through it by hand."""
    require_node(node, "pullback: node")
    if node._made_by is None:
        return []
    if np.asarray(raw(grad)).dtype.kind not in DATA_KINDS:  # a rule would drop an imaginary part, or fail in numpy
        raise TypeError(
            f"pullback: grad must be real numbers (d root / d node: a float for a Value, an array of the "
            f"node's shape for a Tensor), got {type_name(grad)} {short(grad)}"
        )
    return list(vjp_at(node._made_by, node, grad, False))


def _check_retain(retain_graph: Any, what: str) -> None:
    """`what` (backward, gradients): the function given it, named first."""
    if retain_graph is not None:  # PyTorch's default, None: create_graph's value
        flag(retain_graph, f"{what}: retain_graph (True, False or None)")


def require_node(x: Any, what: str) -> Node:
    """x, if it is a node of a graph (a Value or a Tensor); else a TypeError naming `what`."""
    if not isinstance(x, Node):
        raise TypeError(f"{what} must be a Value or a Tensor, got {type_name(x)} {short(x)}")
    return x

"""The graph core shared by every node type: the node and its backward pass (the rules as the pass calls them,
and the generic pass, are graph_rules'; the functional forms graph_functions').

A node records the `Op` that made it and its parent nodes. Backward walks the graph once in
reverse topological order and asks each op's vector-Jacobian rule for its parents' gradients.
Rules receive raw data (floats, arrays) for a plain backward and the nodes themselves under
`create_graph`, so one rule serves both and second derivatives come for free.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from . import modes
from .graph_order import MANY, _scratch_space, _topological_order, refuse_backward_in_transform
from .modes import flag, short
from .type_names import type_name

if TYPE_CHECKING:
    from .op import Op

# the ids of the nodes that hold gradient hooks (hooks.py, register_hook), each with a weak reference that
# drops it when its node is freed: a pass tests this table; the hooks themselves are in a Tensor's `_hooks`,
# a Value's in hooks.VALUE_HOOKS
HOOKS: dict[int, Any] = {}


TICKS = itertools.count(1)  # what USER_CODE and WRITES are set to: a number never given before, in any thread


class _UserCode:
    """When user code last ran inside a backward pass (gradient hooks and the rules of users' ops): `ran` is set to
    a fresh tick (TICKS) by what runs it, so a pass compares `ran` with the tick it checked the graph at, one integer
    compare a rule, and checks what a rule reads again only where it moved (`+= 1` from two threads could bring it
    back to the tick checked at). What keyword arguments hold is read again where it moved: an array once a tick,
    before the next rule reading it that runs, a list's or dict's items before each (user_rereads.PassReads)."""

    __slots__ = ("ran",)

    def __init__(self) -> None:
        self.ran = 0


class _Writes:
    """When a Tensor was last changed in place (`at`, a tick: its version count moved): where user code ran in a
    pass but wrote nothing in place through the engine, the versions checked at the pass's start still hold."""

    __slots__ = ("at",)

    def __init__(self) -> None:
        self.at = 0


USER_CODE = _UserCode()
WRITES = _Writes()
_GONE = frozenset({"_visit"})  # slots a node had once: in old pickles' state, left out (Node.__setstate__)


class Node:
    """Base of Value and Tensor: the slots the graph core reads and writes.

    `_made_by` is what made the node (an `Op` for a Value, a tensor's record of its op), None for a leaf.
    Parents live in two slots rather than a tuple: one object per node for the garbage collector to
    scan instead of two, and less memory. `_a` is the first parent (None for a leaf), `_b` the second
    (None for a unary op); an op of three or more inputs (and a Value built by hand, micrograd's way)
    keeps their tuple in `_a` and MANY in `_b`; a Value computed under no_grad is a leaf with NO_GRAPH
    in `_b` (a Tensor says so by requires_grad). Scratch space for one backward pass: `_grad_sum`,
    d root / d node summed so far, which also says whether this pass has reached the node (it holds the
    pass's own zero from then on); the order a pass takes the nodes in lives in the pass, not on them
    (a slot for it would cost every node 8 bytes). `__weakref__` lets a record
    point at a node without keeping it (an nn module's record of its calls' outputs, for drawings): a
    freed node's id may be a new node's, so an id alone cannot say which node it was. `label`, a name
    for drawings, is each type's own: a Tensor's slot, a table beside the nodes for Values (value_labels),
    whose op outputs and lifted numbers, nearly every node, never get one.
    A node type provides the hooks declared below; the core calls nothing else of it.
    """

    __slots__ = ("data", "grad", "_made_by", "_a", "_b", "_grad_sum", "__weakref__")
    label: str

    @property
    def op(self) -> Op | None:
        """The op that made this node; None for a leaf."""
        return self._made_by

    def __setstate__(self, state: Any) -> None:
        """pickle's and copy's state back as their default puts it (a subclass's `__dict__` updated as it is,
        the slots set by name), but for the slot `_visit`, a pass's scratch, which a node no longer has: a
        pickle written before it went holds it (a Tensor's always, a Value's after a backward) and would not load."""
        own, slots = state if isinstance(state, tuple) and len(state) == 2 else (state, None)
        if own and hasattr(self, "__dict__"):  # not through setattr: a subclass's __setattr__ or property would see it
            self.__dict__.update(own)
        elif own:  # a state of slots alone, written as one dict
            slots = {**own, **(slots or {})}
        for name, value in (slots or {}).items():
            if name not in _GONE:
                setattr(self, name, value)

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
    def _check_graph(order: list[Node]) -> Any:
        """Refuse a backward over `order` that would give wrong gradients (a Tensor changed in place); returns what
        the keyword arguments its rules read again hold (`_check_again`'s `reads`)."""
        raise NotImplementedError

    @staticmethod
    def _check_again(node: Node, reads: Any) -> None:
        """Refuse to run node's rule where user code run by this pass (USER_CODE) changed what it reads; `reads`: what
        the keyword arguments rules read again held at the pass's start (_check_graph's)."""
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
        from .graph_rules import _propagate  # here: graph_rules imports this module

        order = _topological_order(root)
        seed = root._seed(grad, create_graph)
        reads = type(root)._check_graph(order)
        _propagate(order, seed, create_graph, reads)
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
        from .graph_rules import pullback  # here: graph_rules imports this module

        refuse_backward_in_transform(self, "_backward()")
        for parent, g in zip(self.parents, pullback(self, self.grad)):
            if g is not None:
                held = parent.grad
                parent.grad = g if held is None else held + g


def raw(x: Any) -> Any:
    """The data behind a node; anything else as it is."""
    return x.data if isinstance(x, Node) else x


def _check_retain(retain_graph: Any, what: str) -> None:
    """`what` (backward, gradients): the function given it, named first."""
    if retain_graph is not None:  # PyTorch's default, None: create_graph's value
        flag(retain_graph, f"{what}: retain_graph (True, False or None)")


def require_node(x: Any, what: str) -> Node:
    """x, if it is a node of a graph (a Value or a Tensor); else a TypeError naming `what`."""
    if not isinstance(x, Node):
        raise TypeError(f"{what} must be a Value or a Tensor, got {type_name(x)} {short(x)}")
    return x

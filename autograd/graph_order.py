"""Which nodes a backward pass visits and in which order, and the scratch slots it holds while it
runs (the passes of graph_rules.py and scalar_backward.py use these): how a node's parents are kept
(`MANY`, `NO_GRAPH`), a topological order found without recursion, and one lock that lets passes take turns."""

from __future__ import annotations

import sys
import threading
from collections.abc import Container, Sequence
from typing import TYPE_CHECKING, Any

from . import modes
from .subnormals import refuse_flushed
from .type_names import type_name

if TYPE_CHECKING:
    from .graph import Node


class _Marker:
    """A marker a node's slot holds: one object, which copy.deepcopy and pickle keep (as the name)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __reduce__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return self.name


# in `_b`: the node's parents are the tuple in `_a` (three or more, or a node built by hand)
MANY = _Marker("MANY")
# in a leaf's `_b`: a Value computed under no_grad, so a backward from it reaches nothing
NO_GRAPH = _Marker("NO_GRAPH")
_EXIT = object()  # on the search stack: the node below it has all its parents in order


def topological_order(root: Node) -> list[Node]:
    """Every node reachable from root, root first, each before its parents."""
    from .graph import require_node  # here: graph imports this module

    require_node(root, "topological_order: root")
    with _scratch_space(root):
        return _topological_order(root)


def _topological_order(root: Node) -> list[Node]:
    """`topological_order`, for a caller that holds the scratch space.

    An iterative depth-first search (chains of millions of nodes need no recursion) that
    marks the nodes it has taken (by id, in a set of this call's: no slot on every node for it)
    and resets their gradient scratch slot.
    """
    start = root._grad_sum_start
    order: list[Node] = []
    stack: list[Any] = [root]
    push, pop, emit = stack.append, stack.pop, order.append
    taken: set[int] = set()
    take = taken.add
    while stack:
        node = pop()
        if node is _EXIT:
            emit(pop())
            continue
        if id(node) in taken:
            continue
        take(id(node))
        node._grad_sum = start
        a = node._a
        if a is None:
            emit(node)
            continue
        push(node)
        push(_EXIT)
        b = node._b
        if b is None:
            if id(a) not in taken:
                push(a)
        elif b is MANY:
            stack.extend(a)
        else:
            if id(a) not in taken:
                push(a)
            if id(b) not in taken:
                push(b)
    order.reverse()
    return order


_pass_lock = threading.RLock()
_open_passes = 0  # passes open in the thread that holds the lock


class _scratch_space:
    """Hold the nodes' scratch slot (`_grad_sum`) for one backward pass from root (and
    those of the nodes `also`, which the pass may write without reaching them), with the cyclic collector
    paused (a pass makes no reference cycles: nothing for it to find). A context manager; a class, not a
    generator: every backward enters one.

    Under create_graph the sums are nodes whose graphs lead back to the nodes holding them: left in
    `_grad_sum` they would be reference cycles (a `grad` of a `grad` left 8 Tensors and their arrays
    for the cyclic collector each call), so they are dropped once the pass is done.

    Passes take turns through one lock, so threads that differentiate graphs sharing leaves each
    get exact gradients. A pass started inside another in the same thread (a derivative rule that
    itself differentiates) saves the scratch of every node it reaches and restores it after, so
    the outer pass goes on undisturbed.
    """

    __slots__ = ("root", "also", "create_graph", "saved")

    def __init__(self, root: Node, also: Sequence[Node] = (), create_graph: bool = False) -> None:
        refuse_flushed("backward")  # a pass's rules, and a drawing's or a Value's arithmetic, are past the ops' refusal
        self.root, self.also, self.create_graph = root, also, create_graph

    def __enter__(self) -> None:
        global _open_passes
        _pass_lock.acquire()
        try:
            nodes = [*_reachable(self.root), *self.also] if _open_passes else ()
            self.saved = [(n, getattr(n, "_grad_sum", None)) for n in nodes]
        except BaseException:
            _pass_lock.release()
            raise
        _open_passes += 1
        modes.pause_collector()

    def __exit__(self, *exc: Any) -> None:
        global _open_passes
        try:
            modes.resume_collector()
        finally:
            try:
                _open_passes -= 1
                for n, grad_sum in self.saved:  # a nested pass: the outer one's scratch back, no sum of ours
                    n._grad_sum = grad_sum
                if self.create_graph and not self.saved:
                    for n in (*_reachable(self.root), *self.also):
                        n._grad_sum = None
            finally:
                _pass_lock.release()


BRANCH = (
    "would branch on a traced Value, whose == is identity, and so take another branch than f does on the "
    "number: compare with <, <=, >, >= (they read the number), or branch on x.data"
)


_BACKWARD_IN_TRANSFORM = (
    "would write gradients into .grad (of the Tensors f closes over, of an argument given), which the transform "
    "leaves alone: return what is differentiated and let the transform take its gradient, or use "
    "autograd.gradients(y, [w]) for another's (torch.func refuses backward() inside its transforms too)"
)


def refuse_backward_in_transform(node: Node, what: str) -> None:
    """TypeError for `what`, a backward (or micrograd's one step of it) of a node computed from what a running
    transform differentiates: the gradients of its variables are the transform's to take, and the pass would
    write into `.grad` of what f closes over. A backward of another graph inside f runs."""
    if modes.current.lifted:
        refuse_number_of_lifted(node, what, _BACKWARD_IN_TRANSFORM)


def refuse_number_of_lifted(node: Node, what: str, why: str = "") -> None:
    """TypeError for `what` (float(), .item()...) of a node that depends on what a running transform
    differentiates: the number would carry no gradient, and the transform's answer would be wrong
    without a word (JAX and HIPS autograd refuse it too). A graph walk, made only while a `grad` runs
    its function, and only for a node in a graph; it skips the nodes earlier walks of this `grad`
    found clean (kept alive with their ids, which are never reused meanwhile, until nothing else holds
    them), so that a loop reading numbers of a growing graph stays linear. `why`: the message's reason, if not that."""
    frames = modes.current.lifted
    if not frames or node.is_constant:
        return
    lifted, clean = set().union(*(ids for ids, _ in frames)), frames[-1][1]
    found = _reachable(node, clean)
    if any(id(n) in lifted for n in found):
        raise TypeError(
            f"{what} of a {type_name(node)} computed from what a transform (grad, jacobian, ...) "
            "differentiates "
            + (
                why
                or "would drop its gradient, making the transform's answer wrong: keep it a node "
                "(Tensor operations, autograd.exp, ...), or .detach() it first where a constant is meant"
            )
        )
    clean.update((id(n), n) for n in found)
    if len(clean) > clean.limit:  # a loop of temporaries would hold them all: let go those only this holds
        for key in list(clean):
            if sys.getrefcount(clean[key]) <= 2:  # the dict's reference and the call's
                del clean[key]
        clean.limit = max(clean.limit, 2 * len(clean))  # a growing graph, all alive: doubling keeps it linear


def _reachable(root: Node, skip: Container[int] = ()) -> list[Node]:
    """Every node reachable from root, found without touching the scratch slots; the walk does not
    go on through the nodes whose ids are in `skip`."""
    seen, stack = {id(root): root}, [root]
    while stack:
        for p in stack.pop().parents:
            if id(p) not in seen and id(p) not in skip:
                seen[id(p)] = p
                stack.append(p)
    return list(seen.values())

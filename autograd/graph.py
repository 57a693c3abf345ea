"""The graph core shared by every node type: ops, grad and anomaly modes, topological order, backward.

A node records the `Op` that made it and its parent nodes. Backward walks the graph once in
reverse topological order and asks each op's vector-Jacobian rule for its parents' gradients.
Rules receive raw data (floats, arrays) for a plain backward and the nodes themselves under
`create_graph`, so one rule serves both and second derivatives come for free.
"""

from __future__ import annotations

import contextlib
import functools
import math
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any


class Node:
    """Base of Value and Tensor: the slots the graph core reads and writes.

    Parents live in two slots rather than a tuple: one object per node for the garbage
    collector to scan instead of two, and less memory. `_a` is the first parent (None for a
    leaf), `_b` the second (None for a unary op); an op of three or more inputs keeps their
    tuple in `_a` and MANY in `_b`. `_mark` and `_g` are scratch space for one backward pass;
    `_g` starts at the class's `_g_start`, what adding the first gradient to gives that gradient.
    """

    __slots__ = ("data", "grad", "label", "_op", "_a", "_b", "_mark", "_g")

    @property
    def op(self) -> Op | None:
        """The op that made this node; None for a leaf."""
        return self._op

    @property
    def parents(self) -> tuple[Node, ...]:
        """The nodes this one was computed from, in the op's argument order."""
        a, b = self._a, self._b
        if b is None:
            return () if a is None else (a,)
        return a if b is MANY else (a, b)

    def backward(self, grad: Any = None, *, create_graph: bool = False) -> None:
        """Accumulate d(self)/d(node) into `.grad` of every node reachable from self.

        Gradients add up across calls (as in PyTorch): call `zero_grad` between steps.
        With `create_graph=True` the gradients are nodes with their own graph, so a second
        backward through them gives second derivatives.
        """
        with _scratch_space(self):
            type(self)._accumulate(_pass(self, grad, create_graph))


MANY = object()  # in `_b`: the node has three or more parents, held as a tuple in `_a`
_EXIT = object()  # on the search stack: the node below it has all its parents in order


class Op:
    """A differentiable operation: a name, a forward on raw data and its derivative rule.

    `vjp(g, out, *inputs, **params)` returns one gradient per input (None where none flows): g
    is the gradient of the output, out the output, inputs the op's inputs, params the keyword
    arguments the op was called with (an axis, a shape). Write it with arithmetic, methods
    shared by arrays and Tensors (`reshape`, `sum`) and other Ops, so it works on raw data and
    on nodes alike. A rule made with `takes_needs=True` is also given `needs` (a tuple of bools,
    one per input: which gradients anyone will read) and may skip the rest (a matmul with a
    constant input).

    Calling an Op applies it: on nodes it records a graph node, on plain numbers or arrays it
    simply computes the forward. This is how built-in ops are made and how users define new ones.
    """

    __slots__ = ("name", "forward", "vjp", "domain", "takes_needs")

    def __init__(
        self,
        name: str,
        forward: Callable[..., Any],
        vjp: Callable[..., Sequence[Any]],
        domain: str = "",
        *,
        takes_needs: bool = False,
    ) -> None:
        if not callable(forward) or not callable(vjp):
            raise TypeError(f"Op {name!r} needs a callable forward and a callable vjp")
        self.name = name
        self.forward = forward
        self.vjp = vjp
        self.domain = domain
        self.takes_needs = takes_needs

    def __call__(self, *inputs: Any, **params: Any) -> Any:
        for x in inputs:
            if isinstance(x, Node):
                return type(x)._apply(self, inputs, params)
        return self.run(inputs, params)

    def run(self, args: Sequence[Any], params: dict[str, Any] | None = None) -> Any:
        """The forward on raw data, with a domain error that names the op and its inputs."""
        try:
            return self.forward(*args, **params) if params else self.forward(*args)
        except (ArithmeticError, ValueError) as e:
            raise self.domain_error(args, e) from None

    def domain_error(self, args: Sequence[Any], cause: Exception) -> Exception:
        why = self.domain or str(cause)
        return type(cause)(f"{self.show(args)} is undefined: {why}")

    def show(self, args: Sequence[Any]) -> str:
        """The op applied to these arguments, as a reader would write it: `1.0 / 0.0`, `log(-1.0)`."""
        shown = [_short(a) for a in args]
        if len(shown) == 2 and not self.name.isidentifier():
            return f"{shown[0]} {self.name} {shown[1]}"
        return f"{self.name}({', '.join(shown)})"

    def bind(self, params: dict[str, Any]) -> Op:
        """This op with its keyword arguments fixed: what a node records when called with some."""
        if not params:
            return self
        return Op(
            self.name,
            functools.partial(self.forward, **params),
            functools.partial(self.vjp, **params),
            self.domain,
            takes_needs=self.takes_needs,
        )

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


def _short(x: Any) -> str:
    shape = getattr(x, "shape", None)
    return f"array of shape {shape}" if shape else repr(x)


# ---- modes: thread-local, as no_grad and detect_anomaly must not leak across threads ----


class _Modes(threading.local):
    grad_enabled = True
    anomaly = False
    tracing = 0  # how many `grad`s are running their function in this thread


modes = _Modes()
entered = 0  # mode blocks open in any thread: while 0, op hot paths skip the thread-local lookup
_entered_lock = threading.Lock()


@contextmanager
def _mode(name: str, value: bool) -> Iterator[None]:
    global entered
    before = getattr(modes, name)
    with _entered_lock:
        entered += 1
    setattr(modes, name, value)
    try:
        yield
    finally:
        setattr(modes, name, before)
        with _entered_lock:
            entered -= 1


@contextmanager
def tracing() -> Iterator[None]:
    """Within this block a `grad` is tracing its function: an inner `grad` keeps its result
    differentiable, since it may depend on the outer one's variables."""
    modes.tracing += 1
    try:
        yield
    finally:
        modes.tracing -= 1


def no_grad() -> contextlib.AbstractContextManager[None]:
    """Within this block ops build no graph: results are leaves (evaluation, optimizer steps)."""
    return _mode("grad_enabled", False)


def enable_grad() -> contextlib.AbstractContextManager[None]:
    """Record the graph again inside a `no_grad` block."""
    return _mode("grad_enabled", True)


def is_grad_enabled() -> bool:
    return modes.grad_enabled


def detect_anomaly() -> contextlib.AbstractContextManager[None]:
    """Raise `AnomalyError` at the first op whose result or gradient is NaN or infinite."""
    return _mode("anomaly", True)


class AnomalyError(FloatingPointError):
    """A NaN or infinity appeared in the forward or backward pass under `detect_anomaly`."""


def is_finite(x: Any) -> bool:
    try:
        return math.isfinite(x)
    except TypeError:  # arrays
        import numpy as np

        return bool(np.isfinite(x).all())


def check_forward(op: Op, out: Any, inputs: Sequence[Any]) -> None:
    if not is_finite(out):
        raise AnomalyError(f"{op.show(inputs)} gave {_short(out)} in the forward pass (detect_anomaly)")


def _check_backward(op: Op, node: Node, gs: Sequence[Any]) -> None:
    for i, g in enumerate(gs):
        if g is not None and not is_finite(raw(g)):
            shown = op.show([p.data for p in node.parents])
            raise AnomalyError(
                f"backward of {shown} gave {_short(raw(g))} as the gradient of input {i} (detect_anomaly)"
            )


def raw(x: Any) -> Any:
    """The data behind a node; anything else as it is."""
    return x.data if isinstance(x, Node) else x


# ---- order and propagation ----


def topological_order(root: Node) -> list[Node]:
    """Every node reachable from root, root first, each before its parents."""
    with _scratch_space(root):
        return _topological_order(root)


def _topological_order(root: Node) -> list[Node]:
    """`topological_order`, for a caller that holds the scratch space.

    An iterative depth-first search (chains of millions of nodes need no recursion) that
    marks nodes with a token of this pass and resets their gradient scratch slot.
    """
    token = object()
    start = root._g_start
    order: list[Node] = []
    stack: list[Any] = [root]
    push, pop, emit = stack.append, stack.pop, order.append
    while stack:
        node = pop()
        if node is _EXIT:
            emit(pop())
            continue
        if node._mark is token:
            continue
        node._mark = token
        node._g = start
        a = node._a
        if a is None:
            emit(node)
            continue
        push(node)
        push(_EXIT)
        b = node._b
        if b is None:
            if a._mark is not token:
                push(a)
        elif b is MANY:
            stack.extend(a)
        else:
            if a._mark is not token:
                push(a)
            if b._mark is not token:
                push(b)
    order.reverse()
    return order


_pass_lock = threading.RLock()
_open_passes = 0  # passes open in the thread that holds the lock


@contextmanager
def _scratch_space(root: Node) -> Iterator[None]:
    """Hold the nodes' scratch slots (`_mark`, `_g`) for one backward pass from root.

    Passes take turns through one lock, so threads that differentiate graphs sharing leaves each
    get exact gradients. A pass started inside another in the same thread (a derivative rule that
    itself differentiates) saves the scratch of every node it reaches and restores it after, so
    the outer pass goes on undisturbed.
    """
    global _open_passes
    with _pass_lock:
        saved = [(n, n._mark, getattr(n, "_g", None)) for n in _reachable(root)] if _open_passes else ()
        _open_passes += 1
        try:
            yield
        finally:
            _open_passes -= 1
            for n, mark, g in saved:
                n._mark, n._g = mark, g


def _reachable(root: Node) -> list[Node]:
    """Every node reachable from root, found without touching the scratch slots."""
    seen, stack = {id(root): root}, [root]
    while stack:
        for p in stack.pop().parents:
            if id(p) not in seen:
                seen[id(p)] = p
                stack.append(p)
    return list(seen.values())


def _pass(root: Node, grad: Any, create_graph: bool) -> list[Node]:
    """One backward pass from root, seeded with `grad`: the nodes in order, each with d(root)/d(node) in `_g`."""
    order = _topological_order(root)
    seed = root._seed(grad, create_graph)
    type(root)._check_graph(order)
    _propagate(order, seed, create_graph)
    return order


def _propagate(order: list[Node], seed: Any, create_graph: bool) -> None:
    """The chain rule over `order` (root first, as `topological_order` gives it): leaves
    d(root)/d(node) in each node's `_g`. Gradients are added, never updated in place: a rule
    may hand the same array to two inputs."""
    order[0]._g = seed
    check = modes.anomaly
    # Rules build graphs only from nodes, which they get only under create_graph, so a plain
    # pass needs no no_grad block (entering one would send every thread's ops down the slow path).
    with enable_grad() if create_graph else contextlib.nullcontext():
        for node in order:
            op = node._op
            if op is None:
                continue
            g = node._g
            a = node._a
            b = node._b
            gs = None
            try:
                if b is None:
                    gs = op.vjp(g, node, a) if create_graph else op.vjp(g, node.data, a.data)
                    (ga,) = gs
                    if ga is not None:
                        a._g = a._g + ga
                elif b is not MANY:
                    gs = op.vjp(g, node, a, b) if create_graph else op.vjp(g, node.data, a.data, b.data)
                    ga, gb = gs
                    if ga is not None:
                        a._g = a._g + ga
                    if gb is not None:
                        b._g = b._g + gb
                else:
                    gs = op.vjp(g, node, *a) if create_graph else op.vjp(g, node.data, *[p.data for p in a])
                    if len(gs) != len(a):
                        raise ValueError
                    for p, gp in zip(a, gs):
                        if gp is not None:
                            p._g = p._g + gp
            except ZeroDivisionError:
                shown = op.show([p.data for p in node.parents])
                raise ZeroDivisionError(f"backward of {shown}: the derivative is infinite at this point") from None
            except (ValueError, TypeError):
                if gs is None or not isinstance(gs, (tuple, list)) or len(gs) == len(node.parents):
                    raise
                raise TypeError(
                    f"the derivative rule of op {op.name!r} returned {len(gs)} gradients for "
                    f"{len(node.parents)} inputs; it must return one per input (None where none flows)"
                ) from None
            if check:
                _check_backward(op, node, gs)


def zero_grad(nodes: Iterable[Node]) -> None:
    """Reset `.grad` of each node (0.0 for a Value) before the next backward accumulates into it."""
    for n in nodes:
        n.grad = n._grad_zero


def gradients(root: Node, inputs: Sequence[Node], seed: Any = None, *, create_graph: bool = False) -> list[Any]:
    """d(root)/d(input) for each input, without touching any `.grad` (the functional form)."""
    with _scratch_space(root):
        _pass(root, seed, create_graph)
        token = root._mark
        return [x._g if x._mark is token and x._g is not x._g_start else x._zero_like(x) for x in inputs]

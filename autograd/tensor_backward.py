"""What the graph core asks of a Tensor (the node interface of graph.Node): which tensors want a
gradient (`requires_grad`), how a backward from it starts, what it checks first (version counters),
and where the gradients end up (leaves, as PyTorch)."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

import numpy as np

from . import compile_read_hooks, compile_record
from .compile_recording import SWITCHES
from .dtypes import DATA_KINDS
from .graph import USER_CODE, Node, raw
from .graph_order import MANY
from .graph_sums import GradientSums
from .hooks import register_hook
from .tensor_data import array_of
from .tensor_grad_checks import check_gradient_fits, checked_grad, checked_requires_grad, warn_not_kept
from .tensor_ops import ShapeError
from .tensor_versions import CHANGED, changed, kind_changed, numbers_unread, view_of_unread
from .type_names import type_name
from .user_rereads import Items, PassReads, held_now, option_changed, tensor_changed, unchanged


class _EmptySum:
    """Where a tensor's gradient sum starts in a backward pass (`_grad_sum_start`, as 0.0 is a
    Value's): the empty sum, not a gradient. Adding a gradient to it gives that gradient, uncopied,
    where 0.0 + array would copy the array. "No gradient" itself is None, on both engines: a rule
    returns None for an input that gets none, and a Tensor's `.grad` is None until one arrives."""

    __slots__ = ()

    def __add__(self, other: Any) -> Any:
        return other

    __radd__ = __add__


EMPTY_SUM = _EmptySum()
_GRAD = Node.__dict__["grad"]  # the slot behind Tensor's checked `.grad`
# the engine's own writes skip the check: a gradient it made was conformed to the tensor by its record
store_grad, held_grad = _GRAD.__set__, _GRAD.__get__


class BackwardHooks:
    """Mixin of Tensor: `requires_grad`, and the hooks graph.py calls."""

    __slots__ = ()

    def __getstate__(self) -> Any:
        """What pickle takes of a leaf tensor: every slot but its gradient hooks, which its copy does not
        have (PyTorch's serialization drops them too), and which may be functions pickle cannot write. A
        computed tensor is refused: its op's rules are mostly functions pickle cannot write (an AttributeError
        naming a lambda), and where they could be written, its copy's graph led to copies of its leaves."""
        self._refuse_computed("pickle")
        state = super().__getstate__()
        if isinstance(state, tuple) and "_hooks" in state[1]:
            state = (state[0], {name: v for name, v in state[1].items() if name != "_hooks"})
        return state

    _grad_zero = None
    _grad_sum_start = EMPTY_SUM
    _data_of = attrgetter("_data")  # `.data`'s array, without its property (a plain pass's rules read them)
    _gradient_sums = GradientSums

    @property
    def grad(self) -> Any:
        """d(root)/d(this tensor) summed over backward passes: an array of this tensor's shape and
        dtype (a Tensor under create_graph), None until a backward reaches it. Assigning it is checked.
        A computed tensor keeps none unless asked (retain_grad): reading its None warns, as PyTorch's does."""
        if compile_record.RECORDING:
            compile_read_hooks.read_grad()
        held = held_grad(self)
        if held is None and self._made_by is not None and not self._retains_grad:
            warn_not_kept(self)
        return held

    @grad.setter
    def grad(self, value: Any) -> None:
        store_grad(self, value if value is None else checked_grad(self, value))

    def _set_requires_grad(self, value: bool) -> None:
        wanted = checked_requires_grad(value, self.dtype)
        if self._made_by is not None:  # as PyTorch: a recorded tensor stays in its graph whatever the flag says
            raise RuntimeError(
                "requires_grad can be changed on leaf tensors only; for a computed tensor outside the graph "
                "use t.detach()"
            )
        if self._requires_grad and not wanted:
            self._frozen = True  # unset until then: no cost to the tensors the engine makes
        if wanted is not self._requires_grad:
            SWITCHES.count += 1
        self._requires_grad = wanted

    requires_grad = property(
        attrgetter("_requires_grad"),  # a C call: no Python frame on the reads every optimizer step makes
        _set_requires_grad,
        doc="""Whether gradients reach this tensor. Setting it is checked as the constructor's argument is
        (True only on floating point); the engine's hot paths read the slot behind it, `_requires_grad`.""",
    )

    @property
    def frozen(self) -> bool:
        """Whether this leaf's requires_grad was switched off after being on: a frozen parameter, which
        nn keeps among its module's parameters (saved, loaded, given to optimizers that skip it), as
        PyTorch keeps a frozen Parameter. A tensor made without requires_grad is a constant, not frozen."""
        return not self._requires_grad and getattr(self, "_frozen", False)

    def _seed(self, grad: Any, create_graph: bool) -> Any:
        if not self._requires_grad:
            # a gradient taken with create_graph=True that is constant in the inputs (relu's, max pooling's,
            # a linear function's) is recorded as a constant: its derivative is 0, which PyTorch computes
            raise RuntimeError(
                "backward() on a tensor that does not require grad: no graph was recorded for it "
                "(give its inputs requires_grad=True, outside no_grad); a gradient taken with create_graph=True "
                "that does not depend on the inputs (relu's, max pooling's) is a constant: its derivative is 0, "
                "which autograd.hvp and autograd.hessian give"
            )
        if grad is None:
            if self._data.size != 1:
                raise ShapeError(
                    f"backward() on a tensor of shape {self.shape} needs a gradient of that shape, "
                    "e.g. t.backward(np.ones(t.shape)); or reduce it to one number first (t.sum(), t.mean())"
                )
            seed = np.ones(self._data.shape, self._data.dtype)  # one entry: np.ones_like's layout means nothing
        else:
            given = array_of(raw(grad), "backward(): the gradient")
            if given.dtype.kind not in DATA_KINDS:  # complex would lose a part, text is no number; a bool mask is 1/0
                raise TypeError(f"backward(): the gradient must be real numbers, got dtype {given.dtype}")
            seed = given.astype(self.dtype)
            if seed.shape != self.shape:
                raise ShapeError(f"backward(): the gradient has shape {seed.shape}, the tensor {self.shape}")
            if create_graph and isinstance(grad, type(self)) and grad.requires_grad:  # a node stays one (grad_outputs)
                return grad if grad.dtype == self.dtype else grad.astype(self.dtype)
        return type(self)(seed, dtype=seed.dtype) if create_graph else seed  # a float16 root's seed stays float16

    def register_hook(self, hook: Any) -> Any:
        """PyTorch's register_hook: `hook(grad)` is called when a backward pass has summed this tensor's
        gradient (a constant Tensor over read-only memory; the node itself under create_graph), and may
        return a gradient of the same shape and dtype to use in its place, downstream and, for a leaf,
        in `.grad`. Returns a handle whose `remove()` takes the hook off (autograd/hooks.py)."""
        if not compile_record.needs_grad(self):  # a compiled step's input: eagerly it requires no grad either
            raise RuntimeError(
                "register_hook on a tensor that does not require grad: no backward reaches it, so the hook would "
                "never run; give its inputs requires_grad=True (outside no_grad)"
            )
        return register_hook(self, hook)

    def _hook_argument(self, g: Any) -> Any:
        if isinstance(g, Node) and g._requires_grad:  # create_graph's: what the hook computes is recorded
            return g
        # a read-only copy, not a view of the pass's array: that array may become a .grad (this leaf's, or another
        # input's that a rule gave it to), and a hook that keeps what it is given (a logger) saw zero_grad's zeros
        given = np.array(raw(g))
        given.flags.writeable = False
        return self._as_node(self, given)

    def _hook_result(self, result: Any, create_graph: bool, name: str) -> Any:
        if not isinstance(result, Node | np.ndarray) or not hasattr(result, "dtype"):
            raise TypeError(
                f"the gradient hook {name!r} returned {type_name(result)}: a hook returns None (the gradient "
                "unchanged) or a gradient, a Tensor or an array of the tensor's shape and dtype"
            )
        check_gradient_fits(self, result, f"the gradient hook {name!r} returned ", "for", "return")
        # a copy, as PyTorch's: the caller may hold what the hook returned (or it is a tensor's data), which
        # .grad must not be; under create_graph a node's copy is in the graph (a later pass goes through it)
        if create_graph and isinstance(result, Node) and result._requires_grad:
            return result.clone()
        result = np.array(raw(result))
        return self._as_node(self, result) if create_graph else result

    @staticmethod
    def _zero_like(x: Any) -> np.ndarray:
        return np.zeros(x.shape, dtype=x.dtype)

    @staticmethod
    def _as_node(x: Any, g: Any) -> Any:
        if isinstance(g, Node):
            return g
        g = np.asarray(g)
        return type(x)(g, dtype=g.dtype)  # its own dtype: Tensor() alone makes float16 float32

    @staticmethod
    def _handed_out(grads: list[Any]) -> list[Any]:
        """Each array a writable one of its own: a sum passed unchanged to two inputs is one array, and a
        rule's result may be a read-only view (a broadcast), so that `g *= 0.5` on one changed another
        or raised (Tensors, under create_graph, are nodes and stay as they are)."""
        handed_out: set[int] = set()
        return [g if isinstance(g, Node) else own_array(g, handed_out) for g in grads]

    @staticmethod
    def _check_graph(order: list[Any]) -> PassReads:
        """Refuse to backward through a tensor changed in place after an op used it, or after the op
        made it: a rule may read its output (exp's, sqrt's, tanh's). PyTorch refuses the latter only
        where the op's rule saved its output; here every rule (a user's too) is given it, so any change counts.
        And refuse a leaf's held .grad that no longer fits its data, before any gradient is added. What a keyword
        argument holds now is read once a pass (PassReads): a log every node holds is hashed once, not once a node."""
        reads = PassReads()
        _check_reads(order, reads, False)
        return reads

    @staticmethod
    def _check_again(node: Any, reads: PassReads) -> None:
        """`_check_graph`'s test of what node's rule, about to run, reads, again, where a hook or a user's rule ran
        since: a hook running `w.mul_(10)` under no_grad, or an optimizer's step, gave the gradient of the changed w.
        An array is read again once a tick of user code (PassReads.still)."""
        _check_reads((node,), reads, True)

    @staticmethod
    def _accumulate(order: list[Any]) -> None:
        """Add into `.grad` of leaves (and of tensors that retain it), each an array of its own:
        a gradient shared between tensors, or a view, is copied first. A step being compiled notes
        the pass (autograd.compile_record)."""
        recording = compile_record.current() if compile_record.RECORDING else None
        if recording is not None:
            recording.before_backward(order)
        handed_out: set[int] = set()
        noting = CHANGED.changes is not None  # a transform runs f: a .grad that outlives it must not be added to twice
        for node in order:
            g, node._grad_sum = node._grad_sum, None  # scratch space freed as soon as the pass is over
            if g is EMPTY_SUM or not node._requires_grad or (node._made_by is not None and not node._retains_grad):
                continue
            if not isinstance(g, Node):  # a Tensor under create_graph
                g = own_array(g, handed_out)
            held = held_grad(node)
            summed = g if held is None else held + g
            store_grad(node, summed)
            if noting:
                changed(getattr(summed, "_data", summed))  # a Tensor's (create_graph) array, not .data: no read
        if recording is not None:
            recording.after_backward(order)


def _check_reads(nodes: Any, reads: PassReads, during: bool) -> None:
    """Refuse the rule of each of `nodes` where what it reads changed since the forward: its parents, its output (their
    version counts), the keyword arguments it reads again (`reads`: `during` backward, by user code, an array is read
    again once a tick of user code, before the next rule reading it). And a leaf's .grad that no longer fits its
    data. One loop: a pass's hot path."""
    for node in nodes:
        if node._made_by is None:
            held = held_grad(node)
            if held is not None and held.shape != node._data.shape:  # a later backward would broadcast into it
                raise ShapeError(
                    f"the .grad of shape {held.shape} held by a tensor whose data now has shape "
                    f"{node._data.shape} (.data was replaced): set .grad = None (or zero_grad) first"
                )
            continue
        versions = node._versions  # the parents' counts, then the node's own (zip stops at the parents)
        a, b = node._a, node._b  # node.parents, without the property's call
        for p, seen in zip((a,) if b is None else a if b is MANY else (a, b), versions):
            if p._counter[0] != seen and not _eagerly_no_node(node) and not numbers_unread(node, p):
                raise tensor_changed(p, f"{node._made_by.op.name} used it", during, kind_changed(node, p))
        if node._counter[0] != versions[-1] and not _eagerly_no_node(node) and not view_of_unread(node):
            raise tensor_changed(node, f"{node._made_by.op.name} made it", during)
        for name, option, seen in node._made_by.options:  # what its rule reads again (a class weight)
            if hasattr(option, "_counter"):  # a Tensor's count, read as it is now: a user's rule may have changed it
                held = option._counter[0]
            elif not during:  # each node's notes keep it alive: no other object takes its id
                held = reads.noted(option)
            elif isinstance(seen, Items):  # a list's items, at each reader (a stash grown: fewer at some)
                held = held_now(option)
            elif reads.still(option, USER_CODE.ran):  # an array, read again once a tick of user code
                continue
            else:
                held = None  # changed since the pass's start, when it held `seen`
            if not unchanged(held, seen) and not _eagerly_no_node(node):
                raise option_changed(name, option, node._made_by, during)


def _eagerly_no_node(node: Any) -> bool:
    """Whether `node` is in the graph only because a step being compiled gave its Tensor inputs stand-ins
    that require grad (compile_record.from_inputs): eagerly no graph holds it, and no change is refused.
    Such a tensor written in place (`c = x * 2; d = c + 1; c[:, 0] = 0`) made the step run eagerly
    (compile_record.write_as_eagerly); its gradients reach only the stand-ins, whose are dropped."""
    return bool(compile_record.RECORDING) and compile_record.from_inputs(node)


def own_array(g: Any, handed_out: set[int]) -> np.ndarray:
    """g as an array that no other tensor's `.grad` holds (ids in `handed_out`) and nothing else
    views: what a leaf's `.grad` may be given, so that changing it in place changes nothing else."""
    g = np.asarray(g)
    flags = g.flags
    if id(g) in handed_out or not (flags.owndata and flags.writeable):
        g = g.copy()
    handed_out.add(id(g))
    return g

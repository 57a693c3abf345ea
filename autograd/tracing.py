"""What every function transform shares: lift the arguments to differentiate into graph leaves,
run f on them, and pull cotangents back from f's outputs to those leaves.

Numbers are traced as Values (the scalar engine), arrays as Tensors, each leaf of a list, tuple or
dict argument on its own; numpy's narrower floats (np.float32(0.7), np.float16) as 0-d arrays, in
their dtype. The two node types make separate graphs, so a function that builds tensors from a
number argument (`autograd.stack([x, 2 * x])`) fails on a Value (MixedNodes); then f is traced once
more with its number arguments as 0-d float64 Tensors (so f runs twice there), and the answers for
them are numbers all the same. A function that combines a narrow float with Values (a micrograd
MLP) is traced once more with it as a Value, its answer rounded to its dtype. A transform inside another
(or given nodes, or whose f closes over a Tensor that requires grad) keeps the graph of what it returns,
so that the outer one (or a backward) differentiates through it; called inside no_grad it keeps none, as
torch.func's: its answer is a constant there, to an outer transform too.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from . import modes
from .graph import Node, raw
from .graph_errors import MixedNodes
from .graph_functions import gradients
from .graph_order import MANY
from .modes import enable_grad
from .tensor_class import Tensor
from .tensor_versions import noting
from .tracing_checks import Argnums, check_leaf, check_output, in_range, is_number
from .tracing_reruns import outlived, rerun_refused
from .trees import Rebuild, flatten, tree_map
from .type_names import type_name
from .value import Value

# every leaf a transform lifted, while alive (a pullback's, a jvp's own): no variable f closes over
_LIFTED: weakref.WeakValueDictionary[int, Node] = weakref.WeakValueDictionary()


def named(
    wrapper: Callable[..., Any], transform: str, what: str, f: Callable[..., Any], argnums: Argnums
) -> Callable[..., Any]:
    """`wrapper`, named and documented after the transform and the function it transforms."""
    name = getattr(f, "__name__", "f")
    wrapper.__name__ = f"{transform}_{name}"
    wrapper.__doc__ = f"The {what} of {name} with respect to argument(s) {argnums}."
    return wrapper


class Trace:
    """f run once on lifted arguments: its output (`outs`, the leaves of its output tree), its aux,
    and `wrt`, the leaves it is differentiated with respect to."""

    def __init__(
        self, outs: list[Any], rebuild_out: Rebuild, aux: Any, wrt: list[Node], args: _Arguments, rerun: bool
    ) -> None:
        self.outs, self.rebuild_out, self.aux, self.wrt = outs, rebuild_out, aux, wrt
        self._args, self._rerun, self._on_variables = args, rerun, None
        # inside no_grad (the caller's mode: f ran outside it) no graph is kept for the caller, as torch.func:
        # an inner transform there is a constant of the outer function, whose gradient must not go through it
        self.nested = modes.current.grad_enabled and (bool(modes.current.lifted) or self.on_variables())

    def on_variables(self) -> bool:
        """Whether f's answers depend on a variable of the caller's: an argument given as a node that records,
        or a Tensor f closes over (found once: a walk of f's graph)."""
        if self._on_variables is None:
            self._on_variables = any(_records(x) for x in self._args.leaves) or _closes_over(self.outs, self.aux)
        return self._on_variables

    def output(self, tree: Any, aux: bool = False) -> Any:
        """A tree of f's (its output, or with `aux` its aux) as the transform returns it: nodes when nested,
        else data; where f ran again with its numbers as 0-d Tensors, a 0-d output is a float, as on
        Values (not an aux, which holds what f made of other things too, arrays as they are)."""
        if self.nested:
            return tree
        floats = self._rerun and not aux
        return tree_map(lambda x: _as_float(raw(x)) if floats and isinstance(x, Tensor) else raw(x), tree)

    def pull(self, outs: Sequence[Any], cotangents: Sequence[Any]) -> list[Any]:
        """d <outs, cotangents> / d leaf for each leaf of `wrt`: sum_k J_k^T u_k, as nodes when the graph
        is kept (nested, or the cotangents are nodes: a function of them is being differentiated),
        else as data, and as data inside no_grad (a pullback called there; one made there and called after
        it keeps the graph, as torch.func's). `outs` are leaves of `self.outs`; each cotangent has its output's
        shape."""
        kept = self.nested or bool(modes.current.lifted) or any(_records(u) for u in cotangents)
        keep = modes.current.grad_enabled and (kept or self.on_variables())
        pairs = [(o, u) for o, u in zip(outs, cotangents) if _records(o)]
        values = [(o, u) for o, u in pairs if isinstance(o, Value)]
        if not pairs:  # f's output is a constant: no path from the arguments to it
            result = [x._zero_like(x) for x in self.wrt]
        elif not values or len(values) == len(pairs):
            result = _pulled(pairs, self.wrt, keep)
        else:  # a number's Value beside an array's Tensor: separate graphs, each pulled back on its own
            by_values = _pulled(values, self.wrt, keep)
            by_tensors = _pulled([p for p in pairs if not isinstance(p[0], Value)], self.wrt, keep)
            result = [v if isinstance(x, Value) else t for x, v, t in zip(self.wrt, by_values, by_tensors)]
        return result if keep else [raw(g) for g in result]

    def answer(self, flat: Sequence[Any]) -> Any:
        """One result per leaf of `wrt` (a gradient, a Jacobian) in the structure of the arguments:
        a tree per position of argnums (just one for an int argnums). Results for Python numbers
        are floats, and for numpy's floats numpy floats of their dtype, when they are data of one element."""
        args = self._args
        trees = args.trees([_as_number(r, x) for r, x in zip(flat, args.leaves)])
        return trees[0] if args.single else tuple(trees)


class _Arguments:
    """The arguments differentiated, args[positions]: their leaves, and how to rebuild their trees."""

    def __init__(self, args: Sequence[Any], positions: tuple[int, ...], single: bool) -> None:
        self.positions, self.single = positions, single
        self._groups = [flatten(args[i]) for i in positions]
        self.leaves = [leaf for leaves, _ in self._groups for leaf in leaves]

    def trees(self, flat: Sequence[Any]) -> list[Any]:
        """One tree per position, with the leaves of `flat` (one per leaf of the arguments) in place."""
        trees, start = [], 0
        for leaves, rebuild in self._groups:
            trees.append(rebuild(flat[start : start + len(leaves)]))
            start += len(leaves)
        return trees


def trace(
    f: Callable[..., Any],
    args: Sequence[Any],
    kwargs: dict[str, Any],
    positions: tuple[int, ...],
    single: bool,
    has_aux: bool,
    transform: str,
) -> Trace:
    """Run f on `args` with the leaves of args[positions] lifted into graph leaves, recording its
    graph even inside no_grad. Numbers become Values and narrow numpy floats 0-d Tensors; if f then
    combines a Value with a tensor (MixedNodes), f runs again with the numbers as 0-d Tensors, and
    then, if it combines a narrow float's Tensor with Values, with every number a Value. A run that changed
    a tensor in place (a BatchNorm's running statistics) or drew (dropout) is not run again, which would do
    that twice: a TypeError says how to give the number so that f runs once (`tracing_reruns`)."""
    differentiated = _Arguments(args, in_range(positions, len(args), transform), single)
    leaves = differentiated.leaves
    for leaf in leaves:
        check_leaf(leaf, transform)
    # (Python numbers as 0-d Tensors, narrow numpy floats as Values), tried in order until f takes them
    ways = (
        [(False, False)]
        + [(True, False)] * any(map(_python_number, leaves))
        + [(False, True)] * any(map(_numpy_float, leaves))
    )
    with noting() as changed:
        for k, (numbers_as_tensors, floats_as_values) in enumerate(ways):
            try:
                wrt, result = _call(f, args, kwargs, differentiated, transform, numbers_as_tensors, floats_as_values)
                break
            except MixedNodes as e:
                if k == len(ways) - 1:
                    raise
                if changed and outlived(changed, e):
                    raise rerun_refused(transform, ways[k + 1][1]) from e
    rerun = numbers_as_tensors
    aux = None
    if has_aux:
        if not isinstance(result, tuple | list) or len(result) != 2:
            got = f"{len(result)} values" if isinstance(result, tuple | list) else f"a {type_name(result)}"
            raise TypeError(f"{transform}: with has_aux=True the function must return a pair (output, aux), got {got}")
        result, aux = result
    outs, rebuild_out = flatten(result)
    for out in outs:
        check_output(out, transform)
    return Trace(outs, rebuild_out, aux, wrt, differentiated, rerun)


def _call(
    f: Callable[..., Any],
    args: Sequence[Any],
    kwargs: dict[str, Any],
    differentiated: _Arguments,
    transform: str,
    numbers_as_tensors: bool,
    floats_as_values: bool,
) -> tuple[list[Node], Any]:
    """The lifted leaves, and f's result on them: numbers lifted as Values, or as 0-d Tensors (`_lift`).
    An array of objects in the result is a TypeError too: numpy makes one of `array * value`."""
    with enable_grad(), modes.tracing() as lifted:  # differentiating needs the graph, even inside no_grad
        wrt = [_lift(leaf, numbers_as_tensors, floats_as_values) for leaf in differentiated.leaves]
        lifted.update(map(id, wrt))
        _LIFTED.update((id(x), x) for x in wrt)
        call = list(args)
        for i, tree in zip(differentiated.positions, differentiated.trees(wrt)):
            call[i] = tree
        result = f(*call, **kwargs)
    if any(isinstance(leaf, np.ndarray) and leaf.dtype == object for leaf in flatten(result)[0]):
        raise MixedNodes(
            f"{transform}: the function returned a numpy array of objects (Values in an array?): "
            "build a Tensor instead (autograd.stack, or Tensor operations)"
        )
    return wrt, result


def _pulled(pairs: list[tuple[Node, Any]], wrt: list[Node], keep: bool) -> list[Any]:
    """d sum_k <out_k, u_k> / d x for each x of `wrt`, the outputs and leaves all of one node type."""
    if len(pairs) == 1 and not _records(pairs[0][1]):  # a plain seed: no product to build
        ((out, u),) = pairs
        return gradients(out, wrt, float(u) if isinstance(out, Value) else u, create_graph=keep)
    return gradients(inner_sum(pairs), wrt, create_graph=keep)


def inner_sum(pairs: Iterable[tuple[Any, Any]]) -> Any:
    """sum_k <a_k, b_k>, recorded even inside no_grad: a root a transform builds to pull several outputs back
    in one pass (hvp's <grad f(x), v>). The caller never computes it, so its overflow (a float16 sum past 65504)
    is no anomaly, nor worth numpy's warning: the gradients, which detect_anomaly checks, do not depend on it."""
    with enable_grad(), modes._mode("anomaly", False), np.errstate(over="ignore", invalid="ignore"):
        return sum(_inner(a, b) for a, b in pairs)


def _inner(a: Any, b: Any) -> Any:
    """<a, b>: the sum of their elementwise product, a number or a scalar node."""
    product = a * b
    return product.sum() if isinstance(product, Tensor | np.ndarray) else product


def ones_like(x: Any) -> Any:
    """Ones of x's shape and dtype (1.0 for a number or a Value): the cotangent of a plain sum."""
    data = raw(x)
    return np.ones_like(data) if isinstance(data, np.ndarray) else 1.0


def zeros_like(x: Any) -> Any:
    """Zeros of x's shape and dtype (0.0 for a number or a Value)."""
    data = raw(x)
    return np.zeros_like(data) if isinstance(data, np.ndarray) else 0.0


def _lift(leaf: Any, numbers_as_tensors: bool, floats_as_values: bool) -> Node:
    """A leaf of an argument as a node to differentiate: a number as a Value (or a 0-d float64 Tensor),
    an array as a Tensor, a narrow numpy float as a 0-d Tensor of its dtype (or a Value), and a node
    recording a graph (an outer transform's variable) as a new node made from it (`leaf * 1`: the same
    numbers, gradient passed through), so that the outer graph reaches it and yet this transform
    differentiates with respect to this argument alone. Else
    `grad(lambda y: x * y)(x)` would also differentiate the x its function closes over (2x, not x),
    and one node given as two arguments would get both arguments' gradients in each (JAX gives each
    argument its own variable too)."""
    if _records(leaf):
        return leaf * 1
    data = raw(leaf)  # a constant node is differentiated at its value
    if isinstance(data, np.ndarray) or _numpy_float(data) and not floats_as_values:  # np.float32(0.7) stays float32
        # a copy: f writing into it (under no_grad) must not change the caller's array
        return Tensor(np.array(data), requires_grad=True, dtype=data.dtype)  # float16 too: its gradient is float16
    return Tensor(np.array(float(data)), requires_grad=True) if numbers_as_tensors else Value(data)


def _closes_over(outs: list[Any], aux: Any) -> bool:
    """Whether f's output or aux was computed from a Tensor that requires grad and that no transform
    lifted: one f closes over (a model's parameters). The answers depend on it, so they are nodes, as
    torch.func's are: as arrays, a backward through them (a gradient penalty) missed that dependence
    without a word. (Values f closes over, a micrograd MLP's, are left out: their answers are numbers,
    rounded to a narrow float's dtype, as documented.)"""
    stack = [n for n in outs + flatten(aux)[0] if isinstance(n, Tensor) and _records(n)]
    seen = {id(n) for n in stack}
    while stack:  # the parents read from their slots (Node.parents): this walk costs a pass, kept tight
        n = stack.pop()
        a, b = n._a, n._b
        if a is None:
            if n.requires_grad and _LIFTED.get(id(n)) is not n:
                return True
            continue
        for p in a if b is MANY else (a,) if b is None else (a, b):
            if id(p) not in seen and p.requires_grad:  # a constant's parents hold no variable
                seen.add(id(p))
                stack.append(p)
    return False


def _records(x: Any) -> bool:
    """Whether x is a node recording a graph (not a number, array nor constant node)."""
    return isinstance(x, Node) and not x.is_constant


def _numpy_float(x: Any) -> bool:
    """numpy's float32, float16 (or longdouble): traced as a 0-d array. np.float64 is a Python float."""
    return isinstance(x, np.floating) and not isinstance(x, float)


def _python_number(x: Any) -> bool:
    """A number traced as a Value (or, rerun, as a 0-d float64 Tensor)."""
    return is_number(x) and not _numpy_float(x)


def _as_float(result: Any) -> Any:
    return float(result) if not isinstance(result, Node) and np.ndim(result) == 0 else result


def _as_number(result: Any, leaf: Any) -> Any:
    """A result for the argument `leaf` as the transform returns it: for a Python number a float, for a
    narrow numpy float a numpy float of its dtype (when of one element, not a node); else as it is."""
    if _numpy_float(leaf) and not isinstance(result, Node):
        result = np.asarray(result, leaf.dtype)  # traced as a Value (beside Values): a float64 rounded
        return result[()]  # a 0-d array's number; an array of more dimensions (a Jacobian's) as it is
    return _as_float(result) if _python_number(leaf) else result

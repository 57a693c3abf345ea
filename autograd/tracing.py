"""What every function transform shares: lift the arguments to differentiate into graph leaves,
run f on them, and pull cotangents back from f's outputs to those leaves.

Numbers are traced as Values (the scalar engine), arrays as Tensors, each leaf of a list, tuple or
dict argument on its own. The two node types make separate graphs, so a function that builds
tensors from a number argument (`autograd.stack([x, 2 * x])`) fails on a Value (MixedNodes);
then f is traced once more with its number arguments as 0-d float64 Tensors (so f runs twice
there), and the answers for them are numbers all the same. A transform inside another (or given
nodes) keeps the graph of what it returns, so that the outer one differentiates through it.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import modes
from .dtypes import REAL_KINDS
from .graph import MixedNodes, Node, raw
from .graph_functions import gradients
from .modes import enable_grad
from .shape_args import is_int
from .tensor import Tensor
from .tensor_ops import ShapeError
from .trees import Rebuild, aligned, flatten, tree_map
from .value import Value

Argnums = int | Sequence[int]


def check_argnums(argnums: Argnums, transform: str) -> tuple[tuple[int, ...], bool]:
    """The argument positions to differentiate, and whether one int was given (one answer, not a
    tuple). numpy's integers count as ints (a position read from an array); bools do not."""
    single = is_int(argnums)
    positions = (argnums,) if single else argnums
    if not isinstance(positions, tuple | list) or not positions or not all(is_int(i) for i in positions):
        raise TypeError(f"{transform}: argnums must be an int or a non-empty tuple of ints, got {argnums!r}")
    return tuple(int(i) for i in positions), single


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
        self.nested = bool(modes.current.lifted) or any(_records(x) for x in args.leaves)
        self._args, self._rerun = args, rerun

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
        else as data. `outs` are leaves of `self.outs`; each cotangent has its output's shape."""
        keep = self.nested or bool(modes.current.lifted) or any(_records(u) for u in cotangents)
        pairs = [(o, u) for o, u in zip(outs, cotangents) if _records(o)]
        if not pairs:  # f's output is a constant: no path from the arguments to it
            result = [x._zero_like(x) for x in self.wrt]
        elif len(pairs) == 1 and not _records(pairs[0][1]):  # a plain seed: no product to build
            ((out, u),) = pairs
            result = gradients(out, self.wrt, float(u) if isinstance(out, Value) else u, create_graph=keep)
        else:
            with enable_grad():  # the products are recorded even inside no_grad
                root = sum(inner(o, u) for o, u in pairs)
            result = gradients(root, self.wrt, create_graph=keep)
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
    graph even inside no_grad. Numbers become Values; if f then combines one with a tensor
    (MixedNodes), f runs again with them as 0-d Tensors."""
    differentiated = _Arguments(args, _in_range(positions, len(args), transform), single)
    for leaf in differentiated.leaves:
        _check_leaf(leaf, transform)
    rerun = False
    try:
        wrt, result = _call(f, args, kwargs, differentiated, transform, numbers_as_tensors=False)
    except MixedNodes:
        if not any(_python_number(x) for x in differentiated.leaves):
            raise
        wrt, result = _call(f, args, kwargs, differentiated, transform, numbers_as_tensors=True)
        rerun = True
    aux = None
    if has_aux:
        if not isinstance(result, tuple | list) or len(result) != 2:
            got = f"{len(result)} values" if isinstance(result, tuple | list) else f"a {type(result).__name__}"
            raise TypeError(f"{transform}: with has_aux=True the function must return a pair (output, aux), got {got}")
        result, aux = result
    outs, rebuild_out = flatten(result)
    for out in outs:
        _check_output(out, transform)
    return Trace(outs, rebuild_out, aux, wrt, differentiated, rerun)


def _call(
    f: Callable[..., Any],
    args: Sequence[Any],
    kwargs: dict[str, Any],
    differentiated: _Arguments,
    transform: str,
    numbers_as_tensors: bool,
) -> tuple[list[Node], Any]:
    """The lifted leaves, and f's result on them: numbers lifted as Values, or as 0-d Tensors.
    An array of objects in the result is a TypeError too: numpy makes one of `array * value`."""
    with enable_grad(), modes.tracing() as lifted:  # differentiating needs the graph, even inside no_grad
        wrt = [_lift(leaf, numbers_as_tensors) for leaf in differentiated.leaves]
        lifted.update(map(id, wrt))
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


def inner(a: Any, b: Any) -> Any:
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


def check_like(tree: Any, like: Any, transform: str, what: str, of: str) -> list[Any]:
    """The leaves of `tree` in the order of `like`'s (dict entries paired by key), refused unless the two
    have one structure and `tree`'s leaves hold real numbers of the shapes of `like`'s (a cotangent and
    its output, tangents and their primals)."""
    try:
        leaves = aligned(tree, like)
    except ValueError as e:
        raise ValueError(f"{transform}: the {what} must have the structure of {of}: {e}") from None
    like_leaves = flatten(like)[0]
    for k, (leaf, ref) in enumerate(zip(leaves, like_leaves)):
        data = raw(leaf)
        real = (
            data.dtype.kind in REAL_KINDS
            if isinstance(data, np.ndarray)
            else _is_number(data) and not isinstance(data, bool)
        )
        if not real:  # text, None, a complex number: float() would take some, or fail naming none of this
            raise TypeError(
                f"{transform}: leaf {k} of the {what} is {type(data).__name__} {data!r}; give real numbers, float "
                "arrays, Values or Tensors"
            )
        if np.shape(data) != np.shape(raw(ref)):
            raise ShapeError(
                f"{transform}: leaf {k} of the {what} has shape {np.shape(data)}, "
                f"but that of {of} has shape {np.shape(raw(ref))}"
            )
    return leaves


def _lift(leaf: Any, numbers_as_tensors: bool) -> Node:
    """A leaf of an argument as a node to differentiate: a number as a Value (or a 0-d float64 Tensor),
    an array as a Tensor, and a node recording a graph (an outer transform's variable) as a new node
    made from it (`leaf * 1`: the same numbers, gradient passed through), so that the outer graph
    reaches it and yet this transform differentiates with respect to this argument alone. Else
    `grad(lambda y: x * y)(x)` would also differentiate the x its function closes over (2x, not x),
    and one node given as two arguments would get both arguments' gradients in each (JAX gives each
    argument its own variable too)."""
    if _records(leaf):
        return leaf * 1
    data = raw(leaf)  # a constant node is differentiated at its value
    if isinstance(data, np.ndarray | np.floating):  # a numpy float is a 0-d array: np.float32(0.7) stays float32
        # a copy: f writing into it (under no_grad) must not change the caller's array
        return Tensor(np.array(data), requires_grad=True, dtype=data.dtype)  # float16 too: its gradient is float16
    return Tensor(np.array(float(data)), requires_grad=True) if numbers_as_tensors else Value(data)


def _check_leaf(leaf: Any, transform: str) -> None:
    data = raw(leaf)  # a bool is no number to differentiate (True + eps?), as JAX and PyTorch refuse it
    if isinstance(data, np.ndarray) and data.dtype.kind == "f" or _is_number(data) and not isinstance(data, bool):
        return
    what = f"an array of dtype {data.dtype}" if isinstance(data, np.ndarray) else f"{type(data).__name__} {data!r}"
    raise TypeError(
        f"{transform}: cannot differentiate with respect to {what}: the arguments differentiated must hold "
        "numbers, float arrays, Values or Tensors (in lists, tuples and dicts); pass others by keyword, "
        "or leave them out of argnums"
    )


# the transforms whose function may return bools among its outputs (a mask): their pullback is zero there
BOOLS_OUT = ("vjp", "jvp", "jacobian")


def _check_output(out: Any, transform: str) -> None:
    """Refuse an output that holds no real numbers: text, a complex number (whose derivative is not one
    number), objects, and (for a gradient, which needs a loss) a bool; such an output was differentiated
    as a constant, to zeros."""
    data = raw(out)
    kinds = REAL_KINDS + ("b" if transform in BOOLS_OUT else "")  # a mask beside an output: a zero pullback
    if isinstance(data, np.ndarray | np.generic):
        real, kind = data.dtype.kind in kinds, f"{type(data).__name__} of dtype {data.dtype}"
    else:
        real, kind = (
            isinstance(data, numbers.Real) and ("b" in kinds or not isinstance(data, bool)),
            type(data).__name__,
        )
    if not real:
        raise TypeError(f"{transform}: the function must return real numbers (a number, Value or Tensor), got {kind}")


def _in_range(positions: tuple[int, ...], count: int, transform: str) -> tuple[int, ...]:
    if any(i >= count or i < -count for i in positions):
        raise IndexError(
            f"{transform}: argnums={positions if len(positions) > 1 else positions[0]} but the function was "
            f"called with {count} positional arguments (keyword arguments are never differentiated: pass the "
            "argument by position)"
        )
    normal = tuple(i % count for i in positions)
    if len(set(normal)) != len(normal):
        raise ValueError(f"{transform}: argnums {positions} names an argument twice")
    return normal


def _records(x: Any) -> bool:
    """Whether x is a node recording a graph (not a number, array nor constant node)."""
    return isinstance(x, Node) and not x.is_constant


def _is_number(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, Node)


def _python_number(x: Any) -> bool:
    """A number traced as a Value (or, rerun, as a 0-d float64 Tensor): not numpy's floats, 0-d arrays."""
    return _is_number(x) and not isinstance(x, np.floating)


def _as_float(result: Any) -> Any:
    return float(result) if not isinstance(result, Node) and np.ndim(result) == 0 else result


def _as_number(result: Any, leaf: Any) -> Any:
    """A result for the argument `leaf` as the transform returns it: for a Python number a float, for a
    numpy float a numpy float of its dtype (when of one element, not a node); else as it is."""
    if isinstance(leaf, np.floating) and isinstance(result, np.ndarray):
        return result[()]  # a 0-d array's number; an array of more dimensions (a Jacobian's) as it is
    return _as_float(result) if _python_number(leaf) else result

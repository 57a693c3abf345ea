"""`vmap`: f mapped over an axis of its arguments, as jax.vmap and torch.func.vmap, computed the simple way:
f runs once per index along the mapped axes and its results are stacked (autograd's stack, so that gradients
flow through them when vmap is inside grad). Correct before fast: there are no batching rules per op, so a
vmap costs what the Python loop it replaces costs. How its arguments are checked: `transforms_vmap_checks`."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from .graph import Node, raw
from .graph_errors import MixedNodes
from .graph_order import topological_order
from .modes import require_callable
from .tensor_class import Tensor
from .tensor_functions import stack
from .tensor_ops import ShapeError
from .tensor_versions import DREW, noting
from .transforms_vmap_checks import (
    Axes,
    check_axes,
    check_changes,
    check_chunk_size,
    check_output,
    check_randomness,
    in_range,
)
from .trees import broadcast_prefix, flatten, paths, structure

_GIVEN_TWICE = "vmap: got both {0} (JAX's name) and {1} (torch.func's): pass one"


class _NotGiven:
    """The default of in_dims and out_dims: not given (None is an axis spec of its own: not mapped, shared)."""

    def __repr__(self) -> str:
        return "not given"


_NOT_GIVEN: Any = _NotGiven()


class _Zero(int):
    """The default of in_axes and out_axes: 0, told apart from a 0 given (`vmap(f, 0, in_dims=1)` is refused)."""

    def __repr__(self) -> str:
        return "0"


_ZERO: Any = _Zero(0)


def vmap(
    f: Callable[..., Any],
    in_axes: Axes = _ZERO,
    out_axes: Axes = _ZERO,
    *,
    randomness: str = "error",
    chunk_size: int | None = None,
    in_dims: Axes = _NOT_GIVEN,
    out_dims: Axes = _NOT_GIVEN,
) -> Callable[..., Any]:
    """Return a function that maps f over an axis of its arguments: `vmap(f)(x)` is `stack([f(x[0]), f(x[1]),
    ...])`, as jax.vmap and torch.func.vmap (`in_dims`, `out_dims`: torch.func's names for the two).

    `in_axes` is an int (the axis of every positional argument), None (an argument every index shares), or a
    tuple with one entry per positional argument, each an int, None, or a tree matching that argument's (a
    dict for a dict argument); negative axes count from the end. Keyword arguments are never mapped
    (torch.func's rule; JAX maps them along axis 0). `out_axes` is where the new axis goes in each output,
    an int or a tree over f's output (None: an output every index shares, refused where it varies). A mapped
    axis of size 0 is refused: f never runs, so its output's shape is unknown (JAX and torch.func trace f).

    f runs once per index and the results are stacked with autograd's stack, so a vmap inside grad
    differentiates (per-sample gradients: `vmap(grad(loss), in_axes=(None, 0, 0))(params, x, y)`); it costs
    the Python loop it replaces. `chunk_size` (torch.func's) is checked but changes nothing: f always runs one
    index at a time. `randomness` is torch.func's: 'error' (the default) refuses f drawing from autograd's
    random tensors or a dropout mask, 'different' lets each index draw its own (the loop's numbers, not
    torch's); 'same' is refused: draw outside and pass the draw in with in_axes None. f changing in place a
    tensor every index shares (a BatchNorm's running statistics in training) is a RuntimeError: the loop would
    change it once per index, where torch.func's one call on the batch changes it once (or refuses, a BatchNorm).
    """
    require_callable(f, "vmap: f")
    in_axes = _either(in_axes, in_dims, ("in_axes", "in_dims"))
    out_axes = _either(out_axes, out_dims, ("out_axes", "out_dims"))
    check_axes(in_axes, "in_axes", top=True)
    check_axes(out_axes, "out_axes")
    check_randomness(randomness)
    check_chunk_size(chunk_size)
    names = _parameter_names(f)

    def vmapped(*args: Any, **kwargs: Any) -> Any:
        inputs, changed = _Inputs(args, in_axes, names), {}
        outs = [_run(f, inputs.at(i), kwargs, randomness, inputs.own, changed) for i in range(inputs.size)]
        return _stacked(outs, out_axes, inputs.slices)

    vmapped.__name__ = f"vmap_{getattr(f, '__name__', 'f')}"
    vmapped.__doc__ = f"{getattr(f, '__name__', 'f')} mapped over in_axes={in_axes!r}, out_axes={out_axes!r}."
    return vmapped


def _either(jax_name: Axes, torch_name: Axes, names: tuple[str, str]) -> Axes:
    """in_axes or in_dims (out_axes or out_dims), whichever was given: not both. None given as in_dims or
    out_dims is None (torch's out_dims=None: an output every index shares), not "not given"."""
    if torch_name is _NOT_GIVEN:
        return jax_name
    if jax_name is not _ZERO:
        raise TypeError(_GIVEN_TWICE.format(*names))
    return torch_name


def _parameter_names(f: Callable[..., Any]) -> list[str]:
    """f's positional parameters' names, for messages (none where Python cannot read them: a builtin)."""
    try:
        parameters = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


class _Inputs:
    """The positional arguments, their mapped leaves and the axis of each, and the size of those axes."""

    def __init__(self, args: tuple[Any, ...], in_axes: Axes, names: list[str]) -> None:
        if not args:
            raise ValueError("vmap: the function was called with no positional arguments: there is nothing to map")
        if isinstance(in_axes, tuple | list) and len(in_axes) != len(args):
            entries = f"{len(in_axes)} {'entry' if len(in_axes) == 1 else 'entries'}"
            raise ValueError(
                f"vmap: in_axes has {entries} but the function was called with {len(args)} positional arguments: "
                "give one entry per positional argument (None for one every index shares; keyword arguments are "
                "never mapped)"
            )
        per_arg = in_axes if isinstance(in_axes, tuple | list) else [in_axes] * len(args)
        self._args, self._parts = args, []  # per argument: its leaves, how to rebuild it, each leaf's axis
        mapped: list[tuple[str, int, Any]] = []
        for k, (axes, arg) in enumerate(zip(per_arg, args)):
            name = names[k] if k < len(names) else f"args[{k}]"
            leaves, rebuild = flatten(arg)
            try:
                given = broadcast_prefix(axes, arg)
            except ValueError as e:
                raise ValueError(f"vmap: in_axes for argument {name} does not match its structure: {e}") from None
            where = paths(arg, name)
            checked = [None if a is None else in_range(a, leaf, w) for a, leaf, w in zip(given, leaves, where)]
            mapped += [(w, a, leaf) for w, a, leaf in zip(where, checked, leaves) if a is not None]
            self._parts.append((leaves, rebuild, checked))
        self.size = _size(mapped)
        self.slices: list[list[Node]] = []  # at each index run, the mapped ones that record a graph (out_axes None's)

    def at(self, i: int) -> tuple[Any, ...]:
        """The arguments at index i of the mapped axes: an argument with nothing mapped as it was given (the same
        list or dict, which f may fill), the others rebuilt around their leaves' entries at i."""
        self.own, slices = [], []  # own: the arrays of the index's mapped leaves (which f may write into)
        call = []
        for arg, (leaves, rebuild, axes) in zip(self._args, self._parts):
            if all(a is None for a in axes):
                call.append(arg)
                continue
            taken = [leaf if a is None else _take(leaf, a, i) for leaf, a in zip(leaves, axes)]
            slices += [x for x, a in zip(taken, axes) if a is not None and _records(x)]
            self.own += [raw(x) for x, a in zip(taken, axes) if a is not None]
            call.append(rebuild(taken))
        self.slices.append(slices)
        return tuple(call)


def _size(mapped: list[tuple[str, int, Any]]) -> int:
    """The one size of the mapped axes (ShapeError naming each argument's where they differ); 0 is refused."""
    if not mapped:
        raise ValueError("vmap: no argument is mapped (in_axes is None for all): give an axis for at least one")
    sizes = [np.shape(raw(leaf))[axis] for _, axis, leaf in mapped]
    said = [f"{w} has size {n} along axis {axis}" for (w, axis, _), n in zip(mapped, sizes)]
    if len(set(sizes)) > 1:
        more = f", and {len(said) - 12} more" if len(said) > 12 else ""
        raise ShapeError(
            f"vmap: the mapped axes have different sizes: {'; '.join(said[:12])}{more}. Map axes of one size, "
            "and give in_axes None for an argument every index shares"
        )
    if sizes[0] == 0:
        raise ValueError(
            f"vmap: the mapped axes have size 0 ({said[0]}): f would never run, so the shape of its output is "
            "unknown (chainrule runs f once per index; JAX and torch.func run it once on the whole batch, and "
            "return empty results). Handle an empty batch before calling, where its result's shape is known"
        )
    return sizes[0]


def _take(leaf: Any, axis: int, i: int) -> Any:
    """Index i of leaf along axis: a Tensor's by its indexing (gradients flow back), an array's as an array of
    its own (0-d for a vector's entry), so that f writing into it leaves the caller's alone, as in grad."""
    index = (slice(None),) * axis + (i,)
    return leaf[index] if isinstance(leaf, Tensor) else np.array(leaf[index])


def _run(
    f: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    randomness: str,
    own: list[Any],
    changed: dict[int, Any],
) -> Any:
    """f at one index, refused (RuntimeError, as torch.func's) where it drew random numbers under 'error', or
    changed in place a tensor every index shares (`check_changes`: `own`, the index's slices; `changed`, what
    earlier indices changed)."""
    with noting() as notes:
        out = f(*args, **kwargs)
        drew = id(DREW) in notes
        check_changes(notes, own, changed)
    if randomness == "error" and drew:
        raise RuntimeError(
            "vmap: f drew random numbers (autograd's rand, randn, randint, a dropout mask) under randomness="
            "'error', torch.func's default: give randomness='different' for each index's own draws, or draw "
            "outside vmap and pass the draw in with in_axes None for the same numbers at every index"
        )
    return out


def _stacked(outs: list[Any], out_axes: Axes, slices: list[list[Node]]) -> Any:
    """f's results at each index, each output leaf stacked along its out_axes (or shared, for None)."""
    first = structure(outs[0])
    where = paths(outs[0], "output")
    for i, out in enumerate(outs):
        if structure(out) != first:
            raise ValueError(
                f"vmap: f returned outputs of different structures at index 0 and index {i} (a {type(outs[0]).__name__}"
                f" of {', '.join(where)[:200]}; a {type(out).__name__} of {', '.join(paths(out, 'output'))[:200]}): "
                "its output must have one structure"
            )
    leaves, rebuild = flatten(outs[0])
    try:
        axes = broadcast_prefix(out_axes, outs[0])
    except ValueError as e:
        raise ValueError(f"vmap: out_axes does not match the structure of f's output: {e}") from None
    columns = zip(*(flatten(out)[0] for out in outs))
    return rebuild([_joined(list(col), a, w, slices) for col, a, w in zip(columns, axes, where)])


def _joined(values: list[Any], axis: int | None, where: str, slices: list[list[Node]]) -> Any:
    """One output leaf's values at each index, stacked along `axis`, or for None the one they share."""
    for v in values:
        check_output(v, where)
    shapes = [np.shape(raw(v)) for v in values]
    for i, shape in enumerate(shapes):
        if shape != shapes[0]:
            raise ShapeError(
                f"vmap: f returned {where} of shape {shapes[0]} at index 0 but {shape} at index {i}: "
                "vmap stacks them, so each index's must have one shape"
            )
    if axis is None:
        return _shared(values, where, slices)
    axis = in_range(axis, values[0], where, added=1)
    if any(isinstance(v, Tensor) for v in values):
        if any(_records(v) and not isinstance(v, Tensor) for v in values):
            raise MixedNodes(
                f"vmap: f returned {where} as a Value at some index and a Tensor at another: a graph of "
                "Values (a micrograd model's) cannot be stacked into a Tensor; return Tensors"
            )
        return stack([raw(v) if not isinstance(v, Tensor) else v for v in values], axis=axis)
    if any(_records(v) for v in values):
        raise MixedNodes(
            f"vmap: f returned {where} as a Value (the scalar engine's node), which vmap cannot stack into a Tensor "
            "(a graph is of Values or of Tensors, not both): compute f with Tensors (nn's layers rather than a "
            "micrograd model's Values), or loop over the batch"
        )
    return np.stack([np.asarray(raw(v)) for v in values], axis=axis)


def _shared(values: list[Any], where: str, slices: list[list[Node]]) -> Any:
    """The output an out_axes None names: the same at every index, and depending on no mapped argument (its
    gradient through the first index alone would miss the others'); a ValueError where it is not, as JAX's."""
    first = raw(values[0])
    if any(not np.array_equal(first, raw(v), equal_nan=True) for v in values[1:]):
        raise ValueError(
            f"vmap: out_axes is None for {where}, but f returned different values of it at different indices: "
            "give it an axis to stack along (out_axes 0)"
        )
    if any(own and _records(v) and _reaches(v, own) for v, own in zip(values, slices)):
        raise ValueError(
            f"vmap: out_axes is None for {where}, but it depends on a mapped argument (its gradient would too): "
            "give it an axis to stack along (out_axes 0)"
        )
    return values[0]


def _reaches(out: Node, slices: list[Node]) -> bool:
    """Whether out's graph holds any of `slices` (its index's mapped arguments that record a graph)."""
    ids = {id(x) for x in slices}
    return any(id(n) in ids for n in topological_order(out))


def _records(x: Any) -> bool:
    """Whether x is a node that records a graph (a gradient can flow through it)."""
    return isinstance(x, Node) and not x.is_constant

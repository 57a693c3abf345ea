"""The nodes of a recorded call as a tape's entries: each leaf classified (an input of the call, a parameter, a
constant, a drawn constant), each op with the inputs and the constants made from them that its keyword arguments
are (compile_tape reads a tape with these)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .compile_entries import CONSTANT, DRAWN, INPUT, OP, PARAM, Entry
from .compile_made import MadeByOp, input_array, views_of
from .compile_views import input_arrays, view_of
from .tensor_class import Tensor
from .tensor_ops import OPS
from .trees import flatten

_GETITEM = OPS["getitem"]


class Inputs:
    """The call's inputs as a tape finds them in the graph: by their arrays' ids (an op's keyword
    argument fed by one, a leaf over one, or the copy an op kept of one) and, for Tensors, by their
    own; each gives the input's index."""

    def __init__(self, inputs: list[Any], copies: list[tuple[Any, Any]], made: dict[int, MadeByOp]) -> None:
        self.arrays = {id(input_array(x)): k for k, x in enumerate(inputs)}
        # and by their layouts: np.asarray(y) of a watched input y is a view laid out as y (compile_watched)
        # (one array given twice is the later input, as by its id; two arrays laid out alike are neither)
        found: dict[tuple[Any, ...], tuple[Any, int] | None] = {}
        for k, array in enumerate(map(input_array, inputs)):
            at = _layout(array)
            if at is not None:
                before = found.get(at, (array, k))
                found[at] = (array, k) if before is not None and before[0] is array else None
        self.layouts = {at: given[1] for at, given in found.items() if given is not None}
        self.tensors = {id(x): k for k, x in enumerate(inputs) if isinstance(x, Tensor)}
        # the constants ops made from the inputs (made again by each replay), by their arrays' ids
        self.made = {id(m.tensor._data): m.tensor for m in made.values()}
        for original, copy in copies:  # what an op kept of an input (labels, an index) is that input
            k = self.input_of(original)
            if k is not None:
                self.arrays[id(copy)] = k
            elif id(original) in self.made:  # and of such a constant (a mask reshaped, kept as where's cond)
                self.made[id(copy)] = self.made[id(original)]

    def input_of(self, array: Any) -> int | None:
        """The input that `array` is, by its index: the input's array itself, or one laid out as it (the same
        memory, shape, strides and dtype: each call's input is that array again), else None."""
        k = self.arrays.get(id(array))
        return self.layouts.get(_layout(array)) if k is None else k

    def computing(self, param: Any) -> Tensor | None:
        """The constant made from the inputs whose array an op's keyword argument is (or a copy of), or None."""
        return self.made.get(id(param)) if self.feeding(param) is None else None

    def computed_in(self, nodes: list[Tensor], made: dict[int, MadeByOp]) -> list[Tensor]:
        """The constants made from the inputs that the ops among `nodes` take as keyword arguments."""
        found: dict[int, Tensor] = {}
        for n in nodes:
            m = made.get(id(n))
            params = m.params if m is not None else n._made_by.params if n._made_by is not None else {}
            for v in params.values():
                t = self.computing(v) if isinstance(v, np.ndarray) else None
                if t is not None:
                    found[id(t)] = t
        return list(found.values())

    def feeding(self, param: Any) -> int | None:
        """The input that an op's keyword argument is, by its index: an array (labels, or an op's copy of them),
        or a Tensor (class weights, which the loss ops read on each call; a replay gives them its array)."""
        k = self.tensors.get(id(param))
        return self.input_of(param) if k is None else k


def _layout(array: Any) -> tuple[Any, ...] | None:
    """Where an array's elements are (its first's address, shape, strides) and its dtype; None for other objects
    and for empty arrays (which hold no memory of their own to tell them apart)."""
    if not isinstance(array, np.ndarray) or not array.size:
        return None
    return array.__array_interface__["data"][0], array.shape, array.strides, array.dtype


def checked(data: Any, given: Inputs, computed: dict[int, int], inputs: list[Any]) -> tuple[str, Any]:
    """What a check of `data` (autograd.validate) checks on a replay: an input, an entry's array (`computed`,
    by the ids of the entries' arrays), a view of an input (compile_views: labels tokens[:, 1:]), or else the
    object itself (a constant)."""
    array = input_array(data)
    if id(array) in given.arrays:
        return "input", given.arrays[id(array)]
    if id(array) in computed:
        return "entry", computed[id(array)]
    view = view_of(array, inputs)
    return ("view", view) if view is not None else ("object", data)


def entry_of(
    node: Tensor, index: dict[int, int], given: Inputs, drawn: dict[int, int], made: dict[int, MadeByOp]
) -> Entry:
    data = node._data
    shape, dtype = np.shape(data), np.result_type(data)
    entry = _leaf_or_op(node, data, shape, dtype, index, given, drawn, made.get(id(node)))
    entry.contiguous = bool(np.asarray(data).flags.c_contiguous)
    return entry


def _leaf_or_op(
    node: Tensor,
    data: Any,
    shape: tuple[int, ...],
    dtype: np.dtype,
    index: dict[int, int],
    given: Inputs,
    drawn: dict[int, int],
    made: MadeByOp | None,
) -> Entry:
    record = node._made_by
    if made is not None:  # a constant an op made from the inputs: that op again, needing no gradient
        op, params, parents = made.op, made.params, made.parents
    elif record is not None:
        op, params, parents = record.op, record.params, node.parents
    elif id(node) in given.tensors:
        return Entry(INPUT, shape, dtype, given.tensors[id(node)])
    elif given.input_of(data) is not None:
        return Entry(INPUT, shape, dtype, given.input_of(data))
    elif node.requires_grad:
        return Entry(PARAM, shape, dtype, node, node=node)
    elif id(node) in drawn:
        return Entry(DRAWN, shape, dtype, drawn[id(node)], node=node)
    else:
        return Entry(CONSTANT, shape, dtype, data, node=node)
    fed = tuple((name, k) for name, v in params.items() if (k := given.feeding(v)) is not None)
    # not a boolean index (`out[mask]`), whose count of True is its result's length: the replay checks it first
    computed = tuple(
        (name, index[id(t)])
        for name, v in params.items()
        if isinstance(v, np.ndarray)
        and not (op is _GETITEM and v.dtype == bool)
        and (t := given.computing(v)) is not None
        and id(t) in index
    )
    at = tuple(index[id(p)] for p in parents)
    return Entry(OP, shape, dtype, op=op, params=dict(params), parents=at, fed=fed, computed=computed)


def views_of_inputs(entries: list[Entry], inputs: list[Any], copies: list[tuple[Any, Any]]) -> frozenset[int]:
    """The inputs (by index) whose arrays the tape's data made outside the graph is a view of, sharing their
    memory: a constant's array (`Tensor(x[1:])`) or an op's keyword argument that is not the input itself (in a
    tuple too: an index `(rows, y[:2])`), or the array an op kept a copy of (`copies`: labels `y[:2]`, `y[::2]`,
    `y.reshape(-1)`) where compile_views could not prove how it is made from that input (those it could are marked,
    and made again by each replay). numpy made it from that input, unseen; equal on the two recorded calls, a
    replay would give it as recorded (compile_confirm then pins the replays to that input, or runs the step eagerly)."""
    arrays = input_arrays(inputs)
    if not arrays:
        return frozenset()
    kept = {id(copy): original for original, copy in copies}
    found: set[int] = set()
    for e in entries:
        fed = e.given_anew()
        data = [e.source] if e.kind == CONSTANT and e.view is None else []
        data += flatten([v for name, v in e.params.items() if name not in fed])[0]  # an index (rows, y[:2]) too
        for v in data:
            found |= views_of(kept.get(id(v), v), arrays)
    return frozenset(found)

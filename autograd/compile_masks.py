"""Comparisons and mask operators of tensors that need no gradient (`x == 0`, `y != -1`, `~mask`, `m & (x > 0)`,
`isnan(x)`) while a step is compiled: noted as ops that make a constant (compile_record.made_constant), so that
each replay makes the mask again from that call's inputs, as eagerly, where reading their numbers ran the step
eagerly. A comparison of a tensor a gradient flows to (`out > 0`) reads the graph's numbers as before
(tensor_comparisons: compile_read_hooks.read_data)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import compile_record
from .dtypes import DATA_KINDS
from .op import Op

_OPS: dict[tuple[Callable[..., Any], int], Op] = {}  # by the test and its count of tensor operands


def _no_rule(g: Any, out: Any, *inputs: Any, **params: Any) -> tuple[None, ...]:
    return (None,) * len(inputs)  # a boolean constant: no gradient flows through it


def _op(test: Callable[..., Any], tensors: int) -> Op:
    """The op a replay runs for `test` (a comparison's numpy function, or a predicate's): of two tensors, of one
    tensor and a number (`other`, as eagerly given, so numpy promotes it as it did), or of one tensor alone."""
    key = (test, tensors)
    if key not in _OPS:
        forward = test if tensors != 1 else lambda a, *, other: test(a, other)
        _OPS[key] = Op(getattr(test, "__name__", "mask"), forward, _no_rule)
    return _OPS[key]


def compared(test: Callable[..., Any], x: Any, *other: Any) -> Any:
    """`test(x's data, other's)` as a constant Tensor noted as made by an op (`other` absent for a predicate), or
    None where no step is recorded in this thread or a gradient flows to an operand (the caller reads the numbers)."""
    rec = compile_record.current()
    kind = type(x)
    if rec is None or rec.replaying:
        return None
    if other and isinstance(other[0], np.ndarray) and other[0].dtype.kind not in DATA_KINDS:
        return None  # complex numbers, objects: numpy compares them, but no Tensor holds them as a leaf
    if not other:
        parents, params, op = [x], {}, _op(test, 0)
    elif isinstance(other[0], kind):
        parents, params, op = [x, other[0]], {}, _op(test, 2)
    elif isinstance(other[0], np.ndarray):  # a leaf over the array: an input, or the caller's read live
        parents, params, op = [x, kind(other[0], dtype=other[0].dtype)], {}, _op(test, 2)
    else:  # a number (a list): as given, promoted by numpy as eagerly
        parents, params, op = [x], {"other": other[0]}, _op(test, 1)
    out = kind(op.forward(*(p._data for p in parents), **params))
    if any(compile_record.needs_grad(t) for t in parents):  # `out > 0`: of the graph's numbers, made again too
        compile_record.constant_from_inputs(out, [parents, params], (op, params, parents), of_graph=True)
    else:
        compile_record.made_constant(out, op, params, parents, False)
    return out

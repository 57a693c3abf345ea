"""`Tensor`: an n-dimensional node on a numpy array, on the same graph core as Value.

What a Tensor adds to the core: `requires_grad` (gradients reach only the tensors that ask),
gradients checked against their input's shape, version counters that catch a tensor changed
in place between forward and backward, and PyTorch's choice of keeping `.grad` on leaves only
(`retain_grad()` keeps it on another tensor).
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import compile_casts, compile_record, modes
from . import tensor_ops as ops
from .compile_record import RECORDING
from .dtypes import DATA_KINDS, known_dtype
from .floor_division import floor_division, tensor_floor_divide, tensor_floor_divide_reflected
from .graph import Node
from .graph_errors import tensor_with_value
from .graph_order import MANY
from .in_place import InPlaceArithmetic
from .modes import check_forward
from .op import Op
from .operators import UNARY, Operators
from .subnormals import refuse_flushed
from .tensor_attributes import TensorAttributes
from .tensor_backward import BackwardHooks, store_grad
from .tensor_comparisons import compare, equality, mask_operators, predicate
from .tensor_data import NOT_VALUES, as_array, kept, numbers_array, raw_index
from .tensor_errors import bool_error, forward_error, overflow_error
from .tensor_grad_checks import checked_requires_grad
from .tensor_in_place import InPlaceMethods
from .tensor_numpy import NumpyDispatch
from .tensor_protocols import PythonProtocols
from .tensor_reads import Reads
from .tensor_record import Record, user_forward
from .tensor_reductions import ReductionMethods
from .tensor_scans import ScanMethods
from .tensor_shapes import ShapeMethods
from .tensor_sorting import SortingMethods
from .tensor_torch import TorchSpellings, constant_cast
from .tensor_versions import VersionedData, share_count
from .type_names import repr_of, type_name
from .value_lists import holds_values

_new = object.__new__


def _method(op: Op) -> Callable[..., Tensor]:
    """The method applying `op` to self (and other, for a binary op)."""

    def method(self: Tensor, other: Any = UNARY) -> Tensor:
        return _apply(op, (self,) if other is UNARY else (self, other))

    method.__name__ = op.name
    method.__doc__ = f"Apply {op.name}, recording it in the graph when an input requires grad."
    return method


def _unary(op: Op) -> Callable[[Tensor], Tensor]:
    """The method applying a one-input op: no second operand (numpy would take one as `out=`)."""

    def method(self: Tensor) -> Tensor:
        return _apply(op, (self,))

    method.__name__, method.__qualname__ = op.name, f"Tensor.{op.name}"
    method.__doc__ = f"Apply {op.name}, recording it in the graph when an input requires grad."
    return method


def _reflected(op: Op) -> Callable[[Tensor, Any], Tensor]:
    """`number <op> tensor`: the number (or array) is the left operand."""
    return lambda self, other: _apply(op, (other, self))


class Tensor(
    TensorAttributes,
    Reads,
    PythonProtocols,
    VersionedData,
    BackwardHooks,
    InPlaceArithmetic,
    InPlaceMethods,
    ShapeMethods,
    ReductionMethods,
    ScanMethods,
    SortingMethods,
    NumpyDispatch,
    TorchSpellings,
    Node,
    Operators,
    ops=ops.OPS,
    method=_method,
    reflected=_reflected,
    compare=compare,
    predicate=predicate,
    unary=_unary,
):
    """An array in a computation graph: `.data` (np.ndarray), `.grad` (None until a backward reaches it).

    Python lists and numbers become float32, and so do half-precision arrays; other arrays keep
    their dtype (float64 stays float64; integer arrays are allowed as constants such as labels),
    whatever carries one: a torch tensor, a buffer, a list of numpy numbers (torch.as_tensor's rule).
    Mixed dtypes follow NumPy 2's promotion: a float32 Tensor times a Python float stays float32.
    """

    # `_versions`: a node's parents' version counts when it was made, then its own (see _check_graph)
    # _hooks, set only on a tensor given a gradient hook (hooks.py): {handle key: hook}, in the order registered
    __slots__ = ("label", "_data", "_requires_grad", "_counter", "_versions", "_retains_grad", "_frozen", "_hooks")

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None, label: str = "") -> None:
        refuse_flushed("Tensor()")  # a cast to float32 of 1e-40 is 0 there
        array = as_array(data, dtype)
        _init(self, array, checked_requires_grad(requires_grad, array.dtype))
        if label.__class__ is not str and not isinstance(label, str):  # drawn and printed as a name
            if label is not None:  # None: no label, as before these checks
                raise TypeError(
                    f"Tensor(): label must be a str (a name for drawings), got {type_name(label)} {repr_of(label)}"
                )
            label = ""
        self.label = label
        if RECORDING and array is not data:  # a copy of the data given (another dtype): made from it
            compile_casts.tensor_made(self, data)

    # ---- ops: numbers and arrays on either side become constants; the table's come from Operators ----
    __matmul__, __rmatmul__ = _method(ops.matmul), _reflected(ops.matmul)
    __rpow__ = _reflected(ops.power)

    def __pow__(self, other: Any) -> Tensor:
        """`t ** 2` treats 2 as a constant; `t ** u` for a Tensor u differentiates in both."""
        if isinstance(other, numbers.Real):
            return _apply(ops.power_const, (self,), {"c": other})
        return _apply(ops.power, (self, other))

    def __getitem__(self, index: Any) -> Tensor:
        """Slices and integer arrays; a repeated index gets the sum of its gradients."""
        return _apply(ops.getitem, (self,), {"index": raw_index(index)})

    def astype(self, dtype: Any) -> Tensor:
        """This tensor's values in another real dtype. A floating-point cast is in the graph (gradients
        flow back in this tensor's dtype); an integer or bool cast is a constant (constant_cast), which
        refuses a value the integer dtype cannot hold (NaN, 3e9 into int32) rather than make one up."""
        kind = known_dtype(dtype, "astype")
        if kind.kind == "f":
            return _apply(ops.astype, (self,), {"dtype": kind})
        if kind.kind not in "biu":
            raise TypeError(
                f"astype: Tensors hold real numbers (bool, integer or floating point), not {kind}; "
                "for another dtype convert the numbers outside the graph: t.numpy().astype(...)"
            )
        return constant_cast(self, kind, f"astype({kind})")

    # ---- hooks for the graph core ----
    @staticmethod
    def _apply(op: Op, inputs: Sequence[Any], params: dict[str, Any]) -> Tensor:
        return _apply(op, inputs, params)


def _init(t: Tensor, data: Any, requires_grad: bool) -> None:
    t._data = data
    store_grad(t, None)
    t.label = ""
    t._made_by = t._a = t._b = None
    t._requires_grad = requires_grad
    t._counter = [0]
    t._versions = ()
    t._retains_grad = False


def _apply(op: Op, inputs: Sequence[Any], params: dict[str, Any] | None = None) -> Tensor:
    """Every tensor op: run the forward on the data, record a node if any input wants a gradient."""
    refuse_flushed(op.name)
    parents, datas, needs = [], [], []
    for x in inputs:
        if x.__class__ is not Tensor:
            x = operand_of(x, op.name)
        parents.append(x)
        datas.append(x._data)
        needs.append(x._requires_grad)
    if datas[0].__class__ is not np.ndarray and not any(d.__class__ is np.ndarray for d in datas):
        # number operands alone (a rule's f(y) of a constant y, under create_graph): a number is kept weak to
        # promote beside an array, so alone the forward would get no dtype (log's floats(1.5)) or float16
        datas = [np.asarray(d) for d in datas]
    saved = None
    try:
        if op.saving is not None and True in needs and modes.current.grad_enabled:  # a node to keep it
            out, saved = op.saving(*datas, **params)
        elif op.built_in:  # the engine's ops: pure forwards, given the inputs' arrays as they are
            out = op.forward(*datas, **params) if params else op.forward(*datas)
        else:  # a user's op: read-only views of the inputs (user_forward)
            out = user_forward(op, datas, params)
    except ValueError as e:
        raise forward_error(op, datas, e) from None
    except OverflowError as e:
        raise overflow_error(op, [*datas, *(params or {}).values()], e) from None
    except TypeError as e:
        raise bool_error(op, datas, e) from None
    except MemoryError as e:
        raise op.memory_error(datas, e) from None
    data = out if out.__class__ is np.ndarray else np.asarray(out)
    kind = data.dtype.kind
    if kind not in DATA_KINDS:  # a user's forward returning complex numbers, None, text
        raise TypeError(
            f"op {op.name!r}: its forward returned {type_name(out)} of dtype {data.dtype}; a Tensor holds "
            "real numbers (floats, integers, bools)"
        )
    t = _new(Tensor)
    # integers and bools (a user's rounding op) are constants, as in PyTorch: a gradient would be rounded
    _init(t, data, kind == "f" and True in needs and modes.current.grad_enabled)
    if RECORDING:
        compile_record.made(t)
        if not t._requires_grad:
            compile_record.made_constant(t, op, params or {}, parents, True in needs)
    # a view, or an input itself (an op that changes nothing): it shares that input's version count
    if data.base is not None or data is datas[0] or data is datas[-1] or (len(datas) > 2 and _is_one_of(data, datas)):
        share_count(t, parents)
    if t._requires_grad:
        t._made_by = Record(op, params or {}, needs, saved)
        if (
            op.shape_only or op.reads_for
        ):  # arrays its rule was to read the shape and dtype of (they held no more at the forward)
            t._made_by.inputs = datas
        # the parents' version counts, then its own, last: a rule may read the output (exp's, sqrt's)
        if len(parents) > 2:
            t._a, t._b = tuple(parents), MANY
            t._versions = [*(p._counter[0] for p in parents), t._counter[0]]
        elif len(parents) == 2:
            t._a, t._b = a, b = parents
            t._versions = [a._counter[0], b._counter[0], t._counter[0]]
        else:
            a = t._a = parents[0]
            t._b = None
            t._versions = [a._counter[0], t._counter[0]]
    if modes.entered and modes.current.anomaly:
        check_forward(op, out, datas)
    return t


def _is_one_of(data: np.ndarray, datas: Sequence[Any]) -> bool:
    return any(data is d for d in datas)


# elementwise, as numpy's and PyTorch's; set after the class so that its identity hash stays
Tensor.__eq__ = equality(operator.eq)  # type: ignore[method-assign,assignment]
Tensor.__ne__ = equality(operator.ne)  # type: ignore[method-assign,assignment]
Tensor.__hash__ = Node.__hash__  # type: ignore[method-assign]
mask_operators(Tensor)
floor_division(Tensor, compare, tensor_floor_divide, tensor_floor_divide_reflected)


def constant(data: Any) -> Tensor:
    """A Tensor that needs no gradient over `data` as it is, unchecked: the engine's own data (a number
    operand, a compiled replay's result)."""
    t = _new(Tensor)
    _init(t, data, False)
    return t


def operand_of(x: Any, name: str) -> Tensor:
    """A number or array operand of op `name` as a leaf (the operators', and the methods' that take
    one: dot, outer, scatter_add). A Python number stays a Python number, so that NumPy's promotion
    treats it as weak (float32 * 2.0 stays float32); a list is numpy's array of it."""
    if isinstance(x, numbers.Number) and not isinstance(x, np.generic):
        if not isinstance(x, numbers.Real):  # a complex number would make the result complex
            raise TypeError(f"{name}: cannot combine a Tensor with complex {x!r}; Tensors hold real numbers")
        if x.__class__ is not float and isinstance(x, float):
            x = float(x)  # numpy takes a float subclass (t.item() while a step is compiled) as float64, a float as weak
        elif x.__class__ is not int and x.__class__ is not bool and isinstance(x, int):
            x = int(x)  # so an int subclass (a count a compiled step keeps: compile_kept) as int64, an int as weak
        return constant(x)
    if isinstance(x, Node):  # a Value (no class derives from Tensor)
        raise tensor_with_value(name)
    try:
        return operand(x, name)
    except TypeError:
        if holds_values(x):  # a micrograd model's outputs: say why, not the list
            raise TypeError(
                f"{name}: cannot combine a Tensor with {type_name(x)} holding Values: {NOT_VALUES}"
            ) from None
        raise TypeError(f"{name}: cannot combine a Tensor with {type_name(x)} {repr_of(x)}") from None


def operand(x: Any, what: str = "a numpy function's operand") -> Tensor:
    """x as an op's operand: a Tensor as it is, anything else a constant of numpy's array of it, in numpy's
    dtype, as numpy's own promotion sees it (a list of floats is float64, not the constructor's float32;
    float16 stays float16); TypeError if it holds no real numbers, ValueError (naming `what`, the op) for
    a list with rows of different lengths (array_of)."""
    if isinstance(x, Tensor):
        return x
    # numbers_array: what holds no real numbers (None, text) refused naming `what`, not the constructor below
    data = kept(numbers_array(x, what), x)  # the caller's array copied: the op's rule reads it in backward
    t = Tensor(data, dtype=data.dtype)
    if RECORDING:  # a mask or a sign a derivative rule made on the graph (create_graph): noted with its op
        compile_record.made(t)
    return t

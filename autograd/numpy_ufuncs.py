"""numpy's ufuncs on Tensors (`np.exp(t)`, `np.add(a, t)`, `np.maximum(t, 0)`): chainrule's
differentiable op of the same meaning, looked up by the ufunc's name when called, so numpy-style
code differentiates (HIPS autograd's habit). Comparisons and tests give constant bool Tensors.

A ufunc with no chainrule op, a ufunc method chainrule has no reduction for, and `out=` (numpy
writing the result into an array) where an operand requires grad raise a TypeError naming them: never a
silent conversion of the Tensor to an array, which would drop its gradient. The same for Values
(`apply_to_values`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import compile_read_hooks, compile_record, modes
from .dtypes import comparable
from .functions import FUNCTIONS
from .graph import Node, raw
from .graph_errors import MixedNodes
from .op import needs_gradient
from .type_names import type_name
from .value_lists import is_value

# ufuncs that are Python operators: numpy's `array * tensor` comes here, and goes on to
# Tensor.__rmul__ exactly as if numpy had stepped aside
OPERATORS = {
    "add": "add",
    "subtract": "sub",
    "multiply": "mul",
    "divide": "truediv",
    "power": "pow",
    "matmul": "matmul",
    "remainder": "mod",
    "floor_divide": "floordiv",  # a constant, refused where a gradient would flow (floor_division.py)
}
# numpy's name -> chainrule's, where they differ
ALIASES = {
    "negative": "neg",
    "absolute": "abs",
    "fabs": "abs",
    "arcsin": "asin",
    "arccos": "acos",
    "arctan": "atan",
    "arcsinh": "asinh",
    "arccosh": "acosh",
    "arctanh": "atanh",
    "rint": "round",  # both round half to even
}
# ufuncs that compose from chainrule's ops
COMPOSED = {
    "positive": lambda x: x * 1,
    "square": lambda x: x * x,
    "reciprocal": lambda x: 1 / x,
    "float_power": lambda a, b: _operator("pow", _in_float64(a), _in_float64(b)),  # numpy's: always in float64
    # numpy's own formulas (x times the constant), so the results are numpy's to the bit
    "deg2rad": lambda x: x * (np.pi / 180),
    "radians": lambda x: x * (np.pi / 180),
    "rad2deg": lambda x: x * (180 / np.pi),
    "degrees": lambda x: x * (180 / np.pi),
}
# ufuncs with no gradient (comparisons, logic, the sign bit): constant results; isnan, isinf and
# isfinite are chainrule's own functions
CONSTANT = {
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "equal",
    "not_equal",
    "logical_and",
    "logical_or",
    "logical_xor",
    "logical_not",
    "bitwise_and",  # `mask & t`, `~mask`: on bools, the logical ones
    "bitwise_or",
    "bitwise_xor",
    "invert",
    "left_shift",  # `t << 1` of integers
    "right_shift",
    "signbit",
}
# ufunc methods that are chainrule reductions: (ufunc, method) -> Tensor method
METHODS = {
    ("add", "reduce"): "sum",
    ("multiply", "reduce"): "prod",
    ("maximum", "reduce"): "max",
    ("minimum", "reduce"): "min",
    ("logical_or", "reduce"): "any",
    ("logical_and", "reduce"): "all",
    ("add", "accumulate"): "cumsum",
    ("multiply", "accumulate"): "cumprod",
}
_HINT = (
    "chainrule's own ops keep the gradient; outside grad and the other transforms (which refuse it, as the "
    "answer would lose this term), t.numpy() or t.data computes on the data without one"
)
# a Value's: its methods, or a 0-d Tensor (numpy's functions on it are chainrule's, and grad's retry makes one)
VALUE_HINT = (
    "A Value's own ops (x.exp(), autograd.maximum(x, 0.0)) keep the gradient, and so does a 0-d Tensor "
    "(Tensor(x.data)), on which numpy's functions are chainrule's; inside grad and the other transforms a "
    "number argument that meets such a function is traced again as a 0-d Tensor. x.data computes without one"
)


def _kind(inputs: tuple[Any, ...]) -> tuple[str, str]:
    """The node type a message is about, and its hint: a Value has no shape."""
    if any(is_value(x) for x in inputs):
        return "Value", VALUE_HINT
    return "Tensor", _HINT


def _in_float64(x: Any) -> Any:
    """A Tensor or array operand in float64, in the graph (a Python number, and a Value, whose data is
    a Python float, stay as they are)."""
    if isinstance(x, int | float) or (isinstance(x, Node) and not hasattr(x, "astype")):
        return x
    return x.astype(np.float64) if isinstance(x, Node) else np.asarray(x, np.float64)


def _operator(name: str, a: Any, b: Any) -> Any:
    """a <op> b through the node's own method: its reflected one when the node is on the right."""
    return getattr(a, f"__{name}__")(b) if isinstance(a, Node) else getattr(b, f"__r{name}__")(a)


def apply_to_values(ufunc: np.ufunc, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Value's `__array_ufunc__`: of Values and numbers alone (`np.maximum(x, 0.0)`, `np.arctan(x)`:
    what a transform of a number's function meets), chainrule's op, as for Tensors, where numpy's
    loop over objects picked an operand by comparing (NaN lost, a tie's gradient not split) or
    looked for a method of the ufunc's name (`np.arctan`: none). With an array among the inputs
    (`array * x`, `values_array == x`), the op on each element, in an array of objects; while a
    transform traces, a MixedNodes instead, so that it runs f again with its numbers as 0-d Tensors,
    whose numpy is chainrule's throughout (the array of Values would meet numpy's comparing loops next)."""
    if not any(isinstance(x, np.ndarray | list | tuple) for x in inputs):
        return _of_values(ufunc, method, inputs, kwargs)
    name = ufunc.__name__
    if modes.current.lifted:
        raise MixedNodes(
            f"np.{name} of a Value and an array inside a transform: give the transform numbers (traced again "
            "as 0-d Tensors here) or Tensors, not Values, to combine with arrays"
        )
    if method != "__call__" or kwargs:  # out=, where=, reduce, at: numpy's loops over the objects again
        spelled = f"np.{name}" if method == "__call__" else f"np.{name}.{method}"
        raise TypeError(
            f"{spelled}(...) of a Value and an array is not supported: only the plain call np.{name}(...), "
            f"elementwise, without keyword arguments (got {sorted(kwargs)}). {VALUE_HINT}"
        )
    each = np.frompyfunc(lambda *xs: _of_values(ufunc, method, xs, kwargs), ufunc.nin, ufunc.nout)
    with np.errstate(all="ignore"):  # each op raises on what it cannot compute: numpy's flags only repeat it
        result = each(*(_boxed(x) for x in inputs))
    return result.astype(bool) if name in CONSTANT and isinstance(result, np.ndarray) else result


def _of_values(ufunc: np.ufunc, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The ufunc of Values and numbers: chainrule's op; `==` and `!=` are a Value's identity (Values
    are dict keys and set members), numpy's `np.float64(0.5) == v` and `values_array == v` too."""
    if ufunc.__name__ in ("equal", "not_equal") and method == "__call__" and len(inputs) == 2:
        return np.bool_((inputs[0] is inputs[1]) == (ufunc.__name__ == "equal"))
    return apply_ufunc(ufunc, method, inputs, kwargs)


def _boxed(x: Any) -> Any:
    """A node as a 0-d array of objects holding it: numpy's loop then hands it over as it is, asking no one."""
    if not isinstance(x, Node):
        return x
    box = np.empty((), dtype=object)
    box[()] = x
    return box


def apply_ufunc(ufunc: np.ufunc, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """What `ufunc.method(*inputs, **kwargs)` is on Tensors, or a TypeError naming what is not supported."""
    name = ufunc.__name__
    if "out" in kwargs:
        return _into_arrays(ufunc, method, inputs, kwargs)
    if method != "__call__":
        return _method(name, method, inputs, kwargs)
    if kwargs:
        kind, hint = _kind(inputs)
        raise TypeError(f"np.{name} on a {kind} takes no keyword arguments, got {sorted(kwargs)}. {hint}")
    if name in OPERATORS:
        return _operator(OPERATORS[name], *inputs)
    if name in COMPOSED:
        return COMPOSED[name](*inputs)
    ours = ALIASES.get(name, name)
    if ours in FUNCTIONS:  # the table's ops under their names and aliases (arctan2), and the tests (isnan)
        return FUNCTIONS[ours](*inputs)
    if name in CONSTANT:
        from .tensor_class import Tensor

        for x in inputs:  # `t < np.datetime64(...)`, which numpy's date asks here: numpy's words would name a loop
            if not (isinstance(x, Node) or comparable(x)):
                raise TypeError(f"np.{name} compares numbers, arrays and Tensors, got {type_name(x)} {modes.short(x)}")
        try:
            result = ufunc(*(raw(x) for x in inputs))
        except TypeError:  # `np.float64(1.5) & mask`: numpy's "not supported for the input types ... 'safe'"
            kinds = " and ".join(str(np.asarray(raw(x)).dtype) for x in inputs)
            hint = ": it takes bools or integers, as PyTorch's" if "bitwise" in name or "shift" in name else ""
            raise TypeError(f"np.{name}: not defined on {kinds}{hint}") from None
        if not any(isinstance(x, Tensor) for x in inputs):
            return result  # Values': a numpy bool
        out = Tensor(result)
        if compile_record.RECORDING:  # as a comparison's operator: the operands' numbers read, the result made of them
            for x in inputs:
                if isinstance(x, Tensor):
                    compile_read_hooks.read_data(x)
            compile_record.constant_from_inputs(out, list(inputs))
        return out
    kind, hint = _kind(inputs)
    raise TypeError(f"np.{name} has no chainrule op to differentiate it, so it is not supported on {kind}s. {hint}")


def _into_arrays(ufunc: np.ufunc, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """`np.add(t, 1, out=buffer)`: numpy's ufunc on the numbers, written into `out`, where `out` is arrays and no
    operand needs a gradient (a tensor without requires_grad: nothing is lost, as with PyTorch's tensors, which
    numpy reads so). Otherwise a TypeError: the gradient would be lost, or numpy would write into a Tensor's
    data behind its version count."""
    outs = kwargs["out"] if isinstance(kwargs["out"], tuple) else (kwargs["out"],)
    arrays = all(isinstance(o, np.ndarray) or o is None for o in outs)
    wanted = [x for x in inputs if needs_gradient(x)]  # not a compiled step's input: a stand-in while recorded
    if not arrays or wanted:
        kind, hint = _kind(inputs)
        raise TypeError(
            f"np.{ufunc.__name__}(..., out=...) on a {kind}: its result is a new {kind}, which numpy cannot write "
            f"into an array without leaving the graph (a gradient through it would be lost), nor into a Tensor: "
            f"assign the result instead (a = a + t), or write into a tensor that requires no grad with its "
            f"operator (a += t). Into an array, out= takes the numbers of tensors that require no grad. {hint}"
        )
    # a Tensor among the other arguments (where=t > 0) as its numbers too: numpy would hand the call back to it
    options = {k: raw(v) for k, v in kwargs.items()}
    if compile_record.RECORDING:  # the numbers leave the tensors, as np.asarray(t)'s
        for x in (*inputs, *kwargs.values()):
            if isinstance(x, Node):
                compile_read_hooks.read_data(x, into_python=True)
    return getattr(ufunc, method)(*(raw(x) for x in inputs), **options)


def _method(name: str, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """np.add.reduce(t, axis) is t.sum(axis), np.multiply.accumulate(t, axis) is t.cumprod(axis)..."""
    kind, hint = _kind(inputs)
    if kind == "Value":  # one number: nothing to reduce or accumulate along
        raise TypeError(
            f"np.{name}.{method} of a Value: a Value is one number, with no axis; np.sum(x), np.max(x) "
            f"give it as it is. {hint}"
        )
    ours = METHODS.get((name, method))
    extra = set(kwargs) - {"axis", "keepdims"}
    if ours is None or len(inputs) != 1 or extra or (method == "accumulate" and "keepdims" in kwargs):
        raise TypeError(
            f"np.{name}.{method} is not supported on Tensors"
            + (f" with {sorted(extra)}" if ours and extra else "")
            + f". The reductions are t.sum, t.prod, t.max, t.min, t.cumsum, t.cumprod... {_HINT}"
        )
    if method == "accumulate" and kwargs.get("axis", 0) is None:
        raise ValueError(f"np.{name}.accumulate does not allow multiple axes (axis=None), as numpy: give one axis")
    return getattr(inputs[0], ours)(**{"axis": 0, **kwargs})  # numpy's ufunc methods reduce axis 0 by default

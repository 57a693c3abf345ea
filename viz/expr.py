"""`evaluate`: a learner's own expression, "tanh(x*w + b)", as a graph of Values to draw, parsed with
`ast` and never run as Python: only numbers, the names given values, + - * / ** %, unary minus and the
engine's functions (exp, log, maximum, leaky_relu, ...: `autograd.FUNCTIONS`), their parameters given
as numbers or strings (`leaky_relu(x, 0.2)`, `gelu(x, approximate="tanh")`), are allowed."""

from __future__ import annotations

import ast
import math
import numbers
import operator
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from autograd import FUNCTIONS, Value, type_name

_BINARY: dict[type, Callable[[Value, Value], Value]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.Mod: operator.mod,
}
ALLOWED = (
    "numbers, names given a value, + - * / ** %, unary -, and the functions "
    + ", ".join(sorted(FUNCTIONS))
    + ' with their parameters as numbers or strings (leaky_relu(x, 0.2), gelu(x, approximate="tanh"))'
)


# Bounds on what is read, so that memory and time stay small whatever the text: an expression
# worth drawing is far shorter (a drawing holds MAX_NODES = 2000 nodes at most), and _build
# recurses once per level of nesting, far below Python's recursion limit.
MAX_LENGTH, MAX_DEPTH = 2000, 200


class ExpressionError(ValueError):
    """An expression `evaluate` cannot read or compute: bad syntax, an unknown name, something not
    allowed, too long or deep, or a step with no finite real value (1/0, log(-1), 10**400)."""


def evaluate(text: str, values: Mapping[str, float]) -> Value:
    """The graph of `text` at `values` (by name), as Values labelled with their names and each
    intermediate result with its own text ("x*w", "x*w + b"); the root is labelled with the whole
    expression. Raises ExpressionError naming what it cannot read and what is allowed, or the
    step that has no value; TypeError unless text is a str and values a mapping."""
    if not isinstance(text, str):
        raise TypeError(f"evaluate takes the expression as a str, such as 'tanh(x*w + b)', got {type_name(text)}")
    if not isinstance(values, Mapping):
        raise TypeError(f"evaluate takes the values as a dict from names to numbers, got {type_name(values)}")
    for name, number in values.items():
        if not isinstance(name, str) or not name.isidentifier() or name in FUNCTIONS:
            raise ExpressionError(f"cannot give a value to {name!r}: use a name that is not a function ({ALLOWED})")
        if isinstance(number, bool) or not isinstance(number, numbers.Real):
            raise ExpressionError(f"the value of {name} must be a number, got {number!r}")
        if isinstance(number, numbers.Integral) and not _fits_a_float(number):  # float() would raise OverflowError
            raise ExpressionError(f"the value of {name} is too large for a float (at most about 1.8e308)")
    text = text.strip()
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text)} characters long, more than the {MAX_LENGTH} read: "
            "split it into smaller parts"
        )
    leaves = {name: Value(float(number), label=name) for name, number in values.items()}  # each fits: checked
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as e:
        where = f" at column {e.offset}" if e.offset else ""
        raise ExpressionError(f"cannot read {text!r}: {e.msg}{where}") from None
    except (RecursionError, MemoryError):  # the parser's own limit on nesting
        raise ExpressionError(f"{text[:40]!r}... is nested too deeply to read; split it into smaller parts") from None
    if _depth(tree.body) > MAX_DEPTH:
        raise ExpressionError(
            f"{text[:40]!r}... is nested too deeply to read (more than {MAX_DEPTH} steps deep, each operator "
            "and call one); split it into smaller parts"
        )
    root = _build(tree.body, text, leaves)
    if isinstance(root, bool | np.bool_):  # isnan(x), isfinite(x): a test of the number, no function of it
        raise ExpressionError(f"{text!r} gives True or False, which has no derivative: draw a number computed from x")
    if not isinstance(root, Value):
        raise ExpressionError(f"{text!r} uses no name given a value, so there is nothing to differentiate")
    return root


def _depth(tree: ast.expr) -> int:
    """How deeply the syntax nodes nest, counted without recursion (the tree may be very deep)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _build(node: ast.expr, text: str, leaves: dict[str, Value]) -> Value | float:
    """The Value (or plain number) of one syntax node; every op result labelled with its source text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return _number(node, text)
    if isinstance(node, ast.Name):
        if node.id not in leaves:
            hint = f"call it, {node.id}(x)" if node.id in FUNCTIONS else f"give its value: --set {node.id}=..."
            raise ExpressionError(f"unknown name {node.id!r} in {text!r}: {hint}")
        return leaves[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _build(node.left, text, leaves), _build(node.right, text, leaves)
        try:  # numbers here are floats (never Python's unbounded ints): a power cannot grow huge, only overflow
            result = _BINARY[type(node.op)](left, right)
        except (ArithmeticError, ValueError) as e:  # 1/0, 10.0**400, 0**-1, (-1)**0.5 of a Value
            reason = "the result is too large for a float" if isinstance(e, OverflowError) else e
            raise ExpressionError(f"{_source(node, text)!r} has no value: {reason}") from None
        if isinstance(result, complex):  # Python's float power of a negative base: (-8)**(1/3)
            raise ExpressionError(f"{_source(node, text)!r} has no real value: a negative base to a fractional power")
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _build(node.operand, text, leaves)
        result = -operand if isinstance(node.op, ast.USub) else operand
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
        args = [_argument(arg, text, leaves, first=k == 0) for k, arg in enumerate(node.args)]
        params = {k.arg: _parameter(k, text) for k in node.keywords}
        try:
            result = _call(FUNCTIONS[node.func.id], args, [_whole(arg) for arg in node.args], params)
        except (TypeError, ValueError, ArithmeticError) as e:  # a wrong count or parameter, or outside the domain
            raise ExpressionError(f"{_source(node, text)!r}: {e}") from None
    else:
        raise ExpressionError(f"{_source(node, text)!r} is not allowed in an expression: use {ALLOWED}")
    if not isinstance(result, Value) and isinstance(result, numbers.Real) and not math.isfinite(result):
        _refuse_nonfinite(_source(node, text), float(result))
    if isinstance(result, Value) and result.op is not None and not result.label:
        result.label = _source(node, text)
    return result


def _refuse_nonfinite(source: str, result: float) -> None:
    """Numbers alone that came out inf or NaN (1e300 * 1e300, mul(1e300, 1e300): float arithmetic that overflows
    without raising, where 10.0 ** 400 raises) have no value, as 1e400 written has none: computed outside the graph,
    their inf would be drawn as a constant given so, with nothing to say where it came from."""
    reason = "the result is too large for a float" if math.isinf(result) else "the result is not a number"
    raise ExpressionError(
        f"{source!r} has no value: {reason} (it comes out {result}); to draw where a value overflows, give its "
        "numbers names (--set a=1e300)"
    )


def _number(node: ast.Constant, text: str) -> float:
    """A number written in the expression, as a float; one too large for a float (1e400, 10 followed
    by 400 zeros) is refused, not read as inf."""
    try:
        number = float(node.value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ExpressionError(f"the number {_source(node, text)!r} is too large for a float (at most about 1.8e308)")
    return number


def _argument(node: ast.expr, text: str, leaves: dict[str, Value], first: bool) -> Value | float | str:
    """A function's positional argument: after the first (always an input), a string written out is a
    parameter, as `gelu(x, "tanh")` is `gelu(x, approximate="tanh")` (the function says whether it takes
    one there); else as any expression (a number as a float: `_call` passes a whole number as written only where
    the function takes no float)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and not first:
        return node.value
    return _build(node, text, leaves)


def _call(function: Callable[..., Any], args: list[Any], wholes: list[int | None], params: dict[str, Any]) -> Any:
    """`function` on `args`, the numbers written out as floats, as everywhere (so that power(10, 10**8) overflows,
    never grows a Python int of 10**8 digits); where it refuses a float with a TypeError, again with each whole
    number as written (`wholes`, None for the others): polygamma(1, y), PyTorch's n, an int."""
    try:
        return function(*args, **params)
    except TypeError:
        if all(w is None for w in wholes):
            raise
    return function(*[a if w is None else w for a, w in zip(args, wholes, strict=True)], **params)


def _whole(node: ast.expr) -> int | None:
    """The whole number written as a function's argument, with its sign (polygamma's n: 1, -1), else None. Its
    size was checked as the argument was read (_number)."""
    negated = isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
    written = node.operand if negated else node
    if isinstance(written, ast.Constant) and type(written.value) is int:
        return -written.value if negated else written.value
    return None


def _parameter(keyword: ast.keyword, text: str) -> float | str:
    """A keyword argument's value: a number (with its sign) or a string, written out (`approximate="tanh"`)."""
    value, negated = keyword.value, False
    if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):  # -0.2: a number's sign
        value, negated = value.operand, True
    if keyword.arg is not None and isinstance(value, ast.Constant) and isinstance(value.value, int | float | str):
        if not negated:  # True and False too: the function judges its own parameters
            return value.value
        if not isinstance(value.value, bool | str):  # -"a" and -True are no numbers
            return -value.value
    raise ExpressionError(
        f"{_source(keyword.value, text)!r}: a parameter is a number or a string, written out (negative_slope=-0.2, "
        'approximate="tanh")'
    )


def _fits_a_float(number: numbers.Integral) -> bool:
    try:
        float(number)
    except OverflowError:
        return False
    return True


def _source(node: ast.expr, text: str) -> str:
    return ast.get_source_segment(text, node) or ast.unparse(node)

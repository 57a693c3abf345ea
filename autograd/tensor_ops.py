"""The tensor engine's ops: every entry of the op table as an `Op` on numpy arrays.

Elementwise entries broadcast: their gradients are summed back to the inputs' shapes here
(`unbroadcast`), so their rules never mention shapes, and kept only for inputs that need one.
Tensor-only entries (matmul, reductions, shapes, the softmax family) are used as they are.
Every op is `tensor_ops.<name>` and `tensor_ops.OPS[name]`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from .dtypes import floats
from .elementwise_forwards import exponent_as_taken, tensor_power_const
from .graph import raw
from .half_precision import UNWIDENED, forward_in_float32, one_input_in_float32, rule_in_float32
from .label_fixes import label_fix, one_hot_hint
from .op import Op, engine_ops
from .op_functions import tensor_op
from .op_table import _ENGINES, BY_NAME, TABLE, OpDef
from .op_table_tensor import Axis, kept_shape, unbroadcast  # noqa: F401 (the engine's helpers, read from here)


def _elementwise(d: OpDef) -> Op:
    """The table's op `d` on arrays. A unary op's gradient already has its input's shape: the
    rule serves as it is. A binary op's gradients are summed back to their inputs' shapes
    (numpy broadcasting), and kept only for inputs that need one. An op with parameters runs with
    their defaults unless a call gives its own (the node records those). On float16 data the forward
    and the rule compute in float32, each result rounded once (half_precision), as PyTorch's do."""
    plain = d.with_defaults(d.vjp)
    forward = d.with_defaults(d.tensor)
    # a numpy ufunc's float16 loop computes in float32 and rounds once already: it is kept as it is
    if not (isinstance(d.tensor, np.ufunc) or d.in_own_dtype):
        forward = forward_in_float32(forward)
    if d.arity == 1:
        return Op(d.name, _on_floats(forward), rule_in_float32(plain), d.domain, formulas=d.formulas, broadcasts=True)
    vjp = _summed_back(rule_in_float32(plain), d.skips)
    UNWIDENED[vjp] = _summed_back(plain, d.skips)  # as rule_in_float32's own
    op = Op(d.symbol or d.name, forward, vjp, d.domain, takes_needs=True, formulas=d.formulas, broadcasts=True)
    op.no_derivative = d.no_derivative  # refused when applied (Op.refuse)
    return op


def _summed_back(rule: Callable[..., Any], skips: bool) -> Callable[..., Any]:
    """A binary elementwise rule whose gradients are summed back to the inputs' shapes, kept only for an
    input that needs one (`skips`: a rule given `needs` itself)."""

    def vjp(g, out, a, b, needs):
        ga, gb = rule(g, out, a, b, needs=needs) if skips else rule(g, out, a, b)
        # an input that needs a gradient is an array (a Tensor under create_graph): its shape, without np.shape's
        # call; an array of that shape already is its gradient, without unbroadcast's call
        return (
            (ga if ga.__class__ is np.ndarray and ga.shape == a.shape else unbroadcast(ga, a.shape))
            if needs[0]
            else None,
            (gb if gb.__class__ is np.ndarray and gb.shape == b.shape else unbroadcast(gb, b.shape))
            if needs[1]
            else None,
        )

    return vjp


def _on_floats(forward: Callable[..., Any]) -> Callable[..., Any]:
    """A unary forward that makes floats of integers (exp, sigmoid; not relu or neg), given integers and
    bools as `floats`: sigmoid's −|x| wrapped around in unsigned ones (sigmoid(uint8 3) was 0), and
    bools were refused in numpy's words."""
    with np.errstate(all="ignore"):
        if forward(np.ones(1, np.int8)).dtype.kind != "f":
            return forward

    return lambda x, **params: forward(floats(x), **params)


def _tensor_only(d: OpDef) -> Op:
    """The table's tensor-only op `d` on arrays; one that says so (the softmax family) computes float16 in
    float32, each result rounded once, as elementwise ops do: its rule reads its output computed again in
    float32, or, for an op that saves what its rule reads (`saving`: cross_entropy's), that. Integers and
    bools with a float16 result (uint8, int8, bool) compute in float32 as float16 does."""
    forward, rule, saving = d.tensor, d.vjp, d.saving
    if d.half_in_float32:
        forward = one_input_in_float32(forward)
        rule = rule_in_float32(rule, None if saving else tensor_op(d.name))
        saving = saving and one_input_in_float32(saving, saves=True)
    op = Op(
        d.symbol or d.name, forward, rule, d.domain, takes_needs=d.skips, formulas=d.formulas, broadcasts=d.broadcasts
    )
    op.saving, op.scatters, op.rereads = saving, d.scatters, d.rereads
    return op


def _table_op(d: OpDef) -> Op:
    """The table's op `d` on arrays (`_elementwise`, `_tensor_only`), with what either takes of its entry."""
    op = _elementwise(d) if d.elementwise else _tensor_only(d)
    op.shape_only, op.reads_for = d.shape_only, d.reads_for
    return op


OPS: dict[str, Op] = {d.name: _table_op(d) for d in TABLE}
_power = BY_NAME["power"]
_power_const_rule = rule_in_float32(lambda g, out, x, *, c: _power.vjp(g, out, x, c, (True, False))[:1])


def _power_const_vjp(g: Any, out: Any, x: Any, *, c: Any) -> Any:
    """x ** c's rule; on float32 data under an exponent below float32's least normal (x ** 1e-300), in float64 and
    rounded once, as its forward (tensor_power_const): in float32 the factor c of c·x^(c−1) is 0 (or a subnormal
    of few digits), and at x = 0 that 0 times x^(c−1) = inf was NaN (PyTorch 2.13's NaN too); now +inf, the limit,
    and −inf the second derivative, as float64's."""
    if isinstance(c, float) and 0 < abs(c) < _FLOAT32_TINY and np.result_type(raw(x)) == np.float32:
        (gx,) = _power_const_rule(g, out.astype(np.float64), x.astype(np.float64), c=c)
        return (gx.astype(np.float32),)
    return _power_const_rule(g, out, x, c=exponent_as_taken(raw(x), c))


_FLOAT32_TINY = float(np.finfo(np.float32).tiny)
# `x ** 2`: the exponent is a constant keyword, so no gradient is formed for it
power_const = Op(
    "**",
    lambda x, *, c: tensor_power_const(x, c),  # a float exponent as given, a double (PyTorch's)
    _power_const_vjp,
    formulas=_power.formulas[:1],
    broadcasts=True,
)
engine_ops(*OPS.values(), power_const)
globals().update(OPS)  # tensor_ops.exp, tensor_ops.matmul, tensor_ops.sum, ...: every op by its table name
_ENGINES["tensor"].update(OPS)


class ShapeError(ValueError):
    """Shapes that do not fit: an op's operands, a gradient and its input, a seed and its root."""


@functools.cache  # a few integer dtypes, asked of every cross_entropy's labels
def unsigned_twin(dtype: np.dtype) -> np.dtype:
    """The unsigned integer dtype of an integer dtype's width (itself for an unsigned one)."""
    return np.dtype(dtype.str.replace("i", "u"))


def labels_are_classes(labels: np.ndarray, classes: int, unsigned: np.dtype) -> bool:
    """Whether every integer label is a class, in [0, classes), in one reduction: read as `unsigned`
    (their dtype's unsigned_twin), a negative label is larger than any class. No labels: True."""
    return not labels.size or np.maximum.reduce(labels.view(unsigned), axis=None) < classes


def check_labels(
    logits: np.ndarray, labels: np.ndarray, ignore_index: int | None = None, name: str = "cross_entropy"
) -> bool:
    """Refuse labels op `name` (cross_entropy, nll_loss of log-probabilities, multi_margin_loss of scores) cannot
    take: of another dtype or shape than one class index per row of logits (batch, classes), or per entry of logits
    (batch, classes, d1, ...) along the class axis 1, or one of shape () for one example (classes,), or other than
    a class or `ignore_index`. True when every label is a class (so none is an ignore_index outside the classes): one
    reduction tells, the check of every step."""
    shape, scores = logits.shape, {"cross_entropy": "logits", "nll_loss": "log-probabilities"}.get(name, "scores")
    if not shape:
        raise ShapeError(
            f"{name} needs {scores} of shape (classes,), (batch, classes) or (batch, classes, d1, ...), got ()"
        )
    if labels.dtype.kind not in "iu":
        fix = label_fix(labels, shape, name)
        raise TypeError(f"{name} needs integer class labels, got labels of dtype {labels.dtype}: {fix}")
    need = shape[:1] + shape[2:] if len(shape) > 1 else ()
    if labels.shape != need:
        each = {1: "example of shape (classes,)", 2: f"row of {scores}"}.get(
            len(shape), f"entry of {scores} along their class axis 1"
        )
        hint = one_hot_hint(labels, shape)
        raise ShapeError(f"{name} needs one label per {each}: labels of shape {need}, got {labels.shape}{hint}")
    classes = shape[1] if len(shape) > 1 else shape[0]
    if labels_are_classes(labels, classes, unsigned_twin(labels.dtype)):
        return True
    wrong = (labels < 0) | (labels >= classes)
    if ignore_index is not None:
        wrong &= labels != ignore_index
    if wrong.any():
        first = int(np.argmax(wrong))  # in the flattened labels
        at = first if labels.ndim == 1 else tuple(int(i) for i in np.unravel_index(first, labels.shape))
        row = f" (row {at})" if labels.ndim else ""
        also = "" if ignore_index is None else f", or ignore_index ({ignore_index})"
        raise ValueError(
            f"{name}: label {labels.flat[first]}{row} is not a class of these {scores}, which have "
            f"{classes} columns: labels must be in [0, {classes}){also}"
        )
    return False

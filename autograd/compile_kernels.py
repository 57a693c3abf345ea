"""Allocation-free replays of the hot ops, for `autograd.compile`: each kernel computes exactly what
its op's forward and rule compute (the same numpy operations in the same order, so the same bits),
but into buffers it keeps from one replay to the next. The op table stays the one definition of
each op's maths; tests/test_compile_kernels.py ties every kernel to its op's forward and rule.

`kernel(op, shapes, dtype, params, needs)` gives an op's kernel, or None where none applies (an op
without one, mixed dtypes, shapes a kernel does not cover): the replay then calls the op's own
forward and rule. A kernel's `forward(*inputs)` returns its output buffer; its `backward(g, out,
*inputs)` one gradient per input (None where none is needed), each in a buffer of its own or `g`
itself; `one_call`, where the forward is one numpy call, is that call (function, operands after the
inputs, output buffer) for a replay to make itself. Buffers are rewritten by the next call: a replay
reads them before that. Kernels are given C-contiguous arrays only (compile_replay sees to it): their
buffers are C-contiguous, and a sum over another layout would add in another order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import elementwise_forwards as forward
from .compile_kernels_margins import MultiMargin
from .compile_kernels_softmax import CrossEntropy, NllLoss
from .half_precision import HALF
from .op_table_matmul import outer_by_dot
from .rule_functions import finite_together, gated, unknown_at_nan
from .scaled_contractions import checked, product_fits, reads_less
from .scaled_sums import dot, first_try
from .tensor_forwards import gradient_sum
from .tensor_ops import OPS

Shape = tuple[int, ...]


class SumTo:
    """`sum_to(x, shape=shape)` (unbroadcast's sum) from a fixed shape of x, into a buffer of `shape`."""

    def __init__(self, source: Shape, shape: Shape, dtype: np.dtype) -> None:
        lead = len(source) - len(shape)
        stretched = tuple(lead + i for i, n in enumerate(shape) if n == 1 and source[lead + i] != 1)
        self.axes = tuple(range(lead)) + stretched
        self.out = np.empty(shape, dtype)
        kept = [1 if k in self.axes else n for k, n in enumerate(source)]
        self.kept = self.out.reshape(kept)  # a view: the sum lands in `out`, which owns its data

    def __call__(self, x: np.ndarray) -> np.ndarray:
        gradient_sum(x, self.axes, out=self.kept)  # unbroadcast's and sum_to's bits
        return self.out


def _unbroadcaster(source: Shape, shape: Shape, dtype: np.dtype) -> SumTo | None:
    """unbroadcast(g, shape) for g of shape `source`: None when the shapes agree (g itself)."""
    return None if source == shape else SumTo(source, shape, dtype)


class OneCall:
    """A kernel whose forward is one numpy call into its buffer, `one_call` (None: another forward)."""

    one_call: tuple[Callable[..., np.ndarray], tuple[Any, ...], np.ndarray] | None

    def forward(self, *inputs: np.ndarray) -> np.ndarray:
        fn, extra, out = self.one_call  # type: ignore[misc]
        return fn(*inputs, *extra, out=out)


class Binary(OneCall):
    """add, sub, mul with numpy broadcasting; each gradient summed back to its input's shape."""

    def __init__(self, name: str, shapes: list[Shape], dtype: np.dtype, needs: list[bool]) -> None:
        self.name, self.needs = name, needs
        out_shape = np.broadcast_shapes(*shapes)
        self.ufunc = {"add": np.add, "sub": np.subtract, "mul": np.multiply}[name]
        self.out = np.empty(out_shape, dtype)
        self.full = [np.empty(out_shape, dtype) if need else None for need in needs]  # g * b, g * a, -g
        self.back = [_unbroadcaster(out_shape, s, dtype) for s in shapes]
        self.one_call = (self.ufunc, (), self.out)

    def backward(self, g: np.ndarray, out: np.ndarray, a: np.ndarray, b: np.ndarray) -> list[Any]:
        name, full, (back_a, back_b) = self.name, self.full, self.back
        ga = gb = None
        if self.needs[0]:
            ga = np.multiply(g, b, out=full[0]) if name == "mul" else g  # rules: g * b (mul), g
            if back_a is not None:
                ga = back_a(ga)
        if self.needs[1]:
            if name == "add":
                gb = g
            else:
                gb = np.multiply(g, a, out=full[1]) if name == "mul" else np.negative(g, out=full[1])
            if back_b is not None:
                gb = back_b(gb)
        return [ga, gb]


def _contraction(product: Callable[..., np.ndarray], m: int, terms: int, n: int) -> Callable[..., np.ndarray]:
    """product(a, b, out=buffer) of an (m, terms) and a (terms, n) matrix, right wherever its result fits
    (`Contraction`). One product per entry (an outer product) is rounded once: nothing to redo, nothing added."""
    return product if terms < 2 else Contraction(product, terms, reads_less(m, terms, n))


class Contraction:
    """product(a, b, out=buffer), right wherever its result fits, as the matmul op's (scaled_contractions.checked:
    numpy's overflow warning silenced while it is made, its non-finite entries computed again): a replay's
    [[1e308, 1e308, -1e308]] @ ones((3, 1)) was inf, eager's 1e308. `by_operands`: the operands hold fewer numbers
    than the result, so their norms are read first (scaled_contractions.product_fits), the result only where they
    prove nothing. `found_finite`: whether the last call's result was proven finite throughout, so the buffer is
    (compile_finite: the optimizer after the replay need not read it)."""

    __slots__ = ("product", "terms", "by_operands", "found_finite")

    def __init__(self, product: Callable[..., np.ndarray], terms: int, by_operands: bool) -> None:
        self.product, self.terms, self.by_operands, self.found_finite = product, terms, by_operands, False

    def __call__(self, a: np.ndarray, b: np.ndarray, out: np.ndarray) -> np.ndarray:
        if self.by_operands and product_fits(a, b):  # no partial sum can overflow: the result is right, unread
            self.found_finite = True
            return self.product(a, b, out=out)
        self.found_finite = first_try(self.product, a, b, out)[1]  # out by place: no keywords through first_try
        if not self.found_finite:
            np.copyto(out, checked(self.product, (a, b), self.terms, "matmul"))
        return out


class Matmul(OneCall):
    """matmul of two matrices; its rule's products (`_product`: np.dot where the contracted axis
    has length 1 and neither factor is one number, op_table_matmul.outer_by_dot, else @) into
    buffers, each right wherever it fits (`_contraction`)."""

    def __init__(self, shapes: list[Shape], dtype: np.dtype, needs: list[bool]) -> None:
        (m, k), (_, n) = shapes
        self.needs = needs
        self.out = np.empty((m, n), dtype)
        self.ga = np.empty((m, k), dtype) if needs[0] else None
        self.gb = np.empty((k, n), dtype) if needs[1] else None
        self.ga_product = _contraction(dot if outer_by_dot(m, n, k) else np.matmul, m, n, k)  # g (m, n) @ b.T
        self.gb_product = _contraction(dot if outer_by_dot(k, m, n) else np.matmul, k, m, n)  # a.T (k, m) @ g
        self.gb_outer = m == 1 and needs[1]  # gb an outer product: compile_finite proves it finite from a and g
        self.one_call = (_contraction(np.matmul, m, k, n), (), self.out)

    def backward(self, g: np.ndarray, out: np.ndarray, a: np.ndarray, b: np.ndarray) -> list[Any]:
        ga = self.ga_product(g, b.swapaxes(-1, -2), out=self.ga) if self.needs[0] else None
        gb = self.gb_product(a.swapaxes(-1, -2), g, out=self.gb) if self.needs[1] else None
        return [ga, gb]


class Activation(OneCall):
    """relu, tanh, sigmoid: the forward into a buffer, the rule's products into another."""

    def __init__(self, name: str, shape: Shape, dtype: np.dtype) -> None:
        self.name = name
        self.out, self.grad, self.scratch = (np.empty(shape, dtype) for _ in range(3))
        self.mask = np.empty(shape, bool)
        self.zero = np.zeros((), dtype)  # the rules' 0, in their dtype already: numpy skips converting it
        # relu's forward against zeros of x's shape: numpy's vector loop takes two arrays, not a scalar
        self.zeros = np.zeros(shape, dtype) if name == "relu" else None
        self.denominator = np.empty(shape, dtype) if name == "sigmoid" else None
        ones = {"relu": (np.maximum, (self.zeros,), self.out), "tanh": (np.tanh, (), self.out)}
        self.one_call = ones.get(name)
        # what the replay proves for relu's rule (compile_relu_proofs.relu_proofs): [x holds no NaN] as its forward
        # noted it, and (buffer, product): g is finite where it is that product's buffer, found finite
        self.x_known: list[bool] | None = None
        self.g_from: tuple[np.ndarray, Contraction] | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        if self.one_call is not None:
            return OneCall.forward(self, x)
        out = self.out
        # tensor_sigmoid: e = exp(-|x|); where(x >= 0, 1 / (1 + e), e / (1 + e))
        e, d = self.scratch, self.denominator
        np.exp(np.negative(np.abs(x, out=e), out=e), out=e)
        np.add(1, e, out=d)
        np.divide(e, d, out=out)
        np.greater_equal(x, 0, out=self.mask)
        np.divide(1, d, out=d)
        np.copyto(out, d, where=self.mask)
        return out

    def backward(self, g: np.ndarray, out: np.ndarray, x: np.ndarray) -> list[Any]:
        grad, scratch = self.grad, self.scratch
        if self.name == "relu":  # the table's rule, gated(g, x > 0) with NaN at NaN, into the buffer
            mask, known, g_from = np.greater(x, self.zero, out=self.mask), self.x_known, self.g_from
            x_known = known is not None and known[0]
            if not x_known and finite_together(g, x):  # no NaN in x, no infinity in g: gated's product
                return [np.multiply(g, mask, out=grad)]
            factor = mask if x_known else unknown_at_nan(mask, x)
            if g_from is not None and g is g_from[0] and g_from[1].found_finite:  # gated's product: g is finite
                return [np.multiply(g, factor, out=grad)]
            return [gated(g, factor, out=grad)]
        # the table's rules (op_table; slopes in sigmoid_tanh_slopes): each slope from x where it would cancel from out
        if self.name == "tanh":  # g * tanh_slope (sigmoid_tanh_slopes)
            return [np.multiply(g, forward.tanh_slope_array(x, out, out=scratch), out=grad)]
        complement = forward.sigmoid_complement_array(x, out, out=scratch)  # g * out * sigmoid_complement
        return [np.multiply(np.multiply(g, out, out=grad), complement, out=grad)]


def _binary(op: str) -> Callable[..., Any]:
    def make(shapes: list[Shape], dtype: np.dtype, params: dict[str, Any], needs: list[bool]) -> Any:
        return Binary(op, shapes, dtype, needs) if len(shapes) == 2 and not params else None

    return make


def _matmul(shapes: list[Shape], dtype: np.dtype, params: dict[str, Any], needs: list[bool]) -> Any:
    return Matmul(shapes, dtype, needs) if not params and [len(s) for s in shapes] == [2, 2] else None


def _activation(op: str) -> Callable[..., Any]:
    def make(shapes: list[Shape], dtype: np.dtype, params: dict[str, Any], needs: list[bool]) -> Any:
        # float16: the op computes in float32, rounded once (half_precision); a replay calls it for the same bits
        return Activation(op, shapes[0], dtype) if len(shapes) == 1 and not params and dtype is not HALF else None

    return make


def _cross_entropy(shapes: list[Shape], dtype: np.dtype, params: dict[str, Any], needs: list[bool]) -> Any:
    # float16: as an activation's (the softmax family computes in float32 too, OpDef.half_in_float32)
    return (
        CrossEntropy(shapes[0], dtype, params)
        if len(shapes) == 1 and len(shapes[0]) == 2 and dtype is not HALF
        else None
    )


def _nll_loss(shapes: list[Shape], dtype: np.dtype, params: dict[str, Any], needs: list[bool]) -> Any:
    # rows (batch, classes) only, as cross_entropy's; float16 computes in float32 (OpDef.half_in_float32)
    return NllLoss(shapes[0], dtype, params) if len(shapes) == 1 and len(shapes[0]) == 2 and dtype is not HALF else None


def _multi_margin_loss(shapes: list[Shape], dtype: np.dtype, params: dict[str, Any], needs: list[bool]) -> Any:
    # rows (batch, classes) only; float16 computes in float32 (OpDef.half_in_float32)
    return MultiMargin(shapes[0], dtype, params) if len(shapes[0]) == 2 and dtype is not HALF else None


MAKERS: dict[str, Callable[..., Any]] = {
    "add": _binary("add"),
    "sub": _binary("sub"),
    "mul": _binary("mul"),
    "matmul": _matmul,
    "relu": _activation("relu"),
    "tanh": _activation("tanh"),
    "sigmoid": _activation("sigmoid"),
    "cross_entropy": _cross_entropy,
    "nll_loss": _nll_loss,
    "multi_margin_loss": _multi_margin_loss,
}
_BY_OP = {OPS[name]: make for name, make in MAKERS.items()}


def kernel(op: Any, shapes: list[Shape], dtype: np.dtype, params: dict[str, Any], needs: list[bool]) -> Any:
    """The kernel of `op` on inputs of these shapes, all of `dtype` (a float dtype) as its output and
    gradients, with its keyword arguments `params` (read on each call: a replay refreshes the ones
    fed by the call); None where the replay must call the op's own forward and rule."""
    make = _BY_OP.get(op)
    if make is None or dtype.kind != "f":
        return None
    return make(shapes, dtype, params, needs)

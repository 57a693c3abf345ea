"""float16 elementwise maths in float32, rounded once, as PyTorch's CPU kernels compute half.

A forward or rule of several numpy steps run in float16 rounds after each: softplus's slope σ(−17.5) =
2.5e-8 underflows to 0 before g = 1e4 multiplies it (3101 units in the last place off), mish's gradient
loses 7230. tensor_ops runs the table's elementwise rules, and its forwards of more than one numpy ufunc,
through these: on float16 data widened to float32, each result rounded once to float16 (a ufunc's own
float16 loop does that already). So does the softmax family (OpDef.half_in_float32): its float16 softmax
was 9 ulps off PyTorch's, its gradient 147 off the truth, log_softmax's 179. Which way a call goes is one
test of a dtype (its identity with `HALF`; the softmax family's forward, its size), so float32 and float64
take the forward and rule as they are, with no pass over the data. numpy has no bfloat16 (Tensors cannot
hold one), so float16 is the only half precision here. Sums of many float16 terms (indexed adds, a
transposed convolution's columns, einsum) are added in float32 too (`adding_in`, `added_at`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

HALF = np.dtype(np.float16)  # numpy's one float16 dtype object: `x.dtype is HALF` is the whole test
WIDE = np.dtype(np.float32)
# each float16 wrapper of a rule made at import (`rule_in_float32`, tensor_ops' summed-back ones) -> what it calls
# where the output is not float16, which a backward calls directly there (tensor_record.Record), a call a node
# fewer. Keyed by the wrapper itself, not an attribute of it: functools.wraps copies attributes, so a user's
# decorator of a rule (`op.vjp = logged(op.vjp)`) carried one and was skipped.
UNWIDENED: dict[Callable[..., Any], Callable[..., Any]] = {}


def computed_in(dtype: Any) -> np.dtype | None:
    """The dtype that maths on floats of `dtype` runs in where it is not `dtype` itself: float32 for float16
    (numpy's one half precision, in either byte order), None for every other dtype. The table's elementwise ops
    follow it here (by `HALF`'s identity, one test a call), and nn's losses read it through autograd's API."""
    dtype = np.dtype(dtype)
    return WIDE if dtype.kind == "f" and dtype.itemsize < 4 else None


def _widened(x: Any) -> Any:
    """x in float32 if it is float16 (an array, a numpy scalar or a Tensor under create_graph), else as it is."""
    return x.astype(WIDE) if getattr(x, "dtype", None) is HALF else x


def forward_in_float32(forward: Callable[..., Any]) -> Callable[..., Any]:
    """An elementwise forward that computes a float16 result in float32 and rounds it once. A result is
    float16 where numpy's promotion of the inputs gives float16 (beside a Python number, a uint8 array);
    any input wider than float16 makes it wider, and widening a float16 one changes nothing then."""

    def run(*xs: Any, **params: Any) -> Any:
        for x in xs:
            if getattr(x, "dtype", None) is HALF:
                break
        else:
            return forward(*xs, **params)
        out = forward(*map(_widened, xs), **params)
        return out.astype(HALF) if np.result_type(*xs) is HALF else out

    return run


def one_input_in_float32(forward: Callable[..., Any], saves: bool = False) -> Callable[..., Any]:
    """A forward of one input (the softmax family's; `saves`: a forward that also returns what its rule
    reuses, OpDef.saving, kept in float32 for the rule, which computes in float32 too) that computes a float16
    result in float32 and rounds it once. numpy's ufuncs give a float16 result for float16, bool, int8 and
    uint8 input (`floats`): each is widened to float32 exactly. Float32, float64 and wider integers (which the
    table's forward takes as `floats` itself) cost one test of the dtype's size."""

    def run(x: Any, **params: Any) -> Any:
        if x.dtype.itemsize > 2 or np.result_type(x.dtype, HALF) is not HALF:
            return forward(x, **params)
        out = forward(x.astype(WIDE), **params)
        return (out[0].astype(HALF), out[1]) if saves else out.astype(HALF)

    return run


def rule_in_float32(rule: Callable[..., Any], recompute: Callable[..., Any] | None = None) -> Callable[..., Any]:
    """An elementwise rule `rule(g, out, *inputs, ...)` that computes the gradients of a float16 output in
    float32 and rounds each once to float16 (before it is summed back to a broadcast input's shape, as
    PyTorch's). The output's dtype decides: a float16 output has no input wider than float16. `recompute`
    (the op itself) gives the rule its output again in float32, where it would read it rounded to float16:
    softmax's gradient, read from its rounded output (as PyTorch's is), was 37 ulps off the truth."""

    def run(g: Any, out: Any, *inputs: Any, **params: Any) -> Any:
        if out.dtype is not HALF:
            return rule(g, out, *inputs, **params)
        wide = tuple(map(_widened, inputs))
        out = out.astype(WIDE) if recompute is None else recompute(*wide, **params)
        grads = rule(_widened(g), out, *wide, **params)
        # a Python number (a constant gradient) is cast as ever, to its input's dtype (tensor_record.in_dtypes)
        return tuple(gx.astype(HALF) if hasattr(gx, "dtype") else gx for gx in grads)

    UNWIDENED[run] = rule
    return run


def adding_in(dtype: Any) -> np.dtype:
    """The dtype that many terms of `dtype` are added in before one rounding back: float32 for float16 (a
    running float16 sum stalls at 2048, where adding 1 rounds back to 2048), any other dtype its own."""
    return WIDE if np.dtype(dtype) is HALF else np.dtype(dtype)


def added_at(shape: tuple[int, ...], index: Any, values: np.ndarray) -> np.ndarray:
    """Zeros of `shape` with `values` added at `index` (a repeated index adds up: np.add.at), in
    `adding_in`'s dtype and rounded once to values' dtype: the gradient of 3000 float16 picks of one entry
    is 3000 (it was 2048), as PyTorch's. The float32 temporary is of the result's size."""
    out = np.zeros(shape, adding_in(values.dtype))
    np.add.at(out, index, values)
    return out if out.dtype == values.dtype else out.astype(values.dtype)

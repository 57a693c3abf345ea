"""Both engines give the same forward and gradient for every elementwise op of the table at the edge
points ±0, ±inf, NaN and ±1 (every pair, for a binary op), the sign of a zero included: sign(-0.0) was -0.0
on a Value and 0.0 on a Tensor, selu(-0.0) 0.0 on a Tensor and -0.0 on a Value (S1's minor list). Where a
Value raises (no real result, no derivative) a Tensor gives NaN or inf instead: nothing to compare."""

import itertools
import math
import warnings

import numpy as np
import pytest

from autograd import Tensor, Value, scalar_ops
from autograd.op_table import BY_NAME, ELEMENTWISE

POINTS = (0.0, -0.0, math.inf, -math.inf, math.nan, 1.0, -1.0)
# libm's and numpy's expm1 differ in the last place at 1.0 (1.718281828459045 and ...0453): a generic
# point, not an edge point; the edge points themselves agree
LAST_PLACE = {("expm1", (1.0,))}


def _same(a: float, b: float) -> bool:
    return (a != a and b != b) or (a == b and math.copysign(1.0, a) == math.copysign(1.0, b))


def _on_values(name: str, xs: tuple[float, ...]) -> tuple[float, list[float]] | None:
    full, varied = BY_NAME[name].varied(xs)  # an input without a derivative is held as a number
    values = [Value(x) for x in varied]
    try:
        out = scalar_ops.OPS[name](*full(*values))
        out.backward()
    except (ArithmeticError, ValueError):
        return None
    return out.data, [v.grad for v in values]


def _on_tensors(name: str, xs: tuple[float, ...]) -> tuple[float, list[float]]:
    full, varied = BY_NAME[name].varied(xs)
    tensors = [Tensor(np.array([x]), requires_grad=True) for x in varied]
    inputs = [Tensor(np.array([x])) if not isinstance(x, Tensor) else x for x in full(*tensors)]
    out = getattr(inputs[0], name)(*inputs[1:])
    out.backward(np.ones(1))
    return float(out.data[0]), [float(t.grad[0]) for t in tensors]


@pytest.mark.parametrize("op", ELEMENTWISE, ids=lambda d: d.name)
def test_both_engines_agree_at_the_edge_points(op):
    name = op.name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's invalid and overflow, the NaN and inf compared
        for xs in itertools.product(POINTS, repeat=op.arity):
            on_values = _on_values(name, xs)
            if on_values is None or (name, xs) in LAST_PLACE:
                continue
            on_tensors = _on_tensors(name, xs)
            assert _same(on_values[0], on_tensors[0]), (name, xs, on_values[0], on_tensors[0])
            for a, b in zip(on_values[1], on_tensors[1], strict=True):  # a Value's .grad adds into 0.0, micrograd's:
                assert _same(a + 0.0, b + 0.0), (name, xs, "gradients", on_values[1], on_tensors[1])  # -0 is 0

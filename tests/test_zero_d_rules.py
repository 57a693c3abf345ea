"""A rule computing on a 0-d tensor's data gets numpy scalars from numpy's arithmetic: they take the
tensor engine, so every elementwise op's gradient of a 0-d tensor is that of a one-entry tensor, NaN
included (math would raise: acos's rule at 2 raised a ValueError naming sqrt; found by a fuzzer)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
from autograd import Op, Tensor, Value
from autograd.op_table import ELEMENTWISE

POINTS = [-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 1e300, np.inf, np.nan]


def _gradients(op, points, shape):
    """Each input's gradient of op at `points` given as tensors of `shape`, or the error's type."""
    xs = [Tensor(np.full(shape, p), requires_grad=True) for p in points]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            op.apply(*xs).sum().backward()
    except Exception as e:  # noqa: BLE001 (the same error on both shapes is what is asserted)
        return type(e)
    return [np.asarray(x.grad).reshape(()) if x.grad is not None else None for x in xs]


@pytest.mark.parametrize("op", ELEMENTWISE, ids=lambda d: d.name)
def test_a_zero_d_tensors_gradient_is_a_one_entry_tensors(op):
    rng = np.random.default_rng(0)
    for _ in range(12):
        points = [POINTS[i] for i in rng.integers(0, len(POINTS), op.arity)]
        scalar, single = _gradients(op, points, ()), _gradients(op, points, (1,))
        if isinstance(single, type):
            assert scalar is single, (op.name, points)
            continue
        for a, b in zip(scalar, single):
            assert (a is None) == (b is None), (op.name, points)
            if a is not None:
                np.testing.assert_array_equal(a, b, err_msg=f"{op.name} at {points}")


def test_a_rule_of_ones_own_on_a_zero_d_tensor_gives_what_a_one_entry_tensor_gives():
    # the public functions a user's rule calls take numpy's scalars to the tensor engine too
    asin = Op("my_asin", np.arcsin, lambda g, out, x: (g / autograd.sqrt(1 - x * x),))
    grads = []
    for shape in ((), (1,)):
        t = Tensor(np.full(shape, 2.0), requires_grad=True)
        with np.errstate(invalid="ignore"):
            asin(t).sum().backward()
        grads.append(np.asarray(t.grad).reshape(()))
    assert np.isnan(grads[0]) and np.isnan(grads[1])


def test_numpy_scalars_beside_a_value_stay_on_the_scalar_engine():
    assert autograd.maximum(Value(1.0), np.float64(2.0)).data == 2.0

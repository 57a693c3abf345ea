"""A rule computing on a 0-d tensor's data gets numpy scalars from numpy's arithmetic: they take the
tensor engine, so every elementwise op's gradient of a 0-d tensor is that of a one-entry tensor, NaN
included (math would raise: acos's rule at 2 raised a ValueError naming sqrt; found by a fuzzer)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from autograd import Tensor
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

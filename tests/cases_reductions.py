"""Gradchecks (first and second derivatives) of the reductions ops: tests/test_tensor_ops.py reads GRADCHECK,
name -> (the op as users call it, inputs), as its TENSOR_ONLY. Products are checked where entries
are zero (one in a row, two in another): their derivatives are polynomials, smooth there too."""

import numpy as np

X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])  # (2, 3), distinct absolute values
ZEROS = np.array([[0.5, 0.0, 2.0, -1.5], [0.0, 1.25, 0.0, 0.75], [1.5, -0.5, 0.25, 2.0]])  # one, two, no zero

GRADCHECK: dict = {
    "prod": (lambda t: t.prod(axis=1), [ZEROS]),
    "var": (lambda t: t.var(axis=0, ddof=1), [X]),
    "std": (lambda t: t.std(dim=1, keepdim=True, correction=0), [X]),
    "norm": (lambda t: t.norm(axis=-1), [X]),
    "cumsum": (lambda t: t.cumsum(axis=0), [X]),
    "cumprod": (lambda t: t.cumprod(dim=1), [ZEROS]),
    "median": (lambda t: t.median(), [X]),  # distinct entries: away from the kinks where two tie
    "logcumsumexp": (lambda t: t.logcumsumexp(dim=1), [X * 2 + 708]),  # exp(712) overflows: its logs do not
}

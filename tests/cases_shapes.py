"""Gradchecks (first and second derivatives) of the shapes ops: tests/test_tensor_ops.py reads GRADCHECK,
name -> (the op as users call it, inputs), as its TENSOR_ONLY."""

import numpy as np

import autograd

X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])  # (2, 3)
CUBE = np.linspace(-1.5, 2.0, 18).reshape(3, 3, 2)  # (3, 3, 2): a square pair of dims, for a diagonal
WIDE = np.linspace(0.75, -1.25, 8).reshape(2, 4)

GRADCHECK: dict = {
    "roll": (lambda t: t.roll((1, -2), (0, 1)), [X]),
    "pad": (lambda t: autograd.pad(t, (1, 2, 0, 1), value=0.5), [X]),
    # a diagonal of the first operand (i repeated), a letter summed in the second alone (k)
    "einsum": (lambda a, b: autograd.einsum("iij,jk->i", a, b), [CUBE, WIDE]),
}

"""gradcheck's judgement below atol reads the rounding inside f where the difference was taken (x +- eps),
not at x alone: a first-order bound vanishes at x where f is a sum of squares of a gradient that is
exactly 0 there, and only rounding at x +- eps (a right gradient of 0 failed against 1.5e-31)."""

import numpy as np

from autograd import Tensor, grad, gradcheck, gradcheck_params
from autograd.testing import Expression

# t0 = x0 * prod(x0, axis=-1); t1 = t0 / std(t0, axis=0, ddof=1): scale-free, so d sum(t1)/dx0 is 0 along
# x0[1, 0], and the sum of its squares is flat; at x0 +- eps its rounding is not
EXPRESSION = Expression(
    inputs=(np.array([[0.0], [1.5]]), np.array([[0.0], [1.0]])),
    steps=(("*prod", (0, 0), 0.0), ("/std", (2, 2), 0.0)),
)
first = grad(EXPRESSION, argnums=(0, 1))


def squares(*xs):
    return sum(((g * g).sum() for g in first(*xs)), 0 * xs[0].sum())


def test_a_flat_sum_of_squared_rounding_passes():
    assert gradcheck(squares, EXPRESSION.inputs)


def test_gradcheck_params_reads_it_too():
    x0 = Tensor(EXPRESSION.inputs[0].copy(), requires_grad=True)
    assert gradcheck_params(lambda: squares(x0, EXPRESSION.inputs[1]), [x0])

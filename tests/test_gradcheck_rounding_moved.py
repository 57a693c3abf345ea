"""gradcheck's judgement below atol reads the rounding inside f where the difference was taken (x +- eps),
not at x alone: a first-order bound vanishes at x where f is a sum of squares of a gradient that is
exactly 0 there, and only rounding at x +- eps (a right gradient of 0 failed against 1.5e-31)."""

import numpy as np
import pytest

from autograd import GradcheckError, Op, Tensor, grad, gradcheck, gradcheck_params, tensor_ops
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


# the suite's own draw (test_random_tensor_graphs_second_derivatives): the gradient of sum(log_softmax(57.3 x0))
# is 57.3 (1 - 3 softmax), exactly 0 at x0 = 0 and its rounding at x0 +- h; the difference at eps, 1.4e-4, is
# refined at smaller steps to 4.6e-11, which failed the right rule 0 ('another sign or size'), its noise unmeasured
LOG_SOFTMAX = Expression(
    inputs=(np.zeros((3, 1)), np.full((3, 1), 0.31840119473644085)),
    steps=(("/", (0, 1), 0.0), ("rad2deg", (0,), 0.0), ("+", (0, 0), 0.0), ("log_softmax", (3,), 0.0)),
)
first_of_log_softmax = grad(LOG_SOFTMAX, argnums=(0, 1))


def squares_of_log_softmax(*xs):
    return sum(((g * g).sum() for g in first_of_log_softmax(*xs)), 0 * xs[0].sum())


def squares_of_softmax_squared(x):  # flat at equal entries: the gradient of sum(softmax(100 x)**2) is 0 there
    return (grad(lambda t: (t * 100.0).softmax(axis=0).pow(2).sum())(x) ** 2).sum()


def test_a_flat_sum_of_squared_rounding_refined_at_smaller_steps_passes():
    assert gradcheck(squares_of_log_softmax, LOG_SOFTMAX.inputs)
    assert gradcheck(squares_of_softmax_squared, [np.full((3, 1), 0.7)])  # refined to -4.6e-10 for 0
    x0 = Tensor(LOG_SOFTMAX.inputs[0].copy(), requires_grad=True)
    assert gradcheck_params(lambda: squares_of_log_softmax(x0, LOG_SOFTMAX.inputs[1]), [x0])


def test_a_wrong_sign_of_a_slope_of_1e_8_beside_it_still_fails():
    wrong_sin = Op("sin", tensor_ops.OPS["sin"].forward, lambda g, out, x: (-g * np.cos(x),))  # the table's forward
    with pytest.raises(GradcheckError, match="below atol, but of another sign"):
        gradcheck(lambda *xs: squares_of_log_softmax(*xs) + 1e-8 * wrong_sin(xs[0]).sum(), LOG_SOFTMAX.inputs)

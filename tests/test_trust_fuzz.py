"""Fuzzing for silent wrong numbers: the two engines, and nested transforms, must agree with
each other on random expression graphs (reused nodes, every scalar op) at random points."""

import numpy as np
import pytest
from hypothesis import given

from autograd import Tensor, Value, grad
from autograd.testing import expressions


def _as_tensors(xs):
    return [Tensor(np.array(x, dtype=np.float64), requires_grad=True) for x in xs]


def _sum_of_gradients(f, n):
    first = grad(f, argnums=tuple(range(n)))
    return lambda *xs: sum(first(*xs))


@given(expressions(max_ops=6))
def test_value_and_0d_tensor_engines_agree_to_the_second_derivative(expr):
    n = len(expr.inputs)
    on_values = expr(*map(Value, expr.inputs)).data
    on_tensors = float(expr(*_as_tensors(expr.inputs)).data)
    assert on_tensors == pytest.approx(on_values, rel=1e-12, abs=1e-12)
    every = tuple(range(n))
    first_values = grad(expr, argnums=every)(*expr.inputs)
    first_tensors = grad(expr, argnums=every)(*[np.array(x) for x in expr.inputs])
    np.testing.assert_allclose([float(g) for g in first_tensors], first_values, rtol=1e-11, atol=1e-11)
    second = grad(_sum_of_gradients(expr, n), argnums=every)
    second_values = second(*expr.inputs)
    second_tensors = second(*[np.array(x) for x in expr.inputs])
    np.testing.assert_allclose([float(g) for g in second_tensors], second_values, rtol=1e-10, atol=1e-10)


@given(expressions(max_inputs=1, max_ops=6))
def test_an_inner_grad_that_captures_the_outer_variable_is_differentiated_through_it(expr):
    # g(x) = d/dy f(x * y) at y = 1 = x f'(x), the inner grad capturing x and called with a
    # plain number; so g'(x) = f'(x) + x f''(x)
    (x,) = expr.inputs
    exact = grad(expr)(x) + x * grad(grad(expr))(x)
    through_capture = grad(lambda x: grad(lambda y: expr(x * y))(1.0))(x)
    assert through_capture == pytest.approx(exact, rel=1e-10, abs=1e-10)

"""Every optimizer refuses a gradient holding NaN or an infinity before anything moves (nn.optim_finite). PyTorch's
steps take it: each of its optimizers made the parameter NaN or infinite at those elements (and so did
chainrule's), except its Rprop, which takes a NaN as a gradient of 0 where chainrule's made the weight NaN: a bug's
signal dropped by one and turned into a NaN weight by the others, a batch before the loss shows it."""

import math

import numpy as np
import pytest
from optimizer_names import ALL_OPTIMIZERS, stepped

import nn
from autograd import Tensor, Value

BAD = [math.nan, math.inf, -math.inf]


def _snapshot(params, opt):
    return [np.array(p.data, dtype=float) for p in params], {k: np.array(a) for k, a in opt.state_dict().items()}


@pytest.mark.parametrize("bad", BAD, ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_a_gradient_not_finite_is_refused_and_nothing_moves(name, bad):
    """After a first good step, a second whose last parameter's gradient holds one bad value among finite ones, the
    parameters before it holding good gradients: FloatingPointError naming it, every parameter and every state as
    they were."""
    first, second = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones((2, 2)), requires_grad=True)
    value = Value(1.0)
    params = [first, value, second]
    opt = getattr(nn, name)(params)

    def good():
        first.grad, value.grad, second.grad = np.full(3, 0.5), 0.5, np.full((2, 2), 0.5)

    def spoiled():
        first.grad, value.grad, second.grad = np.full(3, 0.25), 0.25, np.array([[0.25, 0.25], [bad, 0.25]])

    stepped(opt, good)
    before = _snapshot(params, opt)
    with pytest.raises(FloatingPointError, match=r"the gradient of parameter 2, of shape \(2, 2\) \(float64\) holds "):
        stepped(opt, spoiled)
    after = _snapshot(params, opt)
    for a, b in zip(before[0], after[0]):
        np.testing.assert_array_equal(a, b)
    assert before[1].keys() == after[1].keys() and all(
        np.array_equal(before[1][k], after[1][k], equal_nan=True)
        for k in before[1]  # Adafactor's eps1 None: NaN
    )


@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_a_values_gradient_not_finite_is_refused(name):
    values = [Value(1.0), Value(2.0)]
    opt = getattr(nn, name)(values)

    def spoiled():
        values[0].grad, values[1].grad = 0.5, math.nan

    with pytest.raises(FloatingPointError, match=r"the gradient of the Value .* \(parameter 1\) holds 1 NaN"):
        stepped(opt, spoiled)
    assert [v.data for v in values] == [1.0, 2.0] and not opt.state


def test_the_message_counts_and_places_what_the_gradient_holds():
    w = Tensor(np.zeros((3, 4), np.float32), requires_grad=True)
    g = np.zeros((3, 4), np.float32)
    g[1, 2], g[2, 0], g[2, 1] = np.nan, np.inf, -np.inf
    w.grad = g
    with pytest.raises(FloatingPointError) as caught:
        nn.Rprop([w]).step()
    assert str(caught.value).startswith(
        "Rprop: the gradient of parameter 0, of shape (3, 4) (float32) holds 1 NaN and 2 infinities, the first at "
        "index (1, 2); a step on it would make the parameter NaN or infinite, so no parameter moved."
    )
    assert caught.value.parameter is w


def test_a_finite_gradient_whose_squares_overflow_is_taken():
    """The fast look sums the squares (float32's overflow above a norm of 1.8e19): a finite gradient that overflows
    them is looked at element by element, and stepped on."""
    w = Tensor(np.zeros(2, np.float32), requires_grad=True)
    w.grad = np.array([3e38, -3e38], np.float32)
    nn.Rprop([w], lr=0.5).step()
    np.testing.assert_array_equal(w.data, [-0.5, 0.5])

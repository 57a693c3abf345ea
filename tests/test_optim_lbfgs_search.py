"""nn.LBFGS's strong-Wolfe line search where its interval closes on one point: the cubic through a point
given twice (a zoom whose interval shrank to nothing, tolerance_change 0 letting it go on; a step length of 0
from lr 0) is that point, as torch's (its 0 / 0 a NaN, so the middle of the bounds), not a ZeroDivisionError
nor a numpy warning; the step goes on."""

import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.optim_lbfgs_search import Trial, cubic_minimum


@pytest.mark.parametrize("ts", [(0, 0.0), (np.float32(0.25), np.float32(0.25)), (0.5, np.float64(0.5))])
def test_the_cubic_through_one_point_twice_is_that_point(ts):
    g = np.zeros(2)
    a, b = Trial(ts[0], 1.5, g, np.float64(-2.0)), Trial(ts[1], 1.5, g, np.float64(-2.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cubic_minimum(a, b) == ts[0]
        assert cubic_minimum(a, b, (ts[0], ts[0])) == ts[0]


def _rosenbrock(dtype, **settings):
    w = Tensor(np.array([-1.5, 2.0], dtype), requires_grad=True)
    opt = nn.LBFGS([w], line_search_fn="strong_wolfe", **settings)

    def closure():
        opt.zero_grad()
        loss = (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2
        loss.backward()
        return loss

    return w, opt, closure


def test_a_zoom_whose_interval_closes_goes_on_to_the_minimum():
    """Rosenbrock in float32, tolerance_change and tolerance_grad 0 (run to the end): a zoom's interval closes on
    its point (it was a ZeroDivisionError, 'float division by zero', after a numpy RuntimeWarning); torch's step
    reaches (1, 1), and this one too, to float32's rounding (the two round differently on the way)."""
    w, opt, closure = _rosenbrock(np.float32, max_iter=100, tolerance_change=0, tolerance_grad=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step(closure)
    np.testing.assert_allclose(w.data, [1, 1], rtol=0, atol=2**-22)


def test_lr_0_with_the_line_search_moves_nothing():
    """lr 0: the line search's first step length is 0, and the bracketing's next bounds are (0, 0) (torch's step
    fails there with a ZeroDivisionError): nothing moves, as without the line search."""
    w, opt, closure = _rosenbrock(np.float64, lr=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step(closure)
    assert np.array_equal(w.data, [-1.5, 2.0]) and opt.state["flat"]["t"] == 0

"""hardshrink, softshrink and threshold refuse parameters without meaning, each with one error
naming it; the bounds (hardshrink's lambd, threshold's threshold) may be infinite, as PyTorch's."""

import math

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda x: autograd.softshrink(x, -0.1), ValueError, r"^softshrink: lambd must be >= 0, got -0.1"),
        (lambda x: autograd.softshrink(x, math.inf), ValueError, r"^softshrink: lambd must be a finite number"),
        (lambda x: autograd.hardshrink(x, math.nan), ValueError, r"^hardshrink: lambd must be a number or ±inf"),
        (lambda x: autograd.threshold(x, 0.0, math.inf), ValueError, r"^threshold: value must be a finite number"),
        (lambda x: autograd.threshold(x, math.nan, 1.0), ValueError, r"^threshold: threshold must be a number or ±inf"),
        (lambda x: autograd.threshold(x, "0", 1.0), TypeError, r"^threshold: threshold must be a real number"),
        (lambda x: autograd.hardshrink(x, lam=1.0), TypeError, r"^hardshrink: 'lam' is not a parameter"),
    ],
)
@pytest.mark.parametrize("x", [Value(1.0), Tensor([1.0, -2.0])], ids=["Value", "Tensor"])
def test_bad_parameters_are_refused(call, error, message, x):
    with pytest.raises(error, match=message):
        call(x)


def test_infinite_bounds_mean_what_they_say():
    x = Tensor([-2.0, 0.5, 3.0])
    assert autograd.hardshrink(x, math.inf).data.tolist() == [0.0, 0.0, 0.0]
    assert autograd.threshold(x, -math.inf, 9.0).data.tolist() == [-2.0, 0.5, 3.0]
    assert autograd.threshold(x, math.inf, 9.0).data.tolist() == [9.0, 9.0, 9.0]
    np.testing.assert_array_equal(autograd.hardshrink(x, -1.0).data, x.data)  # a negative lambd: x itself

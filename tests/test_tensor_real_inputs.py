"""Tensors hold real numbers: a complex Python operand, a complex or text gradient given to
backward, and a requires_grad that is not a bool are refused rather than dropped or kept silently."""

import numpy as np
import pytest

from autograd import Tensor


@pytest.mark.parametrize("make", [lambda t: t + 1j, lambda t: 1j * t, lambda t: t ** (2 + 0j)], ids=["+", "r*", "**"])
def test_a_complex_python_number_is_refused(make):
    with pytest.raises(TypeError, match="complex"):
        make(Tensor(np.ones(2), requires_grad=True))


@pytest.mark.parametrize(
    "grad", ["a", np.array([1 + 1j, 1.0]), np.array([None, 1.0])], ids=["text", "complex", "object"]
)
def test_a_gradient_that_is_not_real_numbers_is_refused_and_nothing_changes(grad):
    t = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(TypeError, match="the gradient must be real numbers"):
        (t * 2).backward(grad)
    assert t.grad is None


def test_real_gradients_of_any_kind_are_cast_to_the_tensors_dtype():
    t = Tensor(np.ones(2, np.float32), requires_grad=True)
    (t * 2).backward([1, 2])
    (t * 2).backward(np.array([True, False]))
    assert t.grad.dtype == np.float32 and t.grad.tolist() == [4.0, 4.0]


def test_requires_grad_must_be_a_bool():
    with pytest.raises(TypeError, match="requires_grad must be True or False"):
        Tensor(np.ones(2), requires_grad="yes")
    assert Tensor(np.ones(2), requires_grad=np.bool_(True)).requires_grad is True

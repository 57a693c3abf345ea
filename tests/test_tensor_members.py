"""Tensor's PyTorch members diff, nelement, is_leaf and device: what they refuse (torch's refusals, each with the
fix named) and how device serves where chainrule takes one."""

import numpy as np
import pytest

import nn
from autograd import ShapeError, Tensor


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"n": -1}, ValueError, "n must be >= 0"),
        ({"n": 1.5}, TypeError, "n must be an int"),
        ({"n": True}, TypeError, "n must be an int"),
        ({"dim": 2}, IndexError, "out of range"),
        ({"prepend": 1.0}, TypeError, "prepend must be a Tensor"),
        ({"append": np.zeros(2)}, ShapeError, "append of shape (2,)"),
        ({"prepend": Tensor(np.zeros((3, 1)))}, ShapeError, "except along dim 1"),
    ],
)
def test_diff_refuses(kwargs, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        Tensor(np.ones((2, 3))).diff(**kwargs)


def test_diff_of_a_0d_tensor_is_refused():
    with pytest.raises(ShapeError, match=r"reshape\(1\)"):
        Tensor(3.0).diff()


def test_diff_past_the_length_is_empty_and_n_0_is_the_tensor():
    x = Tensor(np.arange(4.0))
    assert x.diff(n=10**9).shape == (0,) and x.diff(n=0) is x


def test_device_is_taken_where_a_device_is():
    x = Tensor(np.ones(2), requires_grad=True)
    assert x.to(x.device) is x and x.device == "cpu"
    layer = nn.Linear(2, 2)
    assert layer.to(x.device) is layer

"""prelu of a 0-d input keeps its shape, as torch's (s26-r2 review): nn.PReLU()'s weight is of shape (1,), and
broadcast against a 0-d input it made the output (1,), where torch.nn.PReLU()(torch.tensor(-2.0)) is 0-d."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn import functional as F


@pytest.mark.parametrize("weight_shape", [(1,), ()])
def test_a_0d_input_gives_a_0d_output_and_the_weight_its_gradient(weight_shape):
    x = Tensor(np.array(-2.0), requires_grad=True, dtype=np.float64)
    w = Tensor(np.full(weight_shape, 0.25), requires_grad=True, dtype=np.float64)
    y = F.prelu(x, w)
    assert y.shape == ()
    assert y.item() == -0.5
    y.backward()
    assert x.grad == 0.25
    assert w.grad.shape == weight_shape
    assert np.all(w.grad == -2.0)


def test_the_layer_keeps_a_0d_input_0d():
    layer = nn.PReLU(dtype=np.float64)
    assert layer(Tensor(np.array(3.0), dtype=np.float64)).shape == ()
    assert layer(Tensor(np.array([3.0, -1.0]), dtype=np.float64)).shape == (2,)

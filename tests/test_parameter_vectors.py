"""nn.utils.parameters_to_vector and vector_to_parameters, as torch.nn.utils's (an AttributeError for ported code
before): the same vector from the same weights, a gradient through it that reaches each parameter as torch's does,
and the vector written back in place; a vector of the wrong length refused before anything is written."""

import numpy as np
import pytest
from torch_reference import torch

import autograd
import nn
from autograd import Tensor


def test_the_vector_its_gradient_and_the_write_back_are_torchs():
    """Each in its own layouts: chainrule's Linear W is torch's weight transposed, so the two vectors hold the same
    entries in another order; each is compared with torch's function applied to the same layouts."""
    ours = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).to(np.float64)
    params = list(ours.parameters())
    copies = [torch.tensor(p.data, requires_grad=True) for p in params]
    v_o, v_t = nn.utils.parameters_to_vector(params), torch.nn.utils.parameters_to_vector(copies)
    np.testing.assert_array_equal(v_o.data, v_t.detach().numpy())
    w = np.random.default_rng(1).standard_normal(v_o.shape)
    (v_o * Tensor(w)).sum().backward()
    (v_t * torch.from_numpy(w)).sum().backward()
    for p, q in zip(params, copies, strict=True):
        np.testing.assert_array_equal(p.grad, q.grad.numpy())
    new = np.arange(v_o.shape[0], dtype=np.float64)
    nn.utils.vector_to_parameters(Tensor(new), params)
    torch.nn.utils.vector_to_parameters(torch.from_numpy(new), copies)
    for p, q in zip(params, copies, strict=True):
        np.testing.assert_array_equal(p.data, q.detach().numpy())


def test_a_vector_of_the_wrong_length_is_refused_writing_nothing():
    layer = nn.Linear(2, 2)
    before = layer.W.data.copy()
    with pytest.raises(ValueError, match=r"vec holds 7 entries, the parameters 6"):
        nn.utils.vector_to_parameters(autograd.zeros(7), layer.parameters())
    np.testing.assert_array_equal(layer.W.data, before)
    with pytest.raises(TypeError, match=r"takes Tensors"):
        nn.utils.parameters_to_vector([np.zeros(2)])


def test_a_model_of_values_is_refused_saying_why_not_to_pass_its_parameters():
    """A micrograd MLP's parameters are Values: the message said to give model.parameters(), which the caller had
    done; it now says that Values make no vector and how to read or write their numbers."""
    model = nn.MLP(2, [3, 1])
    for call in (
        lambda: nn.utils.parameters_to_vector(model.parameters()),
        lambda: nn.utils.vector_to_parameters(autograd.zeros(13), model.parameters()),
    ):
        with pytest.raises(TypeError, match=r"got Value: .*nn\.MLP.*p\.data") as caught:
            call()
        assert "model.parameters()" not in str(caught.value)

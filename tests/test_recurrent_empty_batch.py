"""A batch of no sequences runs through RNN, LSTM and GRU, forward and backward, with empty outputs,
states and gradients of torch's shapes (the input's share of the gates, one matmul over all steps' rows,
has no rows then, and is cut back into steps by its gate width, not by a -1 numpy cannot resolve)."""

import numpy as np
import pytest
import torch

import nn
from autograd import Tensor


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_a_batch_of_no_sequences_gives_empty_outputs_and_gradients_of_torch_s_shapes(name, batch_first):
    options = dict(num_layers=2, bidirectional=True, batch_first=batch_first)
    shape = (0, 5, 3) if batch_first else (5, 0, 3)
    x = Tensor(np.zeros(shape, np.float32), requires_grad=True)
    module = getattr(nn, name)(3, 4, seed=0, **options)
    out, state = module(x)
    (out.sum() + sum(s.sum() for s in (state if name == "LSTM" else (state,)))).backward()
    expected_out, expected_state = getattr(torch.nn, name)(3, 4, **options)(torch.zeros(shape))
    assert out.shape == tuple(expected_out.shape) and x.grad.shape == shape
    states = zip(state, expected_state, strict=True) if name == "LSTM" else [(state, expected_state)]
    assert all(s.shape == tuple(e.shape) for s, e in states)
    assert all(p.grad is not None and p.grad.shape == p.shape and not p.grad.any() for p in module.parameters())

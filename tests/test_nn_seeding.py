"""autograd.manual_seed makes nn's unseeded initialisation, dropout and shuffling repeat, as
torch.manual_seed does PyTorch's; a layer's own seed keeps its own generator."""

import numpy as np

import autograd
import nn


def _draws():
    model = nn.Sequential(nn.Linear(3, 4), nn.Conv1d(1, 2, 3), nn.Embedding(5, 2))
    dropped = nn.Dropout(0.5)(autograd.ones(10)).data
    order = next(iter(nn.data.Batches(np.arange(6.0), np.arange(6), batch_size=6, seed=None)))[1]
    return [p.data for p in model.parameters()] + [dropped, order]


def test_manual_seed_repeats_every_unseeded_draw_of_nn():
    autograd.manual_seed(7)
    first = _draws()
    autograd.manual_seed(7)
    again = _draws()
    autograd.manual_seed(8)
    other = _draws()
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[0], other[0])


def test_a_layer_s_own_seed_ignores_the_default_generator():
    autograd.manual_seed(1)
    a = nn.Linear(3, 4, seed=0).W.data
    autograd.manual_seed(2)
    assert np.array_equal(a, nn.Linear(3, 4, seed=0).W.data)

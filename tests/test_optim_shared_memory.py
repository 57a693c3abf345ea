"""Two parameters over the same memory (`nn.Parameter(encoder.weight.T)`, a view of another parameter) given to one
optimizer: each was stepped with its own gradient and state, and both steps landed in the one array. With Adam
that is neither weight tying nor two weights (3 steps: the embedding 0.29 off the tied model's) and nothing said
so; every optimizer refuses it now, naming both parameters and how to tie."""

import numpy as np
import pytest
from optimizer_names import ALL_OPTIMIZERS

import autograd
import nn


def _embedding_and_its_transpose():
    emb = nn.Embedding(5, 4)
    return emb, nn.Parameter(emb.weight.T)


@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_a_parameter_over_another_ones_memory_is_refused(name):
    emb, tied = _embedding_and_its_transpose()
    before = emb.weight.data.copy()
    with pytest.raises(ValueError, match=r"parameters 0 and 2 share memory .*F\.linear\(h, encoder\.weight"):
        getattr(nn, name)([emb.weight, nn.Parameter(autograd.zeros(5)), tied], lr=0.1)
    assert np.array_equal(emb.weight.data, before)


def test_named_parameters_sharing_memory_are_named():
    emb, tied = _embedding_and_its_transpose()
    with pytest.raises(ValueError, match=r"'encoder\.weight' and 'decoder\.W' share memory"):
        nn.Adam([("encoder.weight", emb.weight), ("decoder.W", tied)])


def test_two_parameters_made_over_one_array_are_refused_saying_to_copy():
    """nn.Parameter(init) holds init's memory (as torch.from_numpy): two made of one array were one weight trained
    twice over, however they were used."""
    init = np.zeros(3, np.float32)
    with pytest.raises(ValueError, match=r"parameters 0 and 1 share memory .*init\.copy\(\)"):
        nn.SGD([nn.Parameter(init), nn.Parameter(init)], lr=0.1)
    assert len(nn.SGD([nn.Parameter(init), nn.Parameter(init.copy())], lr=0.1).params) == 2


def test_disjoint_views_of_one_array_and_models_built_in_are_taken():
    base = autograd.zeros(4, 3)
    halves = [nn.Parameter(base[:, 0]), nn.Parameter(base[:, 1])]  # one array, no entry in common
    assert len(nn.Adam(halves).params) == 2
    model = nn.Sequential(nn.Embedding(7, 4), nn.LSTM(4, 3), nn.MultiheadAttention(4, 2), nn.Linear(3, 2))
    assert len(nn.AdamW(model.parameters()).params) == len(list(model.parameters()))

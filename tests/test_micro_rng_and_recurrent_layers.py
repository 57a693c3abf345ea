"""nn.Neuron and nn.Layer given a seed or a numpy Generator as rng were AttributeError ("'int' object has no
attribute 'uniform'"); GRU/LSTM/RNN(num_layers=2**63) looped for ever building a list of its layers before the
memory check. Each is now one error naming the module, at once."""

from __future__ import annotations

import random

import numpy as np
import pytest

import nn


@pytest.mark.parametrize("module", [nn.Neuron, lambda nin, rng: nn.Layer(nin, 2, rng=rng)], ids=["Neuron", "Layer"])
@pytest.mark.parametrize(
    "rng", [0, 1.5, "x", np.random.default_rng(0), [1]], ids=["int", "float", "str", "numpy", "list"]
)
def test_an_rng_that_is_no_random_generator_is_a_type_error_naming_the_module(module, rng) -> None:
    with pytest.raises(TypeError, match=r"(Neuron|Layer): rng must be a random\.Random"):
        module(3, rng=rng)


def test_a_random_generator_still_draws_the_weights() -> None:
    a, b = nn.Neuron(3, rng=random.Random(0)), nn.Neuron(3, rng=random.Random(0))
    assert [w.data for w in a.w] == [w.data for w in b.w]


@pytest.mark.parametrize("cls", [nn.RNN, nn.GRU, nn.LSTM])
@pytest.mark.parametrize("layers", [2**63, 10**400, 10**12])
def test_a_num_layers_beyond_memory_is_refused_at_once(cls, layers) -> None:
    with pytest.raises((ValueError, MemoryError), match=cls.__name__):
        cls(3, 4, num_layers=layers)

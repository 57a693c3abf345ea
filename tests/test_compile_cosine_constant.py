"""A compiled step whose cosine takes a constant side (cosine_embedding_loss's input2, cosine_similarity's x2 given as
an array, a Tensor made in the step, or a step input) replays, strict, and gives eager's numbers: `unit` read that
side's norms in Python outside its checks, which made them data pinned from one call ("autograd.validate of a
copy"), and every such step ran eagerly."""

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Tensor

RNG = np.random.default_rng(7)
OTHER = RNG.normal(size=(3, 2))
LABELS = [np.array(v) for v in ([1, -1, 1], [1, 1, -1], [-1, -1, 1])]
OTHERS = [RNG.normal(size=(3, 2)) for _ in LABELS]


def _losses(x):
    return {
        "array": lambda y, o: F.cosine_embedding_loss(x, OTHER, y),
        "Tensor made in the step": lambda y, o: F.cosine_embedding_loss(x, Tensor(OTHER), y),
        "input2 a step input": lambda y, o: F.cosine_embedding_loss(x, o, y),
        "cosine_similarity": lambda y, o: F.cosine_similarity(x, o).sum(),
    }


@pytest.mark.parametrize("kind", list(_losses(None)))
def test_a_strict_compiled_step_with_a_constant_cosine_side_replays_eager_numbers(kind):
    x = Tensor(RNG.normal(size=(3, 2)), requires_grad=True)
    loss = _losses(x)[kind]

    def step(y, o):
        value = loss(y, o)
        value.backward()
        return value.item()

    run = autograd.compile(step, strict=True)
    for y, o in zip(LABELS * 2, OTHERS * 2):
        x.grad = None
        compiled, compiled_grad = run(y, o), np.array(x.grad)
        x.grad = None
        eager = step(y, o)
        assert compiled == eager
        np.testing.assert_array_equal(compiled_grad, x.grad)

"""A float16 gradient summed back to its input's shape (a bias's gradient over a large batch) is added in
float32 and rounded once, as PyTorch accumulates half: numpy added it row by row in float16, where a sum
past 2048 stops taking terms below 1. Eager, create_graph (the sum_to op) and a compiled step (SumTo)
give the same bits."""

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, gradients

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(0)
EPS16 = float(np.finfo(np.float16).eps)


def _normwise(got, truth):
    """The largest error in units of float16's epsilon, against the largest entry of the truth."""
    return float(np.abs(np.asarray(got, np.float64) - truth).max() / np.abs(truth).max() / EPS16)


def test_a_float16_bias_gradient_over_a_large_batch_within_a_rounding_of_the_truth():
    x = RNG.standard_normal((3000, 4)).astype(np.float16)
    g = RNG.standard_normal((3000, 3)).astype(np.float16)
    b = Tensor(np.zeros(3), requires_grad=True, dtype=np.float16)
    w = Tensor(RNG.standard_normal((4, 3)), dtype=np.float16)
    ((Tensor(x, dtype=np.float16) @ w + b) * Tensor(g, dtype=np.float16)).sum().backward()
    truth = g.astype(np.float64).sum(axis=0)
    assert b.grad.dtype == np.float16
    assert _normwise(b.grad, truth) <= 0.5  # rounded once
    (recorded,) = gradients(
        ((Tensor(x, dtype=np.float16) @ w + b) * Tensor(g, dtype=np.float16)).sum(), [b], create_graph=True
    )
    assert recorded.numpy().tobytes() == b.grad.tobytes()


def test_a_compiled_float16_step_gives_eagers_bits():
    def train(compiled):
        lin = nn.Linear(4, 3, seed=0, dtype=np.float16)
        opt = nn.SGD(lin.parameters(), lr=0.01)

        def step(x, y):
            opt.zero_grad()
            loss = ((lin(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            return loss.item()

        run = autograd.compile(step, strict=True) if compiled else step
        rng = np.random.default_rng(1)
        losses = [
            run(
                Tensor(rng.standard_normal((3000, 4)).astype(np.float16)),
                Tensor(rng.standard_normal((3000, 3)).astype(np.float16)),
            )
            for _ in range(4)
        ]
        return losses, lin.W.data.tobytes(), lin.b.data.tobytes()

    assert train(compiled=True) == train(compiled=False)

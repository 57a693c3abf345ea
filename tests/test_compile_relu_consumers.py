"""A relu of 4,096 entries or more (compile_relu_proofs looks at those) whose one consumer is not a two-parent op
(flatten after a convolution, a sum, an exp): building the replay unpacked the consumer's parents as two and raised
ValueError (not enough values to unpack), so nn.fit(compile=True) of a Conv2d-ReLU-Flatten-Linear model at batch 32
stopped in its first epoch. Such a step now replays eager's numbers bit for bit."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from nn import functional as F

FIXED = np.random.default_rng(1).standard_normal((144, 2)) * 0.1
CONSUMERS = {
    "flatten": lambda h: F.cross_entropy(h.reshape(32, -1) @ Tensor(FIXED), np.arange(32) % 2),
    "sum": lambda h: h.sum(),
    "max_pool": lambda h: F.max_pool2d(h, 2).sum(),  # examples/mnist.py's CNN: ReLU then MaxPool2d
    "exp": lambda h: (h * -1.0).exp().mean(),
    "linear": lambda h: F.linear(h.reshape(32 * 4, 36), Tensor(FIXED[:36].T), Tensor(FIXED[0])).sum(),
}


def _losses(consumer: str, compiled: bool) -> list[float]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 1, 8, 8))
    conv = nn.Conv2d(1, 4, 3, seed=0)
    head = CONSUMERS[consumer]
    opt = nn.SGD(conv.parameters(), lr=0.05)

    def step(x):
        opt.zero_grad()
        loss = head(F.relu(conv(Tensor(x))))  # 32 x 4 x 6 x 6 = 4,608 entries
        loss.backward()
        opt.step()
        return loss

    f = autograd.compile(step) if compiled else step
    return [f(x).item() for _ in range(4)]


@pytest.mark.parametrize("consumer", list(CONSUMERS))
def test_a_relu_whose_one_consumer_has_one_parent_replays(consumer) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _losses(consumer, compiled=True) == _losses(consumer, compiled=False)


def test_fit_compiles_a_small_cnn() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 1, 8, 8)).astype(np.float32)
    y = (x.mean((1, 2, 3)) > 0).astype(np.int64)
    runs = []
    for compiled in (False, True):
        m = nn.Sequential(nn.Conv2d(1, 4, 3, seed=0), nn.ReLU(), nn.Flatten(), nn.Linear(144, 2, seed=1))
        opt = nn.SGD(m.parameters(), lr=0.05)
        runs.append(nn.fit(m, F.cross_entropy, opt, (x, y), epochs=2, batch_size=32, verbose=False, compile=compiled))
    assert runs[1].loss == runs[0].loss

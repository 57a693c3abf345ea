"""The benchmarks' MLP 784-256-128-10 (benchmarks/mlp_steps.py) and its SGD step on cross-entropy, for the tests
that count what a step costs or check its bits: one definition for them all."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
import nn

SIZES = (784, 256, 128, 10)


def mlp_step(dtype: Any = np.float32, lr: float = 0.05, compiled: bool = True, **options: Any) -> tuple:
    """(model, step): the MLP with seeded layers and `step(x, y)`, one SGD update returning the loss; compiled
    strictly (a step that cannot replay raises) unless not `compiled`. `options` go to nn.SGD."""
    layers = [nn.Linear(i, o, seed=k, dtype=dtype) for k, (i, o) in enumerate(zip(SIZES, SIZES[1:]))]
    model = nn.Sequential(layers[0], nn.ReLU(), layers[1], nn.ReLU(), layers[2])
    opt = nn.SGD(model.parameters(), lr=lr, **options)

    def step(x: Any, y: Any) -> Any:
        loss = autograd.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return model, (autograd.compile(step, strict=True) if compiled else step)

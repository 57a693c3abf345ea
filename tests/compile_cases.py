"""What the tests of autograd.compile share: random MLPs and batches, a training run eager or
compiled with what it gives after each step, and exact comparison."""

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from autograd.compile import CompileWarning
from nn import functional as F

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


def mlp(sizes, activation, seed=0, dtype=np.float64):
    layers = []
    for i, (nin, nout) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(nin, nout, seed=seed + i, dtype=dtype))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


def batches(shape, classes, count, seed=1, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal(shape).astype(dtype), rng.integers(0, classes, shape[0])) for _ in range(count)]


def training_step(model, optimizer, loss_fn=F.cross_entropy):
    """The step the tests compile: the loss (cross-entropy), zero_grad, backward, the update; returns the loss."""

    def step(x, y):
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss

    return step


def train(make_model, make_optimizer, data, compiled, strict=True, before=lambda i, model: None):
    """Losses, gradients and parameters after each step, eager or compiled, and the compiled step;
    `before(i, model)` runs before step i."""
    model = make_model()
    optimizer = make_optimizer(model.parameters())

    step = training_step(model, optimizer)

    run = autograd.compile(step, strict=strict) if compiled else step
    history = []
    for i, (x, y) in enumerate(data):
        before(i, model)
        loss = run(Tensor(x), y)
        history.append((loss.data.copy(), [None if p.grad is None else p.grad.copy() for p in model.parameters()]))
        history.append([p.data.copy() for p in model.parameters()])
    return history, run


def assert_same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        if isinstance(x, tuple | list):
            assert_same(x, y)
        else:
            np.testing.assert_array_equal(x, y)


def replays(run):
    return sum(r.program is not None for r in run.recordings.values())


OPTIMIZERS = {
    "sgd": lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9),
    "adam": lambda ps: nn.Adam(ps, lr=0.01),
    "adamw": lambda ps: nn.AdamW(ps, lr=0.01),
    "rmsprop": lambda ps: nn.RMSprop(ps, lr=0.01, centered=True),
}


def eager_fallback(step, calls=4):
    """Run `step` compiled (not strict) on `calls` batches: the CompileWarning's message."""
    run = autograd.compile(step)
    with pytest.warns(CompileWarning) as caught:
        for x, y in batches((3, 2), 2, calls):
            run(Tensor(x), y)
    assert replays(run) == 0
    return str(caught[0].message)


def fit_spirals(compiled, make_model, epochs=4, **kwargs):
    X, y = nn.data.spirals(90, n_classes=3, seed=0)
    model = make_model()
    opt = nn.Adam(model.parameters(), lr=0.01)
    history = nn.fit(
        model, F.cross_entropy, opt, (X, y), epochs=epochs, batch_size=32, verbose=False, compile=compiled, **kwargs
    )
    return history, [p.data for p in model.parameters()]

"""nn.fit with an optimizer whose step evaluates the loss itself (LBFGS's step(closure)): the closure is the eager
step's forward, loss and backward; the History holds each step's first loss, as torch's LBFGS returns it."""

import warnings

import numpy as np
import pytest

import nn
from autograd import CompileWarning
from nn import functional as F

RNG = np.random.default_rng(0)
X = RNG.normal(size=(32, 3))
Y = X @ np.array([[1.5], [-2.0], [0.5]]) + 0.25 + 0.01 * RNG.normal(size=(32, 1))


def model_and_optimizer(**settings):
    model = nn.Linear(3, 1, dtype=np.float64, seed=1)
    return model, nn.LBFGS(model.parameters(), **settings)


def batches():
    return nn.data.Batches(X, Y, batch_size=16, seed=3)


def by_hand(model, optimizer, epochs):
    """The loop a PyTorch user writes for LBFGS: each batch's closure, and the loss it first returned; the
    History's loss of an epoch is its batches' mean."""
    losses, data = [], batches()
    for xb, yb in (b for _ in range(epochs) for b in data):

        def closure(xb=xb, yb=yb):
            optimizer.zero_grad()
            loss = F.mse_loss(model(xb), yb)
            loss.backward()
            return loss

        losses.append(float(optimizer.step(closure).item()))
    return [(a + b) / 2 for a, b in zip(losses[::2], losses[1::2])]


def test_fit_trains_with_lbfgs_as_the_loop_by_hand_does():
    model, optimizer = model_and_optimizer(max_iter=5)
    history = nn.fit(model, F.mse_loss, optimizer, batches(), epochs=3, metric=None)
    twin, twin_optimizer = model_and_optimizer(max_iter=5)
    losses = by_hand(twin, twin_optimizer, 3)
    assert history.loss == losses
    assert losses[-1] < 1e-3 < losses[0]
    for p, q in zip(model.parameters(), twin.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def test_fit_compile_with_lbfgs_warns_and_trains_eagerly():
    model, optimizer = model_and_optimizer(max_iter=3)
    with pytest.warns(CompileWarning, match="LBFGS's step evaluates the loss itself"):
        history = nn.fit(model, F.mse_loss, optimizer, batches(), epochs=2, metric=None, compile=True)
    twin, twin_optimizer = model_and_optimizer(max_iter=3)
    assert history.loss == by_hand(twin, twin_optimizer, 2)


def test_a_loss_that_is_not_finite_inside_a_step_leaves_the_weights_of_the_step_before():
    model, optimizer = model_and_optimizer(max_iter=4, lr=1e200)  # the second evaluation overflows
    before = [p.data.copy() for p in model.parameters()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's overflow in the squares, meant
        with pytest.raises(FloatingPointError, match="fit: the loss is"):
            nn.fit(model, F.mse_loss, optimizer, (X, Y), epochs=1, batch_size=32, metric=None)
    for p, b in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.data, b)

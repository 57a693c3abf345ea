"""fit's look at a few examples before training runs on a copy of the model: a module that sets itself from the
first batch it sees is set by the first step, as in a plain loop; a model that cannot be copied is looked at
itself, its parameters put back after."""

import copy
import threading

import numpy as np
from test_fit_upfront_checks import _Bag
from test_trust_files import peak_while

import nn
from autograd import Tensor, no_grad
from nn import functional as F


class ActNorm(nn.Module):
    """Glow's ActNorm: the first batch it sees sets its shift and scale (data-dependent initialisation)."""

    def __init__(self, n):
        super().__init__()
        self.shift = Tensor(np.zeros(n), requires_grad=True)
        self.scale = Tensor(np.ones(n), requires_grad=True)
        self.initialized = False

    def forward(self, x):
        if not self.initialized:
            with no_grad():
                d = np.asarray(x.data if isinstance(x, Tensor) else x)
                self.shift.data[...] = -d.mean(0)
                self.scale.data[...] = 1 / (d.std(0) + 1e-6)
            self.initialized = True
        return (x + self.shift) * self.scale


def _fit_and_loop(make, X, y, size):
    """The model `make` gives, trained by fit (no shuffling, SGD 0.1) and by a loop of the same steps."""
    fitted, looped = make(), make()
    nn.fit(fitted, F.cross_entropy, nn.SGD(fitted.parameters(), lr=0.1), nn.data.Batches(X, y, size, shuffle=False),
           verbose=False, metric=None)  # fmt: skip
    opt = nn.SGD(looped.parameters(), lr=0.1)
    for start in range(0, len(y), size):
        opt.zero_grad()
        F.cross_entropy(looped(Tensor(X[start : start + size])), y[start : start + size]).backward()
        opt.step()
    return fitted, looped


def test_a_module_set_by_the_first_batch_it_sees_is_set_by_the_first_step():
    """The look set ActNorm from its few rows; with the parameters put back after it, ActNorm stayed noted as set
    and trained from its zeros (shift -0.008, 0.008, -0.035 for the loop's -4.621, -4.726, -4.627)."""
    rng = np.random.default_rng(0)
    X = rng.normal(5, 3, size=(16, 3))
    y = (X[:, 0] > 5).astype(int)
    fitted, looped = _fit_and_loop(lambda: nn.Sequential(ActNorm(3), nn.Linear(3, 2, dtype=np.float64, seed=0)),
                                   X, y, 8)  # fmt: skip
    for a, b in zip(fitted.parameters(), looped.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


class _Locked(_Bag):
    """_Bag holding a lock, which copy.deepcopy refuses."""

    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()


def test_a_model_that_cannot_be_copied_is_looked_at_itself_and_its_rows_put_back():
    X, y = np.array([[0, 1], [1, 0], [2, 2], [3, 3]]), np.array([0, 1, 0, 2])
    fitted, looped = _fit_and_loop(_Locked, X, y, 2)
    np.testing.assert_array_equal(fitted.emb.weight.data, looped.emb.weight.data)
    np.testing.assert_array_equal(fitted.head.W.data, looped.head.W.data)


def test_the_copy_looked_at_holds_no_gradients_and_the_model_keeps_its_own():
    """copy.deepcopy(model) copied each parameter's .grad (a model fitted before holds them): the look held as many
    bytes again as the parameters (8.0 MB of parameters, 16.1 MB at the copy's peak); now the copy's are None."""
    from nn.train_examples import _probe

    model = nn.Sequential(nn.Linear(1000, 1000, dtype=np.float64, seed=0), nn.Linear(1000, 2, dtype=np.float64))
    for p in model.parameters():
        p.grad = np.ones(p.shape)
    size = sum(p.data.nbytes for p in model.parameters())
    copies: list = []
    error, peak = peak_while(lambda: copies.append(_probe(model)))
    assert error is None and peak < 1.1 * size, (peak, size)
    assert all(p.grad is None for p in copies[0].parameters())
    assert all(np.array_equal(p.grad, np.ones(p.shape)) for p in model.parameters())
    for ours, copied in zip(model.parameters(), copies[0].parameters(), strict=True):
        np.testing.assert_array_equal(ours.data, copied.data)


def test_a_fit_after_a_fit_trains_as_a_loop_does():
    """The first fit leaves gradients in the model; the second's look copies it without them, and trains as before."""
    X, y = np.array([[0, 1], [1, 0], [2, 2], [3, 3]]), np.array([0, 1, 0, 2])
    fitted, looped = _fit_and_loop(_Bag, X, y, 2)
    second = copy.deepcopy(fitted)
    nn.fit(second, F.cross_entropy, nn.SGD(second.parameters(), lr=0.1), nn.data.Batches(X, y, 2, shuffle=False),
           verbose=False, metric=None)  # fmt: skip
    assert fitted.emb.weight.grad is not None
    opt = nn.SGD(looped.parameters(), lr=0.1)
    for start in range(0, len(y), 2):
        opt.zero_grad()
        F.cross_entropy(looped(Tensor(X[start : start + 2])), y[start : start + 2]).backward()
        opt.step()
    np.testing.assert_array_equal(second.emb.weight.data, looped.emb.weight.data)
    np.testing.assert_array_equal(second.head.W.data, looped.head.W.data)

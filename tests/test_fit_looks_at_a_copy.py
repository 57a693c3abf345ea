"""fit's look at a few examples before training leaves the model as given: a module that sets itself from the
first batch it sees is set by the first step, as in a plain loop, whether the model or a loss runs it in the look
(the look runs a copy, over the model's parameters' arrays, then puts back each module's attributes, its buffers,
and its parameters' numbers); a model that cannot be copied is looked at itself and put back the same way. A loss
that runs modules of the model leaves it as it was too: the rows max_norm scaled in it are put back after the look."""

import copy
import threading

import numpy as np
import pytest
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
    from nn.train_examples import _copy

    model = nn.Sequential(nn.Linear(1000, 1000, dtype=np.float64, seed=0), nn.Linear(1000, 2, dtype=np.float64))
    for p in model.parameters():
        p.grad = np.ones(p.shape)
    size = sum(p.data.nbytes for p in model.parameters())
    copies: list = []
    error, peak = peak_while(lambda: copies.append(_copy(model, {})))
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


X_CENTRES, Y_CENTRES = np.array([[0, 1], [0, 1], [2, 3], [3, 2]]), np.array([0, 1, 2, 0])


def _with_centres():
    """_Bag with class centres of its own (norms 1, 1 and 5), which a loss looks up by label (`_centred`)."""
    model = _Bag()
    model.centres = nn.Embedding(3, 3, max_norm=1.0, dtype=np.float64)
    model.centres.weight.data[...] = [[0.6, 0.8, 0], [0, 0.6, 0.8], [3, 4, 0]]
    return model


def _centred(model):
    """cross_entropy plus the outputs' distance to their class's centre, looked up in `model` itself, not the copy."""
    return lambda out, labels: F.cross_entropy(out, labels) + ((out - model.centres(labels)) ** 2).mean()


def _metric_refusing_validation():
    calls = []

    def metric(out, labels):
        calls.append(1)
        if len(calls) == 2:  # the look's second set: val_data's
            raise ValueError("this metric refuses these labels")
        return 0.5

    return metric


def test_a_refused_fit_leaves_the_rows_its_loss_scaled_in_the_model_as_they_were():
    """The look runs the loss on val_data's examples, and the loss looks up the model's own centres (the copy's are
    not the ones it holds): their max_norm scaled centre 2 from [3, 4, 0] to [0.6, 0.8, 0] in place, and a fit that
    then refused the examples ("nothing was trained") left it so."""
    model = _with_centres()
    before = model.centres.weight.data.copy()
    with pytest.raises(ValueError, match="nothing was trained"):
        nn.fit(model, _centred(model), nn.SGD(model.parameters(), lr=0.1), (X_CENTRES, Y_CENTRES),
               val_data=(X_CENTRES, Y_CENTRES), verbose=False, metric=_metric_refusing_validation())  # fmt: skip
    np.testing.assert_array_equal(model.centres.weight.data, before)


def test_a_loss_looking_up_rows_of_the_model_trains_as_a_loop_does():
    """The look scaled centre 2 to norm 1 before the first step, whose weight decay then shrank it: fit's centre
    ended at norm 0.9705 where a loop of the same steps, and the same validation after, leaves it at 0.9800."""
    fitted, looped = _with_centres(), _with_centres()
    batches = nn.data.Batches(X_CENTRES, Y_CENTRES, 2, shuffle=False)
    nn.fit(fitted, _centred(fitted), nn.SGD(fitted.parameters(), lr=0.1, weight_decay=0.1), batches,
           val_data=(X_CENTRES, Y_CENTRES), verbose=False, metric=None)  # fmt: skip
    opt = nn.SGD(looped.parameters(), lr=0.1, weight_decay=0.1)
    for xb, yb in batches:
        opt.zero_grad()
        _centred(looped)(looped(xb), yb).backward()
        opt.step()
    nn.evaluate(looped, _centred(looped), X_CENTRES, Y_CENTRES, metric=None)
    for a, b in zip(fitted.parameters(), looped.parameters(), strict=True):
        np.testing.assert_array_equal(a.data, b.data)


class _Tally(nn.Module):
    """The examples it has seen, counted in a buffer in any mode."""

    def __init__(self):
        super().__init__()
        self.register_buffer("seen", np.zeros(1))

    def forward(self, x):
        self.seen += len(x)
        return x


class _Normed(nn.Module):
    """A Linear, and a BatchNorm1d and a _Tally the model holds but only a loss runs."""

    def __init__(self):
        super().__init__()
        self.head = nn.Linear(3, 3, dtype=np.float64, seed=0)
        self.bn = nn.BatchNorm1d(3, dtype=np.float64)
        self.tally = _Tally()

    def forward(self, x):
        return self.head(x)


def test_a_refused_fit_leaves_the_buffers_its_loss_moved_in_the_model_as_they_were():
    """The loss runs the model's own BatchNorm, in training mode (the look put the copy in eval mode, not the
    model): the look moved its running mean from 0 to [0.0166, -0.0019, 0.0238] and a refused fit left it there.
    The model is in eval mode in the look now too; a module writing its buffer in any mode is put back (6 seen)."""
    model = _Normed()
    X = np.random.default_rng(0).normal(size=(8, 3))
    y = np.array([0, 1, 2, 0, 1, 2, 0, 1])

    def loss(out, labels):
        return F.cross_entropy(out, labels) + model.bn(model.tally(out)).square().mean()

    with pytest.raises(ValueError, match="nothing was trained"):
        nn.fit(model, loss, nn.SGD(model.parameters(), lr=0.1), (X, y), val_data=(X, y), verbose=False,
               metric=_metric_refusing_validation())  # fmt: skip
    np.testing.assert_array_equal(model.bn.running_mean, np.zeros(3))
    np.testing.assert_array_equal(model.bn.running_var, np.ones(3))
    np.testing.assert_array_equal(model.tally.seen, [0])


class _ReadOnlyScales(nn.Module):
    """A Linear after scales held as a read-only buffer (the model assigned it np.broadcast_to's view)."""

    def __init__(self):
        super().__init__()
        self.head = nn.Linear(3, 3, dtype=np.float64, seed=0)
        self.register_buffer("scale", np.ones(3))
        self.scale = np.broadcast_to(2.0, (3,))

    def forward(self, x):
        return self.head(x * self.scale)


def test_a_model_with_a_read_only_buffer_trains_as_a_loop_does():
    """The put-back after the look wrote each buffer's values into it, a read-only one too: fit of such a model
    raised "assignment destination is read-only" before its first step (it trained before the put-back)."""
    X, y = np.random.default_rng(0).normal(size=(8, 3)), np.array([0, 1, 2, 0, 1, 2, 0, 1])
    fitted, looped = _fit_and_loop(_ReadOnlyScales, X, y, 4)
    np.testing.assert_array_equal(fitted.head.W.data, looped.head.W.data)
    assert not fitted.scale.flags.writeable and np.array_equal(fitted.scale, [2, 2, 2])


class _Dropped(nn.Module):
    """A Linear, and a seeded Dropout the model holds but only a loss runs (`_dropped`)."""

    def __init__(self):
        super().__init__()
        self.head = nn.Linear(3, 3, dtype=np.float64, seed=0)
        self.drop = nn.Dropout(0.5, seed=1)

    def forward(self, x):
        return self.head(x)


def _dropped(model):
    return lambda out, labels: F.cross_entropy(model.drop(out), labels)


def test_a_dropout_of_the_model_a_loss_runs_draws_nothing_in_the_look():
    """The look ran the model's own Dropout in training mode (only the copy was in eval mode): its draw took the mask
    the first step's would, and fit's weights ended up to 0.0345 from those of a loop of the same step."""
    X, y = np.random.default_rng(0).normal(size=(8, 3)), np.array([0, 1, 2, 0, 1, 2, 0, 1])
    fitted, looped = _Dropped(), _Dropped()
    nn.fit(fitted, _dropped(fitted), nn.SGD(fitted.parameters(), lr=0.1), nn.data.Batches(X, y, 8, shuffle=False),
           val_data=(X, y), verbose=False, metric=None)  # fmt: skip
    opt = nn.SGD(looped.parameters(), lr=0.1)
    _dropped(looped)(looped(Tensor(X)), y).backward()
    opt.step()
    np.testing.assert_array_equal(fitted.head.W.data, looped.head.W.data)
    assert fitted.drop.training


def test_a_module_set_by_its_first_batch_that_a_loss_runs_is_not_set_by_the_look():
    """A loss that runs an ActNorm of the model's own (not the copy's) on validation's examples: the look set it
    from those rows, outputs of the model for them, and noted it set, so that training never set it from its first
    batch, as a loop does."""
    rng = np.random.default_rng(1)
    X, Xv = rng.normal(5, 3, size=(16, 3)), rng.normal(-5, 1, size=(4, 3))
    y, yv = (X[:, 0] > 5).astype(int), np.array([0, 1, 0, 1])

    def make():
        model = nn.Sequential(nn.Linear(3, 2, dtype=np.float64, seed=0))
        model.norm = ActNorm(2)  # run by the loss alone
        return model

    def loss_of(model):
        return lambda out, labels: F.cross_entropy(model.norm(out), labels)

    fitted, looped = make(), make()
    nn.fit(fitted, loss_of(fitted), nn.SGD(fitted.parameters(), lr=0.1), nn.data.Batches(X, y, 8, shuffle=False),
           val_data=(Xv, yv), verbose=False, metric=None)  # fmt: skip
    opt, loss = nn.SGD(looped.parameters(), lr=0.1), loss_of(looped)
    for start in range(0, len(y), 8):
        opt.zero_grad()
        loss(looped(Tensor(X[start : start + 8])), y[start : start + 8]).backward()
        opt.step()
    for a, b in zip(fitted.parameters(), looped.parameters(), strict=True):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-12)

"""`nn.fit`: bad arguments and non-finite losses are refused before anything changes. Ctrl-C:
the first stops after the current step, a second stops at once but never half-way through an
optimizer step, and the History so far is kept. Each test sets the SIGINT handler itself
(pytest may start with SIGINT ignored, as a background job)."""

import math
import os
import signal

import numpy as np
import pytest

import nn
from nn import functional as F


def _linear_run():
    X, y = nn.data.blobs(64, seed=0)
    model = nn.Sequential(nn.Linear(2, 4, seed=0), nn.ReLU(), nn.Linear(4, 3, seed=1))
    return model, (X, y)


def test_ctrl_c_stops_after_the_current_step_and_keeps_the_model(sigint):
    model, data = _linear_run()
    calls = []

    def loss(out, yb):
        calls.append(1)
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGINT)
        return F.cross_entropy(out, yb)

    history = nn.fit(model, loss, nn.SGD(model.parameters(), lr=0.1), data, epochs=5, batch_size=8, verbose=False)
    assert history.interrupted and len(calls) == 3 and len(history.loss) == 0  # the epoch cut short is left out
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_second_ctrl_c_stops_at_once_with_the_history_so_far(sigint):
    model, data = _linear_run()
    epochs_done = []

    def loss(out, yb):
        if len(epochs_done) == 2:
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)
        return F.cross_entropy(out, yb)

    opt = nn.SGD(model.parameters())
    with pytest.raises(KeyboardInterrupt) as caught:
        nn.fit(model, loss, opt, data, epochs=5, verbose=False, callbacks=[lambda e, m, h: epochs_done.append(e)])
    history = caught.value.history
    assert history.interrupted and len(history.loss) == 2
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_second_ctrl_c_during_a_step_lets_the_step_finish(sigint):
    """The second Ctrl-C arrives between the updates of the first and the second parameter."""

    class Interrupted(nn.SGD):
        updates = 0

        def update(self, state, data, grad):
            super().update(state, data, grad)
            Interrupted.updates += 1
            if Interrupted.updates == 1:
                os.kill(os.getpid(), signal.SIGINT)
                os.kill(os.getpid(), signal.SIGINT)

    model, data = _linear_run()
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(KeyboardInterrupt) as caught:
        nn.fit(model, F.cross_entropy, Interrupted(model.parameters(), lr=0.1), data, verbose=False)
    assert Interrupted.updates == 4
    for p, old in zip(model.parameters(), before):
        assert np.allclose(p.data, old - 0.1 * p.grad)
    assert caught.value.history.interrupted and caught.value.history.loss == []


def test_fit_refuses_bad_arguments():
    model, data = _linear_run()
    opt = nn.SGD(model.parameters())
    for kwargs, error, message in [
        ({"epochs": 0}, ValueError, "epochs must be at least 1, got 0"),
        ({"epochs": 2.5}, TypeError, "epochs must be an int, got float 2.5"),
        ({"batch_size": 0}, ValueError, "batch_size must be at least 1, got 0"),
        ({"batch_size": 2.5}, TypeError, "batch_size must be an int, got float 2.5"),
        ({"val_data": (data[0],)}, TypeError, r"val_data must be a pair \(X, y\)"),
    ]:
        with pytest.raises(error, match=message):
            nn.fit(model, F.cross_entropy, opt, data, verbose=False, **kwargs)
    with pytest.raises(TypeError, match="optimizer must be an Optimizer.*got float"):
        nn.fit(model, F.cross_entropy, 0.1, data, verbose=False)
    with pytest.raises(TypeError, match=r"data must be \(X, y\) or Batches"):
        nn.fit(model, F.cross_entropy, opt, data[0], verbose=False)
    with pytest.raises(TypeError, match="the loss returned float"):
        nn.fit(model, lambda out, yb: 0.5, opt, data, verbose=False)
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        nn.predict(model, data[0], batch_size=0)


def test_fit_runs_callbacks_given_as_a_generator_every_epoch():
    model, data = _linear_run()
    seen = []
    callbacks = (f for f in [lambda e, m, h: seen.append(e)])
    nn.fit(model, F.cross_entropy, nn.SGD(model.parameters()), data, epochs=3, verbose=False, callbacks=callbacks)
    assert seen == [1, 2, 3]


def test_fit_stops_on_a_loss_that_is_not_finite_before_its_step():
    model, data = _linear_run()
    calls = []

    def loss(out, yb):
        calls.append(1)
        value = F.cross_entropy(out, yb)
        return value * math.nan if len(calls) == 10 else value

    with pytest.raises(FloatingPointError, match=r"the loss is nan in epoch 2, batch 2") as caught:
        nn.fit(model, loss, nn.SGD(model.parameters()), data, epochs=3, batch_size=8, verbose=False)
    assert len(caught.value.history.loss) == 1
    assert all(np.all(np.isfinite(p.data)) for p in model.parameters())

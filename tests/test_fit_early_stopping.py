"""Ending nn.fit early from a callback: StopTraining, and EarlyStopping as Keras's (its patience, its
min_delta, the best weights put back), refused before training where fit would not record what it
watches."""

import numpy as np
import pytest

import nn
from nn import functional as F

X, Y = nn.data.spirals(200, seed=0)
VAL = nn.data.spirals(100, seed=1)


def _model():
    return nn.Sequential(nn.Linear(2, 32, seed=0), nn.ReLU(), nn.Linear(32, 3, seed=1))


def test_early_stopping_stops_after_its_patience_and_puts_the_best_weights_back():
    model, stopper = _model(), nn.EarlyStopping(patience=3, restore_best_weights=True)
    history = nn.fit(
        model, F.cross_entropy, nn.Adam(model.parameters(), lr=0.05), (X, Y), epochs=200, val_data=VAL,
        callbacks=[stopper], verbose=False,
    )  # fmt: skip
    best = int(np.argmin(history.val_loss))
    assert len(history.loss) == best + 1 + 3 < 200  # three epochs without a better val_loss, then stopped
    assert history.stopped.startswith(f"val_loss has not improved on epoch {best + 1}'s")
    assert nn.evaluate(model, F.cross_entropy, *VAL)[0] == pytest.approx(history.val_loss[best], rel=1e-12)


def test_a_rising_metric_and_min_delta_are_judged_as_keras_judges_them():
    stopper = nn.EarlyStopping(patience=2, min_delta=0.01, monitor="accuracy")
    history = nn.History(accuracy=[0.5], loss=[1.0])
    stopper(1, _model(), history)
    for epoch, accuracy in enumerate([0.505, 0.52], start=2):  # +0.005: no gain beyond min_delta; +0.02: a gain
        history.accuracy.append(accuracy)
        stopper(epoch, _model(), history)
    assert (stopper.best, stopper.best_epoch, stopper.waited) == (0.52, 3, 0)
    history.accuracy += [0.52]
    stopper(4, _model(), history)
    history.accuracy += [0.525]
    with pytest.raises(nn.StopTraining, match="accuracy has not improved on epoch 3's 0.52 by more than 0.01"):
        stopper(5, _model(), history)
    history.accuracy[:] = [0.1]
    stopper(1, _model(), history)  # a new fit's first epoch: counted from there
    assert (stopper.best, stopper.best_epoch, stopper.waited) == (0.1, 1, 0)


def test_a_callback_raising_stop_training_ends_fit_after_that_epoch():
    model = _model()
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    steps = nn.schedulers.StepLR(optimizer, 1, 0.5)

    def enough(epoch, model, history):
        if epoch == 2:
            raise nn.StopTraining("two are enough")

    history = nn.fit(model, F.cross_entropy, optimizer, (X, Y), epochs=5, callbacks=[enough], scheduler=steps,
                     verbose=False)  # fmt: skip
    assert len(history.loss) == 2 and history.stopped == "two are enough" and not history.interrupted
    assert optimizer.lr == pytest.approx(0.025)  # the scheduler stepped after each epoch trained


def test_what_early_stopping_watches_must_be_recorded_refused_before_training():
    model = _model()
    before = {k: v.copy() for k, v in model.state_dict().items()}
    for stopper, fit in [
        (nn.EarlyStopping(monitor="val_loss"), {}),
        (nn.EarlyStopping(monitor="accuracy"), {"metric": None}),
    ]:
        with pytest.raises(ValueError, match="which this fit does not record"):
            nn.fit(model, F.cross_entropy, nn.SGD(model.parameters()), (X, Y), epochs=3, callbacks=[stopper],
                   verbose=False, **fit)  # fmt: skip
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"patience": 0}, ValueError, "patience must be at least 1"),
        ({"patience": 2.0}, TypeError, "patience must be an int"),
        ({"min_delta": -1}, ValueError, "min_delta must be a finite number >= 0"),
        ({"min_delta": "0"}, TypeError, "min_delta must be a finite number >= 0, got str"),
        ({"monitor": "val_acc"}, ValueError, "monitor must be one of 'val_loss', 'loss'"),
        ({"restore_best_weights": 1}, TypeError, "restore_best_weights must be True or False"),
    ],
)
def test_bad_settings_are_refused_naming_them(kwargs, error, message):
    with pytest.raises(error, match=message):
        nn.EarlyStopping(**kwargs)


def test_a_metric_of_ones_own_needs_a_mode_said_before_training():
    """mode "auto" took every metric to rise: a mean absolute error falling 2.48 -> 2.02 -> 1.64 stopped
    fit after three epochs (a review)."""
    X = np.random.default_rng(0).normal(size=(64, 3))
    y = X @ np.array([[1.0], [2.0], [3.0]])

    def mae(out, target):
        return float(np.abs(np.asarray(out.data) - target).mean())

    model = nn.Linear(3, 1, seed=0)
    fit = {"epochs": 30, "val_data": (X, y), "metric": mae, "verbose": False}
    with pytest.raises(ValueError, match="the numbers of the metric mae, which may improve by rising or by falling"):
        nn.fit(model, F.mse_loss, nn.SGD(model.parameters(), lr=0.05), (X, y),
               callbacks=[nn.EarlyStopping(patience=2, monitor="val_accuracy")], **fit)  # fmt: skip
    history = nn.fit(model, F.mse_loss, nn.SGD(model.parameters(), lr=0.05), (X, y),
                     callbacks=[nn.EarlyStopping(patience=2, monitor="val_accuracy", mode="min")], **fit)  # fmt: skip
    assert len(history.loss) == 30 and not history.stopped

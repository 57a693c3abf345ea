"""What nn.fit reports and refuses, from a helper's audit of a user's path: a loss of reduction="sum"
on the scale of its validation loss, a regression's counts refused by accuracy before the first step,
batch_size and seed beside Batches refused (they were ignored), a custom metric shown under its own
name, and Linear's refusal of a number, None or a Value naming it."""

import contextlib
import functools
import io

import numpy as np
import pytest

import nn
from autograd import Value
from nn import functional as F
from nn.train import _took

RNG = np.random.default_rng(0)
X = RNG.normal(size=(100, 4)).astype(np.float32)
Y = RNG.integers(0, 3, 100)


@pytest.mark.parametrize(
    "loss",
    [nn.CrossEntropyLoss(reduction="sum"), functools.partial(F.cross_entropy, reduction="sum"), F.cross_entropy],
    ids=["module, sum", "partial, sum", "mean"],
)
def test_an_epoch_s_loss_is_on_its_validation_loss_s_scale(loss):
    """The batches' sums were averaged (a batch's sum, about a tenth of the set's here) beside val_loss,
    the validation set's sum: 11.6 against 122.0 for the same weights and data."""
    model = nn.Linear(4, 3, seed=0)
    history = nn.fit(model, loss, nn.SGD(model.parameters(), lr=0.0), (X, Y), batch_size=10, val_data=(X, Y),
                     verbose=False)  # fmt: skip
    assert history.loss[0] == pytest.approx(history.val_loss[0], rel=1e-5)


def test_a_regression_s_counts_are_refused_by_accuracy_before_the_first_step():
    """Counts whose first two rows are 0 and 1 passed the probe of the first two rows: fit trained, then
    accuracy raised part-way, the weights changed."""
    y = RNG.poisson(1.0, size=(100, 1)).astype(np.float32)
    y[0], y[1] = 0.0, 1.0
    for labels in (y, np.where(np.arange(100)[:, None] < 50, 1.0, 0.5).astype(np.float32)):  # counts, fractions
        model = nn.Linear(4, 1, seed=0)
        before = model.W.data.copy()
        with pytest.raises(ValueError, match="accuracy"):
            nn.fit(model, F.mse_loss, nn.SGD(model.parameters(), lr=0.1), (X, labels), batch_size=4, verbose=False)
        np.testing.assert_array_equal(model.W.data, before)


def test_batch_size_and_seed_beside_batches_are_refused():
    model = nn.Linear(4, 3, seed=0)
    batches = nn.data.Batches(X, Y, batch_size=32, seed=1)
    for given, words in (
        ({"batch_size": 128}, "batch_size=128"),
        ({"seed": 5}, "seed=5"),
        ({"seed": None}, "seed=None"),
    ):
        with pytest.raises(ValueError, match=f"fit: {words} given with Batches"):
            nn.fit(model, F.cross_entropy, nn.SGD(model.parameters()), batches, verbose=False, **given)
    nn.fit(model, F.cross_entropy, nn.SGD(model.parameters()), batches, batch_size=32, verbose=False)  # theirs


def test_a_custom_metric_is_shown_under_its_own_name():
    def mae(out, y):
        return float(np.abs(out.data.argmax(axis=1) - y).mean())

    model = nn.Linear(4, 3, seed=0)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        history = nn.fit(model, F.cross_entropy, nn.SGD(model.parameters()), (X, Y), val_data=(X, Y), metric=mae)
    assert history.metric == "mae" and ", mae " in printed.getvalue() and ", val_mae " in printed.getvalue()
    assert "accuracy" not in printed.getvalue()


@pytest.mark.parametrize("x", [3.0, None, Value(1.0)], ids=["number", "None", "Value"])
def test_linear_refuses_what_is_no_array_naming_itself(x):
    with pytest.raises(TypeError, match="^Linear takes a Tensor"):
        nn.Linear(3, 2, seed=0)(x)


def test_a_quick_epoch_s_time_is_not_printed_as_zero():
    """An epoch of 100 rows takes milliseconds: its line said "(0.0 s)"."""
    model = nn.Linear(4, 3, seed=0)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        history = nn.fit(model, F.cross_entropy, nn.SGD(model.parameters(), lr=0.1), (X, Y), epochs=1)
    number, unit = printed.getvalue().rsplit("(", 1)[1].removesuffix(")\n").split()
    shown = float(number) * {"s": 1, "ms": 1e-3}[unit]
    assert shown > 0 and shown == pytest.approx(history.seconds[0], rel=0.05)


@pytest.mark.parametrize(
    "seconds, shown", [(4e-5, "0.04 ms"), (0.0342, "34.2 ms"), (0.996, "996 ms"), (0.9996, "1.0 s"), (12.34, "12.3 s")]
)
def test_an_epochs_time_reads_as_a_duration(seconds, shown):
    assert _took(seconds) == shown

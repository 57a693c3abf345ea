"""Gaps a mutation run over nn/train.py found (docs/mutation-testing.md): fit's defaults, printed
lines (flushed), history, messages and progress bar; predict's and evaluate's modes and batches."""

import os
import signal
import sys
import threading
import types

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn import functional as F


class Stdout:
    """Records printed lines and how many times print flushed."""

    def __init__(self):
        self.text, self.flushes = "", 0

    def write(self, s):
        self.text += s

    def flush(self):
        self.flushes += 1


def capture(monkeypatch) -> Stdout:
    """Set in the test itself: pytest puts its own sys.stdout back between fixtures and the test."""
    out = Stdout()
    monkeypatch.setattr(sys, "stdout", out)
    return out


def run(n=33, **kwargs):
    X, y = nn.data.blobs(n, seed=0)
    model = nn.Linear(2, 3, seed=0)
    seen = []

    def loss(out, yb):
        seen.append(yb.copy())
        return F.cross_entropy(out, yb)

    history = nn.fit(model, loss, nn.SGD(model.parameters(), lr=0.1), (X, y), **kwargs)
    return history, seen, y, model


def test_fit_defaults_one_epoch_of_batches_of_32_shuffled_by_seed_0_and_a_flushed_line(monkeypatch):
    stdout = capture(monkeypatch)
    history, seen, y, _ = run()
    assert [len(b) for b in seen] == [32, 1] and len(history.loss) == 1
    assert np.array_equal(seen[0], y[np.random.default_rng(0).permutation(33)[:32]])
    _, seen, y, _ = run(seed=5, verbose=False)
    assert np.array_equal(seen[0], y[np.random.default_rng(5).permutation(33)[:32]])
    line = stdout.text.splitlines()
    assert len(line) == 1 and line[0].startswith(f"epoch 1/1: {history.last()} (") and line[0].endswith((" s)", " ms)"))
    assert stdout.flushes == 1


def test_ctrl_c_prints_a_flushed_line_saying_the_model_keeps_its_weights(monkeypatch, sigint):
    stdout = capture(monkeypatch)
    calls = []

    def loss(out, yb):
        calls.append(1)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGINT)
        return F.cross_entropy(out, yb)

    X, y = nn.data.blobs(32, seed=0)
    model = nn.Linear(2, 3, seed=0)
    history = nn.fit(model, loss, nn.SGD(model.parameters()), (X, y), epochs=3, batch_size=8)
    lines = stdout.text.splitlines()
    assert history.interrupted and len(lines) == 2 and lines[0].startswith("epoch 1/3: loss ")
    assert lines[1] == "stopped by Ctrl-C in epoch 1; the model keeps its last step's weights" and stdout.flushes == 2


def test_history_last():
    full = nn.train.History(loss=[0.5], accuracy=[0.25], val_loss=[0.75], val_accuracy=[1.0])
    assert full.last() == "loss 0.5000, accuracy 0.2500, val_loss 0.7500, val_accuracy 1.0000"
    assert nn.train.History(loss=[2.0, 1.23456]).last() == "loss 1.2346"


def test_fit_records_metric_validation_seconds_and_passes_callbacks_the_model_and_history():
    X, y = nn.data.blobs(24, seed=0)
    model = nn.Linear(2, 3, seed=0)
    got = []
    history = nn.fit(model, F.cross_entropy, nn.SGD(model.parameters()), (X, y), batch_size=8, val_data=(X, y),
                     metric=lambda out, yb: 0.25, verbose=False, callbacks=[lambda *a: got.append(a)])  # fmt: skip
    assert history.accuracy == [0.25] and history.val_accuracy == [0.25]
    assert history.val_loss == [nn.evaluate(model, F.cross_entropy, X, y)[0]] and 0 <= history.seconds[0] < 60
    assert got == [(1, model, history)] and got[0][1] is model and got[0][2] is history


def test_fit_without_a_metric_validates_a_regression_by_its_loss_alone():
    X, y, _, _ = nn.data.linear_regression(20, seed=0)
    model = nn.Linear(1, 1, seed=0)
    history = nn.fit(model, F.mse_loss, nn.SGD(model.parameters()), (X, y), val_data=(X, y), metric=None, verbose=False)
    assert history.accuracy == [] and history.val_accuracy == [] and np.isfinite(history.val_loss[0])


def test_fit_takes_batches_and_refuses_an_empty_dataset():
    X, y = nn.data.blobs(16, seed=0)
    model = nn.Linear(2, 3, seed=0)
    opt = nn.SGD(model.parameters())
    history = nn.fit(model, F.cross_entropy, opt, nn.data.Batches(X, y, 8), epochs=2, verbose=False)
    assert len(history.loss) == 2
    with pytest.raises(ValueError, match="^fit: data has no examples"):  # was an empty History: nothing trained
        nn.fit(model, F.cross_entropy, opt, (X[:0], y[:0]), verbose=False)


def test_fit_runs_in_a_thread_other_than_the_main_one():
    results = []
    thread = threading.Thread(target=lambda: results.append(run(verbose=False)[0]))
    thread.start()
    thread.join()
    assert len(results) == 1 and len(results[0].loss) == 1


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"model": []}, "fit: model must be an nn.Module, got list"),
        ({"loss": "mse"}, "fit: loss must be callable, got str 'mse'"),
        ({"metric": "acc"}, "fit: metric must be callable, got str 'acc'"),
        ({"callbacks": [print, 1]}, "fit: callbacks[1] must be callable, got int 1"),
        ({"data": "xy"}, "fit: data must be (X, y) or Batches, got str"),
        ({"epochs": 1.5}, "fit: epochs must be an int, got float 1.5"),
        ({"epochs": 0}, "fit: epochs must be at least 1, got 0"),
        ({"batch_size": 0}, "fit: batch_size must be at least 1, got 0"),
        ({"val_data": 5}, "fit: val_data must be a pair (X, y), got int"),
    ],
)
def test_fit_names_each_bad_argument(arguments, message):
    model = nn.Linear(2, 3)
    given = {"model": model, "loss": F.cross_entropy, "optimizer": nn.SGD(model.parameters())}
    given["data"] = nn.data.blobs(8, seed=0)
    with pytest.raises((TypeError, ValueError)) as caught:
        nn.fit(**{**given, **arguments}, verbose=False)
    assert str(caught.value) == message


class Recorder(nn.Module):
    def __init__(self):
        self.sizes = []

    def forward(self, x):
        self.sizes.append(len(x.data))
        return x


def test_predict_and_evaluate_run_in_eval_mode_and_restore_train_mode_exactly():
    rec = Recorder()
    assert nn.predict(rec, np.zeros((1025, 2))).shape == (1025, 2) and rec.sizes == [1024, 1]
    assert rec.training is True
    with pytest.raises(ValueError, match="^predict: batch_size must be at least 1, got 0$"):
        nn.predict(rec, np.zeros((2, 2)), batch_size=0)
    assert nn.evaluate(rec, lambda out, y: 0.5, np.zeros((2, 2)), np.zeros(2), metric=None) == (0.5, None)
    assert rec.training is True


def test_predict_gives_an_array_for_micrograd_models_of_several_outputs():
    mlp = nn.MLP(2, [3, 2], seed=0)
    X = np.array([[0.5, -1.0], [1.0, 2.0]])
    expected = [[v.data for v in mlp(list(row))] for row in X.tolist()]
    assert np.allclose(nn.predict(mlp, X), expected)


def fake_tqdm(monkeypatch, calls):
    module = types.ModuleType("tqdm.auto")
    module.tqdm = lambda iterable, **kwargs: (calls.append((iterable, kwargs)), iter(iterable))[1]
    monkeypatch.setitem(sys.modules, "tqdm.auto", module)


@pytest.mark.parametrize(
    "progress, n, shown",
    [(True, 33, False), (None, 200, None), (None, 199, "no bar"), (False, 200, "no bar")],
)
def test_the_progress_bar_is_shown_as_documented(monkeypatch, progress, n, shown):
    calls = []
    fake_tqdm(monkeypatch, calls)
    history = run(n, batch_size=1 if n >= 199 else 32, progress=progress, verbose=False)[0]
    assert len(history.loss) == 1
    if shown == "no bar":
        assert calls == []
    else:
        assert len(calls) == 1 and isinstance(calls[0][0], nn.data.Batches)
        assert calls[0][1] == {"desc": "epoch 1/1", "leave": False, "unit": "batch", "disable": shown}


def test_without_tqdm_a_bar_asked_for_is_an_error_and_a_default_one_is_skipped(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # import fails
    with pytest.raises(ImportError) as caught:
        run(progress=True, verbose=False)
    # chainrule is not on PyPI: "pip install chainrule[progress]" failed; the two installs that work
    assert str(caught.value) == (
        'fit(progress=True): tqdm is missing; pip install tqdm (in chainrule\'s clone: pip install -e ".[progress]")'
    )
    assert len(run(200, batch_size=1, verbose=False)[0].loss) == 1


def test_a_loss_that_is_not_a_node_or_not_finite_says_what_to_do():
    X, y = nn.data.blobs(8, seed=0)
    model = nn.Linear(2, 3)
    opt = nn.SGD(model.parameters())
    with pytest.raises(
        TypeError, match=r"compute it from the model's outputs \(e\.g\. nn\.functional\.cross_entropy\)$"
    ):
        nn.fit(model, lambda out, yb: 1.0, opt, (X, y), verbose=False)
    nan = lambda out, yb: out.sum() * Tensor(np.nan)
    with pytest.raises(
        FloatingPointError,
        match=r"step before\. Lower the learning rate, or find the op with autograd\.detect_anomaly\(\)$",
    ):
        nn.fit(model, nan, opt, (X, y), verbose=False)

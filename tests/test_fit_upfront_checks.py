"""`nn.fit` refuses, before its first step, data it would fail on part-way (labels out of the
model's classes, X it cannot take, values that are not finite), leaving the model untouched; an
exception out of training carries the History of the epochs it finished, each whole; fit,
predict and evaluate give every module back its own training mode."""

import math
import tracemalloc

import numpy as np
import pytest

import nn
from autograd import ShapeError, Tensor
from nn import functional as F


def _data():
    return nn.data.blobs(60, seed=0)  # 3 classes


def _model():
    return nn.Sequential(nn.Linear(2, 4, seed=0), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 3, seed=1))


def _fit(model, data, **kwargs):
    kwargs = {"epochs": 1, "batch_size": 8, "verbose": False, **kwargs}
    return nn.fit(model, kwargs.pop("loss", F.cross_entropy), nn.SGD(model.parameters(), lr=0.1), data, **kwargs)


def _refused(data, error, message, **kwargs):
    """fit raises `error` matching `message`, with every parameter, buffer and mode as before."""
    model = _model()
    model.layers[1].eval()
    before = model.state_dict()
    modes = [m.training for m in model.modules()]
    with pytest.raises(error, match=message) as caught:
        _fit(model, data, **kwargs)
    after = model.state_dict()
    assert all(np.array_equal(before[name], after[name]) for name in before)
    assert [m.training for m in model.modules()] == modes
    assert not hasattr(caught.value, "history")  # refused before training began


def test_val_labels_out_of_the_model_s_classes_are_refused_before_training():
    X, y = _data()
    _refused((X, y), ValueError, "label 7 is not a class", val_data=(X, np.full(60, 7)))


def test_val_examples_of_another_feature_count_are_refused_before_training():
    X, y = _data()
    words = r"validation data \(val_data: X of shape \(60, 3\).*Linear\(2, 4\) takes inputs of 2 features"
    _refused((X, y), ShapeError, words, val_data=(np.ones((60, 3), np.float32), y))


def test_a_training_label_out_of_range_in_the_last_batch_is_refused_before_the_first_step():
    X, y = _data()
    y[-1] = 5
    _refused(nn.data.Batches(X, y, 8, shuffle=False), ValueError, "label 5 is not a class")


@pytest.mark.parametrize("where", ["data's X", "data's y", "val_data's X"])
def test_values_that_are_not_finite_are_refused_naming_the_row(where):
    X, y = _data()
    X_bad, y_float = X.copy(), y.astype(np.float32)
    X_bad[41, 1] = np.nan
    if where == "data's y":  # a regression target
        y_float[41] = np.inf
        data, kwargs = (X, y_float), {"loss": lambda out, t: F.mse_loss(out[:, 0], t), "metric": None}
        shown = "inf"
    else:
        data, kwargs = ((X_bad, y), {}) if where == "data's X" else ((X, y), {"val_data": (X_bad, y)})
        shown = "nan"
    _refused(data, ValueError, f"^fit: {where} holds {shown} in row 41, which would make the loss NaN", **kwargs)


def test_labels_a_loss_takes_outside_the_classes_train_and_in_range_labels_cost_no_extra_loss_call():
    X, y = _data()
    y[::7] = -100  # cross_entropy's ignore_index
    history = _fit(_model(), (X, y), val_data=(X, y), metric=None)
    assert len(history.loss) == 1 and math.isfinite(history.loss[0])
    one_score = nn.Sequential(nn.Linear(2, 1, seed=0))  # a hinge loss on -1/+1 labels
    signs = np.where(y > 0, 1, -1)
    history = _fit(one_score, (X, signs), loss=lambda out, t: F.hinge_loss(out[:, 0], t), metric=None)
    assert len(history.loss) == 1
    calls = []

    def counted(out, t):
        calls.append(len(t))
        return F.cross_entropy(out, t)

    _fit(_model(), _data(), loss=counted)
    assert calls == [8] * 7 + [4]  # the steps' own, no more


def test_a_failing_callback_keeps_the_history_with_the_epoch_it_ran_after():
    def callback(epoch, model, history):
        if epoch == 2:
            raise RuntimeError("callback")

    X, y = _data()
    with pytest.raises(RuntimeError, match="callback") as caught:
        _fit(_model(), (X, y), epochs=3, val_data=(X, y), callbacks=[callback])
    history = caught.value.history
    assert len(history.loss) == len(history.val_loss) == len(history.lr) == len(history.seconds) == 2
    assert not history.interrupted


def test_a_validation_failing_in_epoch_2_keeps_epoch_1_whole():
    X, y = _data()
    X_val, y_val = X[:10], y[:10]
    seen = []

    def metric(out, labels):
        if len(labels) == len(y_val):
            seen.append(1)
            if len(seen) == 2:
                raise RuntimeError("metric")
        return F.accuracy(out, labels)

    model = _model()
    with pytest.raises(RuntimeError, match="metric") as caught:
        _fit(model, (X, y), epochs=3, val_data=(X_val, y_val), metric=metric)
    history = caught.value.history
    lists = [history.loss, history.accuracy, history.val_loss, history.val_accuracy, history.lr, history.seconds]
    assert [len(values) for values in lists] == [1] * 6


def test_predict_evaluate_and_fit_give_each_module_its_own_mode_back():
    X, y = _data()
    model = _model()
    model.train()
    model.layers[1].eval()
    modes = [m.training for m in model.modules()]
    nn.predict(model, X)
    assert [m.training for m in model.modules()] == modes
    nn.evaluate(model, F.cross_entropy, X, y)
    assert [m.training for m in model.modules()] == modes
    seen = []
    _fit(model, (X, y), callbacks=[lambda e, m, h: seen.extend(m.training for m in m.modules())])
    assert seen == [True] * len(modes)  # trained in training mode
    assert [m.training for m in model.modules()] == modes
    model.eval()
    with pytest.raises(RuntimeError):
        _fit(model, (X, y), callbacks=[lambda e, m, h: (_ for _ in ()).throw(RuntimeError("stop"))])
    assert not any(m.training for m in model.modules())


@pytest.mark.filterwarnings("ignore::autograd.CompileWarning")  # a model with buffers trains eagerly
@pytest.mark.parametrize("compile", [False, True])
def test_a_loss_turning_nan_in_batch_3_leaves_batch_norm_s_statistics_as_batch_2_left_them(compile):
    """What a NaN row in X used to show (before such X was refused up front): the buffers a failed
    step's forward changed are put back, eagerly and with compile=True (which trains a model with
    buffers eagerly)."""
    X, y = _data()
    stopped, clean = _model(), _model()
    _fit(clean, nn.data.Batches(X[:16], y[:16], 8, shuffle=False), compile=compile)
    calls = []

    def loss(out, labels):
        calls.append(1)
        return F.cross_entropy(out, labels) * (math.nan if len(calls) == 3 else 1.0)

    with pytest.raises(FloatingPointError, match="epoch 1, batch 3; the model keeps the weights of the step"):
        _fit(stopped, nn.data.Batches(X, y, 8, shuffle=False), loss=loss, compile=compile)
    for (_, b), (_, expected) in zip(stopped.named_buffers(), clean.named_buffers(), strict=True):
        assert np.array_equal(b, expected)
    for p, expected in zip(stopped.parameters(), clean.parameters(), strict=True):
        assert np.array_equal(p.data, expected.data)


def test_an_epochs_metric_and_loss_weigh_each_batch_by_its_size():
    # 100 examples in batches of 32: the last batch of 4 counted as much as a batch of 32 (0.9921875)
    X = np.random.default_rng(0).normal(size=(100, 2))
    y = (X[:, 0] > 0).astype(float).reshape(-1, 1)
    model = nn.Sequential(nn.Linear(2, 1, seed=0), nn.Sigmoid())
    history = nn.fit(
        model, F.binary_cross_entropy, nn.SGD(model.parameters(), lr=0.0), (X, y), batch_size=32, verbose=False
    )
    scores = nn.predict(model, X)
    assert history.accuracy == [np.mean((scores > 0.5) == (y == 1))]
    assert history.loss[0] == pytest.approx(float(F.binary_cross_entropy(Tensor(scores), y).data), rel=1e-12)


def test_a_logits_loss_scores_accuracy_at_logit_0():
    X = np.random.default_rng(1).normal(size=(64, 2))
    y = (X[:, 0] > 0).astype(float).reshape(-1, 1)
    model = nn.Linear(2, 1, seed=0)
    history = nn.fit(
        model, F.binary_cross_entropy_with_logits, nn.SGD(model.parameters(), lr=0.0), (X, y), verbose=False
    )
    assert history.accuracy == [np.mean((nn.predict(model, X) > 0) == (y == 1))]


def test_a_model_that_needs_two_examples_is_checked_on_two():
    # BatchNorm with batch statistics refuses a single example: a check on one row refused the model
    X = np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32)
    y = X.sum(1, keepdims=True)
    model = nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8, track_running_stats=False), nn.ReLU(), nn.Linear(8, 1))
    history = nn.fit(model, F.mse_loss, nn.SGD(model.parameters(), lr=0.01), (X, y), metric=None, verbose=False)
    assert len(history.loss) == 1


def test_a_metric_that_refuses_the_targets_is_found_before_training():
    """accuracy, the default metric, on a regression's targets: it raised after the first step had moved the model."""
    X = np.random.default_rng(0).standard_normal((64, 3)).astype(np.float32)
    y = X @ np.ones((3, 1), np.float32)
    model = nn.Sequential(nn.Linear(3, 1, seed=0))
    before = model.state_dict()
    with pytest.raises(ValueError, match="accuracy") as e:
        nn.fit(model, nn.MSELoss(), nn.SGD(model.parameters(), lr=0.1), (X, y), verbose=False)
    assert "pass metric=None" in str(e.value) and "nothing was trained" in str(e.value)
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())
    nn.fit(model, nn.MSELoss(), nn.SGD(model.parameters(), lr=0.1), (X, y), verbose=False, metric=None)


def test_parameter_groups_and_parameters_mixed_are_refused_naming_the_fix():
    model = _model()
    first, *rest = model.parameters()
    with pytest.raises(TypeError, match=r"got parameters and a parameter group .* mixed: give every group as a dict"):
        nn.SGD([{"params": [first], "lr": 0.1}, *rest], lr=0.01)


class _Bag(nn.Module):
    """An Embedding whose max_norm scales the rows it looks up in place, in every mode (PyTorch's), and a head."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(4, 2, max_norm=1.0, dtype=np.float64, seed=0)
        self.emb.weight.data[:] = [[3.0, 0.0], [0.0, 3.0], [2.0, 2.0], [4.0, 3.0]]  # every row's norm above 1
        self.head = nn.Linear(2, 3, dtype=np.float64, seed=1)

    def forward(self, x):
        return self.head(self.emb(x).mean(axis=1))


def test_the_checks_before_training_leave_rows_that_max_norm_would_scale_as_they_were():
    """fit runs the model on a few examples before training (X[3] holds the highest label), and their look-up scaled
    row 3 down to norm 1 in place: the first step's weight decay then shrank it to 0.99, where a loop of the same
    steps (and PyTorch's) looks it up first in the second batch, after that decay, and scales it to norm 1 there
    (0.769, 0.584 against the loop's 0.777, 0.590)."""
    X, y = np.array([[0, 1], [1, 0], [2, 2], [3, 3]]), np.array([0, 1, 0, 2])
    fitted, looped = _Bag(), _Bag()
    nn.fit(fitted, F.cross_entropy, nn.SGD(fitted.parameters(), lr=0.1, weight_decay=0.1),
           nn.data.Batches(X, y, 2, shuffle=False), verbose=False, metric=None)  # fmt: skip
    opt = nn.SGD(looped.parameters(), lr=0.1, weight_decay=0.1)
    for rows in (slice(0, 2), slice(2, 4)):
        opt.zero_grad()
        F.cross_entropy(looped(X[rows]), y[rows]).backward()
        opt.step()
    np.testing.assert_array_equal(fitted.emb.weight.data, looped.emb.weight.data)
    np.testing.assert_array_equal(fitted.head.W.data, looped.head.W.data)


def test_a_refusal_of_the_checks_leaves_the_rows_max_norm_scaled_as_they_were():
    """The check of examples refuses label 7 of a model of 3 classes after the model looked up row 3 (norm 5):
    the refusal leaves the row (4, 3), not the (0.8, 0.6) max_norm scaled it to, as "nothing was trained" says."""
    X, y = np.array([[0, 1], [1, 0], [2, 2], [3, 3]]), np.array([0, 1, 0, 7])
    model = _Bag()
    before = model.emb.weight.data.copy()
    with pytest.raises(ValueError, match="nothing was trained"):
        nn.fit(model, F.cross_entropy, nn.SGD(model.parameters(), lr=0.1), nn.data.Batches(X, y, 2, shuffle=False),
               verbose=False, metric=None)  # fmt: skip
    np.testing.assert_array_equal(model.emb.weight.data, before)


def test_the_checks_before_training_hold_one_copy_of_the_parameters():
    """The look at examples keeps one copy of the parameters to put back, and no more: a frozen 1000x1000 float32
    layer (4 MB) under a head trained on 8 examples peaked at 3.98 times its size in fit (the copy, then
    np.array_equal(equal_nan=True)'s masks and its two copies of the values that are not NaN, compared before
    writing back), where the training adds next to nothing."""
    body, head = nn.Linear(1000, 1000, dtype=np.float32, seed=0), nn.Linear(1000, 3, dtype=np.float32, seed=1)
    body.W.requires_grad = body.b.requires_grad = False
    model = nn.Sequential(body, head)
    X, y = np.random.default_rng(0).normal(size=(8, 1000)).astype(np.float32), np.arange(8) % 3
    size = sum(p.data.nbytes for p in model.parameters())
    tracemalloc.start()
    nn.fit(model, F.cross_entropy, nn.SGD(head.parameters(), lr=0.1), (X, y), batch_size=8, verbose=False)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak <= 1.5 * size, peak / size

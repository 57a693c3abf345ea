"""nn.fit and nn.evaluate after the training-loop audit: accuracy's threshold follows a loss of logits
however it is given; a batch of one that BatchNorm refuses, a metric that is not one finite number and
labels that are not numbers are refused before the first step; a Ctrl-C leaves its unfinished epoch out
of the History; an IDX header no array can have is an IDXError."""

import functools
import os
import signal
import struct

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn import functional as F
from nn.idx import IDXError, read_idx


def _moons():
    X, y = nn.data.moons(200, seed=0)
    return X, y.reshape(-1, 1).astype(float)


def _logit_model():
    return nn.Sequential(nn.Linear(2, 16, seed=0), nn.Tanh(), nn.Linear(16, 1, seed=1))


@pytest.mark.parametrize(
    "loss",
    [nn.BCEWithLogitsLoss(), F.binary_cross_entropy_with_logits, functools.partial(nn.BCEWithLogitsLoss())],
    ids=["module", "function", "partial of the module"],
)
def test_a_logits_loss_scores_accuracy_at_logit_0_in_fit_and_evaluate(loss):
    X, y = _moons()
    model = _logit_model()
    history = nn.fit(model, loss, nn.SGD(model.parameters(), lr=0.1), (X, y), epochs=3, batch_size=200,
                     val_data=(X, y), verbose=False)  # fmt: skip
    truth = float(np.mean((nn.predict(model, X) > 0) == (y == 1)))
    assert history.val_accuracy[-1] == truth == nn.evaluate(model, loss, X, y)[1]


def test_evaluate_scores_probabilities_at_one_half():
    X, y = _moons()
    model = nn.Sequential(_logit_model(), nn.Sigmoid())
    truth = float(np.mean((nn.predict(model, X) > 0.5) == (y == 1)))
    assert nn.evaluate(model, F.binary_cross_entropy, X, y)[1] == truth


@pytest.mark.parametrize("label", [0.0, 1.0])
def test_labels_of_one_class_keep_the_logits_threshold(label):
    metric = F.accuracy_for(np.full(10, label), logits=True)
    scores = np.array([-1.0, 0.25, 0.75])  # 0.25: above a logit's 0, below a probability's 0.5
    assert metric(scores, np.full(3, label)) == np.mean((scores > 0) == (label == 1))


def test_labels_all_1_without_a_known_loss_are_refused_before_training():
    X, _ = _moons()
    model = nn.Linear(2, 1, seed=0)
    model.b.data[...] = 5.0  # scores far above both thresholds at first: only later steps could bring one between
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(ValueError, match="labels are all 1") as caught:
        nn.fit(model, lambda out, t: F.binary_cross_entropy_with_logits(out, t), nn.SGD(model.parameters(), lr=0.5),
               (X, np.ones((200, 1))), verbose=False)  # fmt: skip
    assert "before training: nothing was trained" in str(caught.value)
    assert all(np.array_equal(p.data, b) for p, b in zip(model.parameters(), before))


def _batchnorm_model():
    return nn.Sequential(nn.Linear(2, 4, seed=0), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 3, seed=1))


def test_a_last_batch_of_one_through_batchnorm_is_refused_before_training():
    X, y = nn.data.spirals(33, seed=0)
    model = _batchnorm_model()
    before = {name: np.array(value) for name, value in model.state_dict().items()}
    with pytest.raises(ValueError, match=r"batch_size=32 makes a batch of one .* one of \[30, 31, 33\]"):
        nn.fit(model, F.cross_entropy, nn.SGD(model.parameters(), lr=0.1), (X, y), batch_size=32, verbose=False)
    assert all(np.array_equal(value, before[name]) for name, value in model.state_dict().items())
    assert all(m.training for m in model.modules())


def test_batches_that_drop_the_last_batch_of_one_train_through_batchnorm():
    """The refusal above names the way out PyTorch's DataLoader offers: Batches(..., drop_last=True)."""
    X, y = nn.data.spirals(33, seed=0)
    model = _batchnorm_model()
    with pytest.raises(ValueError, match=r"Batches\(\.\.\., drop_last=True\) drops the last batch"):
        nn.fit(model, F.cross_entropy, nn.SGD(model.parameters(), lr=0.1), (X, y), batch_size=32, verbose=False)
    batches = nn.data.Batches(X, y, batch_size=32, drop_last=True)
    history = nn.fit(model, F.cross_entropy, nn.SGD(model.parameters(), lr=0.1), batches, epochs=2, verbose=False)
    assert len(batches) == 1 and len(history.loss) == 2 and np.isfinite(history.loss).all()


def test_a_batch_of_one_is_refused_only_where_batchnorm_refuses_it():
    X = np.random.default_rng(0).normal(size=(3, 1, 4, 4))
    y = np.array([0, 1, 0])
    model = nn.Sequential(nn.Conv2d(1, 2, 3, seed=0), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 2, seed=1))
    history = nn.fit(model, F.cross_entropy, nn.SGD(model.parameters(), lr=0.1), (X, y), batch_size=2, verbose=False)
    assert len(history.loss) == 1  # a 2 x 2 map per channel: a batch of one has four values to normalise


def test_ctrl_c_leaves_the_unfinished_epoch_out_without_scheduler_or_callbacks(sigint):
    X, y = nn.data.spirals(64, seed=0)  # 4 batches of 16
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    scheduler = nn.schedulers.StepLR(optimizer, 1, 0.5)
    steps, epochs_called = [], []

    def loss(out, t):
        steps.append(model.training)  # validation's calls too, in eval mode
        if model.training and sum(steps) == 7:  # epoch 2, batch 3
            os.kill(os.getpid(), signal.SIGINT)
        return F.cross_entropy(out, t)

    history = nn.fit(model, loss, optimizer, (X, y), epochs=5, batch_size=16, val_data=(X, y), verbose=False,
                     scheduler=scheduler, callbacks=[lambda e, m, h: epochs_called.append(e)])  # fmt: skip
    assert history.interrupted and sum(steps) == 7 and epochs_called == [1]
    assert [len(getattr(history, k)) for k in ("loss", "accuracy", "val_loss", "val_accuracy", "lr")] == [1] * 5
    assert optimizer.lr == 0.05 and scheduler.state_dict()["last_epoch"] == 1


@pytest.mark.parametrize(
    "result, error",
    [(None, TypeError), (np.array([0.5, 0.5]), TypeError), ("0.5", TypeError), (float("nan"), ValueError)],
    ids=["None", "array", "str", "nan"],
)
def test_a_metric_that_is_not_one_finite_number_is_refused_before_training(result, error):
    X, y = nn.data.spirals(20, seed=0)
    model = nn.Linear(2, 3, seed=0)
    before = model.W.data.copy()

    def my_metric(out, t):
        return result

    with pytest.raises(error, match="the metric .*my_metric returned"):
        nn.fit(model, F.cross_entropy, nn.SGD(model.parameters(), lr=0.1), (X, y), verbose=False, metric=my_metric)
    assert np.array_equal(model.W.data, before)


def test_a_metric_of_one_number_in_a_tensor_or_0d_array_is_taken():
    X, y = nn.data.spirals(20, seed=0)
    model = nn.Linear(2, 3, seed=0)
    history = nn.fit(model, F.cross_entropy, nn.SGD(model.parameters()), (X, y), verbose=False,
                     metric=lambda out, t: Tensor(np.array(0.25)), val_data=(X, y))  # fmt: skip
    assert history.accuracy == [0.25] and history.val_accuracy == [0.25]


def test_a_metric_failing_in_validation_leaves_the_history_of_one_length():
    X, y = nn.data.spirals(20, seed=0)
    model = nn.Linear(2, 3, seed=0)
    calls = []

    def metric(out, t):
        calls.append(1)
        return 0.5 if len(calls) != 6 else None  # 2 checks, 2 batches of epoch 1, its validation, then epoch 2's

    with pytest.raises(TypeError, match="returned NoneType") as caught:
        nn.fit(model, F.cross_entropy, nn.SGD(model.parameters()), (X, y), epochs=2, val_data=(X, y),
               verbose=False, metric=metric)  # fmt: skip
    history = caught.value.history
    lengths = {len(getattr(history, k)) for k in ("loss", "accuracy", "val_loss", "val_accuracy", "seconds", "lr")}
    assert lengths == {1}


def test_the_default_metric_on_an_ignore_index_names_it():
    X, y = nn.data.spirals(20, seed=0)
    y[::7] = -100
    model = nn.Linear(2, 3, seed=0)
    with pytest.raises(ValueError) as caught:
        nn.fit(model, F.cross_entropy, nn.SGD(model.parameters()), (X, y), verbose=False)
    assert "-100" in str(caught.value) and "ignore_index" in str(caught.value)


def test_string_labels_are_refused_naming_their_dtype():
    X, y = nn.data.spirals(4, seed=0)
    model = nn.Linear(2, 3, seed=0)
    with pytest.raises(TypeError, match="data's labels are of dtype <U21, not numbers"):
        nn.fit(model, F.cross_entropy, nn.SGD(model.parameters()), (X, y.astype(str)), verbose=False)


def test_an_idx_header_no_array_can_have_is_an_idx_error(tmp_path):
    path = tmp_path / "huge.idx"
    path.write_bytes(b"\0\0\x08\x03" + struct.pack(">3I", 0, 2**32 - 1, 2**32 - 1))
    with pytest.raises(IDXError, match=r"huge.idx: the header says shape \(0, 4294967295, 4294967295\)"):
        read_idx(path)


def test_evaluate_scores_the_probabilities_of_labels_all_1_at_one_half():
    """binary_cross_entropy says its scores are probabilities: labels all 1 (the positives of a test
    set) need no threshold from the labels (a review found nn.evaluate refusing them)."""
    m = nn.Sequential(nn.Linear(2, 1, seed=0), nn.Sigmoid())
    m.parameters()[1].data[...] = 3.0  # every score 0.95
    X, y = np.zeros((5, 2), np.float32), np.ones((5, 1), np.float32)
    assert nn.evaluate(m, F.binary_cross_entropy, X, y)[1] == 1.0
    m.parameters()[1].data[...] = -0.5  # every score 0.38: below 0.5, above 0
    assert nn.evaluate(m, nn.BCELoss(), X, y)[1] == 0.0


@pytest.mark.parametrize("value", [True, np.bool_(False), 0.5, np.float32(0.25), np.array(0.75), 3])
def test_a_metric_of_a_bool_or_any_real_number_is_taken(value):
    from nn.train_numbers import metric_number

    assert metric_number("fit", len, value, "a test") == float(value)

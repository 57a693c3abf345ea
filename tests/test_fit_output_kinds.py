"""fit warns, once and before training, of a model whose outputs are not what its loss takes: a Softmax at the end
before cross_entropy (which takes logits: MNIST's test accuracy 0.879 where the logits reach 0.896, without a word;
the loss cannot go below -log(e / (e + C - 1)), 0.55 for spirals' 3 classes) or nll_loss (which takes
log-probabilities: its loss went to -0.36), logits before nll_loss, a Sigmoid before
binary_cross_entropy_with_logits. Outputs that are what the loss takes are not warned of."""

import functools
import warnings

import numpy as np
import pytest

import nn
from nn import functional as F

X, Y = nn.data.spirals(60, n_classes=3, seed=0)


def _fit(model: nn.Module, loss, y=Y, **options) -> list[str]:
    """The messages of fit's warnings of the model's outputs, from one epoch."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nn.fit(model, loss, nn.SGD(model.parameters(), lr=0.1), (X, y), verbose=False, **options)
    return [str(w.message) for w in caught if str(w.message).startswith("fit: the model")]


def _scores(*end: nn.Module) -> nn.Module:
    return nn.Sequential(nn.Linear(2, 8, seed=0), nn.ReLU(), nn.Linear(8, 3, seed=1), *end)


@pytest.mark.parametrize(
    "loss", [F.cross_entropy, nn.CrossEntropyLoss(), functools.partial(F.cross_entropy, label_smoothing=0.1)]
)
def test_a_softmax_before_cross_entropy_is_warned_of_once(loss) -> None:
    said = _fit(_scores(nn.Softmax(dim=1)), loss, val_data=(X, Y))
    assert len(said) == 1 and "cross_entropy takes logits" in said[0] and "drop the Softmax" in said[0]


def test_a_softmax_before_nll_loss_is_warned_of() -> None:
    (said,) = _fit(_scores(nn.Softmax(dim=1)), nn.NLLLoss())
    assert "nll_loss takes log-probabilities" in said and "LogSoftmax" in said


def test_a_softmax_before_kl_div_is_warned_of() -> None:
    """kl_div takes log-probabilities as its input: a Softmax's trained to a loss of -0.16 (LogSoftmax's 0.29)."""
    (said,) = _fit(_scores(nn.Softmax(dim=1)), F.kl_div, y=np.eye(3, dtype=np.float32)[Y], metric=None)
    assert "kl_div takes log-probabilities" in said and "LogSoftmax" in said


def test_logits_before_nll_loss_are_warned_of() -> None:
    (said,) = _fit(_scores(), F.nll_loss)
    assert "not log-probabilities" in said and "LogSoftmax" in said


def test_a_sigmoid_before_a_loss_with_logits_is_warned_of() -> None:
    model = nn.Sequential(nn.Linear(2, 1, seed=0), nn.Sigmoid())
    (said,) = _fit(model, F.binary_cross_entropy_with_logits, y=(Y == 1).astype(np.float32).reshape(-1, 1), metric=None)
    assert "ends in a Sigmoid" in said and "drop the Sigmoid" in said


@pytest.mark.parametrize(
    ("end", "loss"),
    [
        ((), F.cross_entropy),
        ((nn.LogSoftmax(dim=1),), F.nll_loss),
        ((nn.LogSoftmax(dim=1),), F.cross_entropy),
        ((nn.LogSoftmax(dim=1),), F.kl_div),
    ],
    ids=["logits, cross_entropy", "LogSoftmax, nll_loss", "LogSoftmax, cross_entropy (the same loss)", "kl_div"],
)
def test_outputs_the_loss_takes_are_not_warned_of(end, loss) -> None:
    y, options = (np.eye(3, dtype=np.float32)[Y], {"metric": None}) if loss is F.kl_div else (Y, {})
    assert _fit(_scores(*end), loss, y=y, **options) == []


@pytest.mark.parametrize("classes", [1000, 5000])
def test_a_zero_initialised_head_of_many_classes_is_no_softmax(classes) -> None:
    """Logits all 0 (a head initialised to zeros) sum to 0, not 1: the rows' slack grew with the classes (1e-3
    each), so that from 1,000 classes their sum of 0 passed for probabilities and fit warned of a Softmax."""
    model = nn.Sequential(nn.Linear(2, classes, seed=0))
    nn.init.zeros_(model.layers[0].W)
    assert _fit(model, F.cross_entropy) == []


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_a_softmax_of_many_classes_in_any_float_is_still_told(dtype) -> None:
    model = nn.Sequential(nn.Linear(2, 1000, seed=0, init="xavier"), nn.Softmax(dim=1)).to(dtype)
    (said,) = _fit(model, F.cross_entropy, metric=None) if dtype == np.float16 else _fit(model, F.cross_entropy)
    assert "cross_entropy takes logits" in said

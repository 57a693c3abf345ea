"""A rule whose form changes with the op's options is drawn for the call made: cross_entropy's with
reduction='sum' read "(softmax − one hot) / rows kept" beside a gradient not divided by the rows, and
weight= and label_smoothing= left their factors out. The op table writes such rules in segments
⟨conditions: text⟩ (OpDef.formulas); every condition names a parameter of the op's function."""

import inspect
import re

import numpy as np
import pytest

import autograd
from autograd import Tensor
from autograd.op_table import TABLE
from viz.rules import as_called

LABELS = np.array([0, 1, 2, 3, 1])
WEIGHT = np.array([0.5, 2.0, 1.0, 1.5])


def _rule(loss, **options):
    out = loss(Tensor(np.ones((5, 4)), requires_grad=True), LABELS, **options)
    return as_called(out.op.formulas[0], out)


@pytest.mark.parametrize(
    ("options", "rule"),
    [
        ({}, "∂CE/∂logits = (softmax − one hot) / rows kept"),
        ({"reduction": "sum"}, "∂CE/∂logits = (softmax − one hot)"),
        ({"weight": WEIGHT}, "∂CE/∂logits = w_y·(softmax − one hot) / Σ w_y of the rows kept"),
        (
            {"label_smoothing": 0.1, "reduction": "sum"},
            "∂CE/∂logits = (softmax − (1 − ε)·one hot − ε/classes) (ε = label_smoothing)",
        ),
        (
            {"label_smoothing": 0.1, "weight": WEIGHT},
            "∂CE/∂logits = ((1 − ε)·w_y·(softmax − one hot) + ε/classes·Σ_c w_c·(softmax − one hot of c))"
            " / Σ w_y of the rows kept (ε = label_smoothing)",
        ),
    ],
)
def test_cross_entropys_rule_is_the_calls(options, rule):
    assert _rule(autograd.cross_entropy, **options) == rule


def test_ignored_rows_are_told_only_where_a_row_can_be_ignored():
    """Before: every call read "...; 0 on ignored rows", with no ignore_index to ignore a row by."""
    assert _rule(autograd.cross_entropy, ignore_index=0).endswith("/ rows kept; 0 on ignored rows")
    assert "ignored" not in _rule(autograd.cross_entropy)
    assert _rule(autograd.nll_loss, ignore_index=0).endswith("0 elsewhere and on ignored rows")
    assert _rule(autograd.nll_loss).endswith("at each row's label y; 0 elsewhere")


def test_nll_losss_rule_is_the_calls():
    assert _rule(autograd.nll_loss).startswith("∂NLL/∂log p = −1 / rows kept at each row's label y")
    assert _rule(autograd.nll_loss, reduction="sum").startswith("∂NLL/∂log p = −1 at each row's label y")
    assert _rule(autograd.nll_loss, weight=WEIGHT).startswith("∂NLL/∂log p = −w_y / Σ w_y of the rows kept at")


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_the_rule_as_drawn_computes_the_gradient(reduction, weighted, smoothing):
    """What the drawn text says, computed by hand, is the gradient backward gives."""
    x = np.random.default_rng(0).standard_normal((5, 4))
    t = Tensor(x, requires_grad=True)
    options = {"reduction": reduction, "label_smoothing": smoothing} | ({"weight": WEIGHT} if weighted else {})
    autograd.cross_entropy(t, LABELS, **options).backward()
    softmax, one_hot = np.exp(x) / np.exp(x).sum(1, keepdims=True), np.eye(4)[LABELS]
    w = WEIGHT if weighted else np.ones(4)
    eps, w_y = smoothing, w[LABELS][:, None]
    by_hand = (1 - eps) * w_y * (softmax - one_hot) + eps / 4 * sum(w[c] * (softmax - np.eye(4)[c]) for c in range(4))
    np.testing.assert_allclose(t.grad, by_hand / (w_y.sum() if reduction == "mean" else 1), rtol=1e-12, atol=1e-15)


def test_every_segments_conditions_name_a_parameter_of_the_op():
    for d in TABLE:
        for formula in d.formulas:
            for conditions in re.findall(r"⟨([^:⟨⟩]+):", formula):
                function = getattr(autograd, d.name)
                names = inspect.signature(function).parameters
                for condition in conditions.split(", "):
                    assert condition.lstrip("!").partition("=")[0] in names, (d.name, condition)

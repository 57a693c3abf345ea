"""A step of fit that fails leaves the model as the step before left it, the rows Embedding's max_norm scaled in its
forward included: they stayed scaled (row 3 of norm 5 left at norm 1, [0.8, 0.6] for [4, 3]) where fit said "the
model keeps the weights of the step before". They are noted as max_norm scales them and put back, eager or compiled
(a step through max_norm runs eagerly), as BatchNorm's running statistics are."""

import numpy as np
import pytest
from test_fit_looks_at_a_copy import _ReadOnlyScales
from test_fit_upfront_checks import _Bag

import nn
from nn import functional as F

X, Y = np.array([[0, 1], [0, 1], [2, 3], [3, 2]]), np.array([0, 1, 2, 0])


def _nan_on_call(call):
    """cross_entropy, NaN on its `call`-th call (a step of fit's: its look at the examples before training computes
    no training loss here)."""
    calls = []

    def loss(out, labels):
        calls.append(1)
        value = F.cross_entropy(out, labels)
        return value * np.nan if len(calls) == call else value

    return loss


def _gradient_nan_on_step(step):
    """cross_entropy whose `step`-th backward gives the embedding's rows a NaN gradient: the optimizer refuses it."""
    calls = []

    def loss(out, labels):
        calls.append(1)
        value = F.cross_entropy(out, labels)
        return value + ((out * 0).sum().sqrt() if len(calls) == step else 0)  # 0, whose sqrt's slope is inf

    return loss


@pytest.mark.parametrize("compile", [False, True], ids=["eager", "compiled"])
@pytest.mark.parametrize(
    ("fails", "said"),
    [(_nan_on_call, "the loss is nan in epoch 1, batch 2"), (_gradient_nan_on_step, "in epoch 1, batch 2 the loss")],
    ids=["loss NaN", "gradient NaN"],
)
@pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::autograd.CompileWarning")
def test_a_failed_step_puts_back_the_rows_max_norm_scaled(compile, fails, said):
    model = _Bag()
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    after_first = {}
    step = optimizer.step

    def kept_step(*args, **kwargs):
        result = step(*args, **kwargs)
        after_first.setdefault("weight", model.emb.weight.data.copy())
        return result

    optimizer.step = kept_step
    batches = nn.data.Batches(X, Y, 2, shuffle=False)
    with pytest.raises(FloatingPointError, match=said):
        nn.fit(model, fails(2), optimizer, batches, verbose=False, metric=None, compile=compile)
    assert np.linalg.norm(after_first["weight"][2:], axis=1) == pytest.approx([8**0.5, 5])  # not looked up yet
    np.testing.assert_array_equal(model.emb.weight.data, after_first["weight"])


@pytest.mark.parametrize("compile", [False, True], ids=["eager", "compiled"])
@pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::autograd.CompileWarning")
def test_rows_a_loss_scales_are_put_back_too(compile):
    """A loss may look rows up itself (class centres in an Embedding of the model's, by label): the eager step noted
    the rows of the forward alone, so a failed step left the loss's scaled (centre 2 of norm 5 left at norm 1)
    where the compiled step, whose loss is recorded with its forward, put them back."""
    model = _Bag()
    model.centres = nn.Embedding(3, 3, max_norm=1.0)
    model.centres.weight.data[...] = [[0.6, 0.8, 0], [0, 0.6, 0.8], [3, 4, 0]]
    calls = []

    def loss(out, labels):
        calls.append(1)
        value = F.cross_entropy(out, labels) + ((out - model.centres(labels)) ** 2).mean()
        return value * np.nan if len(calls) == 2 else value

    before = model.centres.weight.data.copy()
    batches = nn.data.Batches(X, Y, 2, shuffle=False)  # labels 0 and 1 first, 2 in the second batch
    with pytest.raises(FloatingPointError, match="the loss is nan in epoch 1, batch 2"):
        nn.fit(model, loss, nn.SGD(model.parameters(), lr=0.0), batches, verbose=False, metric=None, compile=compile)
    np.testing.assert_array_equal(model.centres.weight.data, before)


def test_a_failed_step_of_a_model_with_a_read_only_buffer_says_why_it_failed():
    """The put-back wrote each buffer's values into it: into a read-only one it raised "assignment destination is
    read-only", which hid the step's own error (the loss NaN in batch 2)."""
    X3, y3 = np.random.default_rng(0).normal(size=(8, 3)), np.array([0, 1, 2, 0, 1, 2, 0, 1])
    model = _ReadOnlyScales()
    with pytest.raises(FloatingPointError, match="the loss is nan in epoch 1, batch 2"):
        nn.fit(model, _nan_on_call(2), nn.SGD(model.parameters(), lr=0.1), nn.data.Batches(X3, y3, 4, shuffle=False),
               verbose=False, metric=None)  # fmt: skip

"""The binary cross-entropies' weights under autograd.compile: a number (weight=2.0, pos_weight=3.0), a constant
Tensor held by the caller, and an array argument changing on every call each replay eager's numbers, bit for
bit. Before, each ran eagerly on every call with a CompileWarning: a number was validated as a 0-d array made
anew on each call, logits' missing pos_weight was a 1.0 operand made anew beside nn's check of the held
Tensor's numbers, and an array of the predictions' dtype was copied on each call."""

import warnings

import numpy as np
import pytest
from compile_faithful_cases import check_replayed, count_replays

import nn
from autograd import Tensor
from nn import functional as F

_RNG = np.random.default_rng(5)
CALLS = 8
XS = [_RNG.standard_normal((6, 3)).astype(np.float32) for _ in range(CALLS)]
TS = [_RNG.integers(0, 2, (6, 1)).astype(np.float32) for _ in range(CALLS)]
WS = [_RNG.random((6, 1)).astype(np.float32) for _ in range(CALLS)]  # a weight per element, new on each call


def _trained(compile, loss_of, change=lambda: None, weights=WS):
    """Eight SGD steps of a float32 Linear on loss_of(out, t, w), `change` made before the fifth:
    each call's loss and every parameter after it."""
    model = nn.Linear(3, 1, seed=0)
    opt = nn.SGD(model.parameters(), lr=0.2)

    def step(x, t, w):
        opt.zero_grad()
        loss = loss_of(model(x), t, w)
        loss.backward()
        opt.step()
        return loss.item()

    run, out = compile(step), []
    for i, (x, t, w) in enumerate(zip(XS, TS, weights)):
        if i == CALLS // 2:
            change()
        out.append((run(x, t, w), [p.data.copy() for p in model.parameters()]))
    return out


NUMBER_FORMS = {
    "bce weight=2.0": lambda: lambda out, t, w: F.binary_cross_entropy(out.sigmoid(), t, weight=2.0),
    "logits weight=2.0": lambda: lambda out, t, w: F.binary_cross_entropy_with_logits(out, t, weight=2.0),
    "logits pos_weight=3.0": lambda: lambda out, t, w: F.binary_cross_entropy_with_logits(out, t, pos_weight=3.0),
    "BCELoss(weight=2.0)": lambda: (lambda loss: lambda out, t, w: loss(out.sigmoid(), t))(nn.BCELoss(weight=2.0)),
    "BCEWithLogitsLoss(pos_weight=3.0)": lambda: (lambda loss: lambda out, t, w: loss(out, t))(
        nn.BCEWithLogitsLoss(pos_weight=3.0)
    ),
}


@pytest.mark.parametrize("form", NUMBER_FORMS)
def test_a_number_weight_replays(form, monkeypatch):
    check_replayed(lambda compile: _trained(compile, NUMBER_FORMS[form]()), monkeypatch, replays_at_least=4)


SETTING_CHANGES = {
    "weight": (nn.BCELoss, lambda loss: lambda out, t, w: loss(out.sigmoid(), t)),
    "pos_weight": (nn.BCEWithLogitsLoss, lambda loss: lambda out, t, w: loss(out, t)),
}


@pytest.mark.parametrize("option", SETTING_CHANGES)
def test_a_number_weight_changed_between_calls_records_again(option, monkeypatch):
    """A module's weight set from 2.0 to 3.0 after four calls: recorded again and replayed, never stale."""
    module, loss_of = SETTING_CHANGES[option]

    def scenario(compile):
        loss = module(**{option: 2.0})
        return _trained(compile, loss_of(loss), change=lambda: setattr(loss, option, 3.0))

    check_replayed(scenario, monkeypatch, replays_at_least=4)
    unchanged = _trained(lambda f: f, loss_of(module(**{option: 2.0})))
    assert scenario(lambda f: f)[-1][0] != unchanged[-1][0]  # the change matters to the numbers


@pytest.mark.parametrize("module", [False, True])
def test_logits_weighted_by_a_held_constant_tensor_replay_its_numbers_live(module, monkeypatch):
    """A constant Tensor of weights made once, changed in place after four calls: replayed as eager."""

    def scenario(compile):
        held = Tensor(np.linspace(0.5, 2.0, 6, dtype=np.float32).reshape(6, 1))
        loss = nn.BCEWithLogitsLoss(weight=held) if module else None

        def loss_of(out, t, w):
            return loss(out, t) if module else F.binary_cross_entropy_with_logits(out, t, weight=held)

        return _trained(compile, loss_of, change=lambda: held.data.__setitem__(slice(None), 3.0))

    check_replayed(scenario, monkeypatch, replays_at_least=4)


WEIGHT_ARGUMENTS = {
    "bce weight": lambda out, t, w: F.binary_cross_entropy(out.sigmoid(), t, weight=w),
    "logits weight": lambda out, t, w: F.binary_cross_entropy_with_logits(out, t, weight=w),
    "logits pos_weight": lambda out, t, w: F.binary_cross_entropy_with_logits(out, t, pos_weight=w),
    # torch 2.13's weight per element, the mean over the weights' sum (mse_loss, l1_loss) or the count (huber_loss)
    "mse weight": lambda out, t, w: F.mse_loss(out, t, weight=w),
    "l1 weight": lambda out, t, w: F.l1_loss(out, t, weight=w),
    "huber weight": lambda out, t, w: F.huber_loss(out, t, weight=w),
}


@pytest.mark.parametrize("form", WEIGHT_ARGUMENTS)
def test_weights_given_to_the_step_replay_each_calls_own(form, monkeypatch):
    check_replayed(lambda compile: _trained(compile, WEIGHT_ARGUMENTS[form]), monkeypatch, replays_at_least=4)
    same_weights = _trained(lambda f: f, WEIGHT_ARGUMENTS[form], weights=[WS[0]] * CALLS)
    assert _trained(lambda f: f, WEIGHT_ARGUMENTS[form])[-1][0] != same_weights[-1][0]  # each call's weight counts


def test_fit_with_a_number_pos_weight_replays(monkeypatch):
    X = _RNG.normal(size=(64, 2)).astype(np.float32)
    y = (X[:, :1] > 0.5).astype(np.float32)

    def history(compile):
        model = nn.Sequential(nn.Linear(2, 4, seed=0), nn.ReLU(), nn.Linear(4, 1, seed=1))
        opt = nn.SGD(model.parameters(), lr=0.1)
        loss = nn.BCEWithLogitsLoss(pos_weight=2.0)
        return nn.fit(model, loss, opt, (X, y), epochs=3, batch_size=16, compile=compile, verbose=False)

    eager = history(False)
    replays = count_replays(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compiled = history(True)
    assert (compiled.loss, compiled.accuracy) == (eager.loss, eager.accuracy)
    assert len(replays) > 0


def test_a_float64_pos_weight_tensor_given_to_a_float32_step_replays(monkeypatch):
    """A float64 Tensor of positive weights passed to a step on float32 logits: recording crashed with
    AttributeError: '_EmptySum' object has no attribute 'astype' (the weight's cast is in the recorded graph,
    no gradient reaches it, and backward still ran its rule). Now eager's numbers, replayed."""
    weights = [Tensor(w.astype(np.float64).reshape(1, 6)[:, :1] + 0.5) for w in WS]
    check_replayed(
        lambda compile: _trained(compile, WEIGHT_ARGUMENTS["logits pos_weight"], weights=weights),
        monkeypatch,
        replays_at_least=4,
    )

"""nn's losses under autograd.compile (found by an audit of nn's own reads of numbers): what a loss checks
of data the step computed (probabilities in [0, 1], a target made from the model's outputs) is checked
again by every replay, as eagerly, where a replay trained on a NaN batch; a target Tensor of another
dtype is cast by an op the replays run again (the recording took the stand-in input's requires_grad for
a gradient and computed in float64); weights and targets that nn copies from an array of the caller's
are pinned to its numbers."""

import warnings

import numpy as np
import pytest
from compile_faithful_cases import assert_same, sgd_step

import autograd
import nn
from autograd import Tensor
from nn import functional as F

_RNG = np.random.default_rng(1)
XS = [_RNG.standard_normal((6, 4)).astype(np.float32) for _ in range(7)]
YS = [_RNG.integers(0, 2, 6).astype(np.float32) for _ in range(7)]


def _train(compile, loss_of, xs=XS, ys=YS, nout=1, before=lambda i: None):
    """Seven SGD steps of a small float32 MLP on loss_of(out, y): each call's loss, or the name of the
    error it raised, and the first layer's weights after."""
    model = nn.Sequential(nn.Linear(4, 8, seed=0), nn.Tanh(), nn.Linear(8, nout, seed=1))
    opt = nn.SGD(model.parameters(), lr=0.3)
    run, out = compile(sgd_step(model, opt, loss_of)), []
    for i, (x, y) in enumerate(zip(xs, ys)):
        before(i)
        try:
            out.append(run(Tensor(x), y))
        except ValueError as e:
            out.append(str(e))
    return out, model.layers[0].W.data.copy()


def _compare(loss_of, replays, **kwargs):
    """The compiled run gives eager's losses, errors and weights; with `replays`, with no CompileWarning."""
    eager = _train(lambda f: f, loss_of, **kwargs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compiled = _train(autograd.compile, loss_of, **kwargs)
    assert_same(compiled, eager)
    warned = [w for w in caught if issubclass(w.category, autograd.CompileWarning)]
    assert not warned if replays else warned
    return eager


def test_probabilities_that_a_replay_computes_are_checked_as_eagerly():
    """A NaN in the fourth batch: eagerly a ValueError and training goes on; a replay trained on it (every
    weight NaN from then on)."""
    xs = [x.copy() for x in XS]
    xs[3][0, 0] = np.nan
    losses, _ = _compare(lambda out, y: F.binary_cross_entropy(out.reshape(6).sigmoid(), y), True, xs=xs)
    assert "probabilities must lie in [0, 1]" in losses[3] and np.isfinite(losses[4])


@pytest.mark.parametrize("loss", ["kl_div", "cross_entropy"])
def test_targets_computed_in_the_step_are_checked_as_eagerly(loss):
    """A target made from the model's outputs (a second head, a teacher), negative on later calls."""

    def loss_of(out, y):
        target = (out * 0.3).tanh() + 0.2  # >= 0 for small inputs only
        return F.kl_div(out.log_softmax(1), target) if loss == "kl_div" else F.cross_entropy(out, target)

    xs = [x * s for x, s in zip(XS, (0.1, 0.1, 5, 5, 50, 0.1, 0.1))]
    losses, _ = _compare(loss_of, True, xs=xs, nout=3)
    assert [isinstance(x, str) for x in losses[:2]] == [False, False] and any(isinstance(x, str) for x in losses)


@pytest.mark.parametrize("loss", ["mse", "bce", "bce_with_logits", "huber", "kl_div", "soft cross_entropy"])
def test_a_float64_target_tensor_for_float32_predictions_replays_eagers_numbers(loss):
    """The stand-in of a float64 Tensor input requires grad while recorded, and nn took it for a target
    a gradient flows to: the recorded calls and the replays computed in float64 (0.2829059647 where eager
    gives 0.2829059660). Cast by the astype op, it replays float32 as eagerly."""
    losses = {
        "mse": lambda out, t: F.mse_loss(out, t),
        "bce": lambda out, t: F.binary_cross_entropy(out.sigmoid(), t),
        "bce_with_logits": lambda out, t: F.binary_cross_entropy_with_logits(out, t),
        "huber": lambda out, t: F.huber_loss(out, t),
        "kl_div": lambda out, t: F.kl_div(out.log_softmax(1), t),
        "soft cross_entropy": lambda out, t: F.cross_entropy(out, t),
    }
    targets = [Tensor(_RNG.dirichlet(np.ones(3), 6), dtype=np.float64) for _ in XS]
    _compare(losses[loss], True, ys=targets, nout=3)


def test_class_weights_as_a_tensor_input_replay_and_are_checked():
    """Weights given as a float Tensor input were refused ('take no gradient') when compiled only; a
    NaN weight on a later call is refused as eagerly."""
    weights = [Tensor(np.linspace(0.5, 1.5, 6).astype(np.float32) * (i + 1)) for i in range(7)]
    weights[5] = Tensor(weights[5].numpy() * np.float32(np.nan))
    losses, _ = _compare(
        lambda out, w: F.binary_cross_entropy(out.reshape(6).sigmoid(), YS[0], weight=w), True, ys=weights
    )
    assert "must hold finite numbers, got nan" in losses[5]


@pytest.mark.parametrize("case", ["bce weight", "pos_weight", "float64 target", "kl_div target"])
def test_an_array_of_the_callers_that_nn_copies_is_pinned_to_its_numbers(case):
    """nn casts a weight or target array to the predictions' dtype with numpy; changed in place by the caller
    before the fourth call, a replay used the recorded copy (0.342 where eager gives 1.428). Each replays
    (kl_div's too: its t log t, an op of nn's own on the target alone, ran the step eagerly before)."""
    arrays = {
        "bce weight": np.arange(1, 7, dtype=np.float32) / 6,
        "pos_weight": np.arange(1, 7, dtype=np.float32) / 6,
        "float64 target": _RNG.random((6, 1)),
        "kl_div target": np.full((6, 3), 1 / 3) + np.linspace(0, 0.01, 18).reshape(6, 3),
    }
    a = arrays[case].copy()
    losses = {
        "bce weight": lambda out, y: F.binary_cross_entropy(out.reshape(6).sigmoid(), y, weight=a),
        "pos_weight": lambda out, y: F.binary_cross_entropy_with_logits(out.reshape(6), y, pos_weight=a),
        "float64 target": lambda out, y: F.mse_loss(out, a),
        "kl_div target": lambda out, y: F.kl_div(out.log_softmax(1), a),
    }

    def before(i):  # each run starts from the same numbers
        a[...] = arrays[case] if i < 3 else arrays[case][::-1] * 3

    _compare(losses[case], True, nout=3 if case == "kl_div target" else 1, before=before)


def test_fit_with_float64_labels_for_a_float32_model_replays():
    """numpy's default float64 labels for a float32 model: the loss casts them with the astype op, which each
    replay runs again (a numpy copy before, made anew on each call: the step ran eagerly)."""
    X = _RNG.normal(size=(64, 2)).astype(np.float32)
    y = (X[:, :1] > 0).astype(np.float64)

    def history(compile):
        model = nn.Sequential(nn.Linear(2, 4, seed=0), nn.ReLU(), nn.Linear(4, 1, seed=1))
        opt = nn.SGD(model.parameters(), lr=0.1)
        return nn.fit(
            model, nn.BCEWithLogitsLoss(), opt, (X, y), epochs=3, batch_size=16, compile=compile, verbose=False
        )

    eager = history(False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compiled = history(True)
    assert (compiled.loss, compiled.accuracy) == (eager.loss, eager.accuracy)

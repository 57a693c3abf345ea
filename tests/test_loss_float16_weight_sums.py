"""A weighted loss of float16 predictions (weight= of mse_loss, l1_loss, huber_loss, the binary cross-entropies
and multilabel_soft_margin_loss, pos_weight= of binary_cross_entropy_with_logits) is computed in float32 (its
terms, weights and sums) and cast back to the loss's dtype, as the fused class-weight ops compute float16 scores.
In float16 the weights below 6.1e-5 lost digits or became 0, and the weighted terms underflowed: mse_loss's mean
0.39014 for 0.38490, 0 for 0.43719, NaN for 0.54625; binary_cross_entropy's gradient of weights near 1e-6 was
341 float16 steps off (2.2%), multilabel_soft_margin_loss's 7.7%; weighted terms above 65504 made a mean that
fits float16 inf."""

import numpy as np
import pytest
from compile_faithful_cases import check_replayed, stepped_on

import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional

Y = np.array([0.0, 1.0, 0.0, 1.0])
WEIGHTS = {
    "small": 1 / np.array([2e5, 5e5, 1e6, 3e6]),
    "subnormal": np.array([4e-8, 2e-8, 1e-8, 1e-8]),
    "all 1e-8": np.array([1e-8] * 4),
    "1e-6 on large terms": np.array([1e-6, 2e-6, 3e-6, 1e-5]),
    "terms above 65504": np.array([3e4, 2e4, 4e4, 1e4]),
}
REGRESSION = np.array([0.5, 0.25, 0.75, 0.1])
PROBABILITIES = np.array([0.5, 0.01, 0.999, 0.3])  # p (1 - p) small: slopes far above the weights
LOGITS = np.array([0.5, -4.0, 7.0, 1.0])

# name: (ours(x, y, w, reduction), torch's, predictions, whether a float32 weight Tensor widens the loss)
LOSSES = {
    "mse_loss": (lambda x, y, w, r: F.mse_loss(x, y, weight=w, reduction=r), TF.mse_loss, REGRESSION, True),
    "l1_loss": (lambda x, y, w, r: F.l1_loss(x, y, weight=w, reduction=r), TF.l1_loss, REGRESSION, True),
    "huber_loss": (lambda x, y, w, r: F.huber_loss(x, y, weight=w, reduction=r), TF.huber_loss, REGRESSION, True),
    "binary_cross_entropy": (
        lambda x, y, w, r: F.binary_cross_entropy(x, y, weight=w, reduction=r),
        lambda x, y, weight, reduction: TF.binary_cross_entropy(x, y, weight=weight, reduction=reduction),
        PROBABILITIES,
        False,
    ),
    "bce_with_logits weight": (
        lambda x, y, w, r: F.binary_cross_entropy_with_logits(x, y, weight=w, reduction=r),
        lambda x, y, weight, reduction: TF.binary_cross_entropy_with_logits(x, y, weight=weight, reduction=reduction),
        LOGITS,
        False,
    ),
    "bce_with_logits pos_weight": (
        lambda x, y, w, r: F.binary_cross_entropy_with_logits(x, y, pos_weight=w, reduction=r),
        lambda x, y, weight, reduction: TF.binary_cross_entropy_with_logits(
            x, y, pos_weight=weight, reduction=reduction
        ),
        LOGITS,
        False,
    ),
    "cross_entropy probabilities": (
        lambda x, y, w, r: F.cross_entropy(x, y, weight=w, reduction=r),
        lambda x, y, weight, reduction: TF.cross_entropy(x, y, weight=weight, reduction=reduction),
        LOGITS,
        True,
    ),
    "multilabel_soft_margin_loss": (
        lambda x, y, w, r: F.multilabel_soft_margin_loss(x.reshape(2, 2), y.reshape(2, 2), weight=w, reduction=r),
        lambda x, y, weight, reduction: TF.multilabel_soft_margin_loss(
            x.reshape(2, 2), y.reshape(2, 2), weight=weight, reduction=reduction
        ),
        LOGITS,
        True,
    ),
}


def _weights(loss: str, name: str) -> np.ndarray:
    """The weights, one per class (of the last axis, 2) for multilabel_soft_margin_loss."""
    w = WEIGHTS[name]
    return w[:2] if loss == "multilabel_soft_margin_loss" else w


def _kind(w: np.ndarray, kind: str):
    return w if kind == "array" else w.tolist() if kind == "list" else Tensor(w, dtype=np.float32)


@pytest.mark.parametrize("kind", ["array", "list", "float32 Tensor"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weights", WEIGHTS)
@pytest.mark.parametrize("loss", LOSSES)
def test_float16_weighted_losses_are_float64s_rounded(loss, weights, reduction, kind):
    """Loss and gradient are float64's of the same float16 predictions, rounded to the loss's dtype (float16; a
    float32 weight Tensor promotes where PyTorch's does: float32), never 0 or NaN where the exact loss is a normal
    number, inf only where it is beyond float16."""
    ours, theirs, preds, widens = LOSSES[loss]
    w = _weights(loss, weights)
    scale = 300.0 if weights.startswith("1e-6") and loss in ("mse_loss", "l1_loss", "huber_loss") else 1.0
    scale = 30.0 if weights.startswith("1e-6") and loss == "cross_entropy probabilities" else scale
    p = (preds * scale).astype(np.float16)
    x = Tensor(p, dtype=np.float16, requires_grad=True)
    with np.errstate(over="ignore"):  # a "sum" or "none" above 65504 is inf, float16's rounding of it
        out = ours(x, Y, _kind(w, kind), reduction)
        out.sum().backward()
    xt = torch.tensor(p.astype(np.float64), requires_grad=True)
    exact = theirs(xt, torch.tensor(Y), weight=torch.tensor(w), reduction=reduction)
    exact.sum().backward()
    dtype = np.float32 if kind == "float32 Tensor" and widens else np.float16
    assert out.dtype == dtype
    # within float16's step (each term is rounded there, and the loss again), a subnormal step below its normals
    with np.errstate(over="ignore"):
        want, slope = exact.detach().numpy().astype(dtype), xt.grad.numpy().astype(np.float16)
    np.testing.assert_allclose(out.data, want, rtol=2**-10, atol=2**-24)
    np.testing.assert_allclose(x.grad, slope, rtol=2**-10, atol=2**-24)


@pytest.mark.parametrize("kind", ["array", "list", "float32 Tensor"])
@pytest.mark.parametrize("loss", ["mse_loss", "l1_loss", "binary_cross_entropy", "bce_with_logits weight"])
def test_a_compiled_float16_step_replays_each_calls_weights(loss, kind, monkeypatch):
    """Six SGD steps of a float16 Linear on a weighted loss, its weights (below 1e-5, new on each call but a list)
    given to the step: compiled strictly, each call's loss and the weights after them are eager's, the step
    replays, and the losses are finite and positive (the arrays' were 0 or NaN)."""
    ours = LOSSES[loss][0]
    rng = np.random.default_rng(5)
    xs = [Tensor(rng.standard_normal((2, 2)), dtype=np.float16) for _ in range(6)]
    y = Y.reshape(2, 2)
    weights = [_kind(rng.uniform(1e-8, 1e-5, (2, 2)), kind) for _ in range(6)]
    if kind == "list":  # a list is the step's constant, pinned to its numbers: one, held, for every call
        weights = [weights[0]] * 6
    squash = nn.functional.sigmoid if loss == "binary_cross_entropy" else lambda z: z

    def scenario(compile):
        model = nn.Linear(2, 2, seed=0).half()
        opt = nn.SGD(model.parameters(), lr=0.1)

        def step(x, w):
            return stepped_on(opt, ours(squash(model(x)), y, w, "mean")).item()

        run = compile(step)
        return [run(x, w) for x, w in zip(xs, weights)], model.W.data.copy()

    check_replayed(scenario, monkeypatch, replays_at_least=4)
    assert all(np.isfinite(loss) and loss > 0 for loss in scenario(lambda f: f)[0])

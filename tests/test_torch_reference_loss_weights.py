"""Element weights of the binary cross-entropies against PyTorch: `weight=` of binary_cross_entropy
and binary_cross_entropy_with_logits (beside pos_weight), under every reduction, float64 and float32,
forward, gradient and second derivative (tests/torch_reference.py compares), on Tensors and on Values;
the NaN mean of cross_entropy when the labels kept weigh nothing; a compiled step with class weights
replaying eager's numbers. (cross_entropy's and nll_loss's class weights are parameters of their tests in
test_torch_reference_losses.)"""

import warnings

import numpy as np
import pytest
from compile_faithful_cases import count_replays
from torch_reference import DTYPES, F, check, check_scalar, torch  # without torch: skipped

import autograd
import nn
import nn.functional as nnf
from autograd import Tensor, Value

REDUCTIONS = ["mean", "sum", "none"]


def _data(seed, shape, lo=-3.0, hi=3.0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def test_a_mean_over_labels_that_weigh_nothing_is_nan_as_torch():
    logits, labels, w = _data(27, (2, 3)), np.array([1, 1]), np.array([1.0, 0.0, 2.0])
    x = Tensor(logits, requires_grad=True)
    ours = nnf.cross_entropy(x, labels, weight=w)
    ours.backward()
    t = torch.from_numpy(logits).requires_grad_()
    theirs = F.cross_entropy(t, torch.from_numpy(labels), weight=torch.from_numpy(w))
    theirs.backward()
    assert np.isnan(ours.item()) and np.isnan(theirs.item())
    assert np.isnan(x.grad).all() and np.isnan(t.grad.numpy()).all()  # each label's share: 0 / 0


# the weight's shapes: one number, one per class (the last axis), one per element
BCE_WEIGHTS = {"scalar": (), "per class": (3,), "per element": (4, 3)}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", BCE_WEIGHTS.values(), ids=BCE_WEIGHTS.keys())
def test_binary_cross_entropy_weighted(weight_shape, reduction, dtype):
    probs, target, w = _data(28, (4, 3), 0.01, 0.99), _data(29, (4, 3), 0, 1), _data(30, weight_shape, 0, 2)
    w = np.asarray(w, dtype)

    def bce(p, t):  # composed of torch's exact ops: see test_torch_bce_second_derivative_is_approximate
        terms = -(t * p.log().clamp_min(-100) + (1 - t) * (1 - p).log().clamp_min(-100)) * torch.from_numpy(w)
        return {"mean": terms.mean(), "sum": terms.sum(), "none": terms}[reduction]

    check(lambda p, t: nnf.binary_cross_entropy(p, t, weight=w, reduction=reduction), bce, [probs, target], dtype)
    check(
        lambda p, t: nnf.binary_cross_entropy(p, t, weight=w, reduction=reduction),
        lambda p, t: F.binary_cross_entropy(p, t, weight=torch.from_numpy(w), reduction=reduction),
        [probs, target],
        dtype,
        second=False,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", BCE_WEIGHTS.values(), ids=BCE_WEIGHTS.keys())
@pytest.mark.parametrize("pos_weight", [None, np.array([0.5, 2.0, 3.0])])
def test_binary_cross_entropy_with_logits_weighted(weight_shape, reduction, pos_weight, dtype):
    logits, target, w = _data(31, (4, 3), -5, 5), _data(32, (4, 3), 0, 1), _data(33, weight_shape, 0, 2)
    w = np.asarray(w, dtype)
    pw = None if pos_weight is None else pos_weight.astype(dtype)
    check(
        lambda x, t: nnf.binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=pw, reduction=reduction),
        lambda x, t: F.binary_cross_entropy_with_logits(
            x,
            t,
            weight=torch.from_numpy(w),
            pos_weight=None if pw is None else torch.from_numpy(pw),
            reduction=reduction,
        ),
        [logits, target],
        dtype,
    )


@pytest.mark.parametrize("weight", [2.5, [0.5, 0.0, 2.0]])
@pytest.mark.parametrize("name", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_weights_on_values(name, weight):
    """On Values: one number, or one per prediction."""
    preds, targets = [0.2, 0.7, 0.9], [0.0, 1.0, 0.3]
    w = torch.tensor(weight, dtype=torch.float64)
    if name == "binary_cross_entropy":
        theirs = lambda *p: F.binary_cross_entropy(torch.stack(p), torch.tensor(targets, dtype=torch.float64), weight=w)  # noqa: E731
    else:
        theirs = lambda *p: F.binary_cross_entropy_with_logits(  # noqa: E731
            torch.stack(p), torch.tensor(targets, dtype=torch.float64), weight=w
        )
    ours = lambda *p: getattr(nnf, name)(list(p), targets, weight=weight)  # noqa: E731
    check_scalar(ours, theirs, preds, second=name != "binary_cross_entropy")
    assert isinstance(ours(*map(Value, preds)), Value)


def _train(weight, compiled):
    model = nn.Linear(3, 4, seed=0, dtype=np.float64)
    opt = nn.SGD(model.parameters(), lr=0.1)

    def step(x, y):
        opt.zero_grad()
        loss = nnf.cross_entropy(model(x), y, weight=weight)
        loss.backward()
        opt.step()
        return loss.item()

    run = autograd.compile(step) if compiled else step
    rng = np.random.default_rng(3)
    losses = [run(Tensor(rng.standard_normal((6, 3))), rng.integers(0, 4, 6)) for _ in range(6)]
    return losses, model.W.data.copy(), model.b.data.copy()


def test_a_compiled_step_with_class_weights_replays_eagers_numbers(monkeypatch):
    """The fused op takes the weights and picks them by each call's labels (and so the mean's divisor):
    the step replays, without a warning, with eager's numbers bit for bit."""
    weight = np.array([1.0, 3.0, 0.5, 2.0])
    replays = count_replays(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compiled = _train(weight, compiled=True)
    assert len(replays) == 4  # 6 calls, the first two recorded
    for got, expected in zip(compiled, _train(weight, compiled=False)):
        np.testing.assert_array_equal(got, expected)

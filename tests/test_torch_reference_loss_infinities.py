"""Losses at infinite inputs against PyTorch, from a differential sweep of nn's losses at edge points:
hinge_embedding_loss chose its side by a blend, (s + s y) / 2 + (d - d y) / 2, which made inf - inf where the side
not chosen was infinite (x = inf, y = -1: NaN, PyTorch 0; x = -inf, y = 1: NaN, PyTorch -inf); cross_entropy of
class probabilities mixed label_smoothing into the terms, not the target, and at label_smoothing=1 a class whose
log p is -inf made 0 · -inf = NaN, where PyTorch's loss is inf."""

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional
DTYPES = [np.float32, np.float64]
INF = np.inf


def _both(ours, theirs, arrays, dtype):
    xs = [Tensor(np.array(a, dtype), dtype=dtype, requires_grad=True) for a in arrays]
    ts = [torch.tensor(np.array(a, dtype), requires_grad=True) for a in arrays]
    o, t = ours(*xs), theirs(*ts)
    o.backward(Tensor(np.ones(o.shape, dtype), dtype=dtype))
    t.backward(torch.ones_like(t))
    np.testing.assert_array_equal(o.data, t.detach().numpy())
    for x, tx in zip(xs, ts):
        np.testing.assert_array_equal(np.asarray(x.grad), tx.grad.numpy())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("margin", [1.0, 0.0])
def test_hinge_embedding_loss_at_infinite_inputs_as_torch(dtype, margin):
    x = np.array([INF, INF, -INF, -INF, 2.0, -0.5])
    y = np.array([1.0, -1.0, 1.0, -1.0, -1.0, 1.0])
    _both(
        lambda a: F.hinge_embedding_loss(a, y, margin=margin, reduction="none"),
        lambda a: TF.hinge_embedding_loss(a, torch.tensor(y, dtype=a.dtype), margin=margin, reduction="none"),
        [x],
        dtype,
    )


@pytest.mark.parametrize("name", ["hinge_embedding_loss"])  # cosine_embedding_loss's step runs eagerly (strict raises)
def test_a_compiled_step_chooses_by_each_calls_labels(name):
    """The side is chosen by an op of the labels, not a mask read in Python: replays follow new labels."""
    data = np.array([[0.5, 2.0], [1.0, -1.0], [3.0, 0.2]])
    other = np.array([[1.0, 1.0], [0.5, -2.0], [-1.0, 0.0]])

    def stepper(x):
        def step(labels):
            if name == "hinge_embedding_loss":
                out = F.hinge_embedding_loss(x, labels)
            else:
                out = F.cosine_embedding_loss(x, other, labels)
            out.backward()
            return out.item()

        return step

    compiled, eager = (Tensor(data.copy(), requires_grad=True) for _ in range(2))
    run, step = autograd.compile(stepper(compiled), strict=True), stepper(eager)
    rng = np.random.default_rng(3)
    for _ in range(4):
        labels = np.where(rng.random((3, 2) if name == "hinge_embedding_loss" else 3) > 0.5, 1.0, -1.0)
        assert run(labels) == step(labels)
        np.testing.assert_array_equal(compiled.grad, eager.grad)
        compiled.grad = eager.grad = None


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("smoothing", [1.0, 0.3])
@pytest.mark.parametrize("reduction", ["none", "mean"])
def test_cross_entropy_of_probabilities_smoothed_at_minus_inf_logits_as_torch(dtype, smoothing, reduction):
    logits = np.array([[-INF, 0.0, 1.0], [-INF, -INF, 0.0], [0.5, 0.2, -1.0]])
    probs = np.array([[0.2, 0.3, 0.5], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    xs = Tensor(logits.astype(dtype), dtype=dtype, requires_grad=True)
    ts = torch.tensor(logits.astype(dtype), requires_grad=True)
    ours = F.cross_entropy(xs, probs.astype(dtype), label_smoothing=smoothing, reduction=reduction)
    theirs = TF.cross_entropy(ts, torch.tensor(probs.astype(dtype)), label_smoothing=smoothing, reduction=reduction)
    expected = theirs.detach().numpy()
    np.testing.assert_array_equal(np.isinf(ours.data), np.isinf(expected))  # inf where a -inf class gets a share
    np.testing.assert_allclose(ours.data, expected, rtol=1e-6)
    ours.backward(Tensor(np.ones(ours.shape, dtype), dtype=dtype))
    theirs.backward(torch.ones_like(theirs))
    np.testing.assert_allclose(xs.grad, ts.grad.numpy(), rtol=1e-6, atol=1e-7)

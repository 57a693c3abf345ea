"""margin_ranking_loss, hinge_embedding_loss, soft_margin_loss and cosine_embedding_loss against
torch.nn.functional 2.13's: forward, gradient of every input torch differentiates (margin_ranking's and
not the labels of the other three) and second derivative, float64 and float32, every reduction, edge values
(margins met exactly, zero vectors in the cosine); their labels and shapes checked; their modules; and a
compiled step with one of them against eager. Comparison: tests/torch_reference.py."""

import numpy as np
import pytest
from compile_cases import assert_same
from torch_reference import DTYPES, F, check, torch

import autograd
import nn
from autograd import ShapeError, Tensor
from nn import losses_margins as M

REDUCTIONS = ["mean", "sum", "none"]
RNG = np.random.default_rng(0)
X1, X2 = RNG.normal(size=(6, 4)), RNG.normal(size=(6, 4))
SIGNS = np.array([1.0, -1.0, 1.0, -1.0, -1.0, 1.0])
LABELS = np.where(RNG.random((6, 4)) > 0.5, 1.0, -1.0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.5])
def test_margin_ranking_loss(dtype, reduction, margin):
    x2 = X2.copy()
    x2[0, 0] = X1[0, 0] - margin * LABELS[0, 0]  # the kink met exactly: clamp_min's slope, 1
    check(
        lambda a, b, y: M.margin_ranking_loss(a, b, y, margin, reduction=reduction),
        lambda a, b, y: F.margin_ranking_loss(a, b, y, margin, reduction=reduction),
        [X1, x2, LABELS],
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [1.0, 0.3])
def test_hinge_embedding_loss(dtype, reduction, margin):
    x = np.abs(X1)
    x[1, 1] = margin  # at the margin: clamp_min's slope, -1
    labels = LABELS.copy()
    labels[1, 1] = -1.0
    check(
        lambda a: M.hinge_embedding_loss(a, labels, margin, reduction=reduction),
        lambda a: F.hinge_embedding_loss(a, torch.tensor(labels, dtype=a.dtype), margin, reduction=reduction),
        [x],
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_loss(dtype, reduction):
    check(
        lambda a: M.soft_margin_loss(a, LABELS.astype(a.dtype), reduction=reduction),
        lambda a: F.soft_margin_loss(a, torch.tensor(LABELS, dtype=a.dtype), reduction=reduction),
        [X1 * 5],
        dtype,
    )


def test_soft_margin_loss_stays_finite_where_torchs_overflows():
    """y x = -200 in float32: torch's log1p(exp(200)) is inf, the loss is 200 and its slope -1 (per element)."""
    x = Tensor(np.array([-200.0, 200.0], np.float32), requires_grad=True)
    loss = M.soft_margin_loss(x, np.array([1.0, -1.0], np.float32), reduction="sum")
    loss.backward()
    assert loss.item() == 400.0 and np.isinf(F.soft_margin_loss(torch.tensor([-200.0]), torch.tensor([1.0])).item())
    np.testing.assert_array_equal(x.grad, [-1.0, 1.0])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, -0.2, 0.4])
@pytest.mark.parametrize("rows", [True, False])
def test_cosine_embedding_loss(dtype, reduction, margin, rows):
    x1, x2 = X1.copy(), X2.copy()
    x1[2] = 0.0  # a zero vector: torch's cosine is 0 there (its eps), and so is chainrule's, with the same gradient
    x2[3] = 1e-7  # a tiny one, whose squared norm is below the eps
    x2[4] = -x1[4]  # a cosine of -1
    signs = SIGNS
    if not rows:
        x1, x2, signs = x1[0], x2[0], SIGNS[0]
    check(
        lambda a, b: M.cosine_embedding_loss(a, b, signs, margin, reduction=reduction),
        lambda a, b: F.cosine_embedding_loss(a, b, torch.tensor(signs, dtype=a.dtype), margin, reduction=reduction),
        [x1, x2],
        dtype,
    )


def test_labels_and_shapes_are_checked():
    x = Tensor(X1, requires_grad=True)
    with pytest.raises(ValueError, match=r"hinge_embedding_loss: target must be -1 or \+1, got 0"):
        M.hinge_embedding_loss(x, np.zeros((6, 4)))
    with pytest.raises(ShapeError):
        M.margin_ranking_loss(x, Tensor(X2[:, :1]), LABELS)
    with pytest.raises(ShapeError):
        M.cosine_embedding_loss(x, Tensor(X2), LABELS)  # one label per row
    with pytest.raises(TypeError, match="target is a constant here and takes no gradient"):
        M.cosine_embedding_loss(x, Tensor(X2), Tensor(SIGNS, requires_grad=True))
    with pytest.raises(TypeError, match="soft_margin_loss takes Tensors"):
        M.soft_margin_loss([autograd.Value(1.0)], [1.0])
    with pytest.raises(ValueError, match="reduction"):
        M.soft_margin_loss(x, LABELS, reduction="average")


def test_the_modules_bind_the_options():
    loss = nn.MarginRankingLoss(margin=0.5, reduction="sum")
    a, b = Tensor(X1), Tensor(X2)
    assert loss(a, b, LABELS).item() == M.margin_ranking_loss(a, b, LABELS, 0.5, reduction="sum").item()
    assert nn.CosineEmbeddingLoss(margin=0.1)(a, b, SIGNS).item() == M.cosine_embedding_loss(a, b, SIGNS, 0.1).item()
    assert nn.SoftMarginLoss()(a, LABELS).item() == M.soft_margin_loss(a, LABELS).item()
    assert nn.HingeEmbeddingLoss(margin=2.0)(a, LABELS).item() == M.hinge_embedding_loss(a, LABELS, 2.0).item()
    assert nn.functional.cosine_embedding_loss is M.cosine_embedding_loss


def test_a_compiled_step_replays_the_labels_of_each_call():
    """A Siamese step on cosine_embedding_loss: labels that differ per call, replayed with eager's numbers."""

    def run(compiled):
        model = nn.Linear(4, 3, seed=0)
        opt = nn.SGD(model.parameters(), lr=0.1)

        def step(a, b, y):
            loss = M.cosine_embedding_loss(model(a), model(b), y, 0.1)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        fn = autograd.compile(step, strict=True) if compiled else step
        rng = np.random.default_rng(3)
        out = []
        for _ in range(5):
            y = np.where(rng.random(6) > 0.5, 1.0, -1.0)
            out.append(fn(Tensor(rng.normal(size=(6, 4))), Tensor(rng.normal(size=(6, 4))), y).data.copy())
        return out + [p.data.copy() for p in model.parameters()], fn

    (eager, _), (compiled, fn) = run(False), run(True)
    assert_same(eager, compiled)
    assert sum(r.program is not None for r in fn.recordings.values()) == 1

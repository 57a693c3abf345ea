"""triplet_margin_loss, multilabel_soft_margin_loss, multi_margin_loss, gaussian_nll_loss and poisson_nll_loss
against torch.nn.functional 2.13's: forward, gradient of every input torch differentiates and second
derivative, float64 and float32, every reduction, edge values (zero differences, swap's picks, margins met,
var at and below eps, counts 0 and 1 with full=True); bad arguments refused; a compiled step against eager.
Comparison: tests/torch_reference.py."""

import math

import numpy as np
import pytest
from compile_cases import assert_same
from torch_reference import DTYPES, F, check, torch

import autograd
import nn
from autograd import ShapeError, Tensor
from nn import losses_likelihoods as L
from nn import losses_margins as M

REDUCTIONS = ["mean", "sum", "none"]
RNG = np.random.default_rng(1)
X, Y, Z = RNG.normal(size=(3, 6, 4))
LABELS = np.array([0, 3, 1, 2, 3, 0])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2, 3, math.inf])
@pytest.mark.parametrize("swap", [False, True])
def test_triplet_margin_loss(dtype, reduction, p, swap):
    a, pos, neg = X.copy(), Y.copy(), Z.copy()
    pos[0] = a[0]  # a zero difference: the distance is the norm of eps alone
    neg[1] = pos[1] + 0.01  # the negative beside the positive: swap picks d(p, n)
    neg[2] = a[2] + 5.0  # far from both: no loss
    check(
        lambda u, v, w: M.triplet_margin_loss(u, v, w, 1.5, p, 1e-6, swap, reduction=reduction),
        lambda u, v, w: F.triplet_margin_loss(u, v, w, 1.5, p, 1e-6, swap, reduction=reduction),
        [a, pos, neg],
        dtype,
    )


def test_triplet_swap_picks_the_nearer_negative():
    a, pos, neg = (Tensor(np.array([v])) for v in ([0.0, 0.0], [3.0, 0.0], [3.0, 1.0]))
    # d(a, n) = sqrt(10), d(p, n) = 1: with swap the loss is 1 + 3 - 1 = 3, without 4 - sqrt(10)
    assert M.triplet_margin_loss(a, pos, neg, eps=0.0, swap=True).item() == 3.0
    assert M.triplet_margin_loss(a, pos, neg, eps=0.0).item() == 4.0 - math.sqrt(10.0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_soft_margin_loss(dtype, reduction, weighted):
    target = (RNG.random((6, 4)) > 0.5) * 1.0
    target[0, 0] = 0.3  # soft targets take a gradient too
    weight = np.linspace(0.5, 2.0, 4) if weighted else None
    check(
        lambda x, t: M.multilabel_soft_margin_loss(x, t, weight, reduction=reduction),
        lambda x, t: F.multilabel_soft_margin_loss(
            x, t, None if weight is None else torch.tensor(weight, dtype=x.dtype), reduction=reduction
        ),
        [X * 3, target],
        dtype,
    )


def _multi_margin_by_hand(x, y, p, margin, weight):
    """torch's multi_margin_loss written in torch's ops, whose second derivative torch's kernel lacks."""
    z = (margin - x.gather(1, y.reshape(-1, 1)) + x).relu()
    others = torch.ones_like(x).scatter(1, y.reshape(-1, 1), 0.0)
    terms = (z if p == 1 else z * z) * others
    if weight is not None:
        terms = terms * weight[y].reshape(-1, 1)
    return terms.sum(1) / x.shape[1]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("weighted", [False, True])
def test_multi_margin_loss(dtype, reduction, p, weighted):
    x = X.copy()
    x[1, 0] = x[1, 3] - 0.5  # a margin met exactly: slope 0, torch's kernel's
    weight = np.linspace(0.5, 2.0, 4) if weighted else None

    def theirs(s):
        return F.multi_margin_loss(
            s,
            torch.tensor(LABELS),
            p,
            0.5,
            None if weight is None else torch.tensor(weight, dtype=s.dtype),
            reduction=reduction,
        )

    ours = lambda s: M.multi_margin_loss(s, LABELS, p, 0.5, weight, reduction=reduction)  # noqa: E731
    check(ours, theirs, [x], dtype, second=False)  # torch's kernel has no second derivative
    by_hand = lambda s: _multi_margin_by_hand(  # noqa: E731
        s, torch.tensor(LABELS), p, 0.5, None if weight is None else torch.tensor(weight, dtype=s.dtype)
    )
    check(lambda s: M.multi_margin_loss(s, LABELS, p, 0.5, weight, reduction="none"), by_hand, [x], dtype)


def test_multi_margin_loss_of_one_vector():
    s = Tensor(X[0])
    theirs = F.multi_margin_loss(torch.tensor(X[0]), torch.tensor(2), reduction="none")
    assert M.multi_margin_loss(s, np.array(2), reduction="none").item() == theirs.item()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("shape", [(6, 4), (6,), (6, 1), (1, 4)])
def test_gaussian_nll_loss(dtype, reduction, full, shape):
    var = RNG.uniform(0.1, 2.0, shape)
    var.flat[0] = 1e-6  # at eps
    var.flat[-1] = 1e-8  # below it: floored, its gradient the loss's at eps (torch clamps under no_grad)
    if var.size > 2:
        var.flat[1] = 0.0
    check(
        lambda x, t, v: L.gaussian_nll_loss(x, t, v, full, 1e-6, reduction=reduction),
        lambda x, t, v: F.gaussian_nll_loss(x, t, v, full, 1e-6, reduction=reduction),
        [X, Y, var],
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_gaussian_nll_loss_with_one_number_as_var(dtype):
    check(
        lambda x, t: L.gaussian_nll_loss(x, t, 0.5, reduction="sum"),
        lambda x, t: F.gaussian_nll_loss(x, t, 0.5, reduction="sum"),
        [X, Y],
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input", [True, False])
@pytest.mark.parametrize("full", [False, True])
def test_poisson_nll_loss(dtype, reduction, log_input, full):
    counts = RNG.poisson(2.0, (6, 4)).astype(float)
    counts[0, :3] = [0.0, 1.0, 1.5]  # 0 and 1: no Stirling term; 1.5 one
    x = X if log_input else np.abs(X)
    x[1, 0] = 0.0  # a rate of 0: log(eps)
    # the target's gradient is compared away from 0 (torch's is NaN there with full=True, see below)
    kept = counts.copy()
    check(
        lambda a, t: L.poisson_nll_loss(a, t, log_input, full, eps=1e-8, reduction=reduction),
        lambda a, t: F.poisson_nll_loss(a, t, log_input, full, eps=1e-8, reduction=reduction),
        [x, np.where(kept == 0, 2.0, kept)],
        dtype,
    )
    check(  # a count of 0 as a constant target
        lambda a: L.poisson_nll_loss(a, counts.astype(a.dtype), log_input, full, reduction=reduction),
        lambda a: F.poisson_nll_loss(a, torch.tensor(counts, dtype=a.dtype), log_input, full, reduction=reduction),
        [x],
        dtype,
    )


def test_poisson_stirling_slope_at_a_count_of_0_is_0():
    """With full=True the slope in t at t = 0 is the loss's, -x (the Stirling term is 0 for t <= 1); torch's is
    NaN there (its 0 log 0, masked after the fact)."""
    x, t = Tensor(np.array([0.3, 0.3]), requires_grad=True), Tensor(np.array([0.0, 1.0]), requires_grad=True)
    L.poisson_nll_loss(x, t, full=True, reduction="sum").backward()
    np.testing.assert_array_equal(t.grad, [-0.3, -0.3])
    tt = torch.tensor([0.0, 1.0], dtype=torch.float64, requires_grad=True)
    F.poisson_nll_loss(torch.tensor([0.3, 0.3], dtype=torch.float64), tt, full=True, reduction="sum").backward()
    assert math.isnan(tt.grad[0].item()) and tt.grad[1].item() == -0.3


def test_bad_arguments_are_refused():
    x, y, z = Tensor(X), Tensor(Y), Tensor(Z)
    cases = [
        (lambda: M.triplet_margin_loss(x, y, z, margin=0.0), ValueError, "margin must be a number > 0"),
        (lambda: M.triplet_margin_loss(x, y, z, p=0), ValueError, "p must be a norm's order > 0"),
        (lambda: M.triplet_margin_loss(x, y, z, swap=1), TypeError, "swap must be True or False"),
        (lambda: M.triplet_margin_loss(x, y, Tensor(Z[:, :2])), ShapeError, "triplet_margin_loss"),
        (lambda: M.triplet_margin_loss(x, y, z, reduction="avg"), ValueError, "reduction"),
        (lambda: M.multilabel_soft_margin_loss(x, Y), ValueError, "multilabel_soft_margin_loss: targets must lie"),
        (lambda: M.multilabel_soft_margin_loss(x, 0 * Y, np.ones(3)), ShapeError, "weight of shape"),
        (lambda: M.multi_margin_loss(x, LABELS, p=3), ValueError, "p must be 1 or 2"),
        (lambda: M.multi_margin_loss(x, LABELS + 1), ValueError, "label 4 is not a class"),
        (lambda: M.multi_margin_loss(x, LABELS * 1.0), TypeError, "integer class labels"),
        (lambda: M.multi_margin_loss(x, LABELS[:3]), ShapeError, "labels of shape"),
        (lambda: M.multi_margin_loss(x, LABELS, weight=np.ones(3)), ShapeError, "one weight per class"),
        (lambda: M.multi_margin_loss(x, LABELS, weight=np.full(4, np.nan)), ValueError, "weight must hold finite"),
        (lambda: L.gaussian_nll_loss(x, y, -np.ones((6, 4))), ValueError, "var must hold variances, numbers >= 0"),
        (lambda: L.gaussian_nll_loss(x, y, -1.0), ValueError, "var must hold variances"),
        (  # a ShapeError spoke of the shape () of True
            lambda: L.gaussian_nll_loss(x, y, True),
            TypeError,
            "var must be a number, an array or a Tensor of numbers, got bool of dtype bool",
        ),
        (lambda: L.gaussian_nll_loss(x, y, np.ones((6, 4), bool)), TypeError, "got ndarray of dtype bool"),
        (lambda: L.gaussian_nll_loss(x, y, np.ones((6, 2))), ShapeError, "var of shape"),
        (lambda: L.gaussian_nll_loss(x, y, np.ones(4)), ShapeError, "var of shape"),
        (lambda: L.gaussian_nll_loss(x, y, 1.0, eps=0.0), ValueError, "eps must be a finite number > 0"),
        (lambda: L.gaussian_nll_loss(x, y, 1.0, full="yes"), TypeError, "full must be True or False"),
        (lambda: L.gaussian_nll_loss(x, Tensor(Y[:, :2]), 1.0), ShapeError, "gaussian_nll_loss"),
        (lambda: L.poisson_nll_loss(x, -np.ones((6, 4))), ValueError, "targets are counts, numbers >= 0"),
        (lambda: L.poisson_nll_loss(x, np.ones((6, 4)), log_input=False), ValueError, "the input is a rate"),
        (lambda: L.poisson_nll_loss(x, np.ones((6, 4)), eps=-1.0), ValueError, "eps"),
        (lambda: L.poisson_nll_loss(x, np.ones((6, 4)), reduction="batchmean"), ValueError, "reduction"),
    ]
    for call, kind, words in cases:
        with pytest.raises(kind, match=words):
            call()


def test_the_modules_bind_the_options():
    x, y, z = Tensor(X), Tensor(Y), Tensor(Z)
    assert nn.TripletMarginLoss(margin=0.5, p=1)(x, y, z).item() == M.triplet_margin_loss(x, y, z, 0.5, 1).item()
    assert nn.GaussianNLLLoss(full=True)(x, y, 0.5).item() == L.gaussian_nll_loss(x, y, 0.5, True).item()
    assert nn.MultiMarginLoss(p=2)(x, LABELS).item() == M.multi_margin_loss(x, LABELS, 2).item()
    assert nn.MultiMarginLoss(2).p == 2  # torch's first is p: not taken as a weight
    assert nn.functional.poisson_nll_loss is L.poisson_nll_loss


def test_a_compiled_step_replays_as_eager():
    """A step on gaussian_nll_loss (mean and variance from one model, the variance through softplus) and
    triplet_margin_loss: several calls, eager's numbers bit for bit, one recording."""

    def run(compiled):
        model = nn.Linear(4, 8, seed=0)
        opt = nn.SGD(model.parameters(), lr=0.05)

        def step(a, b, c, t):
            out = model(a)
            loss = L.gaussian_nll_loss(out[:, :4], t, autograd.softplus(out[:, 4:]) * 1e-3)
            loss = loss + M.triplet_margin_loss(out, model(b), model(c), swap=True)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        fn = autograd.compile(step, strict=True) if compiled else step
        rng = np.random.default_rng(5)
        results = [
            fn(*(Tensor(rng.normal(size=(6, 4))) for _ in range(3)), rng.normal(size=(6, 4))).data.copy()
            for _ in range(5)
        ]
        return results + [p.data.copy() for p in model.parameters()], fn

    (eager, _), (compiled, fn) = run(False), run(True)
    assert_same(eager, compiled)
    assert sum(r.program is not None for r in fn.recordings.values()) == 1

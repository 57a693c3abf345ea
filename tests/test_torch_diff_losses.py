"""nn.functional's losses against torch.nn.functional 2.13 over random combinations of their options (each
reduction; class weights, ignore_index and label_smoothing with labels and with probabilities, 2-d and 3-d;
pos_weight; kl_div's log_target and batchmean; margins, p, eps and swap; gaussian_nll_loss's full and a
variance per row; poisson_nll_loss's log_input and full), forward, gradient in every differentiable input
(targets too) and second derivative, float64 and float32 (tests/torch_reference.py). Then Huber's and
smooth L1's curvature where prediction and target are equal. A few draws in the default run, more under -m slow.
"""

import numpy as np
import pytest
from torch_reference import DTYPES, check, check_draw, torch  # without torch: skipped

import autograd
import nn.functional as ours

theirs = torch.nn.functional
REDUCTIONS = ("mean", "sum", "none")
DEFAULT, SLOW = range(3), range(3, 120)
# torch's own, on kl_div's reduction="mean" (which it says will change to "batchmean")
pytestmark = pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss")


def _t(a, like):
    """A constant torch tensor of `like`'s dtype (None stays None)."""
    return None if a is None else torch.tensor(np.asarray(a), dtype=like.dtype)


def _cases(seed):
    """(name, ours, theirs, inputs, second) for one random draw of shapes, options and data."""
    rng = np.random.default_rng(seed)
    red = REDUCTIONS[seed % 3]
    n, c = int(rng.integers(1, 4)), int(rng.integers(2, 5))
    x, y, z = (rng.normal(size=(n, c)) for _ in range(3))
    w = rng.uniform(0.1, 2, c) if rng.integers(2) else None
    cases = []

    def add(name, mine, torch_fn, inputs, second=True):
        cases.append((f"{name} {red}", mine, torch_fn, inputs, second))

    for f in ("mse_loss", "l1_loss"):
        add(
            f,
            lambda a, b, f=f: getattr(ours, f)(a, b, reduction=red),
            lambda a, b, f=f: getattr(theirs, f)(a, b, reduction=red),
            [x, y],
        )
    d = float(rng.choice([0.5, 1.0, 2.0]))
    add(
        "huber",
        lambda a, b: ours.huber_loss(a, b, reduction=red, delta=d),
        lambda a, b: theirs.huber_loss(a, b, reduction=red, delta=d),
        [x, y],
    )
    beta = float(rng.choice([0.0, d]))
    add(
        "smooth_l1",
        lambda a, b: ours.smooth_l1_loss(a, b, reduction=red, beta=beta),
        lambda a, b: theirs.smooth_l1_loss(a, b, reduction=red, beta=beta),
        [x, y],
    )
    p, t = rng.uniform(0.05, 0.95, (n, c)), rng.uniform(0, 1, (n, c))
    t = (t > 0.5).astype(float) if rng.integers(2) else t
    add(
        "bce",
        lambda a, b: ours.binary_cross_entropy(a, b, weight=w, reduction=red),
        lambda a, b: theirs.binary_cross_entropy(a, b, weight=_t(w, a), reduction=red),
        [p, t],
    )
    pw = rng.uniform(0.1, 3, c) if rng.integers(2) else None
    add(
        "bce_with_logits",
        lambda a, b: ours.binary_cross_entropy_with_logits(a, b, weight=w, pos_weight=pw, reduction=red),
        lambda a, b: theirs.binary_cross_entropy_with_logits(
            a, b, weight=_t(w, a), pos_weight=_t(pw, a), reduction=red
        ),
        [x, t],
    )
    log_target = bool(rng.integers(2))
    q = rng.dirichlet(np.ones(c), n)
    kl_red = str(rng.choice([*REDUCTIONS, "batchmean"]))
    add(
        "kl_div",
        lambda a, b: ours.kl_div(a, b, reduction=kl_red, log_target=log_target),
        lambda a, b: theirs.kl_div(a, b, reduction=kl_red, log_target=log_target),
        [np.log(rng.dirichlet(np.ones(c), n)), np.log(q) if log_target else q],
    )
    labels = rng.integers(0, c, n)
    ignore = int(labels[0]) if rng.integers(3) == 0 and not (red == "mean" and (labels == labels[0]).all()) else -100
    smooth = float(rng.choice([0.0, 0.1, 0.5]))
    add(
        "cross_entropy",
        lambda a: ours.cross_entropy(a, labels, weight=w, reduction=red, ignore_index=ignore, label_smoothing=smooth),
        lambda a: theirs.cross_entropy(
            a, torch.tensor(labels), weight=_t(w, a), reduction=red, ignore_index=ignore, label_smoothing=smooth
        ),
        [x],
    )
    add(
        "nll_loss",
        lambda a: ours.nll_loss(a, labels, weight=w, reduction=red, ignore_index=ignore),
        lambda a: theirs.nll_loss(a, torch.tensor(labels), weight=_t(w, a), reduction=red, ignore_index=ignore),
        [x],
    )
    x3, labels3 = rng.normal(size=(n, c, 3)), rng.integers(0, c, (n, 3))
    add(
        "cross_entropy 3-d",
        lambda a: ours.cross_entropy(a, labels3, weight=w, reduction=red, label_smoothing=smooth),
        lambda a: theirs.cross_entropy(
            a, torch.tensor(labels3), weight=_t(w, a), reduction=red, label_smoothing=smooth
        ),
        [x3],
    )
    add(
        "cross_entropy probabilities",
        lambda a, b: ours.cross_entropy(a, b, weight=w, reduction=red, label_smoothing=smooth),
        lambda a, b: theirs.cross_entropy(a, b, weight=_t(w, a), reduction=red, label_smoothing=smooth),
        [x, q],
    )
    x1, x2, sign = rng.normal(size=n), rng.normal(size=n), rng.choice([-1.0, 1.0], n)
    m = float(rng.choice([0.0, 0.5, 1.0]))
    add(
        "margin_ranking",
        lambda a, b: ours.margin_ranking_loss(a, b, sign, margin=m, reduction=red),
        lambda a, b: theirs.margin_ranking_loss(a, b, _t(sign, a), margin=m, reduction=red),
        [x1, x2],
    )
    signs = rng.choice([-1.0, 1.0], (n, c))
    add(
        "hinge_embedding",
        lambda a: ours.hinge_embedding_loss(a, signs, margin=m + 1, reduction=red),
        lambda a: theirs.hinge_embedding_loss(a, _t(signs, a), margin=m + 1, reduction=red),
        [x],
    )
    add(
        "soft_margin",
        lambda a: ours.soft_margin_loss(a, signs, reduction=red),
        lambda a: theirs.soft_margin_loss(a, _t(signs, a), reduction=red),
        [x],
    )
    add(
        "cosine_embedding",
        lambda a, b: ours.cosine_embedding_loss(a, b, sign, margin=m - 0.5, reduction=red),
        lambda a, b: theirs.cosine_embedding_loss(a, b, _t(sign, a), margin=m - 0.5, reduction=red),
        [x, y],
    )
    options = dict(
        margin=m + 0.5,
        p=float(rng.choice([1.0, 2.0, 3.0])),
        eps=float(rng.choice([1e-6, 0.1])),
        swap=bool(rng.integers(2)),
        reduction=red,
    )
    add(
        "triplet_margin",
        lambda a, b, e: ours.triplet_margin_loss(a, b, e, **options),
        lambda a, b, e: theirs.triplet_margin_loss(a, b, e, **options),
        [x, y, z],
    )
    multi = (rng.uniform(size=(n, c)) > 0.5).astype(float)
    add(
        "multilabel_soft_margin",
        lambda a: ours.multilabel_soft_margin_loss(a, multi, weight=w, reduction=red),
        lambda a: theirs.multilabel_soft_margin_loss(a, _t(multi, a), weight=_t(w, a), reduction=red),
        [x],
    )
    power = int(rng.choice([1, 2]))
    # torch 2.13 has no second derivative of multi_margin_loss
    add(
        "multi_margin",
        lambda a: ours.multi_margin_loss(a, labels, p=power, margin=m + 0.5, weight=w, reduction=red),
        lambda a: theirs.multi_margin_loss(
            a, torch.tensor(labels), p=power, margin=m + 0.5, weight=_t(w, a), reduction=red
        ),
        [x],
        second=False,
    )
    var, full = rng.uniform(0.1, 2, (n, c)), bool(rng.integers(2))
    var = var[:, :1] if rng.integers(2) else var
    add(
        "gaussian_nll",
        lambda a, b, v: ours.gaussian_nll_loss(a, b, v, full=full, reduction=red),
        lambda a, b, v: theirs.gaussian_nll_loss(a, b, v, full=full, reduction=red),
        [x, y, var],
    )
    log_input = bool(rng.integers(2))
    rate = x if log_input else np.abs(x) + 0.1
    counts = rng.integers(0, 5, (n, c)) + 0.5  # the target's gradient: torch's is NaN at a count of 0 (docs)
    add(
        "poisson_nll",
        lambda a, b: ours.poisson_nll_loss(a, b, log_input=log_input, full=full, reduction=red),
        lambda a, b: theirs.poisson_nll_loss(a, b, log_input=log_input, full=full, reduction=red),
        [rate, counts],
    )
    return cases


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", DEFAULT)
def test_losses_match_torch(seed, dtype):
    check_draw(_cases(seed), seed, dtype)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SLOW)
def test_more_losses_match_torch(seed, dtype):
    check_draw(_cases(seed), seed, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", [0.5, 2.0])
@pytest.mark.parametrize("name, width", [("huber_loss", "delta"), ("smooth_l1_loss", "beta")])
def test_huber_curvature_where_prediction_meets_target(name, width, size, dtype):
    """0.5 d² near d = 0 has second derivative 1 (1 / beta for smooth L1): chainrule's was 0 there, as its
    square was of min(|d|, delta), which took |d|'s slope 0 at 0. Both inputs differentiable (the Hessian's
    mixed terms), d = 0 beside points inside and outside the quadratic piece, not on its edge."""
    x = np.array([[0.0, 0.3, -2.0], [1.25, 0.0, 0.7]])
    y = np.array([[0.0, -0.1, 0.5], [1.25, 3.0, 0.7]])
    options = {width: size}
    check(
        lambda a, b: getattr(ours, name)(a, b, reduction="sum", **options),
        lambda a, b: getattr(theirs, name)(a, b, reduction="sum", **options),
        [x, y],
        dtype,
    )


@pytest.mark.parametrize("name, slope", [("huber_loss", 1.0), ("smooth_l1_loss", 0.5)])
def test_huber_curvature_at_zero_on_values(name, slope):
    """The scalar engine's losses too (beta 2: 1 / beta is 0.5)."""
    options = {"beta": 2.0} if name == "smooth_l1_loss" else {}
    loss = lambda p: getattr(ours, name)([p], [1.5], reduction="sum", **options)  # noqa: E731
    assert autograd.grad(autograd.grad(loss))(1.5) == slope

"""binary_cross_entropy_with_logits's gradient in its target at small logits, against PyTorch and an exact
reference: the slope w softplus(-x) - softplus(x) was formed as written, and cancelled (ln 2 - ln 2 = 0 for
|x| below 1e-16, where it is -x). Without pos_weight PyTorch's is -x, bit for bit ours now; with pos_weight,
PyTorch's own form cancels as ours did, so there both are judged against the slope computed in 50 digits."""

import mpmath
import numpy as np
import pytest
from torch_reference import DTYPES, F, check, torch  # without torch: skipped

import autograd
import nn.functional as nnf
from autograd import Tensor, Value

SMALL_LOGITS = np.array([1e-30, -1e-30, 1e-8, -1e-8, 1e-3, 0.0, -0.5, 3.0, -20.0, 40.0])
# a few units in the last place: the slope's two parts round once each, then their sum once
ULPS = 4


def _slopes(logits, targets, dtype, reduction, **options):
    x = Tensor(logits.astype(dtype), requires_grad=True)
    t = Tensor(targets.astype(dtype), requires_grad=True)
    loss = nnf.binary_cross_entropy_with_logits(x, t, reduction=reduction, **options)
    (loss.sum() if reduction == "none" else loss).backward()
    return t.grad


def _torch_slopes(logits, targets, dtype, reduction, **options):
    x = torch.tensor(logits.astype(dtype), requires_grad=True)
    t = torch.tensor(targets.astype(dtype), requires_grad=True)
    extra = {k: torch.tensor(np.asarray(v, dtype)) for k, v in options.items()}
    loss = F.binary_cross_entropy_with_logits(x, t, reduction=reduction, **extra)
    (loss.sum() if reduction == "none" else loss).backward()
    return t.grad.numpy()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("target", [0.0, 0.3, 1.0])
def test_target_slope_without_pos_weight_is_torch_bit_for_bit(dtype, reduction, weighted, target):
    """-x times the weight (over the count for the mean): at x = 1e-30 it was 0, PyTorch's -1e-30; at
    x = 1e-8 it was 1e-8 relative off in float64, and 0 in float32."""
    options = {"weight": np.linspace(0.5, 2.0, SMALL_LOGITS.size)} if weighted else {}
    targets = np.full(SMALL_LOGITS.shape, target)
    ours = _slopes(SMALL_LOGITS, targets, dtype, reduction, **options)
    theirs = _torch_slopes(SMALL_LOGITS, targets, dtype, reduction, **options)
    assert ours.dtype == dtype
    if reduction == "mean":  # PyTorch divides -x w by the count last, ours takes w / count first: a rounding apart
        np.testing.assert_allclose(ours, theirs, rtol=ULPS * np.finfo(dtype).eps, atol=0)
    else:
        np.testing.assert_array_equal(ours, theirs)
    assert ours[0] < 0 < ours[1]


def _exact_slope(x, w):
    """w softplus(-x) - softplus(x), in 50 digits, rounded once to a float."""
    with mpmath.workdps(50):
        x, w = mpmath.mpf(float(x)), mpmath.mpf(float(w))
        softplus = lambda z: mpmath.log1p(mpmath.exp(z))  # noqa: E731
        return float(w * softplus(-x) - softplus(x))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("pos_weight", [1.0, 1.001, 0.999, 2.0, 0.5, 1e-3])
def test_target_slope_with_pos_weight_is_exact_to_a_few_ulps(dtype, pos_weight):
    """At pos_weight 1 PyTorch's slope is 0 for x = ±1e-30 (it cancels, as ours did: no reference there), and
    off by some hundreds of units in the last place at 1.001 and 0.999; ours is within a few of the exact slope."""
    targets = np.full(SMALL_LOGITS.shape, 0.3)
    ours = _slopes(SMALL_LOGITS, targets, dtype, "sum", pos_weight=pos_weight).astype(np.float64)
    w = dtype(pos_weight)
    exact = np.array([_exact_slope(x, w) for x in SMALL_LOGITS.astype(dtype)])
    ulp = np.spacing(np.abs(exact).astype(dtype)).astype(np.float64)
    np.testing.assert_array_less(np.abs(ours - exact), ULPS * ulp)
    if pos_weight == 1.0:  # ln 2 - ln 2 in PyTorch's form: its slope at ±1e-30 is 0, the exact one ∓1e-30
        np.testing.assert_array_equal(_torch_slopes(SMALL_LOGITS, targets, dtype, "sum", pos_weight=1.0)[:2], 0)
        np.testing.assert_array_equal(ours, -SMALL_LOGITS.astype(dtype))


@pytest.mark.parametrize("pos_weight", [None, 2.0, 0.5])
def test_target_slope_on_values(pos_weight):
    xs = [Value(float(x)) for x in SMALL_LOGITS]
    ts = [Value(0.3) for _ in SMALL_LOGITS]
    nnf.binary_cross_entropy_with_logits(xs, ts, reduction="sum", pos_weight=pos_weight).backward()
    w = 1.0 if pos_weight is None else pos_weight
    exact = [_exact_slope(x, w) for x in SMALL_LOGITS]
    assert [t.grad for t in ts] == pytest.approx(exact, rel=ULPS * np.finfo(float).eps, abs=0)
    if pos_weight is None:
        assert [t.grad for t in ts] == [-x for x in SMALL_LOGITS.tolist()]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("pos_weight", [None, 3.0, 0.25])
def test_second_derivatives_at_zero_logits_match_torch(dtype, pos_weight):
    """The slope in t is formed by the logit's sign, one smooth piece either side: its derivative in x at
    x = 0 is -(pos_weight + 1) / 2 (a form with relu or abs pieces would make it 0 there)."""
    logits, targets = np.array([0.0, 0.0, 1e-30, -0.7, 2.5]), np.array([0.0, 0.3, 1.0, 0.6, 0.2])
    extra = {} if pos_weight is None else {"pos_weight": pos_weight}
    check(
        lambda x, t: nnf.binary_cross_entropy_with_logits(x, t, reduction="sum", **extra),
        lambda x, t: F.binary_cross_entropy_with_logits(
            x, t, reduction="sum", **{k: torch.tensor(v, dtype=x.dtype) for k, v in extra.items()}
        ),
        [logits, targets],
        dtype,
    )


@pytest.mark.parametrize("pos_weight", [None, 3.0, 0.25])
def test_gradients_and_their_derivatives_match_finite_differences(pos_weight):
    logits, targets = np.array([0.0, -0.7, 2.5, 1e-3]), np.array([0.3, 0.6, 0.2, 0.9])
    extra = {} if pos_weight is None else {"pos_weight": pos_weight}

    def loss(x, t):
        return nnf.binary_cross_entropy_with_logits(x, t, reduction="sum", **extra)

    def slopes(x, t):  # both gradients, differentiated again: each entry of each weighed apart
        gx, gt = autograd.grad(loss, argnums=(0, 1))(x, t)
        return gx * 1.5 + gt

    assert autograd.gradcheck(loss, [logits, targets])
    assert autograd.gradcheck(slopes, [logits, targets])

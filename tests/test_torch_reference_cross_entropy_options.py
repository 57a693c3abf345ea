"""autograd.cross_entropy's options for class indices (`weight`, `label_smoothing`, `reduction`) against
PyTorch: values, gradients and second derivatives (tests/torch_reference.py compares) in float64 and
float32, with some, no and all rows ignored, a class of weight 0, -inf logits, and logits of more dims
(batch, classes, d1, ...); central differences in float64; the NaN mean of labels that weigh nothing;
and the options refused with the fix."""

import numpy as np
import pytest
from torch_reference import DTYPES, F, check, torch  # without torch: skipped

import autograd
from autograd import ShapeError, Tensor

LOGITS = np.random.default_rng(7).standard_normal((5, 4)) * 2
WEIGHT = np.array([0.5, 2.0, 0.0, 1.5])  # class 2 counts for nothing
LABELS = {  # labels of LOGITS's rows (ignore_index -100)
    "none ignored": [0, 3, 1, 2, 1],
    "some ignored": [-100, 3, 2, -100, 0],
    "all ignored": [-100] * 5,
}
OPTIONS = {
    "weight": {"weight": WEIGHT},
    "smoothing": {"label_smoothing": 0.2},
    "weight and smoothing": {"weight": WEIGHT, "label_smoothing": 0.3},
    "full smoothing": {"label_smoothing": 1.0},
    "mean, plain": {},
}
REDUCTIONS = ["mean", "sum", "none"]
# the mean of all rows ignored is NaN, torch's too: test_a_mean_of_nothing_or_of_weightless_labels_is_nan_as_torch
LABELS_REDUCTIONS = [
    pytest.param(labels, reduction, id=f"{name}-{reduction}")
    for name, labels in LABELS.items()
    for reduction in REDUCTIONS
    if not (reduction == "mean" and name == "all ignored")
]


def _torch_options(options, dtype):
    return {k: torch.from_numpy(np.asarray(v, dtype)) if k == "weight" else v for k, v in options.items()}


def _ours(options, dtype):
    return {k: np.asarray(v, dtype) if k == "weight" else v for k, v in options.items()}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
@pytest.mark.parametrize(("labels", "reduction"), LABELS_REDUCTIONS)
def test_cross_entropy_options_match_torch(labels, reduction, options, dtype):
    _check_as_torch(LOGITS, np.array(labels), options, reduction, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
@pytest.mark.parametrize("shape", [(3, 4, 2), (2, 4, 2, 3)])
def test_logits_of_more_dims_match_torch(shape, options, reduction, dtype):
    """Logits (batch, classes, d1, ...), the classes along axis 1, and labels (batch, d1, ...), some ignored."""
    logits = np.random.default_rng(8).standard_normal(shape) * 2
    labels = np.random.default_rng(9).integers(0, 4, shape[:1] + shape[2:])
    labels.flat[::4] = -100
    _check_as_torch(logits, labels, options, reduction, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
def test_one_example_matches_torch(options, reduction, dtype):
    """Logits (classes,) and a label of shape (), PyTorch's unbatched input; an ignored label with "sum" and
    "none" (its mean is NaN: test_a_mean_of_nothing_or_of_weightless_labels_is_nan_as_torch's case)."""
    for label in (3, 0) if reduction == "mean" else (3, -100):
        _check_as_torch(LOGITS[0], np.array(label), options, reduction, dtype)


def _check_as_torch(logits, labels, options, reduction, dtype):
    """cross_entropy of `logits` against `labels` (-100 ignored) with these options, as torch's: forward,
    gradient and second derivative."""
    check(
        lambda x: autograd.cross_entropy(x, labels, ignore_index=-100, reduction=reduction, **_ours(options, dtype)),
        lambda x: F.cross_entropy(x, torch.from_numpy(labels), reduction=reduction, **_torch_options(options, dtype)),
        [logits],
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_minus_infinite_logits_match_torch(reduction, dtype):
    """-inf logits off the labels of kept rows (whose log p is -inf: the smoothing's term is inf, as
    torch's), and a row of -inf logits ignored (it counts for nothing and gets a gradient of 0)."""
    logits = LOGITS.astype(dtype)
    logits[0, 1] = logits[2, 3] = -np.inf
    logits[4] = -np.inf
    labels = np.array([0, 2, 1, 3, -100])
    for options in ({"weight": np.array([0.5, 2.0, 1.0, 1.5], dtype)}, {"label_smoothing": 0.1}):
        x = Tensor(logits.copy(), requires_grad=True)
        with np.errstate(all="ignore"):
            loss = autograd.cross_entropy(x, labels, ignore_index=-100, reduction=reduction, **options)
            loss.sum().backward()
        tx = torch.tensor(logits, requires_grad=True)
        expected = F.cross_entropy(tx, torch.from_numpy(labels), reduction=reduction, **_torch_options(options, dtype))
        expected.sum().backward()
        tol = {"rtol": 1e-12, "atol": 1e-12} if dtype == np.float64 else {"rtol": 1e-5, "atol": 1e-6}
        assert loss.dtype == dtype
        np.testing.assert_allclose(loss.data, expected.detach().numpy(), **tol)
        np.testing.assert_allclose(x.grad[:4], tx.grad.numpy()[:4], **tol)
        assert x.grad[4].tolist() == [0.0] * 4  # torch's is NaN there (pytorch/pytorch#11551)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
def test_cross_entropy_options_gradients_against_central_differences(options, reduction):
    labels = np.array(LABELS["some ignored"])
    loss = lambda x: autograd.cross_entropy(x, labels, ignore_index=-100, reduction=reduction, **options)  # noqa: E731
    assert autograd.gradcheck(loss, [Tensor(LOGITS.copy(), requires_grad=True)])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_a_mean_of_nothing_or_of_weightless_labels_is_nan_as_torch(smoothing, dtype):
    """Every row ignored: NaN, with a gradient of 0 (torch's); the kept labels weighing 0 in all: NaN,
    with a gradient of NaN on the kept rows (each one's share is 0 / 0) and 0 on the ignored ones."""
    logits = LOGITS.astype(dtype)
    for labels, grad_of_kept in (([-100] * 5, None), ([2, -100, 2, 2, -100], "nan")):
        labels = np.array(labels)
        x = Tensor(logits.copy(), requires_grad=True)
        with np.errstate(all="ignore"):
            loss = autograd.cross_entropy(x, labels, ignore_index=-100, weight=WEIGHT, label_smoothing=smoothing)
            loss.backward()
        tx = torch.tensor(logits, requires_grad=True)
        weight = torch.from_numpy(WEIGHT.astype(dtype))
        expected = F.cross_entropy(tx, torch.from_numpy(labels), weight=weight, label_smoothing=smoothing)
        expected.backward()
        assert np.isnan(loss.item()) and np.isnan(expected.item())
        kept = labels != -100
        assert (x.grad[~kept] == 0).all()
        if grad_of_kept:
            assert np.isnan(x.grad[kept]).all() and np.isnan(tx.grad.numpy()[kept]).all()
        else:
            assert (tx.grad.numpy() == 0).all()


def test_the_plain_mean_takes_no_options_and_keeps_its_bits():
    """Options at their defaults are not passed to the op: the plain mean's numbers, bit for bit."""
    labels = np.array(LABELS["some ignored"])
    x, y = (Tensor(LOGITS.copy(), requires_grad=True) for _ in range(2))
    plain = autograd.cross_entropy(x, labels, ignore_index=-100)
    defaults = autograd.cross_entropy(y, labels, ignore_index=-100, weight=None, label_smoothing=0, reduction="mean")
    plain.backward()
    defaults.backward()
    assert defaults._made_by.params.keys() == {"labels", "ignore_index"}
    assert plain.item() == defaults.item() and np.array_equal(x.grad, y.grad)


BAD_OPTIONS = {
    "a reduction": ({"reduction": "average"}, ValueError, "reduction must be one of mean, sum, none"),
    "a smoothing above 1": ({"label_smoothing": 1.5}, ValueError, r"label_smoothing must be in \[0, 1\]"),
    "a smoothing of text": ({"label_smoothing": "0.1"}, TypeError, "label_smoothing must be a number"),
    "weights of another shape": ({"weight": np.ones(3)}, ShapeError, r"one per class, shape \(4,\)"),
    "a NaN weight": ({"weight": np.array([1.0, np.nan, 1.0, 1.0])}, ValueError, "finite real numbers"),
    "weights that require grad": ({"weight": Tensor(np.ones(4), requires_grad=True)}, TypeError, "detach"),
}


def test_labels_of_logits_of_more_dims_are_checked_with_where_they_are():
    logits = Tensor(np.zeros((2, 3, 4)))
    with pytest.raises(ShapeError, match=r"one label per entry of logits along their class axis 1: labels of shape"):
        autograd.cross_entropy(logits, np.zeros((2, 3), int))
    labels = np.zeros((2, 4), int)
    labels[1, 2] = 3
    with pytest.raises(ValueError, match=r"label 3 \(row \(1, 2\)\) is not a class of these logits, which have 3"):
        autograd.cross_entropy(logits, labels)


@pytest.mark.parametrize("options, error, message", BAD_OPTIONS.values(), ids=BAD_OPTIONS.keys())
def test_options_without_meaning_are_refused_with_the_fix(options, error, message):
    with pytest.raises(error, match=message):
        autograd.cross_entropy(Tensor(LOGITS), np.array(LABELS["none ignored"]), **options)

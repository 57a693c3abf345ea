"""A target, weights or var given as an array or a list are constants in the predictions' dtype (but a float16
model's weights and var: float32, below); where a number
overflows that dtype (70000 in float16, 1e39 in float32) the loss refuses it, naming the fix, where it was inf or
NaN with numpy's overflow warning alone. Where the loss widens to a wider Tensor's dtype (PyTorch's promotion:
mse_loss of float16 and float32 tensors is float32, as torch's), the advice is a Tensor, and it works; where it
keeps the predictions' dtype (huber_loss, binary_cross_entropy's weights), the advice is wider
predictions, and a wider constant Tensor is refused too (PyTorch's huber_loss gives inf). Labels (-1 or +1)
beyond the dtype are refused as no labels: test_loss_label_overflow_order.py."""

import re
import warnings

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

BIG = np.array([70000.0, 1.0])
P = np.array([0.3, 0.6])
Y01, YPM = np.array([0.0, 1.0]), np.array([1.0, -1.0])

# name: (loss of predictions p and a constant c (BIG), whether a Tensor c widens the loss: the advice; c's shape)
CASES = {
    "mse_loss": (lambda p, c: F.mse_loss(p, c), True),
    "l1_loss": (lambda p, c: F.l1_loss(p, c), True),
    "smooth_l1_loss": (lambda p, c: F.smooth_l1_loss(p, c), True),
    "huber_loss": (lambda p, c: F.huber_loss(p, c), False),
    "kl_div log_target": (lambda p, c: F.kl_div(p, c, log_target=True), True),
    "poisson_nll_loss": (lambda p, c: F.poisson_nll_loss(p, c), True),
    "gaussian_nll_loss target": (lambda p, c: F.gaussian_nll_loss(p, c, np.ones(2)), True),
    "cross_entropy probabilities": (lambda p, c: F.cross_entropy(p.reshape(1, 2), c), True, (1, 2)),
    "margin_ranking_loss": (lambda p, c: F.margin_ranking_loss(p, c, YPM), True),
    "triplet_margin_loss": (lambda p, c: F.triplet_margin_loss(p.reshape(1, 2), c, Y01.reshape(1, 2)), True, (1, 2)),
    "cosine_embedding_loss": (lambda p, c: F.cosine_embedding_loss(p.reshape(1, 2), c, YPM[:1]), True, (1, 2)),
}


def _case(name: str):
    """The loss, whether it widens, and BIG in the shape it takes."""
    loss, widens, *shape = CASES[name]
    return loss, widens, BIG.reshape(shape[0]) if shape else BIG


@pytest.mark.parametrize("kind", ["array", "list"])
@pytest.mark.parametrize("case", CASES)
def test_a_constant_beyond_the_predictions_dtype_is_refused_naming_the_fix(case, kind):
    loss, widens, big = _case(case)
    p = Tensor(P, dtype=np.float16, requires_grad=True)
    fix = (
        r"give it as a float32 Tensor \(Tensor\(.*, dtype=np.float32\)\)"
        if widens
        else r"predict in float32 \(model.float\(\)"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # refused before numpy's overflow warning
        with pytest.raises(ValueError, match=rf"holds 70000, beyond float16's largest number \(65504\).*{fix}"):
            loss(p, big if kind == "array" else big.tolist())


@pytest.mark.parametrize("case", [c for c in CASES if CASES[c][1]])
def test_the_advised_tensor_widens_the_loss(case):
    """Tensor(c) (float64) widens the loss to float64, PyTorch's promotion: a finite loss (but kl_div's of a log
    target of 70000, e^70000 · ..., inf in float64 too)."""
    loss, _, big = _case(case)
    with np.errstate(over="ignore"):
        out = loss(Tensor(P, dtype=np.float16, requires_grad=True), Tensor(big))
    assert out.dtype == np.float64 and np.isfinite(out.item()) == (case != "kl_div log_target")


@pytest.mark.parametrize("case", [c for c in CASES if not CASES[c][1]])
def test_a_wider_constant_tensor_the_loss_would_cast_is_refused_too(case):
    loss, _, big = _case(case)
    with pytest.raises(ValueError, match=r"beyond float16.s largest number .*predict in float32"):
        loss(Tensor(P, dtype=np.float16, requires_grad=True), Tensor(big, dtype=np.float32))


def test_float32_predictions_refuse_a_float64_number_beyond_float32():
    with pytest.raises(ValueError, match=r"holds 1e\+39, beyond float32's largest number"):
        F.mse_loss(Tensor(P, dtype=np.float32), np.array([1e39, 0.0]))


def test_numbers_that_fit_are_cast_as_before():
    """Rounding to the dtype (0.1, a subnormal 1e-6, 65519 to 65504) is of the size of the loss's own rounding
    there: the constant is taken as float16 holds it."""
    zero = Tensor(np.zeros(2), dtype=np.float16)
    for c in ([0.1, 65504.0], [1e-6, 65519.0], np.array([-65504, 3])):
        out = F.l1_loss(zero, c, reduction="none")
        assert out.dtype == np.float16
        np.testing.assert_array_equal(out.data, np.abs(np.asarray(c).astype(np.float16)))


def test_a_compiled_step_checks_each_calls_targets():
    """The check runs through autograd.validate: a replayed step refuses a later call's overflowing targets too,
    and replays the ones that fit (strict: a step that could not replay raises)."""
    model = nn.Linear(3, 2, seed=0, dtype=np.float16)

    def step(x, y):
        loss = F.mse_loss(model(x), y)
        loss.backward()
        return loss.item()

    run = autograd.compile(step, strict=True)
    x = Tensor(np.ones((4, 3)), dtype=np.float16)
    for i in range(3):
        assert np.isfinite(run(x, np.full((4, 2), float(i))))
    with pytest.raises(ValueError, match=r"the target holds 70000, beyond float16's largest number"):
        run(x, np.full((4, 2), 70000.0))


@pytest.mark.parametrize(
    "loss",
    [
        lambda p, y: F.mse_loss(p, y, weight=[[1.0, 2.0]] * 4),
        lambda p, y: F.binary_cross_entropy_with_logits(p, y, pos_weight=[1.0, 2.0]),
        lambda p, y: F.mse_loss(p, [[0.5, 0.25]] * 4) + F.l1_loss(p, y),
        lambda p, y: F.cross_entropy(p, [[0.5, 0.5]] * 4, weight=[1.0, 3.0]),
    ],
    ids=["list weight", "list pos_weight", "list target", "list probabilities and weights"],
)
def test_a_compiled_step_with_list_constants_replays(loss):
    """A list (float64) cast to a float32 model's dtype is checked once, as the step's own constant: a check
    through validate of the array made of it made the step run eagerly (strict: CompileError)."""
    model = nn.Linear(3, 2, seed=0, dtype=np.float32)

    def step(x, y):
        out = loss(model(x), y)
        out.backward()
        return out.item()

    run = autograd.compile(step, strict=True)
    x = Tensor(np.ones((4, 3)), dtype=np.float32)
    for i in range(4):
        assert np.isfinite(run(x, np.full((4, 2), i / 4, np.float32)))


CLASS_LOSSES = ["cross_entropy", "nll_loss", "multi_margin_loss"]


@pytest.mark.parametrize("kind", ["array", "list", "Tensor"])
@pytest.mark.parametrize("name", CLASS_LOSSES)
def test_class_weights_beyond_the_dtype_the_op_computes_in_are_refused(name, kind):
    """Class weights of autograd's fused ops are cast to the scores' dtype: a weight of 1e39 for float32 scores
    made the mean NaN (the weights' inf over their inf sum), with numpy's warnings alone."""
    w = np.array([1e39, 1.0])
    weight = w if kind == "array" else w.tolist() if kind == "list" else Tensor(w)
    scores = Tensor(np.array([[0.3, 0.6], [0.1, 0.2]]), dtype=np.float32)
    with pytest.raises(ValueError, match=r"weight holds 1e\+39, beyond float32's largest .*predict in float64 \(model"):
        getattr(F, name)(scores, np.array([0, 1]), weight=weight)


@pytest.mark.parametrize("name", CLASS_LOSSES)
def test_class_weights_of_float16_scores_count_in_float32_where_the_ops_compute(name):
    """A float16 model's class weight of 70000 is taken: the ops compute in float32 (a mean of one row by its
    weight is its loss), as float64 scores give it."""
    x = np.array([[0.3, 0.6]])
    half = getattr(F, name)(Tensor(x, dtype=np.float16), np.array([0]), weight=[70000.0, 1.0])
    wide = getattr(F, name)(Tensor(x), np.array([0]), weight=[70000.0, 1.0])
    assert half.dtype == np.float16
    np.testing.assert_allclose(half.item(), wide.item(), rtol=1e-3)


# the losses weighing each element (or its positive term, or its class against probabilities), computed in
# float32 for float16 predictions
WEIGHTED = {
    "mse_loss": lambda p, c, r: F.mse_loss(p, Y01, weight=c, reduction=r),
    "l1_loss": lambda p, c, r: F.l1_loss(p, Y01, weight=c, reduction=r),
    "huber_loss": lambda p, c, r: F.huber_loss(p, Y01, weight=c, reduction=r),
    "binary_cross_entropy": lambda p, c, r: F.binary_cross_entropy(p, Y01, weight=c, reduction=r),
    "bce_with_logits weight": lambda p, c, r: F.binary_cross_entropy_with_logits(p, Y01, weight=c, reduction=r),
    "bce_with_logits pos_weight": lambda p, c, r: F.binary_cross_entropy_with_logits(p, Y01, pos_weight=c, reduction=r),
    "cross_entropy probabilities": lambda p, c, r: F.cross_entropy(
        p.reshape(1, 2), np.array([[0.5, 0.5]]), weight=c, reduction=r
    ),
    "multilabel_soft_margin_loss": lambda p, c, r: F.multilabel_soft_margin_loss(
        p.reshape(1, 2), Y01.reshape(1, 2), weight=c, reduction=r
    ),
    # a scale of each term as weights are: read in float32 too (it was refused as beyond float16)
    "gaussian_nll_loss var": lambda p, c, r: F.gaussian_nll_loss(p, Y01, c, reduction=r),
}


@pytest.mark.parametrize("kind", ["array", "list", "float32 Tensor"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", WEIGHTED)
def test_element_weights_of_float16_predictions_count_in_float32(name, reduction, kind):
    """Weights of float16 predictions are taken in float32, where the loss is computed
    (test_loss_float16_weight_sums.py), as the class-weight ops take theirs: 70000 is taken, the loss float64's
    rounded to the loss's dtype (a float32 Tensor's where it widens the loss, as PyTorch's). The binary
    cross-entropies and huber_loss refused it, naming model.float(); binary_cross_entropy_with_logits refused a
    float32 weight Tensor of 70000, where PyTorch's loss is finite (float16)."""
    weight = BIG if kind == "array" else BIG.tolist() if kind == "list" else Tensor(BIG, dtype=np.float32)
    loss = WEIGHTED[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow on the way
        half = loss(Tensor(P, dtype=np.float16), weight, reduction)
    wide = loss(Tensor(P.astype(np.float16).astype(np.float64)), BIG, reduction)
    widens = kind == "float32 Tensor" and not name.startswith(("binary_cross_entropy", "bce_with_logits"))
    assert half.dtype == (np.float32 if widens else np.float16)
    np.testing.assert_allclose(half.data, wide.data.astype(half.dtype), rtol=2**-11 if widens else 2**-10)


def test_bce_with_logits_of_float16_logits_and_a_float32_weight_tensor_is_torchs():
    """PyTorch's binary_cross_entropy_with_logits of float16 logits and a float32 weight Tensor of 70000 is
    float16 29904 (x = [0.3, 0.6], targets [0, 1]): the weight is taken, as chainrule's now (it refused it, naming
    model.float())."""
    torch = pytest.importorskip("torch")
    x = np.array([0.3, 0.6], dtype=np.float16)
    w = np.array([70000.0, 1.0], dtype=np.float32)
    ours = F.binary_cross_entropy_with_logits(Tensor(x, dtype=np.float16), Y01, weight=Tensor(w, dtype=np.float32))
    theirs = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.tensor(x), torch.tensor(Y01, dtype=torch.float16), weight=torch.tensor(w)
    )
    assert ours.dtype == np.float16 and theirs.dtype == torch.float16
    assert ours.item() == theirs.item() == 29904.0


@pytest.mark.parametrize(
    ("name", "kind"),
    [(name, kind) for name in WEIGHTED for kind in ("array", "list")]
    + [(name, "Tensor") for name in ("binary_cross_entropy", "bce_with_logits weight", "bce_with_logits pos_weight")],
)
def test_element_weights_beyond_float32_are_refused_for_float16_predictions(name, kind):
    """Read in float32, a float16 loss's weights may not overflow float32: 1e39 is refused, naming float64 (a
    float64 Tensor too where the loss keeps the predictions' dtype; where it widens, it is computed in float64)."""
    w = np.array([1e39, 1.0])
    weight = w if kind == "array" else w.tolist() if kind == "list" else Tensor(w)
    with pytest.raises(ValueError, match=r"(weight|var) holds 1e\+39, beyond float32's largest number"):
        WEIGHTED[name](Tensor(P, dtype=np.float16), weight, "mean")


@pytest.mark.parametrize(
    "target",
    [np.array([70000, 1]), np.array([70000.0, 1.0]), [70000, 1], [70000.0, 1.0]],
    ids=["int array", "float array", "int list", "float list"],
)
def test_the_advised_tensor_taken_as_written_gives_torchs_loss(target):
    """The advice, evaluated as written on the caller's target, gives PyTorch's loss of a float16 input and a
    float32 target tensor (float32, finite): an integer array's advice was Tensor(target), an int64 Tensor,
    which does not widen the loss (ints are weak beside floats), and was refused again."""
    torch = pytest.importorskip("torch")
    p = Tensor(P, dtype=np.float16, requires_grad=True)
    with pytest.raises(ValueError) as refused:
        F.mse_loss(p, target)
    advised = re.search(r"\((Tensor\(target[^()]*\))\)", str(refused.value))
    assert advised, str(refused.value)
    out = F.mse_loss(p, eval(advised.group(1), {"Tensor": Tensor, "np": np, "target": target}))
    expected = torch.nn.functional.mse_loss(torch.tensor(P, dtype=torch.float16), torch.tensor([70000.0, 1.0]))
    assert out.dtype == np.float32 and out.item() == expected.item()

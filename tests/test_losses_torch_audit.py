"""nn's losses against PyTorch where an earlier form of them was silently different: huber_loss and
smooth_l1_loss of an infinite difference (inf - inf made the loss and its gradient NaN), and
binary_cross_entropy_with_logits of an infinite logit (softplus(x) - t softplus(x) was inf - inf at x = inf),
binary_cross_entropy's gradient at a right p of 0 or 1 in float16 (its 1e-12 bound rounded to 0: 0 / 0), and
its loss at a small p (log(1 - p), where 1 - p rounds to 1, was 0 for p = 1e-8 in float32)."""

import numpy as np
import pytest

from autograd import Tensor, Value
from nn import functional as F

torch = pytest.importorskip("torch", reason="PyTorch is the reference here: pip install '.[reference]'")

ROBUST = {
    "huber_loss": (F.huber_loss, torch.nn.functional.huber_loss, "delta"),
    "smooth_l1_loss": (F.smooth_l1_loss, torch.nn.functional.smooth_l1_loss, "beta"),
}


@pytest.mark.parametrize("name", sorted(ROBUST))
@pytest.mark.parametrize("limit", [1.0, 0.5])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_robust_losses_of_an_infinite_difference_match_torch(name, limit, dtype):
    """Far out the loss is linear: at |d| = inf it is inf, and its slope ±limit (±1 for smooth_l1)."""
    ours, theirs, option = ROBUST[name]
    pred = np.array([np.inf, -np.inf, 0.25, limit, 3.0], dtype)
    x = Tensor(pred, requires_grad=True)
    loss = ours(x, np.zeros(5, dtype), reduction="none", **{option: limit})
    loss.sum().backward()
    tx = torch.tensor(pred, requires_grad=True)
    expected = theirs(tx, torch.zeros(5, dtype=tx.dtype), reduction="none", **{option: limit})
    expected.sum().backward()
    np.testing.assert_array_equal(loss.data, expected.detach().numpy())
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())


@pytest.mark.parametrize("name", sorted(ROBUST))
def test_robust_losses_of_an_infinite_difference_on_values(name):
    ours, theirs, option = ROBUST[name]
    values = [Value(np.inf), Value(-np.inf), Value(0.25), Value(0.5)]
    loss = ours(values, [0.0] * 4, reduction="sum", **{option: 0.5})
    loss.backward()
    tx = torch.tensor([np.inf, -np.inf, 0.25, 0.5], dtype=torch.float64, requires_grad=True)
    expected = theirs(tx, torch.zeros(4, dtype=torch.float64), reduction="sum", **{option: 0.5})
    expected.backward()
    assert loss.data == expected.item() == np.inf
    assert [v.grad for v in values] == tx.grad.tolist()


INFINITE_LOGITS = np.array([np.inf, np.inf, -np.inf, -np.inf, np.inf, -np.inf, 2.0])
HARD_AND_SOFT = np.array([0.0, 1.0, 1.0, 0.0, 0.25, 0.75, 0.25])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("pos_weight", [None, 2.0])
def test_bce_with_logits_of_infinite_logits_is_inf_where_wrong_and_0_where_right(dtype, pos_weight):
    """Where PyTorch's loss is a number (inf at a wrong +inf), ours is the same, and the gradient is PyTorch's
    everywhere; where PyTorch's is NaN (0 · inf in its form: at -inf, and at +inf for t = 1), ours is the
    loss's limit: inf where the logit is wrong, 0 where it is right."""
    x = Tensor(INFINITE_LOGITS.astype(dtype), requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, HARD_AND_SOFT.astype(dtype), reduction="none", pos_weight=pos_weight)
    loss.sum().backward()
    tx = torch.tensor(INFINITE_LOGITS.astype(dtype), requires_grad=True)
    extra = {} if pos_weight is None else {"pos_weight": torch.tensor(pos_weight, dtype=tx.dtype)}
    expected = torch.nn.functional.binary_cross_entropy_with_logits(
        tx, torch.tensor(HARD_AND_SOFT.astype(dtype)), reduction="none", **extra
    )
    expected.sum().backward()
    torch_loss = expected.detach().numpy()
    assert loss.dtype == dtype
    np.testing.assert_array_equal(np.flatnonzero(np.isnan(torch_loss)), [1, 2, 3, 5])
    np.testing.assert_array_equal(loss.data[:6], [np.inf, 0, np.inf, 0, np.inf, np.inf])
    np.testing.assert_array_equal(loss.data[[0, 4]], torch_loss[[0, 4]])
    np.testing.assert_allclose(loss.data[6], torch_loss[6], rtol=1e-6)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-6)


def test_bce_with_logits_of_infinite_logits_on_values():
    values = [Value(float(v)) for v in INFINITE_LOGITS]
    loss = F.binary_cross_entropy_with_logits(values, HARD_AND_SOFT.tolist(), reduction="none")
    sum(loss[1:], loss[0]).backward()
    assert [term.data for term in loss[:6]] == [np.inf, 0.0, np.inf, 0.0, np.inf, np.inf]
    assert [v.grad for v in values[:6]] == [1.0, 0.0, -1.0, 0.0, 0.75, -0.75]


def test_bce_gradient_of_a_right_prediction_at_0_or_1_is_0_in_float16_as_in_float32():
    """float16 cannot hold the bound 1e-12 on p (1 - p): it was 0, and (p - t) / 0 at p = t = 0 gave NaN (PyTorch's
    float16 too), which an optimizer step spreads to every weight. A sigmoid in float16 is exactly 0 from x = -17.
    A wrong prediction's gradient, 1e12 in float32, is inf in float16, as PyTorch's."""
    probs = np.array([0.0, 1.0, 0.3, 1.0, 0.0])
    targets = np.array([0.0, 1.0, 0.5, 0.0, 1.0])
    grads = {}
    for dtype in (np.float16, np.float32):
        x = Tensor(probs.astype(dtype), requires_grad=True, dtype=dtype)
        with np.errstate(over="ignore"):  # float16's 1e12, meant
            F.binary_cross_entropy(x, targets.astype(dtype), reduction="sum").backward()
        grads[dtype] = x.grad
    np.testing.assert_array_equal(grads[np.float32][:2], [0, 0])
    np.testing.assert_array_equal(grads[np.float16][:2], [0, 0])
    np.testing.assert_array_equal(grads[np.float16][3:], [np.inf, -np.inf])
    np.testing.assert_allclose(grads[np.float16][2], grads[np.float32][2], rtol=1e-3)


# probabilities far below 1, where 1 - p rounds to 1 (float32: below 6e-8; float64: below 1e-16) or keeps few
# digits (none so small that log p is held at -100); the loss of t = 0 is -log(1 - p), about p itself
SMALL_P = {np.float32: [1e-8, 6e-8, 3e-7, 1e-30, 1e-40, 0.3], np.float64: [1e-17, 1e-12, 1e-40, 0.3]}
TAIL_RTOL = {np.float32: 1e-6, np.float64: 1e-14}  # relative, no atol: losses of 1e-40 are compared too


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("target", [0.0, 0.25])
def test_bce_of_a_small_probability_keeps_its_digits(dtype, target):
    """log(1 - p) is log1p(-p), as PyTorch's: computed as log(1 - p) the loss of p = 1e-8 against 0 was 0 in
    float32 (PyTorch's 1e-8), and 5.96e-8 at p = 6e-8. Against torch in the dtype and the float64 truth."""
    probs = np.array(SMALL_P[dtype], dtype)
    targets = np.full(probs.shape, target, dtype)
    loss = F.binary_cross_entropy(Tensor(probs), targets, reduction="none")
    expected = torch.nn.functional.binary_cross_entropy(
        torch.tensor(probs), torch.tensor(targets), reduction="none"
    ).numpy()
    truth = -target * np.log(probs.astype(np.float64)) - (1 - target) * np.log1p(-probs.astype(np.float64))
    assert loss.dtype == dtype
    np.testing.assert_allclose(loss.data, expected, rtol=TAIL_RTOL[dtype], atol=0)
    np.testing.assert_allclose(loss.data, truth, rtol=TAIL_RTOL[dtype], atol=0)


@pytest.mark.parametrize("p", [1e-20, 1e-9])
def test_bce_of_a_small_probability_on_values(p):
    loss = F.binary_cross_entropy([Value(p)], [0.0], reduction="sum")
    assert loss.data == pytest.approx(-np.log1p(-p), rel=1e-15, abs=0) and loss.data > 0


@pytest.mark.parametrize("target", [[[0.5, 0.5, 0.0], [0.0, 1.0, 0.0]], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
def test_nll_loss_refuses_probabilities_pointing_to_cross_entropy_not_to_themselves(target):
    """nll_loss's error named "class probabilities of the scores' shape (2, 3)" as a fix for being given exactly
    those (and labels.astype(int) for one-hot rows, which keeps the wrong shape); PyTorch's nll_loss takes none."""
    with pytest.raises(TypeError, match=r"argmax\(axis=1\).*no class probabilities.*nn.functional") as caught:
        F.nll_loss(Tensor(np.zeros((2, 3))), np.array(target))
    assert "scores' shape" not in str(caught.value) and "astype" not in str(caught.value)
    assert F.cross_entropy(Tensor(np.zeros((2, 3))), np.array(target)).item() == pytest.approx(np.log(3))

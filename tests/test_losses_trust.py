"""nn's losses, accuracy and layers where they could be silently wrong or unclear: ignored rows holding
-inf, the target gradient of kl_div at 0, all-positive batches of accuracy, soft targets that are no
probabilities, numpy scalars as hyperparameters, NaN hyperparameters, and sizes that make no layer."""

import functools

import numpy as np
import pytest

import nn
from autograd import Tensor, Value
from nn import functional as F


def _torch():
    return pytest.importorskip("torch", reason="PyTorch is the reference here: pip install '.[reference]'")


# ---- 1. an ignored row holding -inf counts for nothing, in the loss and in its gradient ----

SCORES_WITH_INF = np.array([[1.0, 2.0, 3.0], [-np.inf, 0.0, 1.0], [0.5, -1.0, 2.0]])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
@pytest.mark.parametrize("labels", [[0, -100, 2], [0, 1, 2]])
def test_cross_entropy_of_rows_with_minus_inf_matches_torch(dtype, reduction, smoothing, labels):
    """Ignored (first labels) or kept (second: the fused path for the mean without smoothing)."""
    torch = _torch()
    labels = np.array(labels)
    x = Tensor(SCORES_WITH_INF.astype(dtype), requires_grad=True)
    out = F.cross_entropy(x, labels, reduction=reduction, label_smoothing=smoothing)
    out.sum().backward()
    tx = torch.tensor(SCORES_WITH_INF.astype(dtype), requires_grad=True)
    expected = torch.nn.functional.cross_entropy(
        tx, torch.tensor(labels), reduction=reduction, label_smoothing=smoothing
    )
    expected.sum().backward()
    assert out.dtype == dtype
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=tol, atol=tol)


def test_nll_loss_of_an_ignored_minus_inf_is_zero():
    log_p = Tensor(np.array([[-0.1, -2.5], [-np.inf, 0.0]]), requires_grad=True)
    loss = F.nll_loss(log_p, np.array([0, -100]), reduction="none")
    assert loss.data.tolist() == [0.1, 0.0]
    loss.sum().backward()
    assert log_p.grad.tolist() == [[-1.0, 0.0], [0.0, 0.0]]


# ---- 2. kl_div's gradient in a target of 0 is NaN, as torch's, never a finite number ----


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_kl_div_target_gradient_at_zero_is_nan_on_tensors_as_torch(dtype):
    torch = _torch()
    log_p, target = np.log([0.5, 0.25, 0.25]).astype(dtype), np.array([0.0, 0.4, 0.6], dtype)
    x, t = Tensor(log_p, requires_grad=True), Tensor(target, requires_grad=True)
    loss = F.kl_div(x, t, reduction="sum")
    loss.backward()
    tx, tt = torch.tensor(log_p, requires_grad=True), torch.tensor(target, requires_grad=True)
    expected = torch.nn.functional.kl_div(tx, tt, reduction="sum")
    expected.backward()
    tol = 1e-12 if dtype == np.float64 else 1e-6
    np.testing.assert_allclose(loss.data, expected.item(), rtol=tol)  # the forward is as before: 0 log 0 = 0
    np.testing.assert_allclose(t.grad, tt.grad.numpy(), rtol=tol)  # NaN where torch's is, equal elsewhere
    assert np.isnan(t.grad[0]) and t.grad.dtype == dtype
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=tol)


def test_kl_div_target_gradient_at_zero_is_nan_on_values():
    xs, ts = [Value(np.log(0.5)), Value(np.log(0.5))], [Value(0.0), Value(1.0)]
    loss = F.kl_div(xs, ts, reduction="sum")
    loss.backward()
    assert loss.data == pytest.approx(np.log(2))
    assert np.isnan(ts[0].grad) and ts[1].grad == pytest.approx(1 + np.log(2))
    assert [v.grad for v in xs] == [0.0, -1.0]


def test_kl_div_forward_is_unchanged_for_constant_targets():
    x = Tensor(np.log([0.5, 0.5]), requires_grad=True)
    assert F.kl_div(x, np.array([0.0, 1.0]), reduction="none").data.tolist() == [0.0, np.log(2)]
    assert F.kl_div([Value(np.log(0.5))] * 2, [0.0, 1.0], reduction="sum").data == pytest.approx(np.log(2))


# ---- 3. accuracy never judges an all-positive batch at the wrong threshold ----


def test_accuracy_of_all_positive_labels_is_refused_where_the_threshold_matters():
    with pytest.raises(ValueError, match=r"labels are all 1.*pass threshold=0.0 for margins"):
        F.accuracy(Tensor(np.array([0.3, 0.2])), np.array([1, 1]))
    # the same scores, judged with the -1 label that says which threshold: as on the whole batch
    assert F.accuracy(Tensor(np.array([0.3, 0.2])), np.array([1, 1]), threshold=0.0) == 1.0
    assert F.accuracy(Tensor(np.array([0.3, 0.2, -0.4])), np.array([1, 1, -1])) == 1.0
    assert F.accuracy(np.array([0.3, 0.2]), np.array([1, 1]), threshold=0.5) == 0.0


def test_accuracy_of_all_positive_labels_is_given_where_both_thresholds_agree():
    assert F.accuracy(np.array([0.9, 0.7, -0.2, 0.0]), np.array([1, 1, 1, 1])) == 0.5
    assert F.accuracy([Value(2.0)], [1]) == 1.0  # a batch of one, as nn.fit's last batch may be


def test_accuracy_keeps_its_thresholds_for_labels_that_tell():
    assert F.accuracy(np.array([0.7, 0.4, 0.45]), np.array([1, 0, 1])) == pytest.approx(2 / 3)  # 0.5
    assert F.accuracy(np.array([0.3, -0.2]), np.array([-1, -1])) == 0.5  # 0
    assert F.accuracy(np.array([0.3, 0.45]), np.array([0, 0])) == 1.0  # 0.5


def test_accuracy_with_a_threshold_works_in_fit_for_margins():
    X = np.array([[1.0], [2.0], [-1.0], [-2.0]], np.float32)
    y = np.array([1.0, 1.0, -1.0, -1.0], np.float32)
    model = nn.Linear(1, 1, seed=0)
    model.W.data[...] = 0.2  # scores 0.2 and 0.4 for the positives: in (0, 0.5]
    history = nn.fit(model, lambda out, yb: F.hinge_loss(out.reshape(-1), yb), nn.SGD(model.parameters(), lr=0.0),
                     (X, y), batch_size=1, seed=0, verbose=False,
                     metric=functools.partial(F.accuracy, threshold=0.0))  # fmt: skip
    assert history.accuracy == [1.0]


@pytest.mark.parametrize(
    "threshold, error", [(float("nan"), ValueError), (np.inf, ValueError), (True, TypeError), ("0.5", TypeError)]
)
def test_accuracy_refuses_a_threshold_that_is_no_finite_number(threshold, error):
    with pytest.raises(error, match="accuracy: threshold must be"):
        F.accuracy(np.array([0.3, 0.7]), np.array([0, 1]), threshold=threshold)


# ---- 4. soft targets must be probabilities: finite and >= 0 (rows need not sum to 1, as torch) ----

LOGITS = np.array([[1.0, 2.0, 0.5], [0.1, -1.0, 2.0]])


@pytest.mark.parametrize("bad", [np.nan, -0.5, np.inf])
def test_soft_cross_entropy_refuses_targets_that_are_no_probabilities(bad):
    target = np.array([[0.2, 0.3, 0.5], [bad, 0.5, 0.5]])
    with pytest.raises(ValueError, match="class probabilities must be finite numbers >= 0"):
        F.cross_entropy(Tensor(LOGITS), target)
    t = Tensor(target, requires_grad=True)  # a target that takes a gradient is checked alike
    with pytest.raises(ValueError, match="class probabilities must be finite numbers >= 0"):
        F.cross_entropy(Tensor(LOGITS), t)


def test_soft_cross_entropy_takes_rows_that_do_not_sum_to_one_as_torch():
    torch = _torch()
    target = np.array([[0.2, 0.3, 0.1], [0.0, 1.0, 1.0]])
    expected = torch.nn.functional.cross_entropy(torch.tensor(LOGITS), torch.tensor(target))
    assert F.cross_entropy(Tensor(LOGITS), target).item() == pytest.approx(expected.item(), rel=1e-12)


# ---- 5. numpy's scalars are numbers; bools are not ----


def test_numpy_scalars_are_taken_as_hyperparameters():
    x, y = Tensor(LOGITS), np.array([0, 2])
    assert F.cross_entropy(x, y, label_smoothing=np.float32(0.1)).item() == pytest.approx(
        F.cross_entropy(x, y, label_smoothing=float(np.float32(0.1))).item()
    )
    x32 = Tensor(LOGITS.astype(np.float32))
    assert F.cross_entropy(x32, y, label_smoothing=np.float64(0.1)).dtype == np.float32  # float32 stays float32
    p, t = Tensor(np.array([0.0, 2.0])), np.zeros(2)
    assert F.huber_loss(p, t, delta=np.float32(0.5)).item() == F.huber_loss(p, t, delta=0.5).item()
    assert F.smooth_l1_loss(p, t, beta=np.float64(0.5)).item() == F.smooth_l1_loss(p, t, beta=0.5).item()
    assert F.accuracy(np.array([0.3, 0.7]), np.array([0, 1]), threshold=np.float32(0.5)) == 1.0
    assert nn.Dropout(np.float32(0.25)).p == 0.25
    assert nn.LeakyReLU(np.float64(0.2))(Tensor(np.array([-1.0]))).item() == -0.2


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: F.cross_entropy(Tensor(LOGITS), np.array([0, 2]), label_smoothing=True), "label_smoothing"),
        (lambda: F.huber_loss(Tensor(np.zeros(2)), np.zeros(2), delta=True), "delta"),
        (lambda: F.smooth_l1_loss(Tensor(np.zeros(2)), np.zeros(2), beta=False), "beta"),
        (lambda: nn.Dropout(False), "p"),
    ],
)
def test_bools_are_refused_as_hyperparameters(call, message):
    with pytest.raises(TypeError, match=f"{message} must be [^,]*, got bool"):
        call()


# ---- 6. NaN and infinite hyperparameters are refused when the layer is made, or p is set ----


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.LeakyReLU(float("nan")),
        lambda: nn.LeakyReLU(float("inf")),
        lambda: nn.LeakyReLU(negative_slope=float("nan")),
        lambda: nn.ELU(float("nan")),
        lambda: nn.CELU(alpha=float("-inf")),
        lambda: nn.Hardtanh(float("nan"), 1.0),
        lambda: nn.Hardtanh(-1.0, float("nan")),
    ],
)
def test_activations_refuse_nan_and_infinite_parameters(make):
    with pytest.raises(ValueError, match="must be a (finite )?number.*, got (NaN|infinity)"):
        make()


@pytest.mark.parametrize("layer", [nn.Dropout, nn.Dropout2d])
@pytest.mark.parametrize("p, error", [(float("nan"), ValueError), (2.0, ValueError), (1.0, ValueError),
                                      (-0.1, ValueError), ("0.5", TypeError)])  # fmt: skip
def test_dropout_p_is_checked_when_made_and_when_set(layer, p, error):
    with pytest.raises(error, match=f"{layer.__name__}: p must be"):
        layer(p)
    drop = layer(0.3)
    with pytest.raises(error, match=f"{layer.__name__}: p must be"):
        drop.p = p
    assert drop.p == 0.3  # unchanged
    drop.p = 0.0
    x = Tensor(np.ones((1, 2, 1, 1)))
    assert drop(x) is x


# ---- 7. sizes that make no layer: one clear error each ----


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: nn.Linear(0, 3), ValueError, "Linear: in_features must be at least 1, got 0"),
        (lambda: nn.Linear(2, -1), ValueError, "Linear: out_features must be at least 1, got -1"),
        (lambda: nn.Linear(2.0, 3), TypeError, "Linear: in_features must be an int, got float 2.0"),
        (lambda: nn.MLP(2, [0]), ValueError, r"MLP: nouts\[0\] must be at least 1"),
        (lambda: nn.MLP(2, [4, 1.0]), TypeError, r"MLP: nouts\[1\] must be an int"),
        (lambda: nn.MLP(2, 3), TypeError, r"MLP: nouts must be a list of layer sizes \(MLP\(2, \[16, 16, 1\]\)\)"),
        (lambda: nn.MLP(2, []), ValueError, "MLP: nouts is empty"),
        (lambda: nn.MLP(0, [1]), ValueError, "MLP: nin must be at least 1"),
        (lambda: nn.Neuron(0), ValueError, "Neuron: nin must be at least 1, got 0"),
        (lambda: nn.Layer(2, 0), ValueError, "Layer: nout must be at least 1, got 0"),
        (lambda: nn.Layer(0, 2), ValueError, "Layer: nin must be at least 1, got 0"),
        (lambda: nn.Dropout("0.5"), TypeError, "Dropout: p must be at least 0 and below 1, got str '0.5'"),
        (lambda: nn.Conv2d(2.0, 3, 3), TypeError, "Conv2d: in_channels must be an int, got float 2.0"),
        (lambda: nn.Conv2d(1, 6, 2.5), TypeError, "Conv2d: kernel_size must be an int or 2 ints, got float 2.5"),
    ],
)
def test_bad_sizes_are_refused_with_one_clear_error(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_mlp_takes_its_sizes_in_any_sequence():
    shapes = [[len(n.w) for n in layer.neurons] for layer in nn.MLP(2, np.array([3, 1]), seed=0).layers]
    assert shapes == [[2, 2, 2], [3]]
    assert len(nn.MLP(2, (3, 1), seed=0).parameters()) == 13


# ---- binary cross-entropy of logits far out: a hard label's loss and gradient keep their digits ----


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("target, pos_weight", [(0.0, None), (1.0, None), (1.0, 2.5), (0.3, 2.5)])
def test_bce_with_logits_far_out_matches_the_exact_sigmoids(dtype, target, pos_weight):
    # exact: loss (1 - t) softplus(x) + w t softplus(-x), gradient (1 - t) σ(x) - w t σ(-x), in float64;
    # the form (1 - t) x - logsigmoid(x) gave a negative's gradient at -20 as 0 in float32 (it is 2e-9)
    x = np.array([-40.0, -20.0, -10.0, 0.5, 10.0, 20.0, 40.0])
    w = 1.0 if pos_weight is None else pos_weight
    exact_loss = (1 - target) * np.logaddexp(0, x) + w * target * np.logaddexp(0, -x)
    exact_grad = (1 - target) / (1 + np.exp(-x)) - w * target / (1 + np.exp(x))
    logits = Tensor(x.astype(dtype), requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(
        logits, np.full(7, target, dtype), reduction="none", pos_weight=pos_weight
    )
    loss.sum().backward()
    rtol = 1e-15 if dtype == np.float64 else 1e-6
    np.testing.assert_allclose(loss.data, exact_loss, rtol=rtol * 4, atol=0)
    np.testing.assert_allclose(logits.grad, exact_grad, rtol=rtol * 4, atol=0)

"""torch 2.13's weight= of mse_loss, l1_loss and huber_loss (one number per element) against PyTorch, each
loss of WEIGHTED under every reduction, float64 and float32: forward, gradients in the predictions and the
targets, second derivative (tests/torch_reference.py compares); on Values; its shape refused as PyTorch's
refuses it; weights all 0 a NaN mean as PyTorch's; the modules, which take no weight in PyTorch, refusing
it. Before, weight= was "an unexpected keyword argument"."""

import warnings

import numpy as np
import pytest
from torch_reference import DTYPES, F, check, check_scalar, torch  # without torch: skipped

import nn
import nn.functional as nnf
from autograd import ShapeError, Tensor, Value

# the losses that take torch 2.13's weight per element, with their modules (PyTorch's take no weight)
WEIGHTED = {"mse_loss": nn.MSELoss, "l1_loss": nn.L1Loss, "huber_loss": nn.HuberLoss}
REDUCTIONS = ["mean", "sum", "none"]
RNG = np.random.default_rng(41)
PRED, TARGET = RNG.uniform(-3, 3, (4, 3)), RNG.uniform(-3, 3, (4, 3))
WEIGHT = RNG.uniform(0, 2, (4, 3))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", WEIGHTED)
def test_weighted_as_torch(name, reduction, dtype):
    w = WEIGHT.astype(dtype)
    check(
        lambda p, t: getattr(nnf, name)(p, t, weight=w, reduction=reduction),
        lambda p, t: getattr(F, name)(p, t, weight=torch.from_numpy(w), reduction=reduction),
        [PRED, TARGET],
        dtype,
    )


@pytest.mark.parametrize("name", WEIGHTED)
def test_weighted_on_values_as_torch(name):
    preds, targets, weight = [0.2, -1.7, 0.9], [0.0, 1.0, 0.3], [0.5, 0.0, 2.0]
    ours = lambda *p: getattr(nnf, name)(list(p), targets, weight=weight)  # noqa: E731
    theirs = lambda *p: getattr(F, name)(  # noqa: E731
        torch.stack(p), torch.tensor(targets, dtype=torch.float64), weight=torch.tensor(weight, dtype=torch.float64)
    )
    check_scalar(ours, theirs, preds)


@pytest.mark.parametrize("name", WEIGHTED)
def test_weights_all_0_give_torchs_mean_unwarned(name):
    """mse_loss's and l1_loss's mean is over the weights' sum: 0 / 0, NaN with NaN gradients, as PyTorch's
    (huber_loss's mean over the elements is 0), without numpy's warnings."""
    zero = np.zeros_like(WEIGHT)
    x = Tensor(PRED, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = getattr(nnf, name)(x, TARGET, weight=zero)
        ours.backward()
    t = torch.tensor(PRED, requires_grad=True)
    theirs = getattr(F, name)(t, torch.from_numpy(TARGET), weight=torch.from_numpy(zero))
    theirs.backward()
    np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
    np.testing.assert_array_equal(x.grad, t.grad.numpy())
    values = getattr(nnf, name)([Value(1.0), Value(2.0)], [0.0, 0.0], weight=[0.0, 0.0])
    assert np.isnan(values.data) == np.isnan(theirs.item())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
def test_weights_cancelling_give_torchs_gradient_entry_by_entry(name, dtype):
    """Weights adding up to 0 (1 - 1 + 0): the mean is ±inf, and its gradient PyTorch's, g / 0 times each weight
    and slope: ±inf, NaN at a weight of 0 or a slope of 0 (it was NaN everywhere); numpy warns at that inf · 0."""
    pred, target = np.array([1.0, 2.0, 3.0, 4.0], dtype), np.array([0.0, 2.0, 1.0, 5.0], dtype)
    for weights in ([1.0, -1.0, 0.0, 0.0], [1.0, 1.0, -2.0, 0.0], [-1.0, 0.5, 0.5, 0.0]):
        w = np.array(weights, dtype)
        x = Tensor(pred, requires_grad=True)
        ours = getattr(nnf, name)(x, target, weight=w)
        with np.errstate(invalid="ignore"):
            ours.backward()
        t = torch.tensor(pred, requires_grad=True)
        theirs = getattr(F, name)(t, torch.from_numpy(target), weight=torch.from_numpy(w))
        theirs.backward()
        np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
        assert not np.isfinite(x.grad).any()
        np.testing.assert_array_equal(x.grad, t.grad.numpy())


@pytest.mark.parametrize("name", WEIGHTED)
@pytest.mark.parametrize("shape", [(3,), (4, 1), (1, 4, 3)])
def test_a_weight_of_another_shape_is_refused_as_torch(name, shape):
    with pytest.raises(ValueError, match="Weights and input must have the same size"):
        getattr(F, name)(
            torch.from_numpy(PRED), torch.from_numpy(TARGET), weight=torch.ones(shape, dtype=torch.float64)
        )
    with pytest.raises(ShapeError, match=rf"{name}: weight of shape \({shape[0]},.*one number per element"):
        getattr(nnf, name)(Tensor(PRED), TARGET, weight=np.ones(shape))


@pytest.mark.parametrize("name", WEIGHTED)
def test_weights_on_values_are_one_per_prediction(name):
    with pytest.raises(ShapeError, match=r"on Values, weight is one per prediction \(3\), got 1"):
        getattr(nnf, name)([Value(1.0), Value(2.0), Value(0.5)], [0.0, 0.0, 0.0], weight=[2.0])


@pytest.mark.parametrize("name", WEIGHTED)
def test_bad_weights_are_refused(name):
    with pytest.raises(ValueError, match="weight must hold finite numbers, got inf"):
        getattr(nnf, name)(Tensor(PRED), TARGET, weight=np.full_like(WEIGHT, np.inf))
    with pytest.raises(TypeError, match="constants here and take no gradient"):
        getattr(nnf, name)(Tensor(PRED), TARGET, weight=Tensor(WEIGHT, requires_grad=True))


@pytest.mark.parametrize("name", WEIGHTED)
def test_the_modules_take_no_weight_as_torchs(name):
    module = WEIGHTED[name]
    with pytest.raises(TypeError, match="unexpected keyword argument 'weight'"):
        getattr(torch.nn, module.__name__)(weight=torch.ones(3))
    with pytest.raises(TypeError, match=rf"{module.__name__}\(\) takes no weight, as PyTorch's: .* F\.{name}\(input"):
        module(weight=np.ones(3))
    subclass = type("Weighted", (module,), {})  # it took weight=, keyed by the class's name
    with pytest.raises(TypeError, match=rf"Weighted\(\) takes no weight, as PyTorch's: .* F\.{name}\(input"):
        subclass(weight=np.ones(3))

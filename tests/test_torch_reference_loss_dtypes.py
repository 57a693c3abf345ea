"""The dtype of a loss of Tensors of mixed dtypes is torch 2.13's: mse_loss, l1_loss, smooth_l1_loss, kl_div,
binary_cross_entropy_with_logits and multilabel_soft_margin_loss promote the input with a floating target
Tensor, and mse_loss's, l1_loss's and huber_loss's weight= Tensor promotes too (a float64 target or weight on
float32 predictions gave float32, PyTorch float64); huber_loss keeps the input's dtype against its target and the
binary cross-entropies against their weights, as PyTorch's. The gradient of the predictions is of their own dtype
(PyTorch's). Arrays stay constants in the predictions' dtype (chainrule's choice). Int predictions with float
weights read the weights as floats (they were cast to int64: 0.5 became 0, a loss of 0 or NaN)."""

import numpy as np
import pytest

import nn.functional as nnf
from autograd import Tensor

torch = pytest.importorskip("torch")
F = torch.nn.functional

RNG = np.random.default_rng(13)
X, T, W = RNG.uniform(0.1, 0.9, (3, 4)), RNG.uniform(0.05, 0.95, (3, 4)), RNG.uniform(0.5, 2, (3, 4))
LOSSES = ["mse_loss", "l1_loss", "smooth_l1_loss", "kl_div", "multilabel_soft_margin_loss"]
PAIRS = [("float32", "float64"), ("float64", "float32"), ("float16", "float32"), ("float32", "float16")]
# relative, of the narrowest dtype a loss reads: each engine rounds the wider input to it at its own step
TOLERANCE = {"float16": 5e-3, "float32": 1e-5, "float64": 1e-12}


def _both(name, x_dtype, t_dtype, **options):
    """(ours, theirs): the loss and the input's gradient, as numpy arrays, of predictions and a target Tensor,
    and the truth: torch's in float64 from the same numbers, and the narrowest dtype read."""
    x, t = X.astype(x_dtype), T.astype(t_dtype)
    mine = Tensor(x, dtype=x.dtype, requires_grad=True)
    ours = getattr(nnf, name)(mine, Tensor(t, dtype=t.dtype), **options)
    ours.backward()
    runs = []
    for wide in (False, True):
        theirs_x = torch.tensor(x.astype(np.float64) if wide else x, requires_grad=True)
        given = {k: _torch(v, wide) for k, v in options.items()}
        theirs = getattr(F, name)(theirs_x, torch.tensor(t.astype(np.float64) if wide else t), **given)
        theirs.backward()
        runs.append((theirs.detach().numpy(), theirs_x.grad.numpy()))
    dtypes = [x.dtype, t.dtype] + [v.dtype for v in options.values() if isinstance(v, Tensor)]
    return (ours.data, mine.grad), runs[0], (runs[1], min(dtypes, key=lambda d: d.itemsize))


def _torch(value, wide):
    return torch.tensor(value.data.astype(np.float64) if wide else value.data) if isinstance(value, Tensor) else value


def _assert_same(ours, theirs, truth):
    """ours of theirs' dtypes, and the truth's numbers to the tolerance of the narrowest dtype read."""
    truths, narrowest = truth
    for a, b, c in zip(ours, theirs, truths):
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, c, rtol=TOLERANCE[str(narrowest)], atol=TOLERANCE[str(narrowest)])


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")  # PyTorch's kl_div's word on its mean
@pytest.mark.parametrize("dtypes", PAIRS, ids="-".join)
@pytest.mark.parametrize("name", LOSSES)
def test_the_loss_of_a_target_of_another_dtype_is_of_torchs_dtype(name, dtypes):
    _assert_same(*_both(name, *dtypes))


@pytest.mark.parametrize("dtypes", PAIRS, ids="-".join)
def test_logits_against_a_wider_target_are_of_its_dtype_as_torchs(dtypes):
    x_dtype, t_dtype = dtypes
    ours, theirs, truth = _both("binary_cross_entropy_with_logits", x_dtype, t_dtype)
    if np.dtype(t_dtype).itemsize >= np.dtype(x_dtype).itemsize:
        _assert_same(ours, theirs, truth)
    else:  # PyTorch's is the target's dtype (its in-place steps): float64 logits, float32 loss. Ours is the wider
        assert ours[0].dtype == np.dtype(x_dtype) and theirs[0].dtype == np.dtype(t_dtype)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss", "multilabel_soft_margin_loss"])
@pytest.mark.parametrize("w_dtype", ["float64", "float16"])
def test_a_weight_tensor_of_another_dtype_promotes_as_torchs(name, w_dtype):
    w = W.astype(w_dtype)
    ours, theirs, truth = _both(name, "float32", "float32", weight=Tensor(w, dtype=w.dtype))
    assert ours[0].dtype == np.result_type(np.float32, w_dtype)
    _assert_same(ours, theirs, truth)


@pytest.mark.parametrize("name", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_the_binary_cross_entropies_keep_their_dtype_against_wider_weights_as_torchs(name):
    w = Tensor(W, dtype=np.float64)
    ours, theirs, truth = _both(name, "float32", "float32", weight=w)
    assert ours[0].dtype == theirs[0].dtype == np.float32
    _assert_same(ours, theirs, truth)


@pytest.mark.parametrize("dtypes", PAIRS, ids="-".join)
def test_a_huber_loss_keeps_its_inputs_dtype_against_a_target_of_another_as_torchs(dtypes):
    """PyTorch's forward only: its backward refuses the two dtypes ("Found dtype Double but expected Float"),
    where ours gives the input's gradient in its dtype."""
    x, t = X.astype(dtypes[0]), T.astype(dtypes[1])
    mine = Tensor(x, dtype=x.dtype, requires_grad=True)
    ours = nnf.huber_loss(mine, Tensor(t, dtype=t.dtype))
    ours.backward()
    theirs = F.huber_loss(torch.tensor(x), torch.tensor(t))
    assert ours.dtype == mine.grad.dtype == theirs.numpy().dtype == x.dtype
    narrowest = min(x.dtype, t.dtype, key=lambda d: d.itemsize)
    truth = F.huber_loss(torch.tensor(x, dtype=torch.float64), torch.tensor(t, dtype=torch.float64)).item()
    assert ours.item() == pytest.approx(truth, rel=TOLERANCE[str(narrowest)])


@pytest.mark.parametrize("name", ["mse_loss", "kl_div"])
def test_an_array_target_or_weight_is_a_constant_of_the_predictions_dtype(name):
    options = {"weight": W} if name == "mse_loss" else {}
    out = getattr(nnf, name)(Tensor(X.astype(np.float32)), T, **options)  # float64 arrays
    assert out.dtype == np.float32


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss", "binary_cross_entropy_with_logits"])
def test_int_predictions_read_float_weights_as_floats(name):
    """Before: mse_loss and l1_loss NaN (0 / 0), huber_loss and the logits' 0, PyTorch 1, 1, 0.25, 0.356."""
    x, t, w = np.array([1, 2, 0]), np.array([0.0, 1.0, 1.0]), np.array([0.5, 0.5, 0.5])
    ours = getattr(nnf, name)(Tensor(x), t, weight=w).item()
    theirs = getattr(F, name)(torch.tensor(x, dtype=torch.float64), torch.tensor(t), weight=torch.tensor(w))
    assert ours == pytest.approx(theirs.item(), rel=1e-3)  # in float16, as the int predictions' floats


SIGNS = np.sign(RNG.uniform(-1, 1, (3, 4)))
# loss of (x, wide): the Tensor `wide` of another dtype in the place PyTorch promotes it from
PROMOTING = {
    "poisson_nll_loss target": (lambda f, x, w: f.poisson_nll_loss(x, w)),
    "gaussian_nll_loss target": (lambda f, x, w: f.gaussian_nll_loss(x, w, x.detach() * 0 + 1)),
    "gaussian_nll_loss var": (lambda f, x, w: f.gaussian_nll_loss(x, x.detach() * 0.5, w)),
    "margin_ranking_loss input2": (lambda f, x, w: f.margin_ranking_loss(x, w, _like(f, SIGNS, x))),
    "cosine_embedding_loss input2": (lambda f, x, w: f.cosine_embedding_loss(x, w, _like(f, SIGNS[:, 0], x))),
    "triplet_margin_loss positive": (lambda f, x, w: f.triplet_margin_loss(x, w, x.detach() * 0.5)),
    "cross_entropy probabilities": (lambda f, x, w: f.cross_entropy(x, w)),
    "cross_entropy's class weights, with probabilities": (
        lambda f, x, w: f.cross_entropy(x, _like(f, T, x), weight=w[0])
    ),
}


def _like(f, a, x):
    """`a` as a constant Tensor of x's dtype, of either engine."""
    return torch.tensor(a, dtype=x.dtype) if f is F else Tensor(a.astype(x.dtype), dtype=x.dtype)


@pytest.mark.parametrize("dtypes", PAIRS, ids="-".join)
@pytest.mark.parametrize("case", PROMOTING)
def test_the_other_losses_promote_as_torchs(case, dtypes):
    x, w = X.astype(dtypes[0]), T.astype(dtypes[1])
    mine = Tensor(x, dtype=x.dtype, requires_grad=True)
    ours = PROMOTING[case](nnf, mine, Tensor(w, dtype=w.dtype))
    ours.backward()
    theirs_x = torch.tensor(x, requires_grad=True)
    theirs = PROMOTING[case](F, theirs_x, torch.tensor(w))
    assert ours.dtype == theirs.detach().numpy().dtype and mine.grad.dtype == x.dtype
    wide = torch.tensor(x.astype(np.float64), requires_grad=True)
    truth = PROMOTING[case](F, wide, torch.tensor(w.astype(np.float64))).item()
    narrowest = min(x.dtype, w.dtype, key=lambda d: d.itemsize)
    assert ours.item() == pytest.approx(truth, rel=TOLERANCE[str(narrowest)], abs=TOLERANCE[str(narrowest)])

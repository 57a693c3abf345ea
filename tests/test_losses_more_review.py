"""Review of the margin and likelihood losses (s26-r2): float16 inputs keeping their dtype, as the other
losses and torch's do; an empty batch refused by every one of them."""

import numpy as np
import pytest

from autograd import Tensor
from nn import functional as F

X16 = np.linspace(-1, 1, 12, dtype=np.float16).reshape(4, 3)
T16 = np.abs(X16[::-1]).copy()
CALLS = {
    "margin_ranking_loss": lambda x, t: F.margin_ranking_loss(x, t, np.ones(x.shape)),
    "hinge_embedding_loss": lambda x, t: F.hinge_embedding_loss(x, np.ones(x.shape)),
    "soft_margin_loss": lambda x, t: F.soft_margin_loss(x, np.ones(x.shape)),
    "cosine_embedding_loss": lambda x, t: F.cosine_embedding_loss(x, t, np.ones(x.shape[0])),
    "triplet_margin_loss": lambda x, t: F.triplet_margin_loss(x, t, -t),
    "multilabel_soft_margin_loss": lambda x, t: F.multilabel_soft_margin_loss(x, (t > 0.5).astype(t.dtype)),
    "multi_margin_loss": lambda x, t: F.multi_margin_loss(x, np.zeros(x.shape[0], int)),
    "gaussian_nll_loss": lambda x, t: F.gaussian_nll_loss(x, t, 0.5),
    "gaussian_nll_loss of a var array": lambda x, t: F.gaussian_nll_loss(x, t, np.full(x.shape, 0.5, x.dtype)),
    "poisson_nll_loss": lambda x, t: F.poisson_nll_loss(x, t),
    "poisson_nll_loss of rates, full": lambda x, t: F.poisson_nll_loss(abs(x), t * 3, log_input=False, full=True),
}


@pytest.mark.parametrize("name", CALLS)
def test_float16_inputs_give_a_float16_loss(name):
    """Before, a float16 target (or second input) became a float32 Tensor, so triplet, cosine_embedding,
    gaussian_nll and poisson_nll returned float32 (torch's and mse_loss's are float16)."""
    x = Tensor(X16, dtype=np.float16, requires_grad=True)
    loss = CALLS[name](x, T16)
    assert loss.dtype == np.float16, name
    loss.backward()
    assert x.grad.dtype == np.float16


@pytest.mark.parametrize("name", CALLS)
def test_an_empty_batch_is_refused_by_each(name):
    """multi_margin_loss took an empty batch and gave NaN for its mean (numpy's RuntimeWarning, torch's an
    uninitialised number); every other loss refuses one."""
    empty = np.zeros((0, 3))
    with pytest.raises(ValueError, match=r"no predictions \(a batch of shape \(0, 3\)\)"):
        CALLS[name](Tensor(empty), empty)


def test_triplet_margin_loss_measures_with_pairwise_distance(monkeypatch):
    """Its distance is nn.functional.pairwise_distance, not a copy of it (losses_margins had its own)."""
    from nn import losses_margins

    calls = []
    real = losses_margins.pairwise_distance

    def counted(*args):
        calls.append(args[2:])
        return real(*args)

    monkeypatch.setattr(losses_margins, "pairwise_distance", counted)
    x = Tensor(X16.astype(np.float64))
    F.triplet_margin_loss(x, T16.astype(np.float64), -T16.astype(np.float64), p=3, eps=1e-3, swap=True)
    assert calls == [(3, 1e-3)] * 3

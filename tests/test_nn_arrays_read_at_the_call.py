"""A numpy array given to a layer or a loss is read at the call, as `w * X` reads X: writing into it between the
forward and backward() changes no gradient (a data loader refilling its batch buffer, a target array reused).
`Tensor(X)` shares X's memory (as torch.from_numpy) and numpy arrays carry no version count, so nn copies the
arrays it wraps; a compiled step still feeds each call's arrays there."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

F64 = np.float64


def _first(out):
    return out[0] if isinstance(out, tuple) else out


LAYERS = {  # a layer, and the shape of the array it is given
    "Linear": (lambda: nn.Linear(3, 2, dtype=F64), (4, 3)),
    "Conv1d": (lambda: nn.Conv1d(2, 3, 2, dtype=F64), (1, 2, 5)),
    "Conv2d": (lambda: nn.Conv2d(1, 2, 2, dtype=F64), (1, 1, 4, 4)),
    "LayerNorm": (lambda: nn.LayerNorm(3, dtype=F64), (2, 3)),
    "PReLU": (lambda: nn.PReLU(dtype=F64), (2, 3)),
    "GRU": (lambda: nn.GRU(3, 2, dtype=F64), (2, 1, 3)),
    "Sequential": (lambda: nn.Sequential(nn.Linear(3, 4, dtype=F64), nn.Tanh(), nn.Linear(4, 1, dtype=F64)), (5, 3)),
}


def _gradients(loss_of, arrays, params, write_after_forward):
    out = loss_of(*arrays)
    if write_after_forward:
        for a in arrays:
            a[...] = 1.5 * np.flip(a)  # other numbers in the same range's kind
    out.backward()
    grads = [np.array(p.grad) for p in params]
    for p in params:
        p.grad = None
    return grads


def _same_gradients(loss_of, make_arrays, params):
    expected = _gradients(loss_of, make_arrays(), params, False)
    got = _gradients(loss_of, make_arrays(), params, True)
    assert len(got) == len(params) and all(g.any() for g in expected)
    for e, g in zip(expected, got):
        np.testing.assert_array_equal(g, e)


@pytest.mark.parametrize("name", LAYERS)
def test_a_layer_reads_an_array_at_the_call(name):
    make_layer, shape = LAYERS[name]
    layer = make_layer()
    data = np.random.default_rng(1).random(shape) * 2 - 1
    _same_gradients(lambda X: _first(layer(X)).sum(), lambda: [data.copy()], list(layer.parameters()))


P = np.random.default_rng(2).random((3, 4)) * 0.8 + 0.1  # in (0.1, 0.9): probabilities, positive rates
SIGNS = np.array([[1.0, -1.0, 1.0, -1.0], [-1.0, -1.0, 1.0, 1.0], [1.0, 1.0, -1.0, 1.0]])
LOSSES = {  # a loss of x (a Tensor) and the arrays it is given; each array a target or an input taking no gradient
    "mse_loss": (lambda x, t: F.mse_loss(x, t), [P]),
    "l1_loss": (lambda x, t: F.l1_loss(x, t), [P[::-1].copy()]),
    "huber_loss": (lambda x, t: F.huber_loss(x, t), [P * 3]),
    "smooth_l1_loss": (lambda x, t: F.smooth_l1_loss(x, t), [P * 3]),
    "binary_cross_entropy": (lambda x, t: F.binary_cross_entropy(x, t), [P[::-1].copy()]),
    "kl_div": (lambda x, t: F.kl_div(x, t), [P]),
    "poisson_nll_loss": (lambda x, t: F.poisson_nll_loss(x, t), [P * 4]),
    "gaussian_nll_loss": (lambda x, t, v: F.gaussian_nll_loss(x, t, v), [P * 2, P[::-1] + 0.5]),
    "cross_entropy (probabilities)": (lambda x, t: F.cross_entropy(x, t), [P / P.sum(1, keepdims=True)]),
    "hinge_embedding_loss": (lambda x, y: F.hinge_embedding_loss(x, y), [SIGNS]),
    "soft_margin_loss": (lambda x, y: F.soft_margin_loss(x, y), [SIGNS]),
    "multilabel_soft_margin_loss": (lambda x, y: F.multilabel_soft_margin_loss(x, y), [(SIGNS + 1) / 2]),
    "margin_ranking_loss": (lambda x, x2, y: F.margin_ranking_loss(x, x2, y), [P[::-1] * 0.9, SIGNS]),
    "cosine_embedding_loss": (lambda x, x2, y: F.cosine_embedding_loss(x, x2, y), [P * 2 - 1, SIGNS[:, 0].copy()]),
    "triplet_margin_loss": (lambda x, p, n: F.triplet_margin_loss(x, p, n, margin=3.0), [P[::-1].copy(), P * 2]),
}


FUNCTIONS = {  # nn.functional's ops given arrays beside a Tensor x of shape (3, 4)
    "linear": (lambda x, X: F.linear(X, x).sum(), [P[:2] * 2 - 1]),
    "bilinear": (lambda x, X: F.bilinear(X, X, x[:, :3].reshape(1, 3, 3)).sum(), [P[:2, :3].copy()]),
    "prelu": (lambda x, w: F.prelu(x - 0.5, w).sum(), [np.array([0.3])]),
    "scaled_dot_product_attention": (
        lambda x, k, v: F.scaled_dot_product_attention(x.reshape(1, 3, 4), k, v).sum(),
        [P[None] * 2, P[None, ::-1].copy()],
    ),
}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_a_function_reads_its_arrays_at_the_call(name):
    function, arrays = FUNCTIONS[name]
    x = Tensor(P, requires_grad=True, dtype=F64)
    _same_gradients(lambda *a: function(x, *a), lambda: [a.copy() for a in arrays], [x])


@pytest.mark.parametrize("name", LOSSES)
def test_a_loss_reads_its_arrays_at_the_call(name):
    loss, arrays = LOSSES[name]
    x = Tensor(P * 0.7 + 0.05, requires_grad=True, dtype=F64)
    _same_gradients(lambda *a: loss(x, *a), lambda: [a.copy() for a in arrays], [x])


def test_a_compiled_step_feeds_each_calls_array_to_the_layer():
    """nn's copy of the array is noted as that input's: each replay copies its call's, none runs eagerly."""
    model = nn.Sequential(nn.Linear(3, 4, dtype=F64), nn.Tanh(), nn.Linear(4, 1, dtype=F64))
    twin = nn.Sequential(nn.Linear(3, 4, dtype=F64), nn.Tanh(), nn.Linear(4, 1, dtype=F64))
    twin.load_state_dict(model.state_dict())

    def step(m, X, t):
        m.zero_grad()
        loss = F.poisson_nll_loss(m(X), t)
        loss.backward()
        return loss

    compiled = autograd.compile(lambda X, t: step(model, X, t))
    rng = np.random.default_rng(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a step run eagerly says so in a CompileWarning
        for _ in range(4):
            X, t = rng.random((5, 3)), rng.random((5, 1)) * 3
            got, expected = compiled(X, t), step(twin, X, t)
            assert float(got.data) == float(expected.data)
            for p, q in zip(model.parameters(), twin.parameters()):
                np.testing.assert_array_equal(p.grad, q.grad)

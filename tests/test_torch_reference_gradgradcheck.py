"""autograd.gradgradcheck's verdicts against torch.autograd.gradgradcheck's (PyTorch 2.13, float64) on the same
functions: table ops and ops of one's own (torch.autograd.Function), their rules right, or reading raw data (a
Hessian of 0 under create_graph: both fail it), or reading g as data. Where f's gradient has a kink at the
point (relu(x)**2 at 0) torch fails or passes by chance and chainrule cannot judge it (`undecided`)."""

import sys

import numpy as np
import pytest
from torch_reference import torch  # without torch: skipped

from autograd import GradcheckError, Op, Tensor, gradgradcheck, raw, sigmoid


class _Softplus(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.nn.functional.softplus(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * torch.sigmoid(x)


class _DetachedSoftplus(_Softplus):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * torch.sigmoid(x.detach())


class _DetachedG(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g.detach() * 2 * x


_SOFTPLUS = Op("softplus", lambda x: np.logaddexp(0, x), lambda g, out, x: (g * sigmoid(x),))
_RAW_SOFTPLUS = Op("raw_softplus", lambda x: np.logaddexp(0, x), lambda g, out, x: (g * sigmoid(raw(x)),))
_RAW_G = Op("raw_g", lambda x: x * x, lambda g, out, x: (raw(g) * 2 * x,))
_X = np.random.default_rng(1).uniform(-1.5, 1.5, (2, 3))
_A, _B = np.random.default_rng(2).uniform(-1, 1, (3, 3)) + np.eye(3), np.random.default_rng(3).uniform(-1, 1, 3)

CASES = [  # name, chainrule's f, torch's f, inputs, both verdicts
    ("tanh", lambda x: x.tanh(), torch.tanh, [_X], "pass"),
    ("softmax", lambda x: x.softmax(axis=-1), lambda x: x.softmax(-1), [_X], "pass"),
    ("sigmoid(A @ b)", lambda a, b: (a @ b).sigmoid(), lambda a, b: (a @ b).sigmoid(), [_A, _B], "pass"),
    ("logsumexp", lambda x: x.logsumexp(axis=1), lambda x: x.logsumexp(1), [_X], "pass"),
    ("own softplus", _SOFTPLUS, _Softplus.apply, [_X], "pass"),
    ("own softplus reading raw(x)", _RAW_SOFTPLUS, _DetachedSoftplus.apply, [_X], "FAIL"),
    ("own square reading raw(g)", _RAW_G, _DetachedG.apply, [_X], "FAIL"),
]


def _ours(f, xs):
    try:
        return "pass" if gradgradcheck(f, [Tensor(x.copy(), requires_grad=True) for x in xs]) else "?"
    except GradcheckError as e:
        return "undecided" if e.undecided else "FAIL"


def _torch(f, xs):
    try:
        return (
            "pass" if torch.autograd.gradgradcheck(f, tuple(torch.tensor(x, requires_grad=True) for x in xs)) else "?"
        )
    except sys.modules["torch.autograd.gradcheck"].GradcheckError:
        return "FAIL"


@pytest.mark.parametrize("name, ours, theirs, xs, expected", CASES, ids=[c[0] for c in CASES])
def test_verdicts_agree_with_torch(name, ours, theirs, xs, expected):
    assert (_ours(ours, xs), _torch(theirs, xs)) == (expected, expected)


def test_a_kink_of_the_gradient_is_undecided_where_torch_fails():
    x = [np.array([0.0, 1.0])]
    assert (_ours(lambda t: t.relu() ** 2, x), _torch(lambda t: t.relu() ** 2, x)) == ("undecided", "FAIL")

"""A replay gives eager's bits when a built-in rule's gradient is a view (a reduction's broadcast, a
transpose): the replay keeps it as eager does, since its layout decides the order of the sums after
it. (A replay that copied such gradients gave a bias gradient 2.4e-7 off in float32 behind an
adaptive_avg_pool2d whose output size does not divide the input, found by a fuzzer of nn programs.)"""

import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from nn import functional as F

HEADS = {  # a head over y of shape (3, 2, 4, 5) whose rule hands back a view of some layout
    "adaptive_avg_pool2d (1, 3)": lambda y: autograd.adaptive_avg_pool2d(y, (1, 3)),
    "adaptive_avg_pool2d (3, 2)": lambda y: autograd.adaptive_avg_pool2d(y, (3, 2)),
    "mean over (2, 3)": lambda y: y.mean(axis=(2, 3)),
    "sum over 3": lambda y: y.sum(axis=3),
    "max over 2": lambda y: y.max(axis=2),
    "transpose then sum": lambda y: y.transpose(3, 1, 0, 2).sum(axis=0),
}


@pytest.mark.parametrize("head", HEADS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_replayed_step_gives_eagers_gradients_bit_for_bit_and_in_eagers_layout(head, dtype):
    r = np.random.default_rng(1)
    P = Tensor(r.standard_normal((3, 2, 4, 5)).astype(dtype), requires_grad=True)
    b = Tensor(r.standard_normal(2).astype(dtype), requires_grad=True)
    optimizer = nn.SGD([P, b], lr=0.0)

    def step(x: np.ndarray) -> float:
        optimizer.zero_grad()
        y = P + b.reshape(1, 2, 1, 1) + Tensor(x)
        out = HEADS[head](y)
        loss = (out * Tensor(np.linspace(-1, 1, out.size).reshape(out.shape).astype(dtype))).sum()
        loss.backward()
        optimizer.step()
        return loss.item()

    compiled = autograd.compile(step, strict=True)
    draws = np.random.default_rng(0)
    for _ in range(4):  # two calls record, two replay
        x = draws.standard_normal((3, 2, 4, 5)).astype(dtype)
        step(x)
        eager = P.grad.copy(), P.grad.strides, b.grad.copy()
        compiled(x)
        np.testing.assert_array_equal(P.grad, eager[0])
        assert P.grad.strides == eager[1]
        np.testing.assert_array_equal(b.grad, eager[2])


def test_fit_compiled_trains_a_cnn_with_an_adaptive_pool_to_the_same_bits():
    def model() -> nn.Sequential:
        return nn.Sequential(
            nn.Conv2d(3, 2, 1, seed=0), nn.AdaptiveAvgPool2d((1, 3)), nn.Flatten(), nn.Linear(6, 2, seed=1)
        )

    r = np.random.default_rng(0)
    X, Y = r.standard_normal((64, 3, 2, 5)).astype(np.float32), r.standard_normal((64, 2)).astype(np.float32)
    states = []
    for compile_ in (False, True):
        m = model()
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no step may run eagerly
            nn.fit(m, F.mse_loss, nn.Adam(m.parameters(), lr=0.01), (X, Y), epochs=3, batch_size=8, metric=None,
                   compile=compile_, verbose=False)  # fmt: skip
        states.append(m.state_dict())
    for name in states[0]:
        np.testing.assert_array_equal(states[0][name], states[1][name], err_msg=name)


def test_a_backward_seed_in_fortran_order_is_replayed_in_its_layout():
    """The recording copied out.backward(G)'s G into C order, where eager keeps G's layout: the bias's
    gradient, a sum over axis 0 of it, added in another order on 8 of 10 calls (found by a review)."""

    def make():
        W = Tensor(np.random.default_rng(1).standard_normal((5, 64)).astype(np.float32), requires_grad=True)
        b = Tensor(np.zeros(64, np.float32), requires_grad=True)
        G = np.asfortranarray(np.random.default_rng(9).standard_normal((300, 64)).astype(np.float32))
        optimizer = nn.SGD([W, b], lr=0.0)

        def step(x):
            optimizer.zero_grad()
            (x @ W + b).backward(G)

        return b, step

    (b_eager, eager), (b_compiled, step) = make(), make()
    compiled = autograd.compile(step, strict=True)
    x = Tensor(np.random.default_rng(5).standard_normal((300, 5)).astype(np.float32))
    for _ in range(6):
        eager(x), compiled(x)
        np.testing.assert_array_equal(b_compiled.grad, b_eager.grad)

"""A compiled replay's optimizer step read every gradient once more for NaN and infinities (nn.optim_finite's
np.vdot, 64,500 instructions for a 784-256 weight at a batch of one, of the step's 3.40 million). The replay now
proves a batch-of-one weight gradient finite from its two factors (784 and 256 numbers, compile_finite) and tells
the optimizer step it calls next (autograd.known_finite), which skips that read; at a larger batch the matmul
kernel's own check of its product is the proof (the optimizer's vdot of a 784-256 weight's gradient at batch 128 was a
second pass over it). The refusal stays: a gradient that overflows from finite factors, or one fed a NaN, is refused
as eagerly, naming the parameter, nothing moved."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Tensor
from autograd.compile_finite import outer_is_finite


class _Spy(nn.SGD):
    """SGD noting, per parameter it moves, whether the replay told it the gradient is finite."""

    told: list[bool]

    def update(self, state, data, g):
        self.told.append(autograd.known_finite(g))
        super().update(state, data, g)


def _model(dtype=np.float32):
    return nn.Sequential(nn.Linear(96, 64, seed=0, dtype=dtype), nn.ReLU(), nn.Linear(64, 3, seed=1, dtype=dtype))


def _cross_entropy(model, x, y):
    return autograd.cross_entropy(model(Tensor(x)), y)


def _run(compile, xs, dtype=np.float32, optimizer=_Spy, loss_of=_cross_entropy, lr=0.1):
    """Steps of loss_of (cross-entropy) on rows xs (a batch of one each): per call its loss or its error, what
    the optimizer was told per call, and the weights after."""
    model = _model(dtype)
    opt = optimizer(model.parameters(), lr=lr)
    opt.told = []

    def step(x, y):
        loss = loss_of(model, x, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    run, out, told = compile(step), [], []
    for x in xs:
        opt.told = []
        try:
            out.append(run(x, np.ones(len(x), np.int64)))
        except FloatingPointError as e:
            out.append((str(e), e.parameter is model.layers[0].W))
        told.append(opt.told)
    return out, told, [p.data.copy() for p in model.parameters()]


def _rows(n, dtype=np.float32, batch=1):
    rng = np.random.default_rng(3)
    return [rng.standard_normal((batch, 96)).astype(dtype) for _ in range(n)]


@pytest.mark.parametrize("batch", [1, 4])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_replay_tells_the_optimizer_which_gradients_it_proved_finite(dtype, batch):
    xs = _rows(5, dtype, batch)
    eager = _run(lambda f: f, xs, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error", autograd.CompileWarning)
        compiled = _run(autograd.compile, xs, dtype)
    assert compiled[0] == eager[0]
    assert all(np.array_equal(a, b) for a, b in zip(compiled[2], eager[2]))
    # the recordings run eagerly; each replay proves the 96 x 64 weight (6,144 entries), not the smaller ones
    assert compiled[1][:2] == [[False] * 4] * 2
    assert compiled[1][2:] == [[True, False, False, False]] * 3
    assert not autograd.known_finite(_model().layers[0].W.grad)  # nothing is known outside a replay's call


@pytest.mark.parametrize("batch", [1, 4])
@pytest.mark.parametrize("bad", ["overflow", "nan", "inf"])
def test_a_replayed_gradient_that_is_not_finite_is_refused_as_eagerly(bad, batch):
    """The first layer's outputs times 1e17, summed: its weight's gradient is each input times 1e17, and an
    input of 1e22 is finite, as 1e17 is, but their product overflows float32: the proof fails and the
    optimizer's own check refuses it. A NaN or an infinity in the input makes a factor non-finite."""
    xs = _rows(5, batch=batch)
    xs[3][0, 7] = {"overflow": 1e22, "nan": np.nan, "inf": np.inf}[bad]

    def scaled(model, x, y):
        return (model.layers[0](Tensor(x)) * 1e17).sum()

    with np.errstate(all="ignore"):
        eager = _run(lambda f: f, xs, loss_of=scaled, lr=1e-19)
        compiled = _run(autograd.compile, xs, loss_of=scaled, lr=1e-19)
    message, names_the_weight = compiled[0][3]
    assert compiled[0] == eager[0] and names_the_weight and "no parameter moved" in message
    assert compiled[1][2] == [True, False] and compiled[1][3] == []  # refused before any parameter was updated
    assert all(np.array_equal(a, b) for a, b in zip(compiled[2], eager[2]))


def test_a_replayed_method_not_marked_is_told_nothing():
    """A step of one's own that is replayed (autograd.replayed) may write the gradients before reading them:
    only a method marked checks_gradients_first is told what the replay proved."""

    class Own(_Spy):
        @autograd.replayed
        def step(self):
            for p in self.params:
                p.grad *= 1.0
            self.told.append(autograd.known_finite(self.params[0].grad))
            super().step.__wrapped__(self)

    xs = _rows(4)
    compiled = _run(autograd.compile, xs, optimizer=Own)
    assert compiled[1][2:] == [[False] * 5] * 2


_FLOATS32 = st.floats(width=32, allow_nan=True, allow_infinity=True) | st.sampled_from(
    [0.0, 1e-45, -1e-40, 1e19, -1.9e19, 3.4e38, 1e-30]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_FLOATS32, min_size=1, max_size=12), st.lists(_FLOATS32, min_size=1, max_size=12))
def test_a_proof_of_an_outer_product_is_never_wrong(a, g):
    a32, g32 = np.array([a], np.float32), np.array([g], np.float32)
    with np.errstate(all="ignore"):
        product = np.dot(a32.T, g32)
    if outer_is_finite(a32, g32, float(np.finfo(np.float32).max)):
        assert np.isfinite(product).all()

"""autograd.validate's checks on a replay run where the step ran them, between the same draws (found by an
audit): a check that raises leaves the generators where eager leaves them, so the calls after it draw
eager's dropout masks; a check is given a Tensor where the step gave one; and only what a check reads of
its own data goes unnoted (another tensor it reads, it reads in Python)."""

import numpy as np
import pytest
from compile_faithful_cases import assert_same, training_step

import autograd
import nn
from autograd import Tensor
from nn import functional as F

_RNG = np.random.default_rng(0)
XS = [_RNG.standard_normal((6, 4)).astype(np.float32) for _ in range(9)]
YS = [_RNG.integers(0, 2, 6) for _ in range(9)]
YS[4] = np.array([3, 0, 1, 0, 1, 1])  # a bad target on the fifth call


def _bad_target(a):
    if (np.asarray(a) > 1).any():
        raise ValueError("bad target")


LOSSES = {  # each checks its target before (a target made from the labels) or after the dropout's draw
    "checked before the draw": lambda model, x, y: _checked_first(model, x, y),
    "an input checked in the loss, after the draw": lambda model, x, y: F.binary_cross_entropy_with_logits(
        model(x).reshape(6), y
    ),
}


def _checked_first(model, x, y):
    t = y * 1.0  # computed by an op: each replay computes it, and checks it, again
    autograd.validate(_bad_target, t)
    return F.mse_loss(model(x).reshape(6), t.float())


def _losses(compile, loss_of):
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8, seed=0), nn.Dropout(0.5), nn.Tanh(), nn.Linear(8, 1, seed=1))
    opt = nn.Adam(model.parameters(), lr=0.05)
    run, out = compile(training_step(model, opt, loss_of)), []
    for x, y in zip(XS, YS):
        try:
            out.append(run(Tensor(x), Tensor(y.astype(np.float32))))
        except ValueError:
            out.append("ValueError")
    return out, model.layers[0].W.data.copy()


@pytest.mark.parametrize("where", LOSSES)
def test_a_check_that_raises_on_a_replay_leaves_the_draws_as_eager(where):
    eager = _losses(lambda f: f, LOSSES[where])
    assert eager[0][4] == "ValueError"
    assert_same(_losses(lambda f: autograd.compile(f, strict=True), LOSSES[where]), eager)


def test_a_check_given_a_tensor_is_given_one_on_a_replay():
    def check(d):
        if not (d.data < 50).all():  # written for a Tensor: an array's .data is a memoryview
            raise ValueError("outputs too large")

    def loss_of(model, x, y):
        out = model(x).reshape(6)
        autograd.validate(check, out)
        return F.mse_loss(out, y.float())

    eager = _losses(lambda f: f, loss_of)
    assert_same(_losses(lambda f: autograd.compile(f, strict=True), loss_of), eager)


def test_a_check_that_reads_another_tensor_reads_it_in_python():
    """A check of the labels that looks at the outputs too: a replay would look at the recorded ones."""
    outputs = []

    def check(y):
        if np.abs(outputs[-1].data).max() > 1.5:
            raise ValueError("outputs too large")

    def loss_of(model, x, y):
        outputs.append(model(x).reshape(6))
        autograd.validate(check, y)
        return F.mse_loss(outputs[-1], y.float())

    eager = _losses(lambda f: f, loss_of)
    with pytest.warns(autograd.CompileWarning, match="took a tensor's numbers into Python"):
        assert_same(_losses(autograd.compile, loss_of), eager)

"""A replay that stops in its forward pass (ReplayStopped: a user's op gave another shape than recorded) has
already made the step's draws (autograd.drawn: dropout masks, autograd.rand), and the call then runs eagerly,
drawing again: the generators move twice, so that call and every later one get other masks than eager's. The
CompileWarning said only that the step runs eagerly (eager's numbers, a reader takes it); it now says the random
numbers move ahead. Putting the generators back where they stood before the draws is a known limit, pinned by a
strict xfail (found by review R3 of session 27)."""

import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import Op, Tensor
from autograd.compile import CompileWarning

_LENGTH = {"n": 2}
_grow = Op("grow", lambda t: np.ones(_LENGTH["n"]) * t.sum(), lambda g, out, t: (np.full(t.shape, g.sum()),))


def _losses(compile):
    autograd.manual_seed(5)
    model = nn.Linear(3, 2, seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)

    def step(x):
        opt.zero_grad()
        noise = autograd.rand(4, 3, dtype=np.float64)  # drawn again by each replay
        loss = (model(Tensor(x) + noise) ** 2).mean() + _grow(Tensor(np.ones(2))).sum()
        loss.backward()
        opt.step()
        return loss.item()

    run, out = compile(step), []
    for i in range(6):
        _LENGTH["n"] = 2 if i < 4 else 3  # the fifth call's replay stops in the forward pass
        out.append(run(np.full((4, 3), 0.1 * i)))
    return out


def test_the_warning_says_the_random_numbers_move_ahead():
    with pytest.warns(CompileWarning) as caught:
        _losses(autograd.compile)
    said = " ".join(str(w.message) for w in caught)
    assert "gave shape (3,)" in said and "the random numbers are not those of an uncompiled run" in said


@pytest.mark.xfail(strict=True, reason="a stopped replay's draws are not undone: the eager rerun draws again")
def test_a_replay_stopped_by_a_users_op_leaves_the_generators_where_eager_does():
    eager = _losses(lambda f: f)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompileWarning)
        compiled = _losses(autograd.compile)
    assert compiled == eager

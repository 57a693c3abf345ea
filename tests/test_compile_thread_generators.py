"""A replay that stops after its draws puts back the generators they moved (compile_generators), so that the eager
run of the call draws what an uncompiled run draws. Another thread that drew from one of them after the draws (a
loader drawing from numpy's global generator) had its draws undone: the generator was set back past them, and the
same numbers came out twice (the eager run's mask, then the next draw, repeated what that thread had drawn). Such
a generator is now left where that thread left it, and the warning says the random numbers move ahead."""

import threading

import numpy as np
import pytest

import autograd
import nn
from autograd import Op, Tensor


@autograd.unguarded
class _Stop:
    """Whether the user's op below gives another shape (stopping a replay), and the numbers its thread drew."""

    now = False
    drawn: list[float] = []


def _forward(t):
    if _Stop.now and not _Stop.drawn:  # in the stopping replay: another thread draws from numpy's global generator
        worker = threading.Thread(target=lambda: _Stop.drawn.extend(np.random.rand(5)))
        worker.start()
        worker.join()
    return np.ones(3 if _Stop.now else 2) * t.sum()


_grow = Op("grow", _forward, lambda g, out, t: (np.full(t.shape, g.sum()),))


def test_another_threads_draws_after_a_replays_draws_are_not_undone():
    np.random.seed(0)
    model = nn.Linear(3, 2, seed=0)
    _Stop.now, _Stop.drawn = False, []

    def step(x):
        noise = autograd.drawn(lambda: np.random.rand(4, 3))  # numpy's global generator, which the thread shares
        loss = (model(Tensor(x) + noise) ** 2).mean() + _grow(Tensor(np.ones(2))).sum()
        loss.backward()
        return loss.item()

    run = autograd.compile(step)
    for _ in range(3):  # two recordings, one replay
        run(np.ones((4, 3)))
    _Stop.now = True
    with pytest.warns(autograd.CompileWarning, match="another thread drew from a generator"):
        run(np.ones((4, 3)))
    _Stop.now = False
    after = np.random.rand(5)
    assert len(_Stop.drawn) == 5 and not set(after) & set(_Stop.drawn)  # none of the thread's numbers twice

"""autograd.rand(n) with n read from Python state: a replay draws the recorded shape, so an n that changes must make
the step record again (or run eagerly). A global read by the step, or through its names (config["n"], args.n, a
module's N, a helper's global) already did. An iterator the step advances (`next(sizes)`) did not: a replay cannot
advance it, and the replays went on drawing 4 rows where eager drew 5, silently. A name holding an iterator now
runs the step eagerly, with a CompileWarning saying why."""

import numpy as np
import pytest

import autograd
from autograd import Tensor

LENGTH = {"n": 4}


def _losses(compile, make_step, lengths):
    """The step run once per length (LENGTH["n"] set first), seeded alike: what each call returned."""
    autograd.manual_seed(0)
    w = Tensor(np.ones(1), requires_grad=True)
    run, out = compile(make_step(w, iter(lengths))), []
    for n in lengths:
        LENGTH["n"] = n
        out.append(run(np.ones(2)))
    LENGTH["n"] = 4
    return out


def _through_an_iterator(w, sizes):
    def step(x):
        loss = (autograd.rand(next(sizes), dtype=np.float64) * w).sum() + (Tensor(x) * w).sum()
        loss.backward()
        return loss.item()

    return step


_LENGTHS = [4, 4, 4, 4, 5, 5, 4]


def test_a_size_from_an_iterator_runs_eagerly_saying_why():
    eager = _losses(lambda f: f, _through_an_iterator, _LENGTHS)
    with pytest.warns(autograd.CompileWarning, match="'sizes' holds an iterator"):
        assert _losses(autograd.compile, _through_an_iterator, _LENGTHS) == eager

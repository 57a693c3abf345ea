"""autograd.rand(n) with n read from Python state: a replay draws the recorded shape, so an n that changes must make
the step record again (or run eagerly). A global read by the step, or through its names (config["n"], args.n, a
module's N, a helper's global) already did. Two ways did not, and the replays went on drawing 4 rows where eager
drew 5, silently: a helper lambda held in a dict the step names (`SIZES[kind]()`, reading a global), and an
iterator the step advances (`next(sizes)`), which a replay cannot advance. The first is now read through (the
helpers a step finds in a small dict, list or tuple are its own), the second refused with a CompileWarning."""

import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor

LENGTH = {"n": 4}
SIZES = {"rows": lambda: LENGTH["n"]}  # a helper in a dict: the step calls SIZES["rows"]()


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


def _through_a_helper(w, _):
    def step(x):
        loss = (autograd.rand(SIZES["rows"](), dtype=np.float64) * w).sum() + (Tensor(x) * w).sum()
        loss.backward()
        return loss.item()

    return step


def _through_an_iterator(w, sizes):
    def step(x):
        loss = (autograd.rand(next(sizes), dtype=np.float64) * w).sum() + (Tensor(x) * w).sum()
        loss.backward()
        return loss.item()

    return step


_LENGTHS = [4, 4, 4, 4, 5, 5, 4]


def test_a_size_a_helper_in_a_dict_reads_records_again_when_it_changes():
    eager = _losses(lambda f: f, _through_a_helper, _LENGTHS)
    with warnings.catch_warnings():
        warnings.simplefilter("error", autograd.CompileWarning)
        assert _losses(autograd.compile, _through_a_helper, _LENGTHS) == eager


def test_a_size_from_an_iterator_runs_eagerly_saying_why():
    eager = _losses(lambda f: f, _through_an_iterator, _LENGTHS)
    with pytest.warns(autograd.CompileWarning, match="'sizes' holds an iterator"):
        assert _losses(autograd.compile, _through_an_iterator, _LENGTHS) == eager

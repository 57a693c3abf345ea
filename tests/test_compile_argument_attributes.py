"""A compiled step that sets an attribute on a container it is given (`batch.last = loss` on a dict, list or tuple
subclass of the caller's): a replay runs none of the step's Python, so from the third call the caller's object kept
the second call's (a stored loss read 0.04525 where eager gave 0.11175, 0.22232), and a tuple subclass, handed to
the recorded calls as a copy holding the inputs' stand-ins, never got it at all. Such a step now runs eagerly, saying
so, and what the recorded calls set on a tuple's copy reaches the caller's tuple, as eagerly."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import CompileWarning, Tensor


class Pair(tuple):
    def __new__(cls, a, b):
        return super().__new__(cls, (a, b))


class Batch(dict):
    pass


class Items(list):
    pass


MAKE = {"tuple": lambda x: Pair(x, 1.0), "dict": lambda x: Batch({0: x}), "list": lambda x: Items([x])}


def _run(form: str, compiled: bool):
    model = nn.Linear(3, 2, seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)

    def step(b):
        opt.zero_grad()
        loss = (model(Tensor(b[0])) ** 2).mean()
        loss.backward()
        opt.step()
        b.last = loss
        return loss

    f = autograd.compile(step) if compiled else step
    seen = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(4):
            b = MAKE[form](np.random.default_rng(i).standard_normal((4, 3)))
            loss = f(b).item()
            seen.append((loss, b.last.item() if hasattr(b, "last") else None))
    return seen, [str(w.message) for w in caught if w.category is CompileWarning]


@pytest.mark.parametrize("form", list(MAKE))
def test_an_attribute_set_on_an_argument_container_runs_the_step_eagerly(form) -> None:
    eager, _ = _run(form, compiled=False)
    compiled, said = _run(form, compiled=True)
    assert compiled == eager
    assert said and all("the step changes its argument `args[0]` in place" in s for s in said)


def _scaled(form: str, scales: list, compiled: bool):
    model = nn.Linear(3, 2, seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)

    def step(b):
        opt.zero_grad()
        loss = (model(Tensor(b[0])) ** 2).mean() * b.scale
        loss.backward()
        opt.step()
        return loss

    f = autograd.compile(step) if compiled else step
    losses = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i, scale in enumerate(scales):
            b = MAKE[form](np.random.default_rng(i).standard_normal((4, 3)))
            b.scale = scale
            losses.append(f(b).item())
    return losses, [str(w.message) for w in caught if w.category is CompileWarning]


@pytest.mark.parametrize("form", list(MAKE))
def test_an_attribute_of_an_argument_container_the_step_reads_is_part_of_its_key(form) -> None:
    # the same on the two recorded calls, then another: replays read the recorded 1.0 (0.1117 for eager's 0.3352)
    scales = [1.0, 1.0, 3.0, 3.0, 3.0, 1.0]
    compiled, said = _scaled(form, scales, compiled=True)
    assert compiled == _scaled(form, scales, compiled=False)[0]
    assert said == []
    arrays = [np.ones(1), np.ones(1), np.full(1, 3.0), np.full(1, 3.0)]  # known by shape alone: eager, saying so
    compiled, said = _scaled(form, arrays, compiled=True)
    assert compiled == _scaled(form, arrays, compiled=False)[0]
    assert said and all(f"{type(MAKE[form](0)).__name__} is neither an array" in s for s in said)

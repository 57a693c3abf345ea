"""What a compiled step's recordings are keyed by: an argument that only its id could tell from
another runs eagerly, the call's structure counts, and a float counts by its bits."""

import warnings
from dataclasses import dataclass

import numpy as np
import pytest

import autograd
from autograd import CompileError, CompileWarning, Tensor

W = Tensor(np.ones(3), requires_grad=True)
X = np.arange(3.0)


@dataclass
class Settings:  # eq=True makes it unhashable
    scale: float


def test_an_unhashable_argument_runs_eagerly_with_a_warning_never_a_replay_of_another():
    step = autograd.compile(lambda x, s: ((W * x).sum() * s.scale).item())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = [step(X, Settings(s)) for s in [1.0, 1.0, 1.0, 2.0, 3.0]]
    assert got == [3.0, 3.0, 3.0, 6.0, 9.0]
    assert caught and all(issubclass(w.category, CompileWarning) for w in caught)
    assert "neither an array, a Tensor nor hashable" in str(caught[0].message)
    strict = autograd.compile(lambda x, s: ((W * x).sum() * s.scale).item(), strict=True)
    with pytest.raises(CompileError, match="frozen=True"):
        strict(X, Settings(1.0))


def test_the_structure_of_the_call_is_part_of_the_key():
    step = autograd.compile(lambda x, c: ((W * x).sum() * (c[0] if isinstance(c, list) else -c[0])).item())
    assert [step(X, c) for c in ([1.0], [1.0], [1.0], (1.0,))] == [3.0, 3.0, 3.0, -3.0]


def test_a_float_argument_counts_by_its_bits():
    step = autograd.compile(lambda x, s: ((W * x).sum() / s).item())
    with np.errstate(divide="ignore"):
        got = [step(X, s) for s in (0.0, 0.0, 0.0, -0.0)]
    assert got == [np.inf, np.inf, np.inf, -np.inf]


@dataclass(frozen=True)
class Divisor:
    by: float


def test_a_frozen_dataclass_counts_by_its_fields_bits():
    step = autograd.compile(lambda x, d: ((W * x).sum() / d.by).item())
    with np.errstate(divide="ignore"):
        got = [step(X, Divisor(s)) for s in (0.0, 0.0, 0.0, -0.0)]
    assert got == [np.inf, np.inf, np.inf, -np.inf]  # Divisor(-0.0) == Divisor(0.0) replayed 0.0's

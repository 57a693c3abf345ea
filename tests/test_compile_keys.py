"""What a compiled step's recordings are keyed by: an argument that only its id could tell from
another runs eagerly, the call's structure counts, and a float counts by its bits."""

import warnings
from dataclasses import dataclass

import numpy as np
import pytest

import autograd
import nn
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
    assert "neither an array, a Tensor nor a value equal by value" in str(caught[0].message)
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


def _one_linear_step(inside):
    model = nn.Linear(3, 1, seed=0, dtype=np.float64)
    opt = nn.SGD(model.parameters(), lr=0.1)

    def step(x, y):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(Tensor(x)), y)
        loss.backward()
        inside(model, opt, loss)
        opt.step()
        return loss.item()

    return step


@pytest.mark.parametrize(
    ("inside", "said"),
    [
        (lambda m, o, loss: plateau(o).step(loss), "ReduceLROnPlateau.step"),
        (lambda m, o, loss: nn.clip_grad_norm_(m.parameters(), float("inf")), "clip_grad_norm_ reads"),
        (lambda m, o, loss: autograd.zero_grad([]), "autograd.zero_grad"),
    ],
)
def test_what_a_replay_would_not_do_runs_the_step_eagerly_saying_why(inside, said):
    step = autograd.compile(_one_linear_step(inside), strict=True)
    with pytest.raises(CompileError, match=said):
        step(np.ones((2, 3)), np.ones((2, 1)))


PLATEAUS = {}


def plateau(opt):
    return PLATEAUS.setdefault(id(opt), nn.schedulers.ReduceLROnPlateau(opt, patience=0))


def test_a_modules_zero_grad_inside_the_step_is_replayed():
    model = nn.Linear(3, 1, seed=0, dtype=np.float64)
    opt = nn.SGD(model.parameters(), lr=0.1)

    def step(x, y):
        model.zero_grad()
        nn.functional.mse_loss(model(Tensor(x)), y).backward()
        opt.step()

    compiled = autograd.compile(step, strict=True)
    eager_model = nn.Linear(3, 1, seed=0, dtype=np.float64)
    eager_opt = nn.SGD(eager_model.parameters(), lr=0.1)
    for k in range(5):
        x, y = np.full((2, 3), k + 1.0), np.ones((2, 1))
        compiled(x, y)
        eager_model.zero_grad()
        nn.functional.mse_loss(eager_model(Tensor(x)), y).backward()
        eager_opt.step()
    np.testing.assert_array_equal(model.W.data, eager_model.W.data)


def test_a_step_of_a_frozen_model_raises_as_eagerly():
    model = nn.Linear(3, 2, seed=0).requires_grad_(False)
    opt = nn.SGD(model.parameters(), lr=0.1)

    def step(x, y):
        opt.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        opt.step()

    x, y = Tensor(np.ones((4, 3), np.float32)), np.zeros((4, 2), np.float32)
    for run in (step, autograd.compile(step)):
        with pytest.raises(RuntimeError, match="does not require grad"):
            run(x, y)


class Config:  # a plain class: equal only to itself
    scale = 1.0


def test_an_object_equal_only_to_itself_runs_eagerly_never_replaying_its_old_fields():
    step = autograd.compile(lambda x, cfg, none: ((W * x).sum() * cfg.scale).item())
    cfg = Config()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = [step(X, cfg, None) for _ in range(3)]
        cfg.scale = 5.0
        got.append(step(X, cfg, None))
    assert got == [3.0, 3.0, 3.0, 15.0] and "neither an array" in str(caught[0].message)
    keeps = autograd.compile(lambda x, none, opt: (W * x).sum().item(), strict=True)  # None, an optimizer: kept
    opt = nn.SGD([W], lr=0.1)
    assert [keeps(X, None, opt) for _ in range(3)] == [3.0] * 3


def test_too_many_recordings_name_the_argument_whose_value_made_them():
    step = autograd.compile(lambda x, beta: ((W * x).sum() * beta).item())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for k in range(20):
            assert step(X, 1.0 + k) == 3.0 * (1.0 + k)
    assert "for the values of argument 1" in str(caught[-1].message)


def test_shapes_that_made_too_many_recordings_are_blamed_not_a_value_beside_them():
    wide = Tensor(np.ones(40), requires_grad=True)
    step = autograd.compile(lambda x, beta: ((wide[: len(x)] * x).sum() * beta).item())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for k in range(20):
            step(np.ones(1 + k), float(k % 2))  # a new length each call, a value of two kinds beside it
    assert "input shapes were recorded" in str(caught[-1].message)


def test_what_a_dataclass_or_callable_holds_counts_by_the_same_rules():
    @dataclass(frozen=True)
    class Holding:
        d: tuple
        inner: object

    class Scaled:  # a callable with a setting
        def __init__(self):
            self.k = 1.0

        def __call__(self, t):
            return t * self.k

    step = autograd.compile(lambda x, h: ((W * x).sum() / h.d[0]).item())
    with np.errstate(divide="ignore"):
        assert [step(X, Holding((s,), None)) for s in (0.0, 0.0, 0.0, -0.0)] == [np.inf] * 3 + [-np.inf]
    scaled = Scaled()
    calls = autograd.compile(lambda x, fn: fn((W * x).sum()).item())
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        got = [calls(X, scaled) for _ in range(3)]
        scaled.k = 7.0
        got.append(calls(X, scaled))
    assert got == [3.0, 3.0, 3.0, 21.0]

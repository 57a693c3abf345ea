"""Ops that are not the table's (a user's Op, nn's own: gaussian_nll_loss's variance floor, poisson_nll_loss's
Stirling term) on constants alone, under autograd.compile: each replay runs their forward again, as eagerly, on
the constants as they are then, bit for bit. Before, only the table's ops were made again, so gaussian_nll_loss
with an array var and poisson_nll_loss with full=True ran eagerly (0 of 6 calls replayed), and a held var array
was refused as 'data made anew on each call'. A forward whose shape follows the numbers stops its replay, and
the call runs eagerly with a CompileWarning, never a misfit array."""

import numpy as np
import pytest
from compile_faithful_cases import check_refused, check_replayed

import autograd
import nn
from autograd import Op, Tensor
from nn import functional as F

CALLS = 6
_RNG = np.random.default_rng(11)
XS = [_RNG.standard_normal((6, 3)).astype(np.float32) for _ in range(CALLS)]
COUNTS = [_RNG.integers(0, 5, (6, 1)).astype(np.float32) for _ in range(CALLS)]
VARS = [_RNG.uniform(0.0, 2.0, (6, 1)).astype(np.float32) for _ in range(CALLS)]  # below eps in places? see below
VARS[0][0, 0] = 0.0  # the floor's own branch, on a recorded call
VARS[4][1, 0] = 1e-9  # and on a replayed one


def _trained(compile, loss_of, change=lambda: None):
    """Six SGD steps of a float32 Linear on loss_of(out, counts, var), `change()` made before the fourth: each
    call's loss and the parameters after it."""
    model = nn.Linear(3, 1, seed=0)
    opt = nn.SGD(model.parameters(), lr=0.05)

    def step(x, t, v):
        opt.zero_grad()
        loss = loss_of(model(x), t, v)
        loss.backward()
        opt.step()
        return loss.item()

    run, out = compile(step), []
    for i, args in enumerate(zip(XS, COUNTS, VARS)):
        if i == 3:
            change()
        out.append((run(*args), [p.data.copy() for p in model.parameters()]))
    return out


def test_gaussian_nll_loss_with_a_var_array_given_to_the_step_replays(monkeypatch):
    check_replayed(lambda compile: _trained(compile, F.gaussian_nll_loss), monkeypatch, replays_at_least=CALLS - 2)


@pytest.mark.parametrize("held_as", ["array", "Tensor", "float64 Tensor"])
def test_gaussian_nll_loss_with_a_held_var_reads_it_live(held_as, monkeypatch):
    """A var the step's code holds, changed in place before the fourth call: the replays read its numbers then."""

    def scenario(compile):
        numbers = np.linspace(0.25, 2.0, 6, dtype=np.float32).reshape(6, 1)
        var = {"array": numbers, "Tensor": Tensor(numbers), "float64 Tensor": Tensor(numbers.astype(np.float64))}
        held = var[held_as]
        return _trained(
            compile, lambda out, t, v: F.gaussian_nll_loss(out, t, held), change=lambda: np.asarray(held)[...].fill(3)
        )

    check_replayed(scenario, monkeypatch, replays_at_least=CALLS - 2)


def test_poisson_nll_loss_full_replays(monkeypatch):
    def loss_of(out, t, v):
        return F.poisson_nll_loss(out, t, full=True)

    check_replayed(lambda compile: _trained(compile, loss_of), monkeypatch, replays_at_least=CALLS - 2)
    plain = _trained(lambda f: f, lambda out, t, v: F.poisson_nll_loss(out, t))
    assert _trained(lambda f: f, loss_of)[-1][0] != plain[-1][0]  # the Stirling term counts


_cubed = Op("cubed", lambda t: t**3, lambda g, out, t: (3 * g * t * t,))


def test_a_users_op_on_a_held_constant_replays_and_reads_it_live(monkeypatch):
    """A user's loss weight: a cube of a constant Tensor the step holds, changed before the fourth call."""

    def scenario(compile):
        held = Tensor(np.linspace(0.5, 1.5, 6, dtype=np.float32).reshape(6, 1))

        def loss_of(out, t, v):
            return (_cubed(held) * (out - t) ** 2).mean()

        return _trained(compile, loss_of, change=lambda: held.data.fill(2))

    check_replayed(scenario, monkeypatch, replays_at_least=CALLS - 2)


_positives = Op("positives", lambda t: t[t > 1], lambda g, out, t: (None,))


def test_a_users_op_whose_shape_follows_the_numbers_stops_its_replay(monkeypatch):
    """Counts above 1: two on the recorded calls, three on the third; the replay stops at the op, before
    backward, and the call runs eagerly (a replay would have fit the recorded shape to another array)."""
    counts = [np.array([[0], [2], [0], [3], [1], [0]]), np.array([[2], [0], [3], [0], [0], [1]])]
    counts = [c.astype(np.float32) for c in counts] + [np.full((6, 1), 2, np.float32)] * 4

    def scenario(compile):
        model = nn.Linear(3, 1, seed=0)
        opt = nn.SGD(model.parameters(), lr=0.05)

        def step(x, t):
            opt.zero_grad()
            loss = ((model(x) - Tensor(t)) ** 2).mean() + _positives(Tensor(t)).sum() * 0.1
            loss.backward()
            opt.step()
            return loss.item()

        run = compile(step)
        return [(run(x, t), model.W.data.copy()) for x, t in zip(XS, counts)]

    why = r"the forward of op 'positives' gave shape \(6,\).*recorded with \(2,\)"
    assert check_refused(scenario, why, monkeypatch) == 0
    with pytest.raises(autograd.CompileError, match=why):  # strictly: refused, never replayed misfit
        scenario(lambda f: autograd.compile(f, strict=True))

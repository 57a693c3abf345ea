"""Compiled steps whose replays would have used stale data or gradients (a fourth differential fuzz
against eager): each now replays eager's numbers, or runs eagerly with a CompileWarning."""

import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from nn import functional as F


@pytest.mark.parametrize("change", ["clip", "scale", "drop"])
def test_a_step_without_backward_that_changes_gradients_runs_eagerly(change):
    """The update half of gradient accumulation: backward eagerly, then a compiled clip and step. Its
    replays skipped the clipping (no backward in the step, so no .grad was watched)."""

    def run(compiled):
        model = nn.Linear(3, 2, dtype=np.float64, seed=0)
        opt = nn.SGD(model.parameters(), lr=0.1)

        def update():
            if change == "clip":
                nn.clip_grad_norm_(model.parameters(), 0.1)
            elif change == "scale":
                for p in model.parameters():
                    p.grad *= 0.25
            else:
                model.b.grad = None
            opt.step()
            opt.zero_grad()

        step = autograd.compile(update) if compiled else update
        rng = np.random.default_rng(0)
        for _ in range(4):
            F.mse_loss(model(Tensor(rng.standard_normal((4, 3)))), rng.standard_normal((4, 2))).backward()
            step()
        return model.W.data.copy()

    eager = run(False)
    said = {"clip": "reads the gradients' numbers in Python", "scale": r"numbers into Python \(.*p\.grad\)"}.get(
        change, "changed outside recorded ops"
    )
    with pytest.warns(autograd.CompileWarning, match=said):
        compiled = run(True)
    np.testing.assert_array_equal(eager, compiled)


@pytest.mark.parametrize("form", ["detach", "no_grad"])
def test_a_constant_made_of_the_graphs_numbers_runs_eagerly(form):
    """Alternating steps, each training one factor: the other's values, made a constant by detach() or
    no_grad, were equal on both recorded calls and replayed so after the other step changed them."""

    def constant(t):
        if form == "detach":
            return (t * 1.0).detach()
        with autograd.no_grad():
            return t * 1.0

    def run(compiled):
        rng = np.random.default_rng(0)
        u = Tensor(rng.standard_normal((6, 2)), requires_grad=True)
        v = Tensor(rng.standard_normal((5, 2)), requires_grad=True)
        opt_u, opt_v = nn.SGD([u], lr=0.05), nn.SGD([v], lr=0.05)

        def step_u(x):
            opt_u.zero_grad()
            loss = ((x - u @ constant(v).T) ** 2).mean()
            loss.backward()
            opt_u.step()
            return loss.item()

        def step_v(x):
            opt_v.zero_grad()
            loss = ((x - constant(u) @ v.T) ** 2).mean()
            loss.backward()
            opt_v.step()
            return loss.item()

        if compiled:
            step_u, step_v = autograd.compile(step_u), autograd.compile(step_v)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", autograd.CompileWarning)
            return [
                (step_u if k % 2 == 0 else step_v)(Tensor(rng.standard_normal((6, 5))))
                for k in range(4)
                for _ in range(3)
            ]

    assert run(False) == run(True)


def test_the_same_item_returned_twice_replays():
    model = nn.Linear(3, 2, seed=0, dtype=np.float64)
    opt = nn.SGD(model.parameters(), lr=0.1)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        a = loss.item()
        return a, {"best": a}

    run = autograd.compile(step, strict=True)
    for i in range(4):
        a, best = run(Tensor(np.full((4, 3), i / 4)), np.array([0, 1, 0, 1]))
        assert best == {"best": a}
    assert sum(r.program is not None for r in run.recordings.values()) == 1

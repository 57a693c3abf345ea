"""A number the step reads from a dict and uses in the graph (`loss * cfg["scale"]`) is guarded by its value,
as every setting is: the caller setting the same number anew between calls (a float or an int computed again,
another object) replays. It was taken for a buffer of the caller's (compile_buffers), guarded by identity, so
each call recorded the step again ("`cfg` changed") until, after 12, it ran eagerly with a warning."""

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from nn import functional as F

AGAIN = {  # the same number, another object, on every call
    "float": lambda: float(np.float64(0.75)),
    "int": lambda: int("1000"),
}


def _run(compiled, kind, calls=8):
    model = nn.Linear(3, 2, seed=0).double()
    opt = nn.SGD(model.parameters(), lr=0.01)
    cfg = {"scale": AGAIN[kind]()}

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y) * cfg["scale"]
        loss.backward()
        opt.step()
        return loss.item()

    run = autograd.compile(step, strict=True) if compiled else step
    rng = np.random.default_rng(0)
    losses = []
    for _ in range(calls):
        cfg["scale"] = AGAIN[kind]()
        losses.append(run(Tensor(rng.standard_normal((4, 3))), rng.integers(0, 2, 4)))
    return losses, [p.data.copy() for p in model.parameters()], run


@pytest.mark.parametrize("kind", AGAIN)
def test_an_equal_number_set_anew_between_calls_replays(kind):
    eager_losses, eager_params, _ = _run(False, kind)
    losses, params, run = _run(True, kind)
    assert losses == eager_losses
    for a, b in zip(params, eager_params):
        np.testing.assert_array_equal(a, b)
    (recorded,) = run.recordings.values()
    assert recorded.program is not None  # calls 3 to 8 replayed: the number never changed


def test_a_dict_holding_none_is_guarded_by_value():
    """A frozen weight is a constant array of the graph that owns its data (its base None): a dict of the step's
    holding None was then taken for a buffer's holder, in those recordings alone, so a layer frozen and unfrozen
    between calls recorded once more than needed, the log naming the dict ("`cfg` changed")."""
    model = nn.Sequential(nn.Linear(3, 3, seed=0), nn.Tanh(), nn.Linear(3, 2, seed=1)).double()
    model[0].W.requires_grad = False
    opt = nn.SGD(model.parameters(), lr=0.01)
    cfg = {"clip": None, "scale": 0.5}
    rng = np.random.default_rng(0)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y) * cfg["scale"]
        loss.backward()
        opt.step()
        return loss.item()

    run = autograd.compile(step, strict=True)
    for _ in range(3):
        run(Tensor(rng.standard_normal((4, 3))), rng.integers(0, 2, 4))
    (recorded,) = run.recordings.values()
    assert recorded.program is not None
    snapshots = [snapshot for _, _, snapshot in recorded.program.guards]
    assert not [s for s in snapshots if isinstance(s, tuple) and s[:1] == ("buffers",)]  # cfg by value

"""Compiled steps through the norm layers whose inputs switch between the plain root (sqrt(var + eps)) and the
hypot path (deviations past sqrt of the largest float, or subnormal) from one call to the next: every call gives
eager's numbers bit for bit (a replay whose numbers take another path than the recorded ones runs eagerly). Calls
on the hypot path run eagerly, and the warning says why."""

import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import no_grad
from nn import functional as F

LAYERS = {
    "LayerNorm": (lambda: nn.LayerNorm(6, dtype=np.float64), (4, 6)),
    "GroupNorm": (lambda: nn.GroupNorm(2, 6, dtype=np.float64), (4, 6)),
    "RMSNorm": (lambda: nn.RMSNorm(6, dtype=np.float64), (4, 6)),
    "InstanceNorm1d": (lambda: nn.InstanceNorm1d(3, affine=True, dtype=np.float64), (4, 3, 2)),
}
SCALES = {"plain": 1.0, "huge": 1e160, "subnormal": 1e-310}


def model(name):
    make, shape = LAYERS[name]
    return nn.Sequential(make(), nn.Flatten(), nn.Linear(6, 2, dtype=np.float64, seed=1)), shape


def inputs(shape, kinds):
    rng = np.random.default_rng(0)
    return [rng.normal(size=shape) * SCALES[k] for k in kinds]


def evaluation(m):
    def look(x):
        with no_grad():
            return m(x)

    return look


def training(m):
    opt, y = nn.SGD(m.parameters(), lr=1e-3), np.random.default_rng(2).normal(size=(4, 2))

    def step(x):
        loss = F.mse_loss(m(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step


def run(name, make_step, kinds, compiled):
    m, shape = model(name)
    step = make_step(m)
    step = autograd.compile(step) if compiled else step
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = [np.array(step(x).data) for x in inputs(shape, kinds)]
    said = [str(w.message) for w in caught if issubclass(w.category, autograd.CompileWarning)]
    weights = [np.array(p.data) for p in m.parameters()]
    replayed = compiled and all(r.program is not None for r in step.recordings.values())
    return results + weights, said, replayed


@pytest.mark.parametrize("make_step", [evaluation, training])
@pytest.mark.parametrize("name", LAYERS)
def test_inputs_switching_paths_give_eagers_numbers_on_every_call(name, make_step):
    kinds = ["plain", "plain", "plain", "huge", "plain", "subnormal", "plain", "huge", "huge", "plain"]
    compiled, _, _ = run(name, make_step, kinds, True)
    eager, _, _ = run(name, make_step, kinds, False)
    for a, b in zip(compiled, eager, strict=True):
        assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("kind", ["huge", "subnormal"])
@pytest.mark.parametrize("make_step", [evaluation, training])
@pytest.mark.parametrize("name", LAYERS)
def test_calls_on_the_hypot_path_give_eagers_numbers(name, make_step, kind):
    """They run eagerly (nn reads the norms of the hypot path in Python, or checks a variance the path does not
    use), with a CompileWarning."""
    compiled, said, replayed = run(name, make_step, [kind] * 5, True)
    eager, _, _ = run(name, make_step, [kind] * 5, False)
    for a, b in zip(compiled, eager, strict=True):
        assert a.tobytes() == b.tobytes()
    assert replayed or said


@pytest.mark.parametrize("name", ["LayerNorm", "GroupNorm", "InstanceNorm1d"])
def test_the_warning_for_a_norm_on_the_hypot_path_says_why(name):
    """It said nn's norm layers read their numbers only 'where they move running statistics: BatchNorm and
    InstanceNorm in training', of a LayerNorm in eval mode whose deviations were 1e160."""
    _, said, _ = run(name, evaluation, ["huge"] * 5, True)
    assert len(said) == 1 and "in nn.norm_roots.subnormal_scale" in said[0], said
    assert "the hypot path" in said[0] and "deviations past" in said[0], said

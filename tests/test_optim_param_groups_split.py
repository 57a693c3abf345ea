"""An optimizer of several param groups steps each group bit for bit as an optimizer of that group alone, with the
group's settings, would: for every optimizer that takes groups, in float32 and float64, Tensors and Values mixed,
with settings drawn per group, and a group's settings changed by hand half way."""

import numpy as np
import pytest
from optimizer_names import ALL_OPTIMIZERS

import nn
from autograd import Tensor, Value

# per optimizer: settings drawn for a group from a generator (each a valid setting of its kind)
DRAWS = {
    "SGD": lambda r: {"lr": r.uniform(0.01, 0.1), "momentum": r.choice([0.0, 0.9]), "weight_decay": r.uniform(0, 0.1)},
    "Adam": lambda r: {
        "lr": r.uniform(1e-3, 1e-2),
        "betas": (r.uniform(0.5, 0.9), 0.99),
        "amsgrad": bool(r.random() < 0.5),
    },
    "AdamW": lambda r: {"lr": r.uniform(1e-3, 1e-2), "weight_decay": r.uniform(0, 0.1)},
    "RMSprop": lambda r: {
        "lr": r.uniform(1e-3, 1e-2),
        "momentum": r.choice([0.0, 0.5]),
        "centered": bool(r.random() < 0.5),
    },
    "Adagrad": lambda r: {"lr": r.uniform(0.01, 0.1), "lr_decay": r.uniform(0, 0.1)},
    "Adadelta": lambda r: {"lr": r.uniform(0.5, 1.0), "rho": r.uniform(0.5, 0.95)},
    "Adamax": lambda r: {"lr": r.uniform(1e-3, 1e-2), "weight_decay": r.uniform(0, 0.1)},
    "NAdam": lambda r: {
        "lr": r.uniform(1e-3, 1e-2),
        "decoupled_weight_decay": bool(r.random() < 0.5),
        "weight_decay": 0.01,
    },
    "RAdam": lambda r: {"lr": r.uniform(1e-3, 1e-2), "betas": (0.8, r.uniform(0.9, 0.99))},
    "Rprop": lambda r: {"lr": r.uniform(1e-3, 1e-2), "etas": (r.uniform(0.3, 0.6), r.uniform(1.1, 1.5))},
    "ASGD": lambda r: {"lr": r.uniform(1e-3, 1e-2), "lambd": r.uniform(0, 0.01), "t0": float(r.integers(0, 5))},
    "Adafactor": lambda r: {"lr": r.uniform(1e-3, 1e-2), "beta2_decay": -r.uniform(0.5, 0.8), "d": r.uniform(1, 2)},
}


def _parameters(rng, dtype):
    """Two Tensors and two Values per group, three groups."""
    return [
        [Tensor(rng.standard_normal((3, 2)).astype(dtype), requires_grad=True) for _ in range(2)]
        + [Value(float(rng.standard_normal())) for _ in range(2)]
        for _ in range(3)
    ]


def _twin(p):
    return Value(p.data) if isinstance(p, Value) else Tensor(p.data.copy(), requires_grad=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(DRAWS))
def test_a_group_steps_as_an_optimizer_of_it_alone(name, dtype):
    rng = np.random.default_rng(list(DRAWS).index(name))
    kind, draw = getattr(nn, name), DRAWS[name]
    groups = _parameters(rng, dtype)
    alone = [[_twin(p) for p in group] for group in groups]
    settings = [draw(rng) for _ in groups]
    grouped = kind([{"params": g, **s} for g, s in zip(groups, settings)])
    apart = [kind(g, **s) for g, s in zip(alone, settings)]
    for step in range(12):
        if step == 6:  # a group's settings changed by hand, in both
            changed = draw(rng)
            for key, value in changed.items():
                grouped.param_groups[1][key] = value
                apart[1].param_groups[0][key] = value
        for group, twins in zip(groups, alone):
            for p, q in zip(group, twins):
                g = rng.standard_normal(p.data.shape).astype(dtype) if isinstance(p, Tensor) else float(rng.normal())
                p.grad, q.grad = g, (g.copy() if isinstance(p, Tensor) else g)
        grouped.step()
        for opt in apart:
            opt.step()
        for group, twins in zip(groups, alone):
            for p, q in zip(group, twins):
                np.testing.assert_array_equal(p.data, q.data)


def test_every_optimizer_that_takes_groups_is_drawn():
    """DRAWS names each optimizer nn offers that takes param groups (ALL_OPTIMIZERS): one added is tested here too."""
    assert set(DRAWS) == {name for name in ALL_OPTIMIZERS if getattr(nn, name).many_groups_taken}

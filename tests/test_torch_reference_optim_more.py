"""Adamax, NAdam, RAdam, Adadelta, Rprop and ASGD against torch.optim 2.13's: the same starting parameters and
the same gradients (random, of mixed sign, a fifth of them 0 and one whole step of zeros), 30 steps, the
parameters compared after each, in float64 and float32, for every combination of the options each takes;
and their arguments refused where torch's are. Without torch these tests are skipped.

Rprop's parameters are the same bit for bit. The others' are within 4 units in the last place of the
largest value each number has held (2.5 measured; tests/torch_reference_optim.py says why that measure), in
float32 from the float64 run, no further than torch's float32 run is plus a margin (that module says why).
"""

import itertools

import numpy as np
import pytest
from optimizer_names import ALL_OPTIMIZERS
from torch_reference import DTYPES, torch
from torch_reference_optim import Peaks, assert_steps_within_ulps, draws, float64_default

import nn
from autograd import Tensor, Value

STEPS = 30
SHAPES = [(3, 4), (5,), ()]
ULPS = 4


def _grid(**options):
    """Every combination of the options' values, as keyword dicts."""
    return [dict(zip(options, values)) for values in itertools.product(*options.values())]


BOTH = {"weight_decay": [0.0, 0.1], "maximize": [False, True]}
# name: (chainrule's, torch's, the option combinations tried)
OPTIMIZERS = {
    "Adamax": (nn.Adamax, torch.optim.Adamax, _grid(lr=[0.01], betas=[(0.9, 0.999), (0.5, 0.8)], **BOTH)),
    "NAdam": (
        nn.NAdam,
        torch.optim.NAdam,
        _grid(lr=[0.01], momentum_decay=[4e-3, 0.0], decoupled_weight_decay=[False, True], **BOTH),
    ),
    "RAdam": (
        nn.RAdam,
        torch.optim.RAdam,
        _grid(lr=[0.01], betas=[(0.9, 0.999), (0.8, 0.9)], decoupled_weight_decay=[False, True], **BOTH),
    ),
    "Adadelta": (nn.Adadelta, torch.optim.Adadelta, _grid(lr=[1.0, 0.1], rho=[0.9, 0.0, 1.0], eps=[1e-6], **BOTH)),
    "Rprop": (
        nn.Rprop,
        torch.optim.Rprop,
        _grid(
            lr=[0.01], etas=[(0.5, 1.2), (0.3, 2.0)], step_sizes=[(1e-6, 50.0), (1e-3, 0.05)], maximize=[False, True]
        ),
    ),
    # t0 5: the average starts at step 6 of the 30; lambd 0.05 and alpha 0.5: eta decays fast, the weights shrink
    "ASGD": (nn.ASGD, torch.optim.ASGD, _grid(lr=[0.05], lambd=[1e-4, 0.05], t0=[1e6, 5.0], alpha=[0.75, 0.5], **BOTH)),
}
CASES = [(name, i) for name, (_, _, grid) in OPTIMIZERS.items() for i in range(len(grid))]


float64_scalars = pytest.fixture(autouse=True)(float64_default)  # NAdam's mu_product as chainrule keeps it


def _draws(seed, dtype):
    """Starting values of each parameter, and its gradient at each step."""
    return draws(np.random.default_rng(seed), dtype, SHAPES, STEPS)


def _bound(name):
    """The most ulps (of each number's peak) chainrule's parameters may be from torch's: Rprop's are the same."""
    return 0 if name == "Rprop" else ULPS


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "case"), CASES)
def test_each_step_matches_torch(name, case, dtype):
    kw = OPTIMIZERS[name][2][case]
    assert_steps_within_ulps(name, kw, *_draws(case, dtype), _bound(name), f"{name} {kw}")


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_values_step_as_torch(name):
    """The scalar engine's parameters (packed into one float64 array for the update) step as torch's do."""
    ours_class, theirs_class, grid = OPTIMIZERS[name]
    kw = grid[-1]  # every option on
    start, grads = _draws(1, np.float64)
    ours = [Value(float(x)) for x in start[1]]
    theirs = torch.tensor(start[1], requires_grad=True)
    ours_opt, theirs_opt = ours_class(ours, **kw), theirs_class([theirs], **kw)
    peaks = Peaks([start[1]])
    for gs in grads:
        for v, x in zip(ours, gs[1]):
            v.grad = float(x)
        theirs.grad = torch.from_numpy(gs[1].copy())
        ours_opt.step()
        theirs_opt.step()
        peaks.assert_within(0, np.array([v.data for v in ours]), theirs.detach().numpy(), _bound(name), name)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_a_scheduler_drives_the_lr_as_torchs(name):
    """StepLR halving the lr every 4 epochs: the same parameters as torch's (Rprop's lr is its first step size
    only, in both: the schedule changes none of its steps after the first)."""
    ours_class, theirs_class, grid = OPTIMIZERS[name]
    start, grads = _draws(2, np.float64)
    w, v = Tensor(start[0].copy(), requires_grad=True), torch.tensor(start[0].copy(), requires_grad=True)
    ours_opt, theirs_opt = ours_class([w], **grid[0]), theirs_class([v], **grid[0])
    ours = nn.schedulers.StepLR(ours_opt, step_size=4, gamma=0.5)
    theirs = torch.optim.lr_scheduler.StepLR(theirs_opt, step_size=4, gamma=0.5)
    peaks = Peaks([start[0]])
    for gs in grads[:12]:
        w.grad, v.grad = gs[0].copy(), torch.from_numpy(gs[0].copy())
        ours_opt.step()
        theirs_opt.step()
        ours.step()
        theirs.step()
        assert ours_opt.lr == theirs_opt.param_groups[0]["lr"]
        peaks.assert_within(0, w.data, v.detach().numpy(), _bound(name), name)


# ---- arguments refused, as torch refuses them ----

BAD = [
    ("Adamax", {"lr": -0.1}),
    ("Adamax", {"eps": -1e-8}),
    ("Adamax", {"betas": (1.0, 0.999)}),
    ("Adamax", {"betas": (0.9, -0.1)}),
    ("Adamax", {"weight_decay": -0.1}),
    ("NAdam", {"lr": -0.1}),
    ("NAdam", {"betas": (0.9, 1.0)}),
    ("NAdam", {"eps": -1.0}),
    ("NAdam", {"weight_decay": -1.0}),
    ("NAdam", {"momentum_decay": -1e-3}),
    ("RAdam", {"lr": -1.0}),
    ("RAdam", {"betas": (-0.1, 0.9)}),
    ("RAdam", {"eps": -1.0}),
    ("RAdam", {"weight_decay": -1.0}),
    ("Adadelta", {"lr": -1.0}),
    ("Adadelta", {"rho": 1.5}),
    ("Adadelta", {"rho": -0.1}),
    ("Adadelta", {"eps": -1.0}),
    ("Adadelta", {"weight_decay": -1.0}),
    ("Rprop", {"lr": -1.0}),
    ("Rprop", {"etas": (1.0, 1.2)}),
    ("Rprop", {"etas": (0.5, 1.0)}),
    ("Rprop", {"etas": (0.0, 1.2)}),
    ("ASGD", {"lr": -1.0}),
    ("ASGD", {"weight_decay": -1.0}),
]


@pytest.mark.parametrize(("name", "kw"), BAD)
def test_a_bad_argument_is_refused_as_torch_refuses_it(name, kw):
    ours_class, theirs_class, _ = OPTIMIZERS[name]
    with pytest.raises(ValueError):
        theirs_class([torch.zeros(2, requires_grad=True)], **kw)
    with pytest.raises(ValueError, match=f"{name}: {next(iter(kw))}"):
        ours_class([Tensor(np.zeros(2), requires_grad=True)], **kw)


def test_rprop_refuses_step_sizes_torch_takes_and_ignores():
    """torch clamps every step size to the max when min > max: a setting that cannot mean what it says."""
    theirs = torch.optim.Rprop([torch.zeros(2, requires_grad=True)], step_sizes=(1.0, 0.1))
    assert theirs.defaults["step_sizes"] == (1.0, 0.1)
    with pytest.raises(ValueError, match=r"Rprop: step_sizes must be \(min, max\) with min <= max, got \(1.0, 0.1\)"):
        nn.Rprop([Tensor(np.zeros(2), requires_grad=True)], step_sizes=(1.0, 0.1))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "settings",
    [
        {"lr": 0.05, "t0": 5.0},
        {"lr": 0.1, "lambd": 0.01, "t0": 0.0, "weight_decay": 0.1},
        {"lr": 0.05, "lambd": 0.01, "t0": float("inf")},  # torch takes it: mu stays 1, ax the weights themselves
    ],
)
def test_asgd_keeps_torchs_average_and_step_size(settings, dtype):
    """ASGD's state as torch's after 25 steps: the averaged weights `ax` within 1e-12 in float64 (2 float32 ulps of
    values near 1 in float32), eta and mu as torch's (float64 here: float64_default), the step counted alike."""
    start, grads = draws(np.random.default_rng(5), dtype, SHAPES[:2], 25)
    ours = [Tensor(a.copy(), requires_grad=True) for a in start]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in start]
    ours_opt, theirs_opt = nn.ASGD(ours, **settings), torch.optim.ASGD(theirs, **settings)
    for gs in grads:
        for p, q, g in zip(ours, theirs, gs):
            p.grad, q.grad = g.copy(), torch.from_numpy(g.copy())
        ours_opt.step()
        theirs_opt.step()
    most = 1e-12 if dtype == np.float64 else 2.5e-7
    for i, q in enumerate(theirs):
        mine, torchs = ours_opt.state[i], theirs_opt.state[q]
        assert np.max(np.abs(mine["ax"] - torchs["ax"].numpy()), initial=0) <= most
        assert np.max(np.abs(ours[i].data - q.detach().numpy()), initial=0) <= most
        assert mine["step"] == int(torchs["step"]) == 25
        assert abs(mine["eta"] - torchs["eta"].item()) <= 1e-15 and mine["mu"] == torchs["mu"].item()


def test_every_optimizer_is_compared_with_torchs():
    """Each optimizer nn offers (ALL_OPTIMIZERS) is compared with torch's here or in test_torch_reference_optim.py
    (SGD, Adam, AdamW, RMSprop, Adagrad), LBFGS in test_optim_lbfgs*.py, Adafactor in
    test_torch_reference_optim_adafactor.py: one added is missed by neither."""
    from test_torch_reference_optim import OPTIMIZERS as FIRST

    assert set(ALL_OPTIMIZERS) == set(OPTIMIZERS) | {name.split()[0] for name in FIRST} | {"LBFGS", "Adafactor"}

"""Parameter groups against torch.optim 2.13's, for every optimizer that takes several: two or three groups with
different lr, weight_decay, momentum, betas (each optimizer's own settings), 20 steps on the same gradients in
float64, with a StepLR on top; the parameters and the state equal to 1e-12, and the state_dict round trip (a
fresh optimizer loaded from it steps as the original). Then every scheduler over groups of different lrs: each
group's lr (and OneCycleLR's and CyclicLR's momentum) as torch's to 1e-12, a group's lr set by hand carried on by
the chainable ones."""

import numpy as np
import pytest
from torch_reference import torch
from torch_reference_optim import float64_default

import nn
from autograd import Tensor

STEPS = 20
SHAPES = [(3, 4), (4,), (2, 3), (5,)]
# name: (chainrule's, torch's, the constructor's settings, each group's own settings (the rest the constructor's))
GROUPS = {
    "SGD": (nn.SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}, [{}, {"lr": 0.01, "weight_decay": 0.1},
                                                                    {"momentum": 0.5, "nesterov": True}]),
    "Adam": (nn.Adam, torch.optim.Adam, {"lr": 0.01}, [{}, {"betas": (0.8, 0.99), "weight_decay": 0.1},
                                                       {"lr": 0.003, "amsgrad": True}]),
    "AdamW": (nn.AdamW, torch.optim.AdamW, {"lr": 0.01}, [{"weight_decay": 0.0}, {"lr": 0.02, "betas": (0.5, 0.9)}]),
    "RMSprop": (nn.RMSprop, torch.optim.RMSprop, {"lr": 0.01}, [{}, {"momentum": 0.9, "centered": True},
                                                                {"alpha": 0.9, "weight_decay": 0.1}]),
    "Adagrad": (nn.Adagrad, torch.optim.Adagrad, {"lr": 0.1}, [{}, {"lr_decay": 0.01, "weight_decay": 0.1}]),
    "Adadelta": (nn.Adadelta, torch.optim.Adadelta, {"lr": 1.0}, [{}, {"rho": 0.5, "lr": 0.5}]),
    "Adamax": (nn.Adamax, torch.optim.Adamax, {"lr": 0.01}, [{}, {"betas": (0.5, 0.8), "weight_decay": 0.1}]),
    "NAdam": (nn.NAdam, torch.optim.NAdam, {"lr": 0.01}, [{}, {"momentum_decay": 0.0, "weight_decay": 0.1,
                                                               "decoupled_weight_decay": True}]),
    "RAdam": (nn.RAdam, torch.optim.RAdam, {"lr": 0.01}, [{}, {"betas": (0.8, 0.9), "weight_decay": 0.1}]),
    "Rprop": (nn.Rprop, torch.optim.Rprop, {"lr": 0.01}, [{}, {"etas": (0.3, 2.0), "lr": 0.02}]),
    "ASGD": (nn.ASGD, torch.optim.ASGD, {"lr": 0.01}, [{}, {"lambd": 1e-3, "t0": 5.0}]),
    "Adafactor": (nn.Adafactor, torch.optim.Adafactor, {"lr": 0.05}, [{}, {"eps": (1e-3, 0.01), "d": 2.0,
                                                                            "weight_decay": 0.1, "maximize": True}]),
}  # fmt: skip
NAMES = [name for name, (ours, *_) in GROUPS.items() if ours is not None]

float64_scalars = pytest.fixture(autouse=True)(float64_default)  # NAdam's mu_product as chainrule keeps it


def _split(items, count):
    """The items dealt into `count` groups by place (the last group takes the rest)."""
    return [items[k::count] for k in range(count)]


def _both(name, seed=0):
    """chainrule's and torch's parameters (the same numbers), and the gradients of every step."""
    rng = np.random.default_rng(seed)
    start = [rng.standard_normal(s) for s in SHAPES]
    grads = [[rng.standard_normal(s) * (k % 3 != 2) for s in SHAPES] for k in range(STEPS)]
    ours = [Tensor(a.copy(), requires_grad=True) for a in start]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in start]
    return ours, theirs, grads


def _groups(name, params):
    """The params in the groups of GROUPS[name], each with its own settings."""
    _, _, _, own = GROUPS[name]
    return [{"params": part, **settings} for part, settings in zip(_split(params, len(own)), own)]


def _step(opt, params, grads, is_torch):
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g) if is_torch else g.copy()
    opt.step()


def _torch_state(opt, params):
    return [{k: np.asarray(v) for k, v in opt.state[p].items()} for p in params]


@pytest.mark.parametrize("scheduled", [False, True], ids=["own lrs", "own lrs, StepLR"])
@pytest.mark.parametrize("name", NAMES)
def test_groups_step_as_torchs(name, scheduled):
    """Each group with its own settings, its lr too (under a StepLR: each group's lr from its own)."""
    mine, torchs, defaults, _ = GROUPS[name]
    ours, theirs, grads = _both(name)
    ours_opt = mine(_groups(name, ours), **defaults)
    theirs_opt = torchs(_groups(name, theirs), **defaults)
    if scheduled:
        ours_sched = nn.schedulers.StepLR(ours_opt, 5, gamma=0.5)
        theirs_sched = torch.optim.lr_scheduler.StepLR(theirs_opt, 5, gamma=0.5)
    for k in range(STEPS):
        _step(ours_opt, ours, grads[k], False)
        _step(theirs_opt, theirs, grads[k], True)
        if scheduled:
            ours_sched.step()
            theirs_sched.step()
            assert ours_sched.get_last_lr() == pytest.approx(theirs_sched.get_last_lr(), rel=1e-15)
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-12, atol=1e-12)
    for g, h in zip(ours_opt.param_groups, theirs_opt.param_groups):
        assert g["lr"] == pytest.approx(h["lr"], rel=1e-15)
        assert {k: g[k] for k in g if k != "params"}.items() <= {k: h[k] for k in h if k != "params"}.items() | {
            ("initial_lr", h.get("initial_lr"))
        }
    compared = 0
    saved = _torch_state(theirs_opt, theirs)
    for p, kept in zip(ours, saved):
        state = ours_opt.state[[id(t) for t in ours_opt.tensors].index(id(p))]  # its place in group order
        for key, value in kept.items():
            mine_key = {
                "exp_avg_sq": "v",
                "exp_avg": "m",
                "max_exp_avg_sq": "v_max",
                "momentum_buffer": "buffer",
                "step": "t",
            }
            ours_value = state.get(key, state.get(mine_key.get(key)))
            if ours_value is None:
                continue  # a slot chainrule names otherwise (compared through the parameters above)
            np.testing.assert_allclose(np.asarray(ours_value, float), value.astype(float), rtol=1e-12, atol=1e-12)
            compared += 1
    assert compared >= len(ours)  # the state was compared, not only the parameters


@pytest.mark.parametrize("name", NAMES)
def test_a_state_dict_of_groups_resumes_the_same_steps(name):
    mine, _, defaults, _ = GROUPS[name]
    ours, _, grads = _both(name, seed=1)
    opt = mine(_groups(name, ours), **defaults)
    for k in range(STEPS // 2):
        _step(opt, ours, grads[k], False)
    saved = opt.state_dict()
    twins = [Tensor(p.data.copy(), requires_grad=True) for p in ours]
    other = mine(_groups(name, twins), **defaults)
    other.load_state_dict(saved)
    for k in range(STEPS // 2, STEPS):
        _step(opt, ours, grads[k], False)
        _step(other, twins, grads[k], False)
    for p, q in zip(ours, twins):
        np.testing.assert_array_equal(p.data, q.data)


# each a scheduler made by (module, optimizer), chainrule's nn.schedulers or torch's lr_scheduler alike
SCHEDULES = {
    "StepLR": lambda m, o: m.StepLR(o, 3, gamma=0.5),
    "LambdaLR list": lambda m, o: m.LambdaLR(o, [lambda e: 0.9**e, lambda e: 1 / (1 + e), lambda e: 1.0]),
    "CosineAnnealingLR eta_min": lambda m, o: m.CosineAnnealingLR(o, 20, eta_min=0.001),
    "MultiplicativeLR list": lambda m, o: m.MultiplicativeLR(o, [lambda e: 0.9, lambda e: 0.8, lambda e: 0.95]),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, 0.9),
    "warmup then cosine": lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, 0.1, total_iters=4), m.CosineAnnealingLR(o, 16)], milestones=[4]
    ),
    "StepLR and ExponentialLR chained": lambda m, o: m.ChainedScheduler(
        [m.StepLR(o, 4, 0.5), m.ExponentialLR(o, 0.95)]
    ),
}


@pytest.mark.parametrize("hand", [False, True], ids=["", "a group's lr set by hand"])
@pytest.mark.parametrize("schedule", list(SCHEDULES))
def test_each_groups_lr_follows_the_schedule_from_its_own_as_torchs(schedule, hand):
    ours, theirs, _ = _both("SGD")
    settings = [{"lr": 0.1}, {"lr": 0.02}, {"lr": 0.005}]
    ours_opt = nn.SGD([{"params": ours[k::3], **s} for k, s in enumerate(settings)], lr=0.1)
    theirs_opt = torch.optim.SGD([{"params": theirs[k::3], **s} for k, s in enumerate(settings)], lr=0.1)
    mine, torchs = (
        SCHEDULES[schedule](nn.schedulers, ours_opt),
        SCHEDULES[schedule](torch.optim.lr_scheduler, theirs_opt),
    )
    chainable = schedule in ("StepLR", "ExponentialLR", "MultiplicativeLR list", "StepLR and ExponentialLR chained")
    for epoch in range(20):
        if hand and epoch == 6 and chainable:  # PyTorch's chainable forms carry it on from there
            ours_opt.param_groups[1]["lr"] = theirs_opt.param_groups[1]["lr"] = 0.3
        theirs_opt.step()
        mine.step()
        torchs.step()
        assert mine.get_last_lr() == pytest.approx(torchs.get_last_lr(), rel=1e-12)
        assert [g["lr"] for g in ours_opt.param_groups] == pytest.approx(
            [g["lr"] for g in theirs_opt.param_groups], rel=1e-12
        )


def test_reduce_on_plateau_cuts_each_group_to_its_own_floor_as_torchs():
    ours, theirs, _ = _both("SGD")
    groups = [{"lr": 0.1}, {"lr": 0.01}]
    ours_opt = nn.SGD([{"params": ours[k::2], **g} for k, g in enumerate(groups)], lr=0.1)
    theirs_opt = torch.optim.SGD([{"params": theirs[k::2], **g} for k, g in enumerate(groups)], lr=0.1)
    mine = nn.schedulers.ReduceLROnPlateau(ours_opt, factor=0.5, patience=1, min_lr=[0.02, 0.001])
    torchs = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs_opt, factor=0.5, patience=1, min_lr=[0.02, 0.001])
    for metric in [5, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3]:
        mine.step(metric)
        torchs.step(metric)
        assert mine.get_last_lr() == pytest.approx(torchs.get_last_lr(), rel=1e-15)


@pytest.mark.parametrize("strategy", ["cos", "linear"])
@pytest.mark.parametrize("kind", ["SGD", "Adam"])
def test_one_cycle_over_groups_moves_each_groups_lr_and_momentum_as_torchs(kind, strategy):
    """OneCycleLR's max_lr and momenta one per group (PyTorch's lists): each group's lr and momentum (SGD's, or
    Adam's beta1) along its own cycle, every step of it."""
    ours, theirs, _ = _both(kind)
    mine, torchs = (nn.SGD, torch.optim.SGD) if kind == "SGD" else (nn.Adam, torch.optim.Adam)
    extra = {"momentum": 0.9} if kind == "SGD" else {}
    ours_opt = mine([{"params": ours[:2]}, {"params": ours[2:]}], lr=0.1, **extra)
    theirs_opt = torchs([{"params": theirs[:2]}, {"params": theirs[2:]}], lr=0.1, **extra)
    options = {"total_steps": 20, "anneal_strategy": strategy, "base_momentum": [0.8, 0.85], "max_momentum": 0.95}
    ours_sched = nn.schedulers.OneCycleLR(ours_opt, [0.1, 0.01], **options)
    theirs_sched = torch.optim.lr_scheduler.OneCycleLR(theirs_opt, [0.1, 0.01], **options)
    name = "momentum" if kind == "SGD" else "betas"
    for _ in range(20):
        for g, h in zip(ours_opt.param_groups, theirs_opt.param_groups):
            assert g["lr"] == pytest.approx(h["lr"], rel=1e-12)
            assert np.ravel(g[name])[0] == pytest.approx(np.ravel(h[name])[0], rel=1e-12)
        theirs_opt.step()
        ours_sched.step()
        theirs_sched.step()
    # the step to total_steps: "linear" runs past its end there, below 0 in torch, 0 here (OneCycleLR's docstring)
    ends = [max(lr, 0.0) for lr in theirs_sched.get_last_lr()]
    assert ours_sched.get_last_lr() == pytest.approx(ends, rel=1e-12, abs=1e-18)


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
def test_cyclic_lr_over_groups_moves_each_groups_lr_and_momentum_as_torchs(mode):
    ours, theirs, _ = _both("SGD")
    ours_opt = nn.SGD([{"params": ours[:2]}, {"params": ours[2:], "lr": 0.5}], lr=0.1, momentum=0.9)
    theirs_opt = torch.optim.SGD([{"params": theirs[:2]}, {"params": theirs[2:], "lr": 0.5}], lr=0.1, momentum=0.9)
    options = {"step_size_up": 3, "step_size_down": 2, "mode": mode, "gamma": 0.9, "base_momentum": [0.7, 0.8]}
    ours_sched = nn.schedulers.CyclicLR(ours_opt, [0.01, 0.001], [0.1, 0.05], **options)
    theirs_sched = torch.optim.lr_scheduler.CyclicLR(theirs_opt, [0.01, 0.001], [0.1, 0.05], **options)
    for _ in range(15):
        for g, h in zip(ours_opt.param_groups, theirs_opt.param_groups):
            assert (g["lr"], g["momentum"]) == pytest.approx((h["lr"], h["momentum"]), rel=1e-12)
        theirs_opt.step()
        ours_sched.step()
        theirs_sched.step()


def test_warm_restarts_stepped_to_an_epoch_sets_each_groups_lr_as_torchs():
    ours, theirs, _ = _both("SGD")
    ours_opt = nn.SGD([{"params": ours[:2]}, {"params": ours[2:], "lr": 0.5}], lr=0.1)
    theirs_opt = torch.optim.SGD([{"params": theirs[:2]}, {"params": theirs[2:], "lr": 0.5}], lr=0.1)
    ours_sched = nn.schedulers.CosineAnnealingWarmRestarts(ours_opt, 4, T_mult=2, eta_min=0.01)
    theirs_sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(theirs_opt, 4, T_mult=2, eta_min=0.01)
    for epoch in [0.5, 1.25, 3.0, 7.5, 2.0, 13.0]:
        theirs_opt.step()
        ours_sched.step(epoch)
        theirs_sched.step(epoch)
        assert ours_sched.get_last_lr() == pytest.approx(theirs_sched.get_last_lr(), rel=1e-12)

"""nn.schedulers.CyclicLR against torch.optim.lr_scheduler.CyclicLR 2.13: random options (the three modes, a
scale_fn of the cycle or of the step, uneven step sizes, lists of one lr), driving SGD, RMSprop (their momentum)
and Adam, NAdam (their beta1), or no momentum at all: the lr, get_last_lr() and the momentum of every step over
several cycles, and a state_dict resumed half way. Both compute the same expressions: equal (the most measured:
0). Its arguments and refusals, and nn.save: tests/test_schedulers_cyclic_chained.py."""

import inspect

import numpy as np
import pytest
from test_torch_diff_schedulers_more import _assert_same_lrs, _optimizers, assert_same_steps, momenta
from torch_reference import torch

import nn
from autograd import Tensor
from nn import schedulers

OPTIMIZERS = {"SGD": dict(momentum=0.9), "RMSprop": {}, "Adam": {}, "NAdam": {}}
STEPS = 80
# scale_fn given to both libraries: of the cycle, or of the step (scale_mode="iterations")
SCALE_FNS = [lambda x: 1 / (1.0 + 0.5 * x), lambda x: 0.99**x]


def _draw(seed):
    rng = np.random.default_rng(seed)
    options = dict(
        base_lr=float(rng.choice([0.0, 0.001, 0.05])),
        max_lr=float(rng.choice([0.01, 0.5, 2.0])),
        step_size_up=int(rng.integers(1, 9)),
        mode=str(rng.choice(["triangular", "triangular2", "exp_range"])),
        gamma=float(rng.choice([1.0, 0.99, 0.9])),
        cycle_momentum=bool(rng.integers(4) > 0),
        base_momentum=float(rng.choice([0.8, 0.85])),
        max_momentum=float(rng.choice([0.9, 0.95])),
    )
    if rng.integers(2):
        options["step_size_down"] = int(rng.integers(1, 9))
    if rng.integers(3) == 0:
        options |= dict(scale_fn=SCALE_FNS[int(rng.integers(2))], scale_mode=str(rng.choice(["cycle", "iterations"])))
    if rng.integers(3) == 0:
        options["max_lr"] = [options["max_lr"]]  # PyTorch's list, one per parameter group
    name = str(rng.choice(list(OPTIMIZERS))) if options["cycle_momentum"] else "Adagrad"
    return name, options


def _pair(name, options):
    w, v = Tensor(np.zeros(2), requires_grad=True), torch.zeros(2, dtype=torch.float64, requires_grad=True)
    kwargs = OPTIMIZERS.get(name, {})
    ours_opt = getattr(nn, name)([w], lr=0.1, **kwargs)
    theirs_opt = getattr(torch.optim, name)([v], lr=0.1, **kwargs)
    ours = schedulers.CyclicLR(ours_opt, **options)
    return ours_opt, theirs_opt, ours, torch.optim.lr_scheduler.CyclicLR(theirs_opt, **options)


@pytest.mark.parametrize("seed", range(40))
def test_random_options_give_torchs_lrs_and_momenta(seed):
    name, options = _draw(seed)
    assert_same_steps(*_pair(name, options), STEPS, f"{name}, CyclicLR({options})")


@pytest.mark.parametrize("seed", range(6))
def test_a_state_dict_resumes_the_cycle(seed):
    name, options = _draw(100 + seed)
    ours_opt, theirs_opt, ours, theirs = _pair(name, options)
    assert_same_steps(ours_opt, theirs_opt, ours, theirs, 13, name)
    fresh_opt, _, fresh, _ = _pair(name, options)
    fresh.load_state_dict(ours.state_dict())
    fresh_momentum, ours_momentum = momenta(fresh_opt, theirs_opt)[0], momenta(ours_opt, theirs_opt)[0]
    assert (fresh.last_epoch, fresh_opt.lr, fresh_momentum) == (13, ours_opt.lr, ours_momentum)
    assert_same_steps(fresh_opt, theirs_opt, fresh, theirs, 30, f"{name} resumed")


def test_the_draws_reach_every_mode_and_scale_fn():
    drawn = [_draw(seed)[1] for seed in range(40)]
    assert {d["mode"] for d in drawn} == {"triangular", "triangular2", "exp_range"}
    assert {(d["scale_mode"], d["scale_fn"]) for d in drawn if "scale_fn" in d} >= {
        (m, f) for m in ("cycle", "iterations") for f in SCALE_FNS[:1]
    }
    assert any(not d["cycle_momentum"] for d in drawn) and any(d["base_lr"] == 0 for d in drawn)


def test_it_takes_torchs_arguments_in_its_order():
    theirs = list(inspect.signature(torch.optim.lr_scheduler.CyclicLR).parameters)
    assert list(inspect.signature(schedulers.CyclicLR).parameters) == theirs


@pytest.mark.parametrize("first", ["LinearLR", "ExponentialLR"])
def test_in_a_sequential_lr_the_schedule_before_it_keeps_torchs_lr(first):
    """Made after the optimizer's first scheduler, a CyclicLR set the optimizer's initial_lr to its base_lr, where
    PyTorch's keeps the first one's (setdefault): the warmup before it in a SequentialLR ran at 0.005 to 0.01, not
    PyTorch's 0.05 to 0.1, and an ExponentialLR at 0.01, 0.009, ... for 0.1, 0.09, ..."""
    optimizers = _optimizers(0.1)
    pair = []
    for lib, opt in zip((schedulers, torch.optim.lr_scheduler), optimizers):
        head = lib.LinearLR(opt, 0.5, 1.0, 3) if first == "LinearLR" else lib.ExponentialLR(opt, 0.9)
        pair.append(lib.SequentialLR(opt, [head, lib.CyclicLR(opt, 0.01, 0.5, 3)], [4]))
    _assert_same_lrs([pair], *optimizers, 14, f"SequentialLR of {first} and CyclicLR")


def test_a_cycle_without_its_way_down_is_torchs_sawtooth():
    """step_size_down=0 (up in 3 steps, then straight back to base_lr), which PyTorch's takes, was refused as "an
    integer >= 1"; step_size_up=0 stays refused (PyTorch's divides by 0 at the first step)."""
    options = dict(base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=0)
    assert_same_steps(*_pair("SGD", options), 12, f"CyclicLR({options})")
    with pytest.raises(ValueError, match="step_size_up must be an integer >= 1, got 0"):
        _pair("SGD", dict(base_lr=0.01, max_lr=0.1, step_size_up=0, step_size_down=3))

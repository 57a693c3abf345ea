"""nn.schedulers.OneCycleLR against torch.optim.lr_scheduler.OneCycleLR 2.13: random options (both anneal
strategies, two and three phases, total_steps or epochs * steps_per_epoch, lists of one max_lr), driving SGD,
RMSprop (their momentum) and Adam, NAdam (their beta1), or no momentum at all: the lr, get_last_lr() and the
momentum of every step up to total_steps, the step after it refused by both, and a state_dict resumed half
way. Both compute the same expressions: the lrs and momenta are equal (the most measured: 0), but for the
step to total_steps itself with "linear", where PyTorch's lr runs on below 0 and chainrule's is 0."""

import numpy as np
import pytest
from test_torch_diff_schedulers_more import assert_same_steps, momenta
from torch_reference import torch

import nn
from autograd import Tensor
from nn import schedulers

OPTIMIZERS = {"SGD": dict(momentum=0.9), "RMSprop": {}, "Adam": {}, "NAdam": {}}


def _draw(seed):
    rng = np.random.default_rng(seed)
    steps = int(rng.integers(3, 60))
    options = dict(
        max_lr=float(rng.choice([0.01, 0.5, 2.0])),
        pct_start=float(rng.choice([0.1, 0.25, 0.3, 0.45])),
        anneal_strategy=str(rng.choice(["cos", "linear"])),
        cycle_momentum=bool(rng.integers(4) > 0),
        base_momentum=float(rng.choice([0.8, 0.85])),
        max_momentum=float(rng.choice([0.9, 0.95])),
        div_factor=float(rng.choice([25.0, 3.0])),
        final_div_factor=float(rng.choice([1e4, 10.0])),
        three_phase=bool(rng.integers(2)),
    )
    if rng.integers(2):
        options |= dict(total_steps=steps)
    else:
        options |= dict(epochs=int(rng.integers(1, 6)), steps_per_epoch=int(rng.integers(1, 12)))
    if rng.integers(3) == 0:
        options["max_lr"] = [options["max_lr"]]  # PyTorch's list, one per parameter group
    return str(rng.choice(list(OPTIMIZERS))), options


def _pair(name, options):
    w, v = Tensor(np.zeros(2), requires_grad=True), torch.zeros(2, dtype=torch.float64, requires_grad=True)
    ours_opt = getattr(nn, name)([w], lr=0.1, **OPTIMIZERS[name])
    theirs_opt = getattr(torch.optim, name)([v], lr=0.1, **OPTIMIZERS[name])
    return ours_opt, theirs_opt


def _total(options):
    return options.get("total_steps") or options["epochs"] * options["steps_per_epoch"]


@pytest.mark.parametrize("seed", range(40))
def test_random_options_give_torchs_lrs_and_momenta(seed):
    name, options = _draw(seed)
    ours_opt, theirs_opt = _pair(name, options)
    ours = schedulers.OneCycleLR(ours_opt, **options)
    theirs = torch.optim.lr_scheduler.OneCycleLR(theirs_opt, **options)
    total = _total(options)
    assert_same_steps(ours_opt, theirs_opt, ours, theirs, total, f"{name}, {options}")
    at_end = (ours_opt.lr, *momenta(ours_opt, theirs_opt))
    with pytest.raises(ValueError, match=f"step {total + 1} is past total_steps={total}"):
        ours.step()
    with pytest.raises(ValueError, match="Tried to step"):
        theirs.step()
    assert (ours.last_epoch, ours_opt.lr, *momenta(ours_opt, theirs_opt)) == (total, *at_end)


@pytest.mark.parametrize("seed", range(8))
def test_a_state_dict_resumes_the_cycle(seed):
    name, options = _draw(seed)
    total = _total(options)
    ours_opt, theirs_opt = _pair(name, options)
    ours = schedulers.OneCycleLR(ours_opt, **options)
    theirs = torch.optim.lr_scheduler.OneCycleLR(theirs_opt, **options)
    assert_same_steps(ours_opt, theirs_opt, ours, theirs, total // 2, name)
    fresh_opt, _ = _pair(name, options)
    fresh = schedulers.OneCycleLR(fresh_opt, **options)
    fresh.load_state_dict(ours.state_dict())
    assert (fresh_opt.lr, momenta(fresh_opt, theirs_opt)[0]) == (ours_opt.lr, momenta(ours_opt, theirs_opt)[0])
    assert_same_steps(fresh_opt, theirs_opt, fresh, theirs, total - total // 2, f"{name} resumed")


def test_the_draws_reach_every_kind_of_cycle():
    drawn = [_draw(seed) for seed in range(40)]
    assert {name for name, _ in drawn} == set(OPTIMIZERS)
    for key in ("anneal_strategy", "three_phase", "cycle_momentum"):
        assert len({options[key] for _, options in drawn}) == 2, key
    assert {"total_steps" in options for _, options in drawn} == {True, False}
    assert any(options["anneal_strategy"] == "linear" for _, options in drawn)


def test_it_takes_torchs_arguments_in_its_order():
    import inspect

    theirs = list(inspect.signature(torch.optim.lr_scheduler.OneCycleLR).parameters)
    assert list(inspect.signature(schedulers.OneCycleLR).parameters) == theirs


@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_in_a_sequential_lr_it_moves_the_momentum_as_torchs(name):
    """A OneCycleLR after a LinearLR warmup in a SequentialLR: its lr was torch's, but the momentum (SGD's,
    Adam's beta1) stayed at max_momentum, which it set when made, where torch's cycles it (0.85 at the top)."""
    options = dict(max_lr=1.0, total_steps=6)
    ours_opt, theirs_opt = _pair(name, options)
    cycles = []
    for scheduler_module, opt in ((schedulers, ours_opt), (torch.optim.lr_scheduler, theirs_opt)):
        warmup = scheduler_module.LinearLR(opt, 0.5, 1.0, total_iters=2)
        cycle = scheduler_module.OneCycleLR(opt, **options)
        cycles.append(scheduler_module.SequentialLR(opt, [warmup, cycle], milestones=[3]))
    ours, theirs = cycles
    for epoch in range(10):  # to the cycle's total_steps; the lr to rounding, as SequentialLR's tests compare it
        at = f"{name}, epoch {epoch}"
        assert ours_opt.lr == pytest.approx(theirs_opt.param_groups[0]["lr"], rel=1e-15, abs=0), at
        assert momenta(ours_opt, theirs_opt)[0] == momenta(ours_opt, theirs_opt)[1], at
        if epoch == 9:
            break
        theirs_opt.step()
        ours.step()
        theirs.step()


def test_linear_at_total_steps_is_0_where_torchs_lr_is_below_0():
    """The figure the docs give: torch's "linear" runs a step's fall past min_lr at total_steps, -2.9e-4 for
    max_lr 0.01 over 50 steps (they said -1.9e-5), and torch's SGD steps with it, up the gradient."""
    options = dict(max_lr=0.01, total_steps=50, anneal_strategy="linear")
    ours_opt, theirs_opt = _pair("SGD", options)
    ours = schedulers.OneCycleLR(ours_opt, **options)
    theirs = torch.optim.lr_scheduler.OneCycleLR(theirs_opt, **options)
    for _ in range(50):
        theirs_opt.step()
        ours.step()
        theirs.step()
    min_lr = 0.01 / 25 / 1e4
    fall = (0.01 - min_lr) / (49 - 14)  # a step's fall: max_lr at step 14 (0.3 of 50, less 1), min_lr at 49
    lr = theirs_opt.param_groups[0]["lr"]
    assert lr == pytest.approx(min_lr - fall, rel=1e-12) and f"{lr:.1e}" == "-2.9e-04"
    assert ours_opt.lr == 0.0


def test_linear_at_total_steps_keeps_a_momentum_the_optimizer_takes():
    """Past its end "linear" runs the momentum on past max_momentum too: Adam's beta1 to 1.01 at total_steps
    (max_momentum 0.99 over 10 steps), which torch sets and chainrule's Adam refuses, so a loop stepping once a
    batch was a ValueError at its last step. The cycle's end, max_momentum, there; torch's at every other step."""
    options = dict(max_lr=0.1, total_steps=10, anneal_strategy="linear", max_momentum=0.99)
    ours_opt, theirs_opt = _pair("Adam", options)
    ours = schedulers.OneCycleLR(ours_opt, **options)
    theirs = torch.optim.lr_scheduler.OneCycleLR(theirs_opt, **options)
    assert_same_steps(ours_opt, theirs_opt, ours, theirs, 9, "Adam")
    theirs_opt.step()
    theirs.step()
    ours.step()
    assert theirs_opt.param_groups[0]["betas"][0] == pytest.approx(1.01, rel=1e-12)
    assert (ours.last_epoch, ours_opt.betas[0], ours_opt.lr) == (10, 0.99, 0.0)

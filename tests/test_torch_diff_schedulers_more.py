"""The schedulers of nn.schedulers_more (MultiStepLR, MultiplicativeLR, ExponentialLR, ConstantLR, PolynomialLR),
CosineAnnealingWarmRestarts (nn.schedulers_restarts) and LinearLR with total_iters=0 against
torch.optim.lr_scheduler 2.13: random options, the lr and get_last_lr() of every epoch over 60 epochs, alone,
chained two on an optimizer (their factors multiply, as PyTorch's chainable forms), one after another in a
SequentialLR (total_iters=0 left out there: see why there), and resumed from a state_dict half way. chainrule
computes each epoch's closed form where PyTorch multiplies the last lr by a ratio, so they agree to rounding:
within 1e-12 relative (the most measured: 8.8e-16, ExponentialLR at epoch 57) or 1e-15 absolute (a LinearLR down
to 0: torch's lr ends at -4.4e-18, chainrule's at 0)."""

import warnings

import numpy as np
import pytest
from torch_reference import torch

import nn
from autograd import Tensor
from nn import schedulers

EPOCHS = 60
REL, ABS = 1e-12, 1e-15


def _iters(rng):
    return int(rng.choice([0, 1, 2, 5, 13]))  # 0: torch 2.13 takes it, and holds the first factor


# MultiplicativeLR's functions of the epoch, each given to both libraries: constant, growing, falling to 0
LAMBDAS = [lambda e: 0.95, lambda e: 1 + 0.01 * e, lambda e: max(0.0, 1 - 0.05 * e)]

# per scheduler: its options drawn at random, given by keyword as ported scripts do
DRAWS = {
    "MultiplicativeLR": lambda rng: dict(lr_lambda=LAMBDAS[int(rng.integers(len(LAMBDAS)))]),
    "MultiStepLR": lambda rng: dict(
        milestones=[int(m) for m in rng.integers(0, 40, rng.integers(0, 5))], gamma=float(rng.choice([0.1, 0.5, 1.3]))
    ),
    "ExponentialLR": lambda rng: dict(gamma=float(rng.choice([0.0, 0.5, 0.93, 1.0, 1.05]))),
    "ConstantLR": lambda rng: dict(factor=float(rng.choice([0.1, 1 / 3, 0.5, 1.0])), total_iters=_iters(rng)),
    "PolynomialLR": lambda rng: dict(total_iters=_iters(rng), power=float(rng.choice([0.0, 0.5, 1.0, 2.0, 3.7]))),
    "LinearLR": lambda rng: dict(
        start_factor=float(rng.choice([0.1, 0.5, 1.0])), end_factor=float(rng.choice([0.0, 0.3, 1.0])),
        total_iters=_iters(rng),
    ),
    "CosineAnnealingWarmRestarts": lambda rng: dict(
        T_0=int(rng.integers(1, 8)), T_mult=int(rng.choice([1, 2, 3])), eta_min=float(rng.choice([0.0, 0.01, 0.3]))
    ),
}  # fmt: skip
NAMES = sorted(DRAWS)


def _optimizers(lr):
    w, v = Tensor(np.zeros(2), requires_grad=True), torch.zeros(2, dtype=torch.float64, requires_grad=True)
    return nn.SGD([w], lr=lr, momentum=0.9), torch.optim.SGD([v], lr=lr, momentum=0.9)


def _make(name, options, ours_opt, theirs_opt):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # total_iters=0 (tested below)
        ours = getattr(schedulers, name)(ours_opt, **options)
    return ours, getattr(torch.optim.lr_scheduler, name)(theirs_opt, **options)


def _assert_same_lrs(pairs, ours_opt, theirs_opt, epochs, where):
    """Step every (ours, theirs) pair `epochs` times, the lr and each get_last_lr() equal at every epoch."""
    for epoch in range(epochs):
        at = f"{where}, epoch {epoch}"
        assert ours_opt.lr == pytest.approx(theirs_opt.param_groups[0]["lr"], rel=REL, abs=ABS), at
        for ours, theirs in pairs:
            assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=REL, abs=ABS), at
            if hasattr(theirs, "T_cur"):  # a cosine with restarts: where it is in which cycle, PyTorch's attributes
                assert (ours.T_cur, ours.T_i) == (theirs.T_cur, theirs.T_i), at
        theirs_opt.step()  # no gradients: nothing moves, but PyTorch warns of a scheduler stepped first
        for ours, theirs in pairs:
            ours.step()
            theirs.step()


def momenta(ours_opt, theirs_opt):
    """The momentum (SGD's, RMSprop's) or beta1 (Adam's, NAdam's) of chainrule's optimizer and of torch's, which
    CyclicLR and OneCycleLR cycle; (None, None) for an optimizer without (Adagrad)."""
    group = theirs_opt.param_groups[0]
    if "betas" in group:
        return ours_opt.betas[0], group["betas"][0]
    return getattr(ours_opt, "momentum", None), group.get("momentum")


def assert_same_steps(ours_opt, theirs_opt, ours, theirs, steps, where):
    """Step one scheduler of each library `steps` times, the lr, get_last_lr() and momentum equal before each step
    and after the last; where torch's lr is below 0 (OneCycleLR's "linear" at total_steps), chainrule's is 0."""
    for step in range(steps + 1):
        at = f"{where}, step {ours.last_epoch}"
        lr = theirs_opt.param_groups[0]["lr"]
        if lr < 0:
            assert ours.last_epoch == theirs.total_steps and ours_opt.lr == 0.0 == ours.get_last_lr()[0], at
        else:
            assert (ours_opt.lr, ours.get_last_lr()) == (lr, theirs.get_last_lr()), at
        assert momenta(ours_opt, theirs_opt)[0] == momenta(ours_opt, theirs_opt)[1], at
        if step == steps:
            break
        theirs_opt.step()
        ours.step()
        theirs.step()


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("name", NAMES)
def test_random_options_give_torchs_lrs(name, seed):
    rng = np.random.default_rng(seed)
    options = DRAWS[name](rng)
    ours_opt, theirs_opt = _optimizers(float(rng.choice([0.1, 1.0, 3e-4])))
    pair = _make(name, options, ours_opt, theirs_opt)
    _assert_same_lrs([pair], ours_opt, theirs_opt, EPOCHS, f"{name}({options})")


@pytest.mark.parametrize("seed", range(20))
def test_two_chained_give_torchs_lrs(seed):
    """Two schedulers on one optimizer, stepped one after the other each epoch, as PyTorch's chain."""
    rng = np.random.default_rng(100 + seed)
    first, second = rng.choice([n for n in NAMES if not getattr(schedulers, n).sets_outright], 2)  # those that chain
    ours_opt, theirs_opt = _optimizers(0.1)
    pairs = [_make(name, DRAWS[name](rng), ours_opt, theirs_opt) for name in (first, second)]
    _assert_same_lrs(pairs, ours_opt, theirs_opt, EPOCHS, f"{first} then {second}")


@pytest.mark.parametrize("seed", range(12))
def test_one_after_another_in_a_sequential_lr_give_torchs_lrs(seed):
    rng = np.random.default_rng(200 + seed)
    # a MultiplicativeLR only first: PyTorch's goes on from the lr left at a milestone (refused there, see below)
    names = [rng.choice(NAMES), *rng.choice([n for n in NAMES if n != "MultiplicativeLR"], 2)]
    milestones = sorted(int(m) for m in rng.choice(np.arange(1, 30), 2, replace=False))
    ours_opt, theirs_opt = _optimizers(0.5)
    # total_iters=0 left out: PyTorch's SequentialLR starts each schedule from its closed form, which divides
    # by 0 there (LinearLR, PolynomialLR) or gives 1 (ConstantLR), where stepping it holds the first factor
    drawn = [DRAWS[name](rng) for name in names]
    drawn = [d | {"total_iters": 3} if d.get("total_iters") == 0 else d for d in drawn]
    inner = [_make(name, options, ours_opt, theirs_opt) for name, options in zip(names, drawn)]
    ours = schedulers.SequentialLR(ours_opt, [o for o, _ in inner], milestones=milestones)
    theirs = torch.optim.lr_scheduler.SequentialLR(theirs_opt, [t for _, t in inner], milestones=milestones)
    _assert_same_lrs([(ours, theirs)], ours_opt, theirs_opt, EPOCHS, f"SequentialLR of {list(names)} at {milestones}")


@pytest.mark.parametrize("name", NAMES)
def test_a_state_dict_resumes_the_schedule(name):
    rng = np.random.default_rng(7)
    options = DRAWS[name](rng) | ({"total_iters": 9} if "total_iters" in DRAWS[name](rng) else {})
    ours_opt, theirs_opt = _optimizers(0.1)
    ours, theirs = _make(name, options, ours_opt, theirs_opt)
    _assert_same_lrs([(ours, theirs)], ours_opt, theirs_opt, 7, name)
    fresh_opt, _ = _optimizers(0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fresh = getattr(schedulers, name)(fresh_opt, **options)
    fresh.load_state_dict(ours.state_dict())
    assert fresh.last_epoch == 7 and fresh_opt.lr == ours_opt.lr
    _assert_same_lrs([(fresh, theirs)], fresh_opt, theirs_opt, 20, f"{name} resumed")


def test_the_draws_reach_total_iters_0_and_restarts_that_grow():
    drawn = [DRAWS[name](np.random.default_rng(seed)) for name in NAMES for seed in range(12)]
    assert any(d.get("total_iters") == 0 for d in drawn)
    assert any(d.get("T_mult", 1) > 1 and d["T_0"] < 4 for d in drawn)  # several restarts within 60 epochs


def test_they_take_torchs_arguments_in_its_order():
    import inspect

    for name in NAMES:
        theirs = list(inspect.signature(getattr(torch.optim.lr_scheduler, name)).parameters)
        assert list(inspect.signature(getattr(schedulers, name)).parameters) == theirs, name

"""nn.schedulers_more's schedules without PyTorch: their arguments checked and named, total_iters=0 as
torch 2.13 steps it (with a warning where the schedule never does what it names), a cosine with restarts
that refuses to chain, and bad values refused before anything changes. Against PyTorch:
tests/test_torch_diff_schedulers_more.py; saved and resumed: tests/test_schedule_resume.py."""

import math

import numpy as np
import pytest
from test_nn_schedulers import lrs, optimizer  # an SGD of lr 0.1, and the lr of each epoch

from nn.optim import SGD, Adagrad, Adam
from nn.schedulers import (
    ConstantLR,
    CosineAnnealingWarmRestarts,
    ExponentialLR,
    LinearLR,
    MultiStepLR,
    OneCycleLR,
    PolynomialLR,
    StepLR,
)


def test_formulas_by_hand():
    assert lrs(MultiStepLR(optimizer(), [3, 1, 3], 0.5), 5) == pytest.approx([0.1, 0.05, 0.05, 0.0125, 0.0125])
    assert lrs(ExponentialLR(optimizer(), 0.5), 4) == pytest.approx([0.1, 0.05, 0.025, 0.0125])
    assert lrs(ConstantLR(optimizer(), 0.5, 2), 4) == pytest.approx([0.05, 0.05, 0.1, 0.1])
    assert lrs(PolynomialLR(optimizer(), 4, 2.0), 6) == pytest.approx([0.1, 0.05625, 0.025, 0.00625, 0, 0])
    restarts = CosineAnnealingWarmRestarts(optimizer(), T_0=2, T_mult=2, eta_min=0.02)
    cycles = [(0, 2), (1, 2), (0, 4), (1, 4), (2, 4), (3, 4), (0, 8)]
    assert lrs(restarts, 7) == pytest.approx([0.02 + 0.08 * (1 + math.cos(math.pi * c / t)) / 2 for c, t in cycles])
    assert (restarts.T_cur, restarts.T_i) == (1, 8)  # PyTorch's attributes, at epoch 7


@pytest.mark.parametrize(
    ("make", "held"),
    [
        (lambda o: LinearLR(o, 0.25, 1.0, total_iters=0), 0.25),
        (lambda o: ConstantLR(o, 0.5, total_iters=0), 0.5),
        (lambda o: PolynomialLR(o, total_iters=0), 1.0),
    ],
)
def test_total_iters_0_holds_the_first_factor_as_torchs_with_a_warning(make, held):
    """torch 2.13 takes total_iters=0 and multiplies the lr at epoch 0 only: LinearLR(total_iters=0) was a
    ValueError here, where a ported script (warmup_epochs=0) runs under PyTorch."""
    with pytest.warns(UserWarning, match=r"\(total_iters=0\) holds the factor .* for no \w+ phase, leave"):
        scheduler = make(optimizer())
    assert lrs(scheduler, 4) == [0.1 * held] * 4


def test_total_iters_0_that_changes_nothing_is_not_warned_of():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert lrs(LinearLR(optimizer(), 0.5, 0.5, total_iters=0), 2) == [0.05, 0.05]
        assert lrs(ConstantLR(optimizer(), 1.0, total_iters=0), 2) == [0.1, 0.1]
        assert lrs(PolynomialLR(optimizer(), 0, power=0.0), 2) == [0.1, 0.1]


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda o: MultiStepLR(o, [2, -1]), ValueError, "MultiStepLR: milestones must be an integer >= 0, got -1"),
        (lambda o: MultiStepLR(o, 3), TypeError, "MultiStepLR: milestones must be a list of epochs, got int 3"),
        (lambda o: MultiStepLR(o, [2.5]), TypeError, "milestones must be an integer >= 0, got float 2.5"),
        (lambda o: MultiStepLR(o, [2], gamma=-0.5), ValueError, "MultiStepLR: gamma must be a finite number >= 0"),
        (lambda o: ExponentialLR(o, math.nan), ValueError, "ExponentialLR: gamma must be a finite number >= 0"),
        (lambda o: ConstantLR(o, 1.5), ValueError, r"ConstantLR: factor must be in \[0, 1\], got 1.5"),
        (lambda o: ConstantLR(o, 0.5, -1), ValueError, "ConstantLR: total_iters must be an integer >= 0, got -1"),
        (lambda o: PolynomialLR(o, 5, -1.0), ValueError, "PolynomialLR: power must be a finite number >= 0"),
        (lambda o: LinearLR(o, total_iters=-2), ValueError, "LinearLR: total_iters must be an integer >= 0"),
        (lambda o: CosineAnnealingWarmRestarts(o, 0), ValueError, "T_0 must be an integer >= 1, got 0"),
        (lambda o: CosineAnnealingWarmRestarts(o, 2, 1.5), TypeError, "T_mult must be an integer >= 1"),
        (lambda o: CosineAnnealingWarmRestarts(o, 2, eta_min=-1.0), ValueError, "eta_min must be a finite number"),
    ],
)
def test_bad_arguments_are_named_and_change_nothing(make, error, message):
    opt = optimizer()
    with pytest.raises(error, match=message):
        make(opt)
    assert opt.lr == 0.1 and opt.schedulers == [] and opt.initial_lr is None


def test_a_cosine_with_restarts_refuses_to_step_beside_another_scheduler():
    """PyTorch's sets the lr from its base, dropping a StepLR's factor chained with it: refused, changing nothing."""
    opt = optimizer()
    step, restarts = StepLR(opt, 1, 0.5), CosineAnnealingWarmRestarts(opt, 4)
    # the reason once listed kinds (a LambdaLR, a SequentialLR, ...) as if it were one of them
    with pytest.raises(ValueError, match=r"CosineAnnealingWarmRestarts sets the lr outright in PyTorch \(its form"):
        restarts.step()
    assert restarts.last_epoch == 0 and step.last_epoch == 0


def test_an_lr_set_by_hand_is_overridden_by_a_cosine_with_restarts_as_pytorchs():
    opt = optimizer()
    restarts = CosineAnnealingWarmRestarts(opt, 4)
    restarts.step()
    opt.lr = 0.5
    restarts.step()
    assert opt.lr == pytest.approx(0.1 * (1 + math.cos(math.pi * 2 / 4)) / 2)


def test_an_lr_set_by_hand_carries_on_under_the_chainable_ones():
    opt = optimizer()
    exponential = ExponentialLR(opt, 0.5)
    exponential.step()
    opt.lr = 0.2  # the chain's base becomes 0.4, as PyTorch's next step multiplies 0.2 by gamma
    exponential.step()
    assert opt.lr == pytest.approx(0.1)


def test_a_huge_epoch_of_restarts_growing_is_computed_in_steps():
    restarts = CosineAnnealingWarmRestarts(optimizer(), T_0=3, T_mult=2)
    assert restarts.cycle(2**63 - 1)[1] == 3 * 2**61 and restarts.cycle(3 * (2**5 - 1)) == (0, 3 * 2**5)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda o: OneCycleLR(o, 1.0), "give total_steps, or epochs and steps_per_epoch"),
        (lambda o: OneCycleLR(o, 1.0, epochs=2), "give total_steps, or epochs and steps_per_epoch"),
        (lambda o: OneCycleLR(o, [1.0, 2.0], 9), "max_lr holds one number per parameter group"),
        (lambda o: OneCycleLR(o, 1.0, 4, pct_start=0.25), r"step 0 falls in a phase of no steps \(pct_start=0.25"),
        (lambda o: OneCycleLR(o, 1.0, 9, anneal_strategy="cosine"), "anneal_strategy must be one of"),
        (lambda o: OneCycleLR(o, 1.0, 9, div_factor=0), "div_factor must be a finite number > 0"),
        (lambda o: OneCycleLR(Adagrad(o.params), 1.0, 9), "Adagrad has none .* give cycle_momentum=False"),
        (lambda o: OneCycleLR(Adam(o.params), 1.0, 9, max_momentum=1.2), r"the momentum 1.2, and Adam: betas must"),
    ],
)
def test_one_cycle_arguments_are_named_and_change_nothing(make, message):
    opt = optimizer()
    with pytest.raises(ValueError, match=message):
        make(opt)
    assert opt.lr == 0.1 and opt.momentum == 0.0 and opt.schedulers == []


def test_one_cycle_sets_the_lr_from_max_lr_and_moves_the_momentum():
    opt = optimizer()
    cycle = OneCycleLR(opt, max_lr=1.0, total_steps=10, anneal_strategy="linear")
    assert (opt.lr, opt.momentum, opt.initial_lr) == (0.04, 0.95, 0.04)  # max_lr / 25, max_momentum
    lrs(cycle, 2)
    assert (opt.lr, opt.momentum) == (1.0, 0.85)  # the top, 30% of the way: base_momentum
    lrs(cycle, 8)
    assert cycle.last_epoch == 10 and opt.lr == 0.0  # linear past min_lr at total_steps: below 0 in PyTorch
    with pytest.raises(ValueError, match="step 11 is past total_steps=10"):
        cycle.step()


def test_one_cycle_refuses_to_step_beside_another_scheduler():
    opt = optimizer()
    step, cycle = StepLR(opt, 1, 0.5), OneCycleLR(opt, 1.0, 9)
    with pytest.raises(ValueError, match="OneCycleLR sets the lr outright"):
        cycle.step()
    assert cycle.last_epoch == 0 and step.last_epoch == 0


@pytest.mark.parametrize(
    "make",
    [lambda o: StepLR(o, 2), lambda o: OneCycleLR(o, 1.0, 9)],
    ids=["StepLR", "OneCycleLR"],
)
def test_step_with_an_epoch_is_refused_saying_what_to_write(make):
    """PyTorch's deprecated step(epoch): it was Python's "takes 1 positional argument but 2 were given". (The
    restarts' step(epoch + i / iters), which PyTorch's docs show, is taken: tests/test_torch_diff_restarts.py.)"""
    opt = optimizer()
    scheduler = make(opt)
    lr = opt.lr
    with pytest.raises(TypeError, match=r"\.step\(\) takes no epoch \(got 2.5\): PyTorch deprecates step\(epoch\)"):
        scheduler.step(2.5)
    assert scheduler.last_epoch == 0 and opt.lr == lr


def test_a_plateau_step_with_an_epoch_is_refused_too():
    from nn.schedulers import ReduceLROnPlateau

    plateau = ReduceLROnPlateau(optimizer())
    # it said "call step() once per epoch", which is a TypeError for a plateau: it takes the metric
    with pytest.raises(
        TypeError, match=r"ReduceLROnPlateau\.step\(metrics\) takes no epoch \(got 3\).* call step\(metrics\) once"
    ):
        plateau.step(0.5, 3)
    assert plateau.last_epoch == 0


def _fit_with(make):
    """fit(epochs), nn.fit of a small model with the scheduler `make` gives; the scheduler; the weights before."""
    import nn
    from nn import functional as F

    X, Y = nn.data.spirals(30, n_classes=3, seed=0)
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    opt = SGD(model.parameters(), lr=0.1)
    scheduler = make(opt)
    before = [p.data.copy() for p in model.parameters()]

    def fit(epochs):
        nn.fit(model, F.cross_entropy, opt, (X, Y), epochs=epochs, verbose=False, scheduler=scheduler)
        return [p.data for p in model.parameters()]

    return fit, scheduler, before


@pytest.mark.parametrize(
    ("make", "epochs", "message"),
    [
        (lambda o: OneCycleLR(o, 1.0, epochs=5, steps_per_epoch=4), 5, r"counts 4 steps an epoch \(steps_per_epoch"),
        (lambda o: OneCycleLR(o, 1.0, total_steps=3), 6, r"6 epoch\(s\) would step this OneCycleLR past total_steps=3"),
    ],
)
def test_fit_refuses_a_cycle_it_would_not_step_as_it_was_made(make, epochs, message):
    """fit steps a scheduler once an epoch. A OneCycleLR counted in batches (PyTorch's epochs and steps_per_epoch)
    only climbed, to max_lr at the 5th of 5 epochs, never annealing; one shorter than the fit was refused after
    4 epochs of training, saying to count batches. Both are refused before training, naming the fix."""
    fit, cycle, before = _fit_with(make)
    with pytest.raises(ValueError, match=message):
        fit(epochs)
    assert cycle.last_epoch == 0 and all(np.array_equal(p.data, b) for p, b in zip(cycle.optimizer.params, before))


def test_fit_steps_a_cycle_of_its_epochs_to_its_end_over_several_calls():
    fit, cycle, _ = _fit_with(lambda o: OneCycleLR(o, 1.0, epochs=5, steps_per_epoch=1))
    fit(3)
    fit(2)
    assert cycle.last_epoch == 5 == cycle.total_steps
    with pytest.raises(
        ValueError, match=r"1 epoch\(s\) would step this OneCycleLR past total_steps=5 \(0 steps left\)"
    ):
        fit(1)

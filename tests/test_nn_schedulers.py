"""Learning-rate schedulers without PyTorch: their formulas by hand, get_last_lr, state_dict round
trips, and bad input. The comparisons with PyTorch are in tests/test_torch_reference_optim.py."""

import math

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.optim import SGD, Adam
from nn.schedulers import CosineAnnealingLR, LambdaLR, LinearLR, SequentialLR, StepLR


def optimizer(lr=0.1):
    return SGD([Tensor(np.ones(2), requires_grad=True)], lr=lr)


def lrs(scheduler, epochs):
    """The lr of each epoch, 0 .. epochs - 1."""
    out = []
    for _ in range(epochs):
        out.append(scheduler.optimizer.lr)
        assert scheduler.get_last_lr() == [scheduler.optimizer.lr]
        scheduler.step()
    return out


def test_formulas_by_hand():
    assert lrs(StepLR(optimizer(), step_size=2, gamma=0.5), 5) == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])
    cosine = lrs(CosineAnnealingLR(optimizer(), T_max=4, eta_min=0.02), 5)
    assert cosine == pytest.approx([0.1 - 0.08 * (1 - math.cos(math.pi * e / 4)) / 2 for e in range(5)])
    assert cosine[-1] == pytest.approx(0.02)
    assert lrs(LinearLR(optimizer(), start_factor=0.5, total_iters=2), 4) == pytest.approx([0.05, 0.075, 0.1, 0.1])
    assert lrs(LambdaLR(optimizer(), lambda e: 1 / (e + 1)), 3) == pytest.approx([0.1, 0.05, 0.1 / 3])


def test_warmup_then_cosine_restarts_each_schedule_at_its_milestone():
    opt = optimizer()
    warm, cosine = LinearLR(opt, start_factor=0.5, total_iters=2), CosineAnnealingLR(opt, T_max=2)
    assert cosine.base_lr == 0.1  # the lr before any scheduler, not the warmup's
    assert lrs(SequentialLR(opt, [warm, cosine], milestones=[2]), 5) == pytest.approx([0.05, 0.075, 0.1, 0.05, 0.0])


@pytest.mark.parametrize(
    "make",
    [
        lambda o: StepLR(o, 3, 0.5),
        lambda o: CosineAnnealingLR(o, 5),
        lambda o: LinearLR(o, total_iters=4),
        lambda o: SequentialLR(o, [LinearLR(o, total_iters=2), StepLR(o, 2)], milestones=[2]),
    ],
    ids=["StepLR", "CosineAnnealingLR", "LinearLR", "SequentialLR"],
)
def test_state_dict_round_trip_resumes_the_schedule(make):
    first = make(optimizer())
    expected = lrs(first, 8)
    resumed_run = make(optimizer())
    lrs(resumed_run, 3)
    state = resumed_run.state_dict()
    assert state == {"last_epoch": 3, "base_lr": 0.1, "hand_set": False}
    fresh = make(optimizer())
    fresh.load_state_dict(state)
    assert fresh.optimizer.lr == pytest.approx(expected[3])
    assert lrs(fresh, 5) == pytest.approx(expected[3:])


@pytest.mark.parametrize(
    "state, error, message",
    [
        ({"last_epoch": 1}, KeyError, "needs the keys \\['base_lr', 'hand_set', 'last_epoch'\\]"),
        ({"last_epoch": 1, "base_lr": 0.1, "hand_set": 2}, ValueError, "hand_set must be True, False or None"),
        ({"last_epoch": -1, "base_lr": 0.1}, ValueError, "last_epoch must be an integer >= 0"),
        ({"last_epoch": 1.5, "base_lr": 0.1}, ValueError, "last_epoch must be an integer >= 0"),
        ({"last_epoch": 1, "base_lr": math.inf}, ValueError, "base_lr must be a finite number >= 0, got inf"),
        ([1, 0.1], TypeError, "takes a dict"),
    ],
)
def test_a_bad_state_is_refused_and_changes_nothing(state, error, message):
    scheduler = StepLR(optimizer(), 2)
    scheduler.step()
    with pytest.raises(error, match=message):
        scheduler.load_state_dict(state)
    assert (
        scheduler.state_dict() == {"last_epoch": 1, "base_lr": 0.1, "hand_set": False} and scheduler.optimizer.lr == 0.1
    )


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda o: StepLR(o, step_size=0), ValueError, "StepLR: step_size must be an integer >= 1, got 0"),
        (lambda o: StepLR(o, step_size=2, gamma=-0.1), ValueError, "StepLR: gamma must be a finite number >= 0"),
        (lambda o: CosineAnnealingLR(o, T_max=2.5), TypeError, "CosineAnnealingLR: T_max must be an integer >= 1"),
        (lambda o: StepLR(o, step_size="2"), TypeError, "StepLR: step_size must be an integer >= 1, got str '2'"),
        (lambda o: LinearLR(o, total_iters=None), TypeError, "LinearLR: total_iters must be an integer >= 0"),
        (lambda o: LinearLR(o, start_factor=0), ValueError, "LinearLR: start_factor must be in \\(0, 1\\]"),
        (lambda o: LinearLR(o, end_factor=2), ValueError, "LinearLR: end_factor must be in \\[0, 1\\]"),
        (lambda o: LambdaLR(o, 0.5), TypeError, "LambdaLR: lr_lambda must be a function of the epoch"),
        (lambda o: LambdaLR(o, lambda e: math.nan), ValueError, "lr_lambda\\(0\\) gave nan"),
        (lambda o: StepLR("sgd", 2), TypeError, "StepLR takes an optimizer"),
        (lambda o: SequentialLR(o, [StepLR(o, 2), StepLR(o, 3)], []), ValueError, "2 schedulers need 1 milestones"),
        (lambda o: SequentialLR(o, [StepLR(optimizer(), 2)], []), ValueError, "schedulers of this optimizer"),
        (lambda o: SequentialLR(o, [StepLR(o, 2)] * 3, [4, 2]), ValueError, "milestones must increase"),
    ],
)
def test_bad_arguments_are_named(make, error, message):
    with pytest.raises(error, match=message):
        make(optimizer())


def test_a_scheduler_drives_any_optimizer():
    opt = Adam([Tensor(np.ones(2), requires_grad=True)], lr=0.01)
    scheduler = StepLR(opt, 1, gamma=0.1)
    scheduler.step()
    assert opt.lr == pytest.approx(0.001) and opt.initial_lr == 0.01


@pytest.mark.parametrize(
    "make",
    [
        lambda o, m: [m.CosineAnnealingLR(o, T_max=10)],
        lambda o, m: [m.StepLR(o, 2, 0.5)],
        lambda o, m: [m.LinearLR(o, 0.5, 1.0, 4)],
        lambda o, m: [m.LambdaLR(o, lambda e: 0.9**e)],  # PyTorch's sets the lr outright: the hand-set one goes
        lambda o, m: [m.StepLR(o, 2, 0.5), m.LinearLR(o, 0.5, 1.0, 4)],
        lambda o, m: [m.CosineAnnealingLR(o, T_max=10, eta_min=0.01)],
    ],
)
def test_an_lr_set_by_hand_between_steps_carries_on_as_in_pytorch(make):
    """A cut by hand (a plateau noticed by the user) scales what the schedule gives from then on."""
    torch = pytest.importorskip("torch", reason="PyTorch's schedulers are the reference")
    opt = nn.SGD([Tensor(np.ones(2), requires_grad=True)], lr=0.1)
    ours = make(opt, nn.schedulers)
    topt = torch.optim.SGD([torch.ones(2, requires_grad=True)], lr=0.1)
    theirs = make(topt, torch.optim.lr_scheduler)
    for epoch in range(8):
        if epoch in (1, 4):
            opt.param_groups[0]["lr"] *= 0.1
            topt.param_groups[0]["lr"] *= 0.1
        topt.step()  # PyTorch warns of a scheduler stepped before any optimizer step
        for s in ours + theirs:
            s.step()
        assert opt.lr == pytest.approx(topt.param_groups[0]["lr"], rel=1e-12)


def _pair(torch):
    opt = nn.SGD([Tensor(np.ones(2), requires_grad=True)], lr=0.1)
    return opt, torch.optim.SGD([torch.ones(2, requires_grad=True)], lr=0.1)


def test_an_lr_set_to_0_by_hand_and_back_carries_on_as_in_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch's schedulers are the reference")
    opt, topt = _pair(torch)
    ours, theirs = StepLR(opt, 3, 0.5), torch.optim.lr_scheduler.StepLR(topt, 3, 0.5)
    for epoch in range(7):
        if epoch in (0, 2):
            opt.lr = topt.param_groups[0]["lr"] = 0.0 if epoch == 0 else 0.05
        topt.step()
        ours.step(), theirs.step()
        assert opt.lr == pytest.approx(topt.param_groups[0]["lr"], rel=1e-12)


def test_an_lr_set_by_hand_before_a_second_scheduler_joins_carries_on():
    torch = pytest.importorskip("torch", reason="PyTorch's schedulers are the reference")
    opt, topt = _pair(torch)
    a, at = StepLR(opt, 2, 0.5), torch.optim.lr_scheduler.StepLR(topt, 2, 0.5)
    opt.lr = topt.param_groups[0]["lr"] = 0.05
    b, bt = LinearLR(opt, 0.5, 1.0, 4), torch.optim.lr_scheduler.LinearLR(topt, 0.5, 1.0, 4)
    for _ in range(5):
        topt.step()
        a.step(), b.step(), at.step(), bt.step()
        assert opt.lr == pytest.approx(topt.param_groups[0]["lr"], rel=1e-12)


@pytest.mark.parametrize(
    "make, steps_before",
    [
        (lambda o: SequentialLR(o, [StepLR(o, 3, 0.5), StepLR(o, 3, 0.5)], [10]), 1),
        (lambda o: CosineAnnealingLR(o, 5), 7),  # past T_max PyTorch adds a term of the first base lr
    ],
)
def test_where_pytorchs_form_cannot_be_followed_an_lr_set_by_hand_is_refused(make, steps_before):
    opt = optimizer()
    scheduler = make(opt)
    for _ in range(steps_before):
        scheduler.step()
    opt.lr *= 0.1
    state, lr = scheduler.state_dict(), opt.lr
    with pytest.raises(ValueError, match="the lr was set by hand to .* cannot go on from it as PyTorch's would"):
        scheduler.step()
    assert scheduler.state_dict() == state and opt.lr == lr


def test_a_cosine_cut_by_hand_refuses_to_go_past_t_max():
    opt = optimizer()
    scheduler = CosineAnnealingLR(opt, 4)
    scheduler.step()
    opt.lr *= 0.5
    for _ in range(3):
        scheduler.step()
    with pytest.raises(ValueError, match="past T_max=4, where PyTorch's cosine adds a term of its first base lr"):
        scheduler.step()


def _run():
    """A model, its SGD and a StepLR on it: a run to save and resume."""
    model = nn.Sequential(nn.Linear(2, 1, seed=0))
    opt = SGD(model.parameters(), lr=0.1)
    return model, opt, StepLR(opt, 2, 0.5)


def test_resuming_keeps_an_lr_set_by_hand_before_saving(tmp_path):
    model, opt, scheduler = _run()
    for _ in range(3):
        scheduler.step()
    opt.lr *= 0.1
    nn.save(model, tmp_path / "run.npz", optimizer=opt)
    straight = [(scheduler.step(), opt.lr)[1] for _ in range(3)]
    model, opt, scheduler = _run()
    nn.load(model, tmp_path / "run.npz", optimizer=opt)
    assert [(scheduler.step(), opt.lr)[1] for _ in range(3)] == straight


@pytest.mark.parametrize(
    "value, error", [(-0.05, ValueError), (math.nan, ValueError), ("0.05", TypeError), (True, TypeError)]
)
def test_an_lr_assigned_is_checked_as_the_constructor_checks_it(value, error):
    opt = optimizer()
    with pytest.raises(error, match="lr must be"):
        opt.lr = value
    assert opt.lr == 0.1


def test_state_dicts_loaded_in_pytorchs_order_keep_an_lr_set_by_hand():
    """optimizer.load_state_dict, then the scheduler's: the scheduler's no longer overwrites the loaded lr."""
    opt = optimizer()
    scheduler = StepLR(opt, 2, 0.5)
    scheduler.step()
    opt.lr = 0.01
    saved = opt.state_dict(), scheduler.state_dict()
    fresh = optimizer()
    again = StepLR(fresh, 2, 0.5)
    fresh.load_state_dict(saved[0])
    again.load_state_dict(saved[1])
    assert fresh.lr == 0.01
    again.step()
    assert fresh.lr == pytest.approx(0.005)


def test_a_scheduler_made_after_a_resume_starts_from_the_runs_base(tmp_path):
    model, opt, scheduler = _run()
    scheduler.step()
    opt.lr = 0.03
    scheduler.step()
    nn.save(model, tmp_path / "run.npz", optimizer=opt)
    linear = LinearLR(opt, 0.5, 1.0, 4)
    scheduler.step(), linear.step()
    model, opt2, scheduler2 = _run()
    nn.load(model, tmp_path / "run.npz", optimizer=opt2)
    linear2 = LinearLR(opt2, 0.5, 1.0, 4)
    scheduler2.step(), linear2.step()
    assert opt2.lr == pytest.approx(opt.lr, rel=1e-12)

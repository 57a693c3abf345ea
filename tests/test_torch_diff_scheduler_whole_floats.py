"""A scheduler's count given as a float holding a whole number, as PyTorch's tutorials write it (the "Language
modeling with nn.Transformer" tutorial's `StepLR(optimizer, 1.0, gamma=0.95)`), was a TypeError; torch 2.13 takes
it. The lrs of 8 epochs are torch's now. A float that is no whole number (1.5) stays refused: torch's periods would
come out uneven (StepLR(1.5) cuts after epochs 2, 5 and 8). Where torch refuses floats (T_0, total_steps, epochs),
so does chainrule."""

import pytest
from torch_reference import torch

import autograd
import nn

CASES = {
    "StepLR, step_size by position": lambda s, o: s.StepLR(o, 1.0, gamma=0.95),
    "StepLR": lambda s, o: s.StepLR(o, step_size=2.0),
    "MultiStepLR": lambda s, o: s.MultiStepLR(o, [2.0, 4.0]),
    "CosineAnnealingLR": lambda s, o: s.CosineAnnealingLR(o, T_max=10.0),
    "LinearLR": lambda s, o: s.LinearLR(o, total_iters=4.0),
    "ConstantLR": lambda s, o: s.ConstantLR(o, total_iters=3.0),
    "PolynomialLR": lambda s, o: s.PolynomialLR(o, total_iters=5.0),
    "CyclicLR": lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=2.0, step_size_down=3.0),
    "ReduceLROnPlateau": lambda s, o: s.ReduceLROnPlateau(o, patience=2.0, cooldown=1.0),
}


def _lrs(engine, make):
    if engine is torch:
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
        scheduler = make(torch.optim.lr_scheduler, opt)
    else:
        opt = nn.SGD([nn.Parameter(autograd.zeros(1))], lr=0.1)
        scheduler = make(nn.schedulers, opt)
    lrs = []
    for _ in range(8):
        opt.step()
        scheduler.step(*([1.0] if "Plateau" in type(scheduler).__name__ else []))  # a metric that never improves
        lrs.append(opt.param_groups[0]["lr"])
    return lrs


@pytest.mark.parametrize("name", CASES)
def test_a_whole_number_given_as_a_float_schedules_as_torchs(name):
    assert _lrs(nn, CASES[name]) == pytest.approx(_lrs(torch, CASES[name]), rel=1e-12, abs=1e-15)


def test_a_float_that_is_no_whole_number_and_floats_torch_refuses_stay_refused():
    opt = nn.SGD([nn.Parameter(autograd.zeros(1))], lr=0.1)
    with pytest.raises(TypeError, match=r"StepLR: step_size must be an integer >= 1, got float 1\.5"):
        nn.schedulers.StepLR(opt, 1.5)
    with pytest.raises(TypeError, match=r"T_0 must be an integer >= 1, got float 2\.0"):
        nn.schedulers.CosineAnnealingWarmRestarts(opt, T_0=2.0)
    with pytest.raises(TypeError, match=r"total_steps must be an integer >= 1, got float 10\.0"):
        nn.schedulers.OneCycleLR(opt, max_lr=1.0, total_steps=10.0)
    with pytest.raises(TypeError, match=r"patience must be an integer >= 0, got bool"):
        nn.schedulers.ReduceLROnPlateau(opt, patience=True)


def test_sequential_milestones_given_as_whole_floats_are_kept_as_ints(tmp_path):
    """SequentialLR checked milestones=[2.0] but kept the float: its inner schedulers' epochs became floats, and a
    run saved with [2.0] could not be resumed by one made with [2] (the file's float64 milestone was refused)."""

    def made(milestones):
        model = nn.Linear(1, 1)
        opt = nn.SGD(model.parameters(), lr=0.1)
        inner = [nn.schedulers.ConstantLR(opt, factor=0.5, total_iters=1), nn.schedulers.StepLR(opt, 2)]
        return model, opt, nn.schedulers.SequentialLR(opt, inner, milestones=milestones)

    model, opt, scheduler = made([2.0])
    assert scheduler.milestones == [2] and type(scheduler.milestones[0]) is int
    for _ in range(5):
        opt.step()
        scheduler.step()
    assert [type(s.last_epoch) for s in scheduler.schedulers] == [int, int]
    nn.save(model, tmp_path / "run.npz", optimizer=opt)
    model2, opt2, scheduler2 = made([2])
    nn.load(model2, tmp_path / "run.npz", optimizer=opt2)
    assert scheduler2.last_epoch == 5 and opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]

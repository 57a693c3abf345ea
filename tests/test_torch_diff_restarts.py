"""CosineAnnealingWarmRestarts.step(epoch) with fractions of an epoch, as PyTorch's docs step it
(`scheduler.step(epoch + i / iters)` once a batch), against torch 2.13: random T_0, T_mult, eta_min and batches
per epoch, the lr, get_last_lr(), T_cur and T_i at every batch; steps by fraction mixed with plain step()s (which
go on a whole epoch from the fraction, as PyTorch's); a state_dict and an nn.save resumed within an epoch. It was
a TypeError ("takes no epoch"). Both compute the same cosine of a T_cur they reach by other sums: within 1e-12
relative, 1e-15 absolute (T_cur within 1e-12)."""

import warnings

import numpy as np
import pytest
from test_nn_schedulers import optimizer  # an SGD of lr 0.1
from torch_reference import torch

import nn
from autograd import Tensor
from nn.schedulers import CosineAnnealingWarmRestarts, LinearLR, SequentialLR, StepLR

REL, ABS = 1e-12, 1e-15


def _pair(options, lr=0.1):
    w, v = Tensor(np.zeros(2), requires_grad=True), torch.zeros(2, dtype=torch.float64, requires_grad=True)
    ours_opt, theirs_opt = nn.SGD([w], lr=lr), torch.optim.SGD([v], lr=lr)
    ours = CosineAnnealingWarmRestarts(ours_opt, **options)
    return ours_opt, theirs_opt, ours, torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(theirs_opt, **options)


def _step_both(pair, epoch=None):
    ours_opt, theirs_opt, ours, theirs = pair
    theirs_opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # PyTorch's step(epoch) is deprecated there
        theirs.step() if epoch is None else theirs.step(epoch)
    ours.step() if epoch is None else ours.step(epoch)


def _assert_same(pair, where):
    ours_opt, theirs_opt, ours, theirs = pair
    assert ours_opt.lr == pytest.approx(theirs_opt.param_groups[0]["lr"], rel=REL, abs=ABS), where
    assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=REL, abs=ABS), where
    assert ours.T_cur == pytest.approx(theirs.T_cur, rel=REL, abs=1e-12) and ours.T_i == theirs.T_i, where
    assert ours.last_epoch == theirs.last_epoch, where


def _draw(seed):
    rng = np.random.default_rng(seed)
    options = dict(
        T_0=int(rng.integers(1, 6)), T_mult=int(rng.choice([1, 2, 3])), eta_min=float(rng.choice([0.0, 0.01]))
    )
    return options, int(rng.choice([1, 3, 4, 7, 10]))


@pytest.mark.parametrize("seed", range(16))
def test_steps_by_fractions_of_an_epoch_give_torchs_lrs(seed):
    options, iters = _draw(seed)
    pair = _pair(options)
    for epoch in range(25):
        for i in range(iters):
            _step_both(pair, epoch + i / iters)
            _assert_same(pair, f"{options}, step({epoch} + {i}/{iters})")


@pytest.mark.parametrize("seed", range(12))
def test_plain_steps_go_on_from_a_fraction_as_torchs(seed):
    rng = np.random.default_rng(50 + seed)
    options, _ = _draw(50 + seed)
    pair = _pair(options)
    for k in range(40):
        epoch = float(rng.uniform(0, 30)) if rng.integers(4) == 0 else None
        _step_both(pair, epoch)
        _assert_same(pair, f"{options}, step {k}: step({epoch})")


def test_a_state_dict_and_a_file_resume_within_an_epoch(tmp_path):
    options = dict(T_0=3, T_mult=2, eta_min=0.01)
    pair = _pair(options)
    for epoch in (0.25, 1.5, 2.75):
        _step_both(pair, epoch)
    _step_both(pair)  # at 3.75: T_cur 0.75 of a cycle of 6
    ours_opt, theirs_opt, ours, theirs = pair
    assert ours.state_dict()["epoch_fraction"] == 0.75 and ours.T_cur == 0.75
    again = _pair(options)
    again[2].load_state_dict(ours.state_dict())
    model = nn.Linear(2, 1, seed=0)
    saved_opt = nn.SGD(model.parameters(), lr=0.1)
    saved = CosineAnnealingWarmRestarts(saved_opt, **options)
    saved.step(3.75)
    nn.save(model, tmp_path / "ckpt.npz", optimizer=saved_opt)
    loaded_opt = nn.SGD(model.parameters(), lr=0.1)
    loaded = CosineAnnealingWarmRestarts(loaded_opt, **options)
    nn.load(model, tmp_path / "ckpt.npz", optimizer=loaded_opt)
    assert (loaded.last_epoch, loaded.epoch_fraction, loaded_opt.lr) == (3, 0.75, ours_opt.lr)
    for _ in range(8):
        _step_both(pair)
        again[2].step()
        loaded.step()
        _assert_same(pair, "resumed")
        assert again[0].lr == loaded_opt.lr == ours_opt.lr


@pytest.mark.parametrize(
    ("epoch", "error", "message"),
    [
        (-0.5, ValueError, r"epoch must be a finite number >= 0 .*, got -0.5"),
        (float("nan"), ValueError, r"epoch must be a finite number >= 0 .*, got nan"),
        ("2", TypeError, r"epoch must be a finite number >= 0 .*, got str '2'"),
        # past int64's last_epoch: nn.save failed with a bare OverflowError, and load_state_dict refused its state
        (2.0**63, ValueError, r"epoch must be a finite number >= 0 and below 2\*\*63 \(what a checkpoint's int64"),
    ],
)
def test_a_bad_epoch_is_refused_changing_nothing(epoch, error, message):
    opt = optimizer()
    restarts = CosineAnnealingWarmRestarts(opt, 4)
    restarts.step(1.5)
    with pytest.raises(error, match=message):
        restarts.step(epoch)
    assert (restarts.last_epoch, restarts.epoch_fraction, opt.lr) == (1, 0.5, restarts.get_last_lr()[0])


def test_the_last_int64_epoch_is_taken_and_saved(tmp_path):
    model = nn.Linear(2, 1, seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)
    CosineAnnealingWarmRestarts(opt, 4).step(2**63 - 1)
    nn.save(model, tmp_path / "ckpt.npz", optimizer=opt)
    again = nn.SGD(model.parameters(), lr=0.1)
    resumed = CosineAnnealingWarmRestarts(again, 4)
    nn.load(model, tmp_path / "ckpt.npz", optimizer=again)
    assert resumed.last_epoch == 2**63 - 1 and again.lr == opt.lr


def test_a_step_by_epoch_refused_beside_another_or_within_a_sequence_changes_nothing():
    opt = optimizer()
    step, restarts = StepLR(opt, 1, 0.5), CosineAnnealingWarmRestarts(opt, 4)
    with pytest.raises(ValueError, match="CosineAnnealingWarmRestarts sets the lr outright"):
        restarts.step(2.5)
    assert (restarts.last_epoch, restarts.epoch_fraction, step.last_epoch, opt.lr) == (0, 0.0, 0, 0.1)
    other = optimizer()
    inner = CosineAnnealingWarmRestarts(other, 4)
    SequentialLR(other, [LinearLR(other), inner], milestones=[2])
    with pytest.raises(ValueError, match=r"step\(epoch\): this scheduler is run by a SequentialLR"):
        inner.step(1.5)


def test_a_state_saved_before_fractions_loads_at_a_whole_epoch():
    restarts = CosineAnnealingWarmRestarts(optimizer(), 4)
    restarts.load_state_dict({"last_epoch": 2, "base_lr": 0.1, "hand_set": False})
    assert (restarts.last_epoch, restarts.epoch_fraction, restarts.T_cur) == (2, 0.0, 2)
    with pytest.raises(ValueError, match=r"epoch_fraction must be a number in \[0, 1\), got 1.5"):
        restarts.load_state_dict({"last_epoch": 2, "base_lr": 0.1, "hand_set": False, "epoch_fraction": 1.5})
    assert (restarts.last_epoch, restarts.epoch_fraction) == (2, 0.0)

"""Schedulers' real-number arguments refuse bools (True would pass for 1) and what is no number with
a TypeError, as the optimizers' hyperparameters do; a number out of range stays a ValueError."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.optim import SGD
from nn.schedulers import CosineAnnealingLR, LinearLR, ReduceLROnPlateau, StepLR


def _optimizer():
    return SGD([Tensor(np.ones(2), requires_grad=True)], lr=0.1)


@pytest.mark.parametrize(
    "make, wanted",
    [
        (lambda o, v: LinearLR(o, start_factor=v), r"start_factor must be in \(0, 1\]"),
        (lambda o, v: LinearLR(o, end_factor=v), r"end_factor must be in \[0, 1\]"),
        (lambda o, v: StepLR(o, 2, gamma=v), "gamma must be a finite number >= 0"),
        (lambda o, v: CosineAnnealingLR(o, 4, eta_min=v), "eta_min must be a finite number >= 0"),
    ],
    ids=["start_factor", "end_factor", "gamma", "eta_min"],
)
@pytest.mark.parametrize("value", [True, False, "0.5", None, 0.5j])
def test_a_bool_or_no_number_is_a_type_error(make, wanted, value):
    opt = _optimizer()
    with pytest.raises(TypeError, match=f": {wanted}, got {type(value).__name__}"):
        make(opt, value)
    assert opt.lr == 0.1 and opt.schedulers == []  # nothing changed


@pytest.mark.parametrize("factor", [0.25, np.float32(0.5), np.float64(1.0), 1])
def test_real_factors_of_any_kind_still_work(factor):
    scheduler = LinearLR(_optimizer(), start_factor=factor, end_factor=factor, total_iters=2)
    assert scheduler.optimizer.lr == pytest.approx(0.1 * float(factor))


def test_out_of_range_factors_are_still_value_errors():
    with pytest.raises(ValueError, match="start_factor must be in \\(0, 1\\]"):
        LinearLR(_optimizer(), start_factor=0.0)
    with pytest.raises(ValueError, match="end_factor must be in \\[0, 1\\]"):
        LinearLR(_optimizer(), end_factor=float("nan"))


@pytest.mark.parametrize(
    "make",
    [
        lambda w: StepLR(SGD(w, lr=0.1), 2, gamma=10**400),
        lambda w: CosineAnnealingLR(SGD(w, lr=0.1), 4, eta_min=10**400),
        lambda w: ReduceLROnPlateau(SGD(w, lr=0.1), min_lr=10**400),
        lambda w: nn.EarlyStopping(min_delta=10**400),
        lambda w: nn.clip_grad_norm_(w, 10**400),
        lambda w: nn.clip_grad_value_(w, 10**400),
        lambda w: SGD(w, lr=10**400),
    ],
    ids=["StepLR gamma", "eta_min", "min_lr", "min_delta", "max_norm", "clip_value", "lr"],
)
def test_an_int_too_large_for_a_float_is_a_value_error_naming_the_argument(make):
    """Each passed `x < inf` and then met float(x): Python's bare OverflowError, naming nothing (all but lr)."""
    w = [Tensor(np.ones(2), requires_grad=True)]
    with pytest.raises(ValueError, match="must be .*, got 1000.*, too large for a float"):
        make(w)

"""nn.fit's schedulers: a first step refused as after an epoch, a list stepped in PyTorch's order, one of
another optimizer named, one listed twice refused, and the warm-up warnings; the list stepped all or none."""

import math
import warnings

import numpy as np
import pytest

import nn
from nn import functional as F
from nn.optim import SGD
from nn.schedulers import CosineAnnealingLR, LinearLR, MultiplicativeLR, ReduceLROnPlateau, StepLR


def test_fit_refuses_a_first_scheduler_step_it_would_refuse_after_an_epoch():
    X = np.random.default_rng(0).standard_normal((64, 3))
    model = nn.Sequential(nn.Linear(3, 1, seed=0))
    opt = SGD(model.parameters(), lr=0.1)
    scheduler = StepLR(opt, 1, 0.0)
    scheduler.step()
    opt.lr = 0.01  # no base gives it: the schedule's factor is 0 now
    before = model.state_dict()
    with pytest.raises(ValueError, match="the lr was set by hand"):
        nn.fit(model, nn.MSELoss(), opt, (X, X[:, :1]), epochs=2, metric=None, scheduler=scheduler, verbose=False)
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())


def _two_schedules():
    """A warmup and a step schedule chained on one optimizer, with the data to fit."""
    X = np.random.default_rng(0).standard_normal((40, 3))
    model = nn.Sequential(nn.Linear(3, 1, seed=0))
    opt = SGD(model.parameters(), lr=0.1)
    return model, opt, LinearLR(opt, 0.1, 1.0, 3), StepLR(opt, 2, 0.5), (X, X[:, :1])


def test_fit_steps_a_list_of_schedulers_in_order_as_pytorchs_loop():
    """The lrs of PyTorch's loop calling warmup.step() then steps.step() each epoch (torch 2.13:
    0.01, 0.04, 0.035, 0.05, 0.025, 0.025)."""
    model, opt, warmup, steps, data = _two_schedules()
    history = nn.fit(model, nn.MSELoss(), opt, data, epochs=6, metric=None, scheduler=[warmup, steps], verbose=False)
    np.testing.assert_allclose(history.lr, [0.01, 0.04, 0.035, 0.05, 0.025, 0.025], rtol=1e-12)


def test_fit_names_a_scheduler_of_the_optimizer_it_would_not_step():
    """Given the step schedule only, fit left the warmup's first factor, 0.1, on every epoch without a word."""
    model, opt, warmup, steps, data = _two_schedules()
    with pytest.warns(UserWarning, match="fit steps StepLR, but the optimizer has LinearLR chained on it too"):
        nn.fit(model, nn.MSELoss(), opt, data, epochs=2, metric=None, scheduler=steps, verbose=False)
    model, opt, warmup, steps, data = _two_schedules()
    with pytest.warns(UserWarning, match="fit steps no scheduler, but the optimizer has LinearLR, StepLR"):
        nn.fit(model, nn.MSELoss(), opt, data, epochs=2, metric=None, verbose=False)


def test_fit_one_epoch_a_call_with_the_schedulers_stepped_between_warns_of_nothing():
    model, opt, warmup, steps, data = _two_schedules()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(2):
            nn.fit(model, nn.MSELoss(), opt, data, epochs=1, metric=None, verbose=False)
            warmup.step(), steps.step()
        stepping = [lambda *_: steps.step()]
        nn.fit(model, nn.MSELoss(), opt, data, epochs=2, metric=None, verbose=False, callbacks=stepping)
        nn.fit(model, nn.MSELoss(), opt, data, epochs=2, metric=None, scheduler=(warmup, steps), verbose=False)


def test_fit_refuses_a_scheduler_listed_twice_changing_nothing():
    model, opt, warmup, steps, data = _two_schedules()
    before = model.state_dict()
    with pytest.raises(ValueError, match="fit: scheduler lists a scheduler twice"):
        nn.fit(model, nn.MSELoss(), opt, data, epochs=2, metric=None, scheduler=[warmup, warmup], verbose=False)
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items()) and warmup.last_epoch == 0


def test_a_finished_warmup_is_not_warned_of_but_an_early_stopping_callback_does_not_silence_the_warning():
    model, opt, warmup, steps, data = _two_schedules()
    steps.optimizer.schedulers.remove(steps)  # the warmup alone, stepped to its end
    for _ in range(3):
        warmup.step()
    cosine = CosineAnnealingLR(opt, T_max=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.fit(model, nn.MSELoss(), opt, data, epochs=3, metric=None, scheduler=cosine, verbose=False)
    model, opt, warmup, steps, data = _two_schedules()
    with pytest.warns(UserWarning, match="fit steps no scheduler, but the optimizer has LinearLR, StepLR"):
        nn.fit(model, nn.MSELoss(), opt, data, epochs=2, metric=None, verbose=False,
               callbacks=[nn.EarlyStopping(patience=5)])  # fmt: skip


def _refusing_at_epoch_2(opt):
    return MultiplicativeLR(opt, lambda epoch: math.nan if epoch == 2 else 0.9)


@pytest.mark.parametrize("first", ["StepLR", "ReduceLROnPlateau"])
def test_a_list_of_schedulers_steps_all_or_none(first):
    """fit stepped its list one by one: the second's refusal after epoch 2 (lr_lambda's NaN) left the first stepped,
    the lr halved again to 0.0225 (a StepLR at epoch 2; a plateau cutting it) where the chain's lr was 0.045."""
    X, Y = nn.data.spirals(30, n_classes=3, seed=0)
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    opt = SGD(model.parameters(), lr=0.1)
    made = StepLR(opt, 1, 0.5) if first == "StepLR" else ReduceLROnPlateau(opt, factor=0.5, patience=0, threshold=10.0)
    times = _refusing_at_epoch_2(opt)
    with pytest.raises(ValueError, match=r"lr_lambda\(2\) gave float nan"):
        nn.fit(model, F.cross_entropy, opt, (X, Y), epochs=3, verbose=False, scheduler=[made, times])
    assert (made.last_epoch, times.last_epoch) == (1, 1) and opt.lr == pytest.approx(0.1 * 0.5 * 0.9)


def test_a_nan_validation_loss_refused_by_a_plateau_leaves_the_schedulers_before_it_unstepped():
    """ReduceLROnPlateau refuses a NaN validation loss (it says nothing of a plateau): a StepLR before it in the list
    had stepped, its lr 0.025 and epoch 2 beside the plateau's epoch 1; now both are as after epoch 1 (lr 0.05)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 3))
    y = (X[:, 0] > 0).astype(int)
    model = nn.Linear(3, 2, seed=0)
    opt = SGD(model.parameters(), lr=0.1)
    step, plateau = StepLR(opt, step_size=1, gamma=0.5), ReduceLROnPlateau(opt, patience=0)
    validations = []

    def loss(out, labels):  # NaN on the validation of the second epoch (the look before training takes 4 rows)
        value = F.cross_entropy(out, labels)
        if len(labels) == 5:
            validations.append(1)
        return value * np.nan if len(labels) == 5 and len(validations) > 1 else value

    with pytest.raises(ValueError, match="the metric is nan"):
        nn.fit(model, loss, opt, (X, y), val_data=(X[:5], y[:5]), epochs=2, batch_size=8, verbose=False,
               metric=None, scheduler=[step, plateau])  # fmt: skip
    assert (step.last_epoch, plateau.last_epoch) == (1, 1) and opt.lr == pytest.approx(0.05)

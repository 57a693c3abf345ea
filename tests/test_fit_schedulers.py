"""nn.fit's schedulers: a first step refused as after an epoch, a list stepped in PyTorch's order, one of
another optimizer named, one listed twice refused, and the warm-up warnings."""

import warnings

import numpy as np
import pytest

import nn
from nn.optim import SGD
from nn.schedulers import CosineAnnealingLR, LinearLR, StepLR


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

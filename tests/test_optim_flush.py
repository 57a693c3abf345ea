"""Every optimizer's decaying state (momentum buffers, running averages, moments) kept out of the subnormal floats,
where float32 and float64 arithmetic is many times slower, by the one rule of nn.optim_flush: zeroed every 64th
step once below tiny * 1e8 and below what its step makes negligible, and never where that would change a step."""

import itertools

import numpy as np
import pytest

import nn
from autograd import Tensor


def _after_one_gradient_of_ones(make, zeros):
    """An optimizer made by `make` on a float32 parameter, after one step on a gradient of ones and `zeros`
    steps on zeros: its averages decaying towards the subnormals, which a flush must stop."""
    p = Tensor(np.zeros(3, np.float32), requires_grad=True)
    opt = make([p])
    p.grad = np.ones(3, np.float32)
    opt.step()
    p.grad = np.zeros(3, np.float32)
    for _ in range(zeros):
        opt.step()
    return opt


@pytest.mark.parametrize("make", [nn.Adamax, nn.NAdam, nn.RAdam])
def test_a_first_moment_decayed_past_use_is_zeroed(make):
    """float32, one gradient of 1 then zeros: exp_avg is 0.1 * 0.9**638 (6e-31) after 639 steps, below float32's
    tiny * 1e8 (1.2e-30) and eps (1 - 0.9**t) 2**-24 (6e-16), so no step moves by 2**-24 of lr for it: the
    640th step (every 64th looks) zeroes it, before it turns subnormal."""
    opt = _after_one_gradient_of_ones(make, 638)
    assert np.all(opt.state[0]["exp_avg"] > 0)
    opt.step()
    assert np.all(opt.state[0]["exp_avg"] == 0)


def test_adadeltas_averages_decayed_past_use_are_zeroed():
    """float32, one gradient of 1 then zeros: square_avg is 0.1 * 0.9**t, below float32's tiny * 1e8 (1.2e-30)
    after 639 steps and subnormal (below 1.2e-38) after some 810: it went on decaying through the subnormals
    (Adadelta had no flush). The 640th step zeroes it, and acc_delta, decaying the same way, at the 64th step
    past its own limit."""
    opt = _after_one_gradient_of_ones(nn.Adadelta, 638)
    assert np.all(opt.state[0]["square_avg"] > 0)
    opt.step()
    assert np.all(opt.state[0]["square_avg"] == 0)
    for _ in range(400):
        opt.step()
    tiny = np.finfo(np.float32).tiny
    assert all(np.all((a == 0) | (a >= tiny)) for a in (opt.state[0]["square_avg"], opt.state[0]["acc_delta"]))


# every optimizer whose state decays while its gradient is 0, with each option that adds decaying state; factors of
# 0.8, so that float64's averages reach the subnormals in some 3200 steps (the flush keeps out of them every state
# whose factor is 0.75 or more, 0.75**64 being 1e-8: nn.optim_flush; Adagrad's sum never decays; Rprop's step
# sizes stop at step_sizes' min, and one at 0 would never grow again if zeroed: neither is flushed)
DECAYING = {
    "SGD momentum": lambda ps: nn.SGD(ps, lr=0.1, momentum=0.8),
    "SGD nesterov": lambda ps: nn.SGD(ps, lr=0.1, momentum=0.8, nesterov=True),
    "SGD dampening": lambda ps: nn.SGD(ps, lr=0.1, momentum=0.8, dampening=0.3),
    "RMSprop": lambda ps: nn.RMSprop(ps, alpha=0.8),
    "RMSprop momentum": lambda ps: nn.RMSprop(ps, alpha=0.8, momentum=0.8),
    "RMSprop centered momentum": lambda ps: nn.RMSprop(ps, alpha=0.8, momentum=0.8, centered=True),
    "Adam": lambda ps: nn.Adam(ps, betas=(0.8, 0.8)),
    "Adam amsgrad": lambda ps: nn.Adam(ps, betas=(0.8, 0.8), amsgrad=True),
    "AdamW": lambda ps: nn.AdamW(ps, betas=(0.8, 0.8)),
    "Adamax": lambda ps: nn.Adamax(ps, betas=(0.8, 0.8)),
    "NAdam": lambda ps: nn.NAdam(ps, betas=(0.8, 0.8)),
    "RAdam": lambda ps: nn.RAdam(ps, betas=(0.8, 0.8)),
    "Adadelta": lambda ps: nn.Adadelta(ps, rho=0.8),
    # 1 - t ** -0.3 decays its variance: float32's subnormals after 286 steps (2.1 million at the default -0.8)
    "Adafactor": lambda ps: nn.Adafactor(ps, beta2_decay=-0.3),
}


@pytest.mark.parametrize(("name", "dtype"), list(itertools.product(DECAYING, [np.float32, np.float64])))
def test_no_decaying_state_turns_subnormal(name, dtype):
    """One gradient of ones, then zeros: SGD's momentum buffer and RMSprop's square_avg went on decaying through the
    subnormals (float32's 1.2e-38, after some 390 steps at 0.8; float64's 2.2e-308 after some 3180) where Adam's
    moments and Adadelta's averages were zeroed; now each value is 0 or a normal number, after every step."""
    p = Tensor(np.zeros(3, dtype), requires_grad=True)
    opt = DECAYING[name]([p])
    # the floating slots: the arrays of the parameter's shape, and NAdam's mu_product (a float64 number, which went
    # subnormal after some 976 steps at the defaults and stayed at 5e-324 while each mu is above 0.5)
    layout = opt.slot_layout(p.shape, p.dtype).items()
    slots = {slot: np.finfo(kind).tiny for slot, (_, kind) in layout if np.dtype(kind).kind == "f"}
    for step in range(450 if dtype == np.float32 else 3250):
        p.grad = np.full(3, float(step == 0), dtype)
        opt.step()
        for slot, tiny in slots.items():
            held = np.abs(opt.state[0][slot])
            assert np.all((held == 0) | (held >= tiny)), f"{name}: {slot} {held} after step {step + 1}"


@pytest.mark.parametrize("name", DECAYING)
def test_the_flush_changes_no_parameter(name, monkeypatch):
    """float32, 450 steps, one element with a gradient at every step and two with one at the first step only (their
    state decays through the flush): the parameters are bit for bit those of the same steps without a flush."""
    runs = []
    for every in (64, 10**9):
        monkeypatch.setattr(nn.optim_base, "FLUSH_EVERY", every)
        p = Tensor(np.ones(3, np.float32), requires_grad=True)
        opt = DECAYING[name]([p])
        rng = np.random.default_rng(0)
        for step in range(450):
            p.grad = np.array([rng.normal(), float(step == 0), -float(step == 0)], np.float32)
            opt.step()
        runs.append((p.data, opt.state[0]))
    (flushed, state), (kept, unflushed) = runs
    np.testing.assert_array_equal(flushed, kept)
    assert any(np.any(state[s] != unflushed[s]) for s in state if not s.startswith(("scratch", "lerp"))), "no flush"


@pytest.mark.parametrize("name", DECAYING)
def test_a_parameter_stepped_on_alternate_steps_is_looked_at_too(name):
    """float32, two parameters stepped in turn (each one's .grad None on the other's steps, as a model trained on
    two tasks' batches by turns): the first's state decays on odd steps only. The flush looked on the optimizer's
    every 64th step, always an even one, so never at it: Adam's moments turned subnormal at step 771 (each had been
    looked at on its own 64th step before). Now every parameter is looked at on its own every 64th step."""
    p, q = (Tensor(np.zeros(3, np.float32), requires_grad=True) for _ in "pq")
    opt = DECAYING[name]([p, q])
    slots = [slot for slot, (shape, _) in opt.slot_layout(p.shape, p.dtype).items() if shape == p.shape]
    tiny = np.finfo(np.float32).tiny
    for step in range(1, 1000):
        odd = step % 2 == 1
        p.grad = np.full(3, float(step == 1), np.float32) if odd else None
        q.grad = None if odd else np.ones(3, np.float32)
        opt.step()
        for slot in slots:
            held = np.abs(opt.state[0][slot])
            assert np.all((held == 0) | (held >= tiny)), f"{name}: {slot} {held} after step {step}"


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4)])
def test_adafactors_factors_turn_no_subnormal_and_the_flush_changes_no_parameter(shape, monkeypatch):
    """Adafactor's row_var and col_var of a float32 parameter whose gradient is ones, then 0 but in its first row
    (830 and 2,905 subnormal values over 700 steps at beta2_decay -0.3 without the flush): none, and the parameters
    bit for bit those of the same steps without a flush."""
    runs = []
    for every in (64, 10**9):
        monkeypatch.setattr(nn.optim_base, "FLUSH_EVERY", every)
        p = Tensor(np.ones(shape, np.float32), requires_grad=True)
        opt = nn.Adafactor([p], beta2_decay=-0.3)
        rng, subnormal = np.random.default_rng(0), 0
        for step in range(700):
            g = np.full(shape, float(step == 0), np.float32)
            g[0] = rng.normal(size=shape[1:])
            p.grad = g
            opt.step()
            held = np.abs(np.concatenate([opt.state[0]["row_var"].ravel(), opt.state[0]["col_var"].ravel()]))
            subnormal += int(np.sum((held != 0) & (held < np.finfo(np.float32).tiny)))
        runs.append((p.data.copy(), subnormal))
    assert runs[0][1] == 0 and runs[1][1] > 0
    np.testing.assert_array_equal(runs[0][0], runs[1][0])

"""Adamax, NAdam, RAdam, Adadelta, Rprop, ASGD and Adafactor as nn's other optimizers: their state saved and loaded
(a run resumed from it goes on bit for bit; a state no step makes is refused), a compiled training step with
eager's numbers, and settings checked when set (their flush: test_optim_flush.py)."""

import numpy as np
import pytest
from compile_cases import assert_same, batches, mlp, train

import nn
from autograd import Tensor

MAKERS = {
    "Adamax": lambda ps: nn.Adamax(ps, lr=0.01, weight_decay=0.01),
    "NAdam": lambda ps: nn.NAdam(ps, lr=0.01, weight_decay=0.01, decoupled_weight_decay=True),
    "RAdam": lambda ps: nn.RAdam(ps, lr=0.01, betas=(0.8, 0.9), maximize=True),
    "Adadelta": lambda ps: nn.Adadelta(ps, rho=0.8, weight_decay=0.01),
    "Rprop": lambda ps: nn.Rprop(ps, lr=0.01, etas=(0.4, 1.5), step_sizes=(1e-4, 0.1)),
    "ASGD": lambda ps: nn.ASGD(ps, lr=0.05, lambd=0.01, t0=3.0, weight_decay=0.01),
    "ASGD t0=inf": lambda ps: nn.ASGD(ps, lr=0.05, lambd=0.01, t0=float("inf")),  # never averages, as torch's
    "Rprop max inf": lambda ps: nn.Rprop(ps, lr=0.01, etas=(0.4, 1.5), step_sizes=(1e-4, float("inf"))),
    "Adafactor": lambda ps: nn.Adafactor(ps, lr=0.05, d=2.0, weight_decay=0.01),  # eps1 None: saved as NaN
    "Adafactor maximize": lambda ps: nn.Adafactor(ps, beta2_decay=-0.5, eps=(1e-3, 1e-2), maximize=True),
}


def _run(opt, params, grads):
    for g in grads:
        for p, x in zip(params, g):
            p.grad = x.copy()
        opt.step()


@pytest.mark.parametrize("name", MAKERS)
def test_a_run_resumed_from_its_state_dict_goes_on_bit_for_bit(name):
    rng = np.random.default_rng(0)
    start = [rng.normal(size=(3, 2)), rng.normal(size=4)]
    grads = [[rng.normal(size=a.shape) for a in start] for _ in range(10)]
    params = [Tensor(a.copy(), requires_grad=True) for a in start]
    opt = MAKERS[name](params)
    _run(opt, params, grads[:5])
    saved, halfway = opt.state_dict(), [p.data.copy() for p in params]
    _run(opt, params, grads[5:])
    again = [Tensor(a, requires_grad=True) for a in halfway]
    resumed = MAKERS[name](again)
    resumed.load_state_dict(saved)
    _run(resumed, again, grads[5:])
    for p, q in zip(params, again):
        np.testing.assert_array_equal(p.data, q.data)


@pytest.mark.parametrize("name", MAKERS)
def test_nn_save_and_load_keep_the_optimizer(tmp_path, name):
    model = nn.Linear(3, 2, seed=0)
    opt = MAKERS[name](model.parameters())
    x = Tensor(np.random.default_rng(1).normal(size=(4, 3)))
    for _ in range(3):
        opt.zero_grad()
        (model(x) ** 2).sum().backward()
        opt.step()
    nn.save(model, tmp_path / "ckpt.npz", optimizer=opt)
    other = nn.Linear(3, 2, seed=5)
    fresh = MAKERS[name](other.parameters())
    nn.load(other, tmp_path / "ckpt.npz", optimizer=fresh)
    for key, value in opt.state_dict().items():
        np.testing.assert_array_equal(fresh.state_dict()[key], value, err_msg=key)


def _stepped(opt):
    p = opt.params[0]
    p.grad = np.ones_like(p.data)
    opt.step()
    return opt.state_dict()


@pytest.mark.parametrize(
    ("make", "entry", "bad", "message"),
    [
        (nn.Adamax, "exp_inf", -1.0, "exp_inf holds 1 value"),
        (nn.NAdam, "exp_avg_sq", -1.0, "exp_avg_sq holds 1 value"),
        (nn.NAdam, "mu_product", 1.0, r"mu_product is 1.0; a product of momentum factors each below 1 is in \[0, 1\)"),
        (nn.RAdam, "exp_avg_sq", -1.0, "exp_avg_sq holds 1 value"),
        (nn.Adadelta, "acc_delta", -1.0, "acc_delta holds 1 value"),
        (nn.Rprop, "step_size", -1.0, "step_size holds 1 value"),
        (nn.ASGD, "eta", -1.0, "eta holds 1 value"),
        (nn.ASGD, "mu", 1.5, "mu holds 1 value"),
        (nn.Adafactor, "variance", -1.0, "variance holds 1 value"),
    ],
)
def test_a_state_no_step_makes_is_refused_and_changes_nothing(make, entry, bad, message):
    opt = make([Tensor(np.zeros(1), requires_grad=True)])
    state = _stepped(opt)
    before = opt.state_dict()
    state[f"state.0.{entry}"] = np.full_like(state[f"state.0.{entry}"], bad)
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(state)
    assert all(np.array_equal(before[k], v, equal_nan=True) for k, v in opt.state_dict().items())  # eps1 None: NaN


@pytest.mark.parametrize("name", MAKERS)
def test_a_compiled_step_gives_eagers_numbers(name):
    data = batches((5, 4), 3, 5)
    args = (lambda: mlp([4, 6, 3], "tanh"), MAKERS[name], data)
    eager, _ = train(*args, compiled=False)
    compiled, run = train(*args, compiled=True)
    assert_same(eager, compiled)
    assert sum(r.program is not None for r in run.recordings.values()) == 1


@pytest.mark.parametrize(
    ("make", "setting", "value", "error"),
    [
        (nn.NAdam, "momentum_decay", -1.0, ValueError),
        (nn.Adadelta, "rho", 1.01, ValueError),
        (nn.Rprop, "etas", (0.5, 0.9), ValueError),
        (nn.RAdam, "decoupled_weight_decay", 1, TypeError),
        (nn.Adamax, "decoupled_weight_decay", True, AttributeError),
        (nn.Rprop, "weight_decay", 0.1, AttributeError),
        (nn.ASGD, "lambd", -1.0, ValueError),
        (nn.ASGD, "momentum", 0.9, AttributeError),
        (nn.Adafactor, "beta2_decay", 0.1, ValueError),
        (nn.Adafactor, "d", 0.5, ValueError),
        (nn.Adafactor, "eps", (None, None), TypeError),
        (nn.Adafactor, "eps", (float("nan"), 1e-3), ValueError),
    ],
)
def test_a_setting_is_checked_when_set(make, setting, value, error):
    opt = make([Tensor(np.zeros(1), requires_grad=True)])
    with pytest.raises(error):
        setattr(opt, setting, value)


def test_adadeltas_rho_may_be_1():
    """rho = 1 keeps square_avg and acc_delta at 0: each step is lr * grad (torch's range is [0, 1])."""
    p = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = nn.Adadelta([p], lr=0.5, rho=1.0)
    p.grad = np.array([0.25, 1.0])
    opt.step()
    np.testing.assert_array_equal(p.data, [0.875, -2.5])


@pytest.mark.parametrize("eps", [[np.nan, np.nan], [1e-3, np.nan], [np.nan, -1.0]])
def test_adafactors_eps_loads_none_first_alone(eps):
    """A state dict keeps Adafactor's eps1 None as NaN: loaded as None in that place, a NaN in eps2's refused as
    NaN (it was refused as 'got NoneType None', a None the file never held), nothing changed."""
    w = Tensor(np.ones((2, 2)), requires_grad=True)
    opt = nn.Adafactor([w], eps=(1e-5, 0.1))
    state = _stepped(opt)
    state["eps"] = np.array([np.nan, 1e-3])
    opt.load_state_dict(state)
    assert opt.eps == (None, 1e-3)
    state["eps"] = np.array(eps)
    with pytest.raises(ValueError, match="cannot load this state into Adafactor: eps must be a finite number >= 0"):
        opt.load_state_dict(state)
    assert opt.eps == (None, 1e-3)

"""nn.Adafactor against torch.optim.Adafactor 2.13: the same starting parameters (2-d, 1-d, 3-d and 0-d: factored
and not) and gradients (tests/torch_reference_optim.py's draws: a fifth of them 0, one whole step of zeros), 35
steps, every combination of the options. In float64 the parameters after every step, and the state after the last,
within 1e-12 of torch's relative to the largest magnitude each number has held (16 ulps measured); float32 judged as
the other optimizers' (torch_reference_optim.py). Then the packed Values, a scheduler, eps1 0 and the refusals."""

import itertools

import numpy as np
import pytest
from torch_reference import DTYPES, torch
from torch_reference_optim import Peaks, assert_steps_within_ulps, draws, float64_default, steps_alike

import nn
from autograd import Tensor, Value

STEPS = 35
SHAPES = [(3, 4), (5,), (2, 3, 4), ()]
RELATIVE = 1e-12
OPTIONS = {
    "lr": [1e-2, 0.5],  # 0.5: rho is 1 / sqrt(t) for the first 4 steps
    "beta2_decay": [-0.8, 0.0],  # 0: the variance is the last squared gradient alone
    "eps": [(None, 1e-3), (1e-3, 0.5)],
    "d": [1.0, 3.0],
    "weight_decay": [0.0, 0.1],
    "maximize": [False, True],
}
GRID = [dict(zip(OPTIONS, values)) for values in itertools.product(*OPTIONS.values())]

float64_scalars = pytest.fixture(autouse=True)(float64_default)


def _within(ours, theirs, peak, what):
    far = np.max(np.abs(np.asarray(ours, np.float64) - theirs) / np.maximum(peak, np.finfo(float).tiny), initial=0)
    assert far <= RELATIVE, f"{what}: {far:.3g} of its peak apart"


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", range(len(GRID)))
def test_each_step_and_the_state_match_torch(case, dtype):
    kw = GRID[case]
    start, grads = draws(np.random.default_rng(case), dtype, SHAPES, STEPS)
    if dtype == np.float32:  # judged against torch's float64 run, as the other optimizers' float32 runs are
        assert_steps_within_ulps("Adafactor", kw, start, grads, 1, f"Adafactor {kw}")
        return
    ours = [Tensor(a.copy(), requires_grad=True) for a in start]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in start]
    ours_opt, theirs_opt = nn.Adafactor(ours, **kw), torch.optim.Adafactor(theirs, **kw)
    peaks = [np.abs(a) for a in start]
    for step, i, data, expected in steps_alike(ours_opt, theirs_opt, ours, theirs, grads):
        peaks[i] = np.maximum(peaks[i], np.abs(expected))
        _within(data, expected, peaks[i], f"{kw}: parameter {i} after step {step}")
    for i, q in enumerate(theirs):
        mine, torchs = ours_opt.state[i], theirs_opt.state[q]
        assert set(torchs) == set(ours_opt.slot_layout(start[i].shape, start[i].dtype))
        assert mine["step"] == int(torchs["step"]) == STEPS
        for slot in set(torchs) - {"step"}:
            expected = torchs[slot].numpy()
            _within(mine[slot], expected, np.abs(expected), f"{kw}: {slot} of parameter {i}")


def test_values_step_as_a_vector_of_torchs():
    """The scalar engine's parameters, packed into one array for the update, step as a 1-d parameter of torch's."""
    kw = GRID[-1]
    start, grads = draws(np.random.default_rng(1), np.float64, [(5,)], STEPS)
    ours, theirs = [Value(float(x)) for x in start[0]], torch.tensor(start[0], requires_grad=True)
    ours_opt, theirs_opt = nn.Adafactor(ours, **kw), torch.optim.Adafactor([theirs], **kw)
    peaks = Peaks(start)
    for (g,) in grads:
        for v, x in zip(ours, g):
            v.grad = float(x)
        theirs.grad = torch.from_numpy(g.copy())
        ours_opt.step()
        theirs_opt.step()
        peaks.assert_within(0, np.array([v.data for v in ours]), theirs.detach().numpy(), 16, "Adafactor's Values")


def test_a_scheduler_drives_the_lr_as_torchs():
    """StepLR halving the lr every 4 epochs (the lr bounds rho and scales the weight decay)."""
    start, grads = draws(np.random.default_rng(2), np.float64, SHAPES[:1], 16)
    w, v = Tensor(start[0].copy(), requires_grad=True), torch.tensor(start[0].copy(), requires_grad=True)
    kw = {"lr": 0.4, "weight_decay": 0.1}
    ours_opt, theirs_opt = nn.Adafactor([w], **kw), torch.optim.Adafactor([v], **kw)
    ours = nn.schedulers.StepLR(ours_opt, step_size=4, gamma=0.5)
    theirs = torch.optim.lr_scheduler.StepLR(theirs_opt, step_size=4, gamma=0.5)
    peak = np.abs(start[0])
    for (g,) in grads:
        w.grad, v.grad = g.copy(), torch.from_numpy(g.copy())
        for step in (ours_opt.step, theirs_opt.step, ours.step, theirs.step):
            step()
        assert ours_opt.lr == theirs_opt.param_groups[0]["lr"]
        peak = np.maximum(peak, np.abs(v.detach().numpy()))
        _within(w.data, v.detach().numpy(), peak, "scheduled Adafactor")


def test_eps1_none_is_the_dtypes_epsilon_and_shows_as_torchs():
    """eps1 None: float32's epsilon in float32 (a float64 epsilon would be another step); the group shows
    (None, 1e-3) as torch's; state_dict keeps None as NaN, and a load gives None back."""
    for dtype in (np.float32, np.float64):
        w = Tensor(np.array([1.0, 2.0], dtype), requires_grad=True)
        opt = nn.Adafactor([w])
        assert opt.param_groups[0]["eps"] == (None, 1e-3) == torch.optim.Adafactor([torch.zeros(1)]).defaults["eps"]
        w.grad = np.array([1e-9, 0.0], dtype)  # below float32's epsilon: clamped there, not in float64
        opt.step()
        q = torch.tensor([1.0, 2.0], dtype=torch.float32 if dtype == np.float32 else torch.float64)
        q.grad = torch.tensor([1e-9, 0.0], dtype=q.dtype)
        torch.optim.Adafactor([q]).step()
        np.testing.assert_array_equal(w.data, q.numpy())
    saved = opt.state_dict()
    assert np.isnan(saved["eps"][0]) and saved["eps"][1] == 1e-3
    other = nn.Adafactor([w], eps=(1e-5, 0.1))
    other.load_state_dict(saved)
    assert other.eps == (None, 1e-3)


def test_an_eps1_of_0_moves_no_weight_whose_squared_gradient_is_0():
    """eps1 0 with a gradient 0 in a place: torch's step there is 0 * inf, NaN (its clipping max(1, NaN) is 1, so
    the other weights move); here the step is 0 there, and the others as torch's."""
    w, q = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True), torch.tensor([1.0, -2.0, 3.0])
    w.grad, q.grad = np.array([0.0, 0.5, -1.0]), torch.tensor([0.0, 0.5, -1.0])
    nn.Adafactor([w], eps=(0.0, 1e-3)).step()
    torch.optim.Adafactor([q], eps=(0.0, 1e-3)).step()
    assert torch.isnan(q[0]) and np.isfinite(w.data).all()
    rms = np.sqrt(14 / 3)  # the weights' RMS before the step; the update is sign(grad), of RMS sqrt(2 / 3) < d
    np.testing.assert_array_equal(w.data, [1.0, -2.0 - rms * 0.01, 3.0 + rms * 0.01])
    np.testing.assert_array_equal(w.data[1:], q.numpy()[1:])


BAD = [
    ({"lr": -1.0}, "lr"),
    ({"beta2_decay": 0.1}, "beta2_decay"),
    ({"eps": (-1.0, 1e-3)}, "eps"),
    ({"eps": (None, -1.0)}, "eps"),
    ({"d": 0.5}, "d"),
    ({"weight_decay": -1.0}, "weight_decay"),
]


@pytest.mark.parametrize(("kw", "name"), BAD)
def test_a_bad_argument_is_refused_as_torch_refuses_it(kw, name):
    with pytest.raises(ValueError):
        torch.optim.Adafactor([torch.zeros(2, requires_grad=True)], **kw)
    with pytest.raises(ValueError, match=f"Adafactor: {name} must be"):
        nn.Adafactor([Tensor(np.zeros(2), requires_grad=True)], **kw)


def test_an_infinite_d_is_taken_and_saved_as_torch_takes_it():
    """d = inf never clips (torch takes it); a state dict keeps it, and loads; beta2_decay -inf is refused."""
    w = Tensor(np.ones((2, 2)), requires_grad=True)
    opt = nn.Adafactor([w], d=float("inf"))
    w.grad = np.ones((2, 2))
    opt.step()
    nn.Adafactor([w]).load_state_dict(opt.state_dict())
    with pytest.raises(ValueError, match="Adafactor: beta2_decay must be a finite number <= 0, got -inf"):
        nn.Adafactor([w], beta2_decay=-float("inf"))


def test_an_empty_parameter_is_left_alone():
    """torch's step divides by the parameter's size (ZeroDivisionError); nothing to move here: the step counted."""
    q = torch.zeros(0, 3, requires_grad=True)
    q.grad = torch.zeros(0, 3)
    with pytest.raises(ZeroDivisionError):
        torch.optim.Adafactor([q]).step()
    w = Tensor(np.zeros((0, 3)), requires_grad=True)
    w.grad = np.zeros((0, 3))
    opt = nn.Adafactor([w])
    opt.step()
    assert w.data.shape == (0, 3) and opt.state[0]["step"] == 1

"""chainrule's optimizers, learning-rate schedulers and gradient clipping against PyTorch's: the same
starting parameters and the same gradients at every step (drawn once, given to both), 20 steps, and
the parameters (and the lr) compared after each, in float64 and float32, to the tolerances of
tests/torch_reference.py. Without torch these tests are skipped."""

import math

import numpy as np
import pytest
from torch_reference import DTYPES, assert_close, torch
from torch_reference_optim import steps_alike

from autograd import Tensor, Value
from nn import schedulers
from nn.clip import clip_grad_norm_, clip_grad_value_
from nn.functional import cross_entropy
from nn.optim import SGD, Adagrad, Adam, AdamW, RMSprop

STEPS = 20
SHAPES = [(3, 4), (5,), ()]

# name: (chainrule optimizer, torch optimizer, keywords of both)
OPTIMIZERS = {
    "SGD": (SGD, torch.optim.SGD, {"lr": 0.1}),
    "SGD momentum": (SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    "SGD momentum dampening decay": (
        SGD,
        torch.optim.SGD,
        {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.01},
    ),
    "SGD nesterov": (SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    "SGD nesterov decay": (SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.5, "nesterov": True, "weight_decay": 0.1}),
    "Adam": (Adam, torch.optim.Adam, {"lr": 0.01}),
    "Adam decay": (Adam, torch.optim.Adam, {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
    "AdamW": (AdamW, torch.optim.AdamW, {"lr": 0.01}),
    "AdamW decay": (AdamW, torch.optim.AdamW, {"lr": 0.02, "betas": (0.7, 0.9), "weight_decay": 0.3}),
    "RMSprop": (RMSprop, torch.optim.RMSprop, {"lr": 0.01}),
    "RMSprop centered momentum": (
        RMSprop,
        torch.optim.RMSprop,
        {"lr": 0.01, "alpha": 0.9, "eps": 1e-6, "momentum": 0.8, "centered": True, "weight_decay": 0.05},
    ),
    "RMSprop momentum": (RMSprop, torch.optim.RMSprop, {"lr": 0.01, "momentum": 0.5}),
    "RMSprop centered": (RMSprop, torch.optim.RMSprop, {"lr": 0.01, "centered": True}),
    "Adagrad": (Adagrad, torch.optim.Adagrad, {"lr": 0.1}),
    "Adagrad decays": (
        Adagrad,
        torch.optim.Adagrad,
        {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-6},
    ),
}


def _draws(seed, dtype):
    """Starting values of each parameter, and its gradient at each step."""
    rng = np.random.default_rng(seed)
    start = [rng.normal(size=s).astype(dtype) for s in SHAPES]
    grads = [[rng.normal(size=s).astype(dtype) for s in SHAPES] for _ in range(STEPS)]
    return start, grads


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_matches_torch_step_by_step(name, dtype):
    ours_class, theirs_class, kw = OPTIMIZERS[name]
    start, grads = _draws(0, dtype)
    ours = [Tensor(a.copy(), requires_grad=True) for a in start]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in start]
    ours_opt, theirs_opt = ours_class(ours, **kw), theirs_class(theirs, **kw)
    for step, i, data, expected in steps_alike(ours_opt, theirs_opt, ours, theirs, grads):
        assert_close(f"{name}: parameter {i} after step {step}", data, expected, dtype)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_on_values_matches_torch(name):
    """The scalar engine's parameters (packed into one array for the update) step as torch's do."""
    ours_class, theirs_class, kw = OPTIMIZERS[name]
    rng = np.random.default_rng(1)
    start, grads = rng.normal(size=4), rng.normal(size=(STEPS, 4))
    ours = [Value(float(x)) for x in start]
    theirs = torch.tensor(start, requires_grad=True)
    ours_opt, theirs_opt = ours_class(ours, **kw), theirs_class([theirs], **kw)
    for g in grads:
        for v, x in zip(ours, g):
            v.grad = float(x)
        theirs.grad = torch.from_numpy(g.copy())
        ours_opt.step()
        theirs_opt.step()
    assert_close(name, np.array([v.data for v in ours]), theirs.detach().numpy(), np.float64)


def test_training_a_layer_with_adamw_and_nesterov_matches_torch():
    """Gradients from a real loss, not given: a linear layer trained 20 steps on cross-entropy."""
    rng = np.random.default_rng(2)
    X, y, w0 = rng.normal(size=(16, 3)), rng.integers(0, 4, 16), rng.normal(size=(3, 4))
    for ours_class, theirs_class, kw in (OPTIMIZERS["AdamW decay"], OPTIMIZERS["SGD nesterov decay"]):
        w, v = Tensor(w0.copy(), requires_grad=True), torch.tensor(w0.copy(), requires_grad=True)
        ours_opt, theirs_opt = ours_class([w], **kw), theirs_class([v], **kw)
        for _ in range(STEPS):
            ours_opt.zero_grad()
            cross_entropy(Tensor(X) @ w, y).backward()
            ours_opt.step()
            theirs_opt.zero_grad()
            torch.nn.functional.cross_entropy(torch.from_numpy(X) @ v, torch.from_numpy(y)).backward()
            theirs_opt.step()
        assert_close(ours_class.__name__, w.data, v.detach().numpy(), np.float64)


# ---- schedulers ----


def _schedule(name, opt, lib):
    """The schedule `name` on `opt`, of `lib`: nn.schedulers or torch.optim.lr_scheduler (the same names)."""
    if name == "StepLR":
        return lib.StepLR(opt, step_size=3, gamma=0.5)
    if name == "CosineAnnealingLR":
        return lib.CosineAnnealingLR(opt, T_max=8, eta_min=0.001)  # 20 epochs: down, back up, down
    if name == "LinearLR":
        return lib.LinearLR(opt, start_factor=0.1, end_factor=0.9, total_iters=6)
    if name == "LambdaLR":
        return lib.LambdaLR(opt, lambda epoch: 0.9**epoch + 0.01 * epoch)
    if name == "warmup then cosine":
        warm, cosine = lib.LinearLR(opt, start_factor=0.25, total_iters=4), lib.CosineAnnealingLR(opt, T_max=12)
        return lib.SequentialLR(opt, [warm, cosine], milestones=[4])
    a, b, c = lib.LinearLR(opt, start_factor=0.5, total_iters=3), lib.StepLR(opt, 2, 0.7), lib.CosineAnnealingLR(opt, 5)
    return lib.SequentialLR(opt, [a, b, c], milestones=[3, 9])


SCHEDULES = ["StepLR", "CosineAnnealingLR", "LinearLR", "LambdaLR", "warmup then cosine", "three in sequence"]


@pytest.mark.parametrize("name", SCHEDULES)
def test_scheduler_lr_and_parameters_match_torch(name):
    """The lr every epoch (get_last_lr and the optimizer's), and SGD's parameters under it."""
    rng = np.random.default_rng(3)
    w0, grads = rng.normal(size=3), rng.normal(size=(STEPS, 3))
    w, v = Tensor(w0.copy(), requires_grad=True), torch.tensor(w0.copy(), requires_grad=True)
    ours_opt, theirs_opt = SGD([w], lr=0.1, momentum=0.9), torch.optim.SGD([v], lr=0.1, momentum=0.9)
    ours, theirs = _schedule(name, ours_opt, schedulers), _schedule(name, theirs_opt, torch.optim.lr_scheduler)
    for epoch in range(STEPS):
        assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12, abs=1e-15), f"epoch {epoch}"
        assert ours_opt.lr == pytest.approx(theirs_opt.param_groups[0]["lr"], rel=1e-12, abs=1e-15)
        w.grad, v.grad = grads[epoch].copy(), torch.from_numpy(grads[epoch].copy())
        ours_opt.step()
        theirs_opt.step()
        ours.step()
        theirs.step()
    assert_close(name, w.data, v.detach().numpy(), np.float64)


# ---- clipping ----


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])  # clipped, and left alone
def test_clip_grad_norm_matches_torch(norm_type, max_norm, dtype):
    rng = np.random.default_rng(4)
    grads = [rng.normal(size=s).astype(dtype) for s in SHAPES]
    ours = [Tensor(np.zeros(s, dtype), requires_grad=True) for s in SHAPES]
    theirs = [torch.zeros(s, dtype=torch.from_numpy(np.zeros(0, dtype)).dtype, requires_grad=True) for s in SHAPES]
    for p, q, g in zip(ours, theirs, grads):
        p.grad, q.grad = g.copy(), torch.from_numpy(g.copy())
    total = clip_grad_norm_(ours, max_norm, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert_close("total norm", np.asarray(total, dtype), expected.numpy(), dtype)
    for i, (p, q) in enumerate(zip(ours, theirs)):
        assert_close(f"gradient {i}", p.grad, q.grad.numpy(), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_clip_grad_value_matches_torch(dtype):
    rng = np.random.default_rng(5)
    grads = [rng.normal(size=s).astype(dtype) for s in SHAPES]
    ours = [Tensor(np.zeros(s, dtype), requires_grad=True) for s in SHAPES]
    theirs = [torch.zeros(s, dtype=torch.from_numpy(np.zeros(0, dtype)).dtype, requires_grad=True) for s in SHAPES]
    for p, q, g in zip(ours, theirs, grads):
        p.grad, q.grad = g.copy(), torch.from_numpy(g.copy())
    clip_grad_value_(ours, 0.7)
    torch.nn.utils.clip_grad_value_(theirs, 0.7)
    for i, (p, q) in enumerate(zip(ours, theirs)):
        assert_close(f"gradient {i}", p.grad, q.grad.numpy(), dtype)


@pytest.mark.parametrize("norm_type", [1e-4, 1e-300])
def test_clip_grad_norm_past_the_largest_float_is_inf_as_torchs(norm_type):
    """A small norm_type's total (sum of powers) ** (1 / p) lies past the largest float: PyTorch's is inf, and
    every gradient is scaled to 0; Python's float power raised OverflowError there (with math.fsum's sum)."""
    grads = [np.array([3.0, 0.0]), np.array([4.0])]
    ours = [Tensor(np.zeros(len(g)), requires_grad=True) for g in grads]
    theirs = [torch.zeros(len(g), dtype=torch.float64, requires_grad=True) for g in grads]
    for p, q, g in zip(ours, theirs, grads):
        p.grad, q.grad = g.copy(), torch.from_numpy(g.copy())
    with np.errstate(over="ignore"):
        total = clip_grad_norm_(ours, 1.0, norm_type)
    assert total == torch.nn.utils.clip_grad_norm_(theirs, 1.0, norm_type).item() == math.inf
    assert [p.grad.tolist() for p in ours] == [q.grad.tolist() for q in theirs] == [[0.0, 0.0], [0.0]]

"""nn.LBFGS against torch.optim.LBFGS 2.13 on problems beyond tests/test_torch_reference_lbfgs.py's (whose
`run_alike` compares the parameters, the losses and the state after every step, to 1e-10 relative in float64):
a logistic regression (separable data too, its weights growing without bound), a 2-10-10-1 tanh network
classifying two moons over 20 steps, an ill-conditioned quadratic (condition 1e6), a function whose line
searches zoom many times, lr other than 1 with the line search, max_eval below max_iter, and tolerance_change
stopping steps. Without torch these tests are skipped."""

import numpy as np
import pytest
from test_torch_reference_lbfgs import _closure, _data, close, nudged_twin, run_alike
from torch_reference import torch
from torch_reference_optim import float64_default

import nn
from autograd import Tensor

float64_scalars = pytest.fixture(autouse=True)(float64_default)


def run_normwise(problem, arg, steps, **settings):
    """Both optimizers stepped alike, as `run_alike`, with the counts of evaluations and iterations equal after
    every step (each step stopped where torch's did) and the parameters and losses within 1e-10 of their
    largest magnitude (normwise): here a gradient through a matrix of condition 1e6, or a network's curvature
    pairs (differences of gradients, which cancel), carry numpy's and torch's summation orders to some 4e-10
    elementwise on the state (torch's own run with its sums reordered parts from itself as much), so the state
    is not compared entry by entry; past 1e-10, within what the problem carries (`close`). Returns each step's
    (func_evals, n_iter) increments."""
    ours_params, ours_loss = problem(arg, "nn")
    theirs_params, theirs_loss = problem(arg, "torch")
    ours, theirs = nn.LBFGS(ours_params, **settings), torch.optim.LBFGS(theirs_params, **settings)
    ours_closure, theirs_closure = _closure(ours, ours_loss), _closure(theirs, theirs_loss)
    twin_params, twin, twin_closure = nudged_twin(problem, arg, settings)
    counts, before = [], (0, 0)
    for step in range(steps):
        mine, torchs = float(ours.step(ours_closure).data), theirs.step(theirs_closure).item()
        close(mine, torchs, twin.step(twin_closure).item(), f"the loss, step {step}", atol=1e-14)
        a, b, c = (np.concatenate([_data(p).ravel() for p in ps]) for ps in (ours_params, theirs_params, twin_params))
        close(a, b, c, f"the parameters, step {step}", normwise=True)
        state, torch_state = ours.state["flat"], theirs.state[theirs_params[0]]
        now = state["func_evals"], state["n_iter"]
        assert now == (torch_state["func_evals"], torch_state["n_iter"]), step
        counts.append((now[0] - before[0], now[1] - before[1]))
        before = now
    return counts


def _leaves(lib, arrays):
    make = (
        (lambda a: Tensor(a.copy(), requires_grad=True))
        if lib == "nn"
        else (lambda a: torch.tensor(a.copy(), requires_grad=True))
    )
    return [make(np.asarray(a, np.float64)) for a in arrays]


def _constant(lib, a):
    return Tensor(a) if lib == "nn" else torch.from_numpy(np.asarray(a, np.float64))


def _logistic_loss(X, Y, z):
    return (-(Y * z)).exp().log1p().mean()


def logistic(seed, lib, separation=2.0):
    """The mean logistic loss of x @ w + b over 60 points of 4 features labelled +-1 (a little noise)."""
    rng = np.random.default_rng(seed)
    x, true = rng.normal(size=(60, 4)), rng.normal(size=4) * separation
    y = np.where(x @ true + 0.3 * rng.normal(size=60) > 0, 1.0, -1.0)
    w, b = _leaves(lib, [rng.normal(size=4) * 0.1, [0.0]])
    X, Y = _constant(lib, x), _constant(lib, y)
    return [w, b], lambda: _logistic_loss(X, Y, X @ w + b)


def separable(seed, lib):
    return logistic(seed, lib, separation=50.0)


def moons(seed, lib):
    """A 2-10-10-1 tanh network's logistic loss on 64 points of two interleaved half circles."""
    rng = np.random.default_rng(seed)
    t, label = rng.uniform(0, np.pi, 64), rng.integers(0, 2, 64)
    upper, lower = np.stack([np.cos(t), np.sin(t)], 1), np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1)
    x = np.where(label[:, None] == 0, upper, lower) + 0.1 * rng.normal(size=(64, 2))
    start = [rng.normal(size=(2, 10)) * 0.7, np.zeros(10), rng.normal(size=(10, 10)) * 0.4, np.zeros(10)]
    ps = _leaves(lib, [*start, rng.normal(size=(10, 1)) * 0.4, np.zeros(1)])
    X, Y = _constant(lib, x), _constant(lib, np.where(label == 0, -1.0, 1.0)[:, None])
    W1, b1, W2, b2, W3, b3 = ps
    return ps, lambda: _logistic_loss(X, Y, ((X @ W1 + b1).tanh() @ W2 + b2).tanh() @ W3 + b3)


def ill_conditioned(seed, lib):
    """w.A w / 2 - c.w, A of eigenvalues 1 to 1e6 in a random basis, in 8 dimensions."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    A, c = q @ np.diag(np.logspace(0, 6, 8)) @ q.T, rng.normal(size=8)
    (w,) = _leaves(lib, [rng.normal(size=8)])
    A, c = _constant(lib, A), _constant(lib, c)
    return [w], lambda: 0.5 * (w * (A @ w)).sum() - (c * w).sum()


def wiggly(seed, lib):
    """|w|^2 / 2 plus sines and cosines of 7 w and 13 w: many local minima along every line, long zooms."""
    (w,) = _leaves(lib, [np.random.default_rng(seed).normal(size=3)])
    return [w], lambda: (w * w).sum() * 0.5 + 0.3 * (w * 7.0).sin().sum() + 0.2 * (w * 13.0).cos().sum()


def rosenbrock8(_, lib):
    (w,) = _leaves(lib, [[-1.2, 1.0, -0.5, 0.8, 1.3, 0.2, 0.1, -0.9]])
    return [w], lambda: sum((1 - w[i]) ** 2 + 100 * (w[i + 1] - w[i] ** 2) ** 2 for i in range(7))


@pytest.mark.parametrize("search", [None, "strong_wolfe"])
def test_a_logistic_regression(search):
    run_alike(logistic, 0, 15, max_iter=20, line_search_fn=search)


def test_a_separable_logistic_regression_and_a_regularised_lr_below_1():
    run_alike(separable, 0, 15, max_iter=20, line_search_fn="strong_wolfe")
    run_alike(logistic, 1, 10, max_iter=10, lr=0.5)


def test_a_two_layer_network_on_two_moons_over_many_steps():
    counts = run_normwise(moons, 0, 20, max_iter=20, lr=0.5, history_size=10)
    assert sum(n for _, n in counts) > 20 * 1.5


def test_an_ill_conditioned_quadratic():
    run_normwise(ill_conditioned, 0, 10, max_iter=20, lr=1e-6)


@pytest.mark.parametrize(("seed", "lr", "history_size"), [(0, 5.0, 100), (2, 2.0, 2)])
def test_line_searches_that_zoom_long(seed, lr, history_size):
    counts = run_normwise(
        wiggly, seed, 10, max_iter=10, line_search_fn="strong_wolfe", lr=lr, history_size=history_size
    )
    assert any(evals > n + 2 for evals, n in counts)  # some step's line searches evaluated more than once each


def test_max_eval_below_max_iter_and_tolerance_change_stopping_steps():
    counts = run_normwise(rosenbrock8, None, 10, max_iter=15, max_eval=6, lr=0.01)
    assert all(evals >= 6 and n < 15 for evals, n in counts)
    for search in (None, "strong_wolfe"):  # tolerance_change 1e-5 ends every step before max_iter: the later ones
        # at their first iteration, the slope along the direction above -1e-5 (nothing moves), as torch's
        counts = run_normwise(logistic, 2, 6, max_iter=30, tolerance_change=1e-5, line_search_fn=search)
        assert counts[0][1] < 30 and all(n == 1 for _, n in counts[1:])

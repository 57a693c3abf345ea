"""A loaded LBFGS state whose curvature pairs lie (ro not 1 / y.s of its pair, H_diag not y.s / y.y of the
newest pair, or not 1 before any pair is kept) is refused before anything changes: such a history makes
directions that climb, and the step then failed naming the loss ('lower lr') or stalled, never the state."""

import numpy as np
import pytest

import nn
from autograd import Tensor


def _problem():
    rng = np.random.default_rng(0)
    x, y = Tensor(rng.normal(size=(12, 4))), Tensor(rng.normal(size=(12, 3)))
    W = Tensor(rng.normal(size=(4, 3)), requires_grad=True)
    return [W], lambda: ((x @ W - y) ** 2).mean() + 0.1 * (W**4).sum()


def _trained(dtype=np.float64):
    params, loss_of = _problem()
    params[0].data = params[0].data.astype(dtype)
    opt = nn.LBFGS(params, max_iter=4, history_size=5)

    def closure():
        opt.zero_grad()
        loss = loss_of()
        loss.backward()
        return loss

    for _ in range(2):
        opt.step(closure)
    return opt, {k: np.array(v) for k, v in opt.state_dict().items()}


def _negate_newest_step(state):
    k = int(state["state.flat.history"])
    state["state.flat.old_stps"][k - 1] *= -1


def _scale_ro(state):
    state["state.flat.ro"][0] *= 1e3


def _zero_oldest_y(state):
    state["state.flat.old_dirs"][0] = 0


def _scale_h_diag(state):
    state["state.flat.H_diag"] *= 1e6


@pytest.mark.parametrize(
    ("lie", "told"),
    [
        (_negate_newest_step, r"state\.flat\.ro holds .* for pair 4, and 1 / y\.s of its pair is -"),
        (_scale_ro, r"state\.flat\.ro holds .* for pair 0, and 1 / y\.s of its pair is "),
        (_zero_oldest_y, r"state\.flat\.ro holds .* for pair 0, and 1 / y\.s of its pair is inf"),
        (_scale_h_diag, r"state\.flat\.H_diag holds .*, and y\.s / y\.y of the newest pair is "),
    ],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_pairs_that_lie_are_refused_before_anything_changes(lie, told, dtype):
    opt, state = _trained(dtype)
    assert int(state["state.flat.history"]) == 5
    lie(state)
    before = {k: np.array(v) for k, v in opt.state_dict().items()}
    with pytest.raises(ValueError, match=told):
        opt.load_state_dict(state)
    after = opt.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_h_diag_before_any_pair_is_one():
    w = Tensor(np.array([3.0, -2.0]), requires_grad=True)
    opt = nn.LBFGS([w], max_iter=1)

    def closure():
        opt.zero_grad()
        loss = (w**2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    state = {k: np.array(v) for k, v in opt.state_dict().items()}
    assert int(state["state.flat.history"]) == 0 and state["state.flat.H_diag"] == 1
    nn.LBFGS([w]).load_state_dict(state)
    state["state.flat.H_diag"] = np.array(5.0)
    with pytest.raises(ValueError, match=r"H_diag holds 5\.0 with no pair kept, where a step leaves it 1"):
        nn.LBFGS([w]).load_state_dict(state)

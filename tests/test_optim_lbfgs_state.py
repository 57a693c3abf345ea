"""nn.LBFGS's state dict: state_dict, load_state_dict, nn.save and nn.load keep the whole state (counts, the last
direction and step, the history as (history_size, n) arrays and a count, H_diag, the last gradient and loss), so
training goes on bit for bit; a state no step makes (impossible counts, NaN rows, values where no pair is kept,
pairs whose ro or H_diag are not what they make, another history_size) is refused before anything changes; a
state made for parameters that since changed size or dtype is refused naming why, at the step and at
state_dict."""

import math

import numpy as np
import pytest
from lbfgs_problem import closure_of, problem, same, snapshot

import nn
from autograd import ShapeError, Tensor

SEARCHES = [None, "strong_wolfe"]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("search", SEARCHES)
def test_state_dict_and_load_state_dict_go_on_bit_for_bit(search, dtype):
    """Three steps, the state saved, loaded into a new LBFGS over a copy of the parameters (a history of 3, filled
    past its size): the next three steps of both are the same, bit for bit (float32's scalars, t, ro and H_diag,
    saved as float64 and loaded as float32 again)."""
    settings = {"max_iter": 4, "history_size": 3, "line_search_fn": search, "lr": 1 if search else 0.3}
    params, loss_of = problem(dtype=dtype)
    opt = nn.LBFGS(params, **settings)
    for _ in range(3):
        opt.step(closure_of(opt, loss_of))
    assert len(opt.state["flat"]["old_dirs"]) == 3 and opt.state_dict()["state.flat.history"] == 3
    copies, copy_loss = problem(dtype=dtype)
    for p, q in zip(copies, params):
        p.data = np.array(q.data)
    again = nn.LBFGS(copies, lr=0.5, history_size=3)
    again.load_state_dict(opt.state_dict())
    assert again.line_search_fn == search and again.history_size == 3 and again.lr == settings["lr"]
    for _ in range(3):
        assert float(opt.step(closure_of(opt, loss_of)).data) == float(again.step(closure_of(again, copy_loss)).data)
    same(snapshot(opt), snapshot(again))


def test_nn_save_and_load_keep_the_state_and_training_goes_on(tmp_path):
    rng = np.random.default_rng(1)
    x, y = Tensor(rng.normal(size=(10, 3))), Tensor(rng.normal(size=(10, 2)))

    def trained(model, opt, steps):
        for _ in range(steps):
            opt.step(closure_of(opt, lambda: ((model(x) - y) ** 2).mean()))

    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.Tanh(), nn.Linear(4, 2, seed=1))
    opt = nn.LBFGS(model.parameters(), max_iter=5, history_size=4, line_search_fn="strong_wolfe")
    trained(model, opt, 2)
    nn.save(model, tmp_path / "run.npz", optimizer=opt)
    again = nn.Sequential(nn.Linear(3, 4, seed=5), nn.Tanh(), nn.Linear(4, 2, seed=6))
    resumed = nn.LBFGS(again.parameters(), history_size=4)
    nn.load(again, tmp_path / "run.npz", optimizer=resumed)
    assert resumed.line_search_fn == "strong_wolfe" and resumed.max_iter == 5
    trained(model, opt, 2)
    trained(again, resumed, 2)
    same(snapshot(opt), snapshot(resumed))


def test_a_state_before_any_iteration_saves_and_loads():
    """A first step at a minimum (max|g| <= tolerance_grad) makes a state of one evaluation and no iteration."""
    w = Tensor(np.zeros(3), requires_grad=True)
    opt = nn.LBFGS([w])
    opt.step(closure_of(opt, lambda: (w**2).sum()))
    assert opt.state["flat"] == {"func_evals": 1, "n_iter": 0, "old_dirs": [], "old_stps": [], "ro": []}
    again = nn.LBFGS([w])
    again.load_state_dict(opt.state_dict())
    assert again.state == opt.state


def _trained_state():
    params, loss_of = problem()
    opt = nn.LBFGS(params, max_iter=3, history_size=5)
    opt.step(closure_of(opt, loss_of))
    return opt, opt.state_dict()


def _edited(state, name, change):
    state = dict(state)
    state[name] = np.array(state[name])
    change(state[name])
    return state


@pytest.mark.parametrize(
    ("name", "change", "match"),
    [
        ("state.flat.history", lambda a: a.fill(a + 1), r"history holds 2 pairs, beyond the 1 that 2 iteration\(s\)"),
        ("state.flat.ro", lambda a: a.__setitem__(0, -1.0), r"ro holds -1.0 for a kept pair"),
        ("state.flat.old_dirs", lambda a: a.__setitem__(4, 1.0), r"old_dirs holds values where no step writes any"),
        ("state.flat.H_diag", lambda a: a.fill(-1.0), r"H_diag holds -1.0 .*: the Hessian's scale is y.s / y.y >= 0"),
        ("state.flat.func_evals", lambda a: a.fill(0), r"func_evals holds 0"),
        ("state.flat.n_iter", lambda a: a.fill(10**9), r"n_iter 1000000000: .* at least one evaluation each"),
        ("state.flat.d", lambda a: a.__setitem__(0, math.nan), r"state.flat.d holds 1 NaN or infinite value"),
        ("line_search_fn", lambda a: a.fill(2), r"line_search_fn holds 2, not the place of a choice \(0 for None"),
        ("max_iter", lambda a: a.fill(0), r"max_iter must be an integer >= 1, got 0"),
    ],
)
def test_a_state_no_step_makes_is_refused_and_changes_nothing(name, change, match):
    opt, state = _trained_state()
    before = snapshot(opt)
    with pytest.raises(ValueError, match=match):
        opt.load_state_dict(_edited(state, name, change))
    same(before, snapshot(opt))


def test_a_state_of_another_history_size_is_refused_naming_it():
    """The history's arrays are (history_size, n): a state saved with another history_size is refused from the
    headers, naming the history_size to make the LBFGS with (nn.load reads no more than this optimizer's history
    can hold: a file cannot make it read a history of any size)."""
    opt, state = _trained_state()
    other = nn.LBFGS(opt.params, history_size=2)
    told = r"room for 5 pairs .*saved with history_size=5, and this LBFGS's history_size is 2: make it with"
    with pytest.raises(ValueError, match=told):
        other.check_state({k: (v.shape, v.dtype) for k, v in state.items()})
    with pytest.raises(ValueError, match=told):
        other.load_state_dict(state)
    assert not other.state and other.history_size == 2


def test_a_smaller_history_size_keeps_the_newest_pairs():
    """PyTorch's LBFGS, its history_size lowered (or raised), keeps every pair (it pops only at the new size) and
    its step fails with an IndexError once they outnumber the size it started with; here the history keeps the
    newest history_size pairs, in the step and in the state dict."""
    params, loss_of = problem()
    opt = nn.LBFGS(params, max_iter=6, history_size=5)
    opt.step(closure_of(opt, loss_of))
    newest = opt.state["flat"]["old_stps"][-2:]
    opt.param_groups[0]["history_size"] = 2
    state = opt.state_dict()
    assert state["state.flat.old_stps"].shape == (2, 15) and int(state["state.flat.history"]) == 2
    assert all(np.array_equal(a, b) for a, b in zip(state["state.flat.old_stps"], newest))
    opt.step(closure_of(opt, loss_of))
    assert len(opt.state["flat"]["old_dirs"]) == 2
    opt.param_groups[0]["history_size"] = 7
    for _ in range(3):
        opt.step(closure_of(opt, loss_of))
    assert 2 < len(opt.state["flat"]["old_dirs"]) <= 7


def test_a_state_made_for_other_parameters_is_refused_at_the_step():
    params, loss_of = problem()
    opt = nn.LBFGS(params)
    opt.step(closure_of(opt, loss_of))
    params[0].data, params[1].data = np.zeros((4, 3), np.float32), np.zeros(3, np.float32)
    with pytest.raises(TypeError, match="LBFGS: its state is float64, made before the parameters became"):
        opt.step(closure_of(opt, loss_of))


def _trained(dtype=np.float64):
    params, loss_of = problem(dtype=dtype)
    opt = nn.LBFGS(params, max_iter=4, history_size=5)
    for _ in range(2):
        opt.step(closure_of(opt, loss_of))
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
    """ro not 1 / y.s of its pair, H_diag not y.s / y.y of the newest: such a history makes directions that climb,
    and the step then failed blaming the loss ('lower lr') or stalled, never the state."""
    opt, state = _trained(dtype)
    assert int(state["state.flat.history"]) == 5
    lie(state)
    before = snapshot(opt)
    with pytest.raises(ValueError, match=told):
        opt.load_state_dict(state)
    same(before, snapshot(opt))


def test_h_diag_before_any_pair_is_one():
    w = Tensor(np.array([3.0, -2.0]), requires_grad=True)
    opt = nn.LBFGS([w], max_iter=1)
    opt.step(closure_of(opt, lambda: (w**2).sum()))
    state = {k: np.array(v) for k, v in opt.state_dict().items()}
    assert int(state["state.flat.history"]) == 0 and state["state.flat.H_diag"] == 1
    nn.LBFGS([w]).load_state_dict(state)
    state["state.flat.H_diag"] = np.array(5.0)
    with pytest.raises(ValueError, match=r"H_diag holds 5\.0 with no pair kept, where a step leaves it 1"):
        nn.LBFGS([w]).load_state_dict(state)


def test_state_dict_of_parameters_that_changed_size_says_so():
    """A parameter given a .data of another size after a step: state_dict refuses, as the next step does, naming
    the sizes (it was numpy's 'could not broadcast input array from shape (1,3) into shape (1,5)')."""
    w = Tensor(np.ones(3), requires_grad=True)
    opt = nn.LBFGS([w], max_iter=3)
    opt.step(closure_of(opt, lambda: ((w - 2) ** 2).sum()))
    w.data = np.ones(5)
    told = r"LBFGS: its state was made for parameters of 3 numbers, and they hold 5 now"
    with pytest.raises(ShapeError, match=told):
        opt.state_dict()
    with pytest.raises(ShapeError, match=told):
        opt.step(closure_of(opt, lambda: ((w - 2) ** 2).sum()))

"""nn.LBFGS without torch (tests/test_torch_reference_lbfgs.py compares it with torch.optim.LBFGS): step needs a
closure; its settings are checked as every optimizer's (integers, tolerances, the line search's choice), by the
constructor, a param group and a loaded state alike; a loss or a gradient holding NaN or an infinity, or an error
in the closure, at any evaluation of a step puts the parameters and the state back as they were; state_dict,
load_state_dict, nn.save and nn.load keep the whole state, so training goes on bit for bit, and refuse a state no
step makes before anything changes; a compiled step runs eagerly; a scheduler changes its lr."""

import math
import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, Value
from nn.optim_lacking import settings_elsewhere


def _problem(seed=0, dtype=np.float64):
    """A least-squares fit of a 4-3 linear model (W, b) to 12 points: its parameters and loss function."""
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(12, 4)), rng.normal(size=(12, 3))
    W = Tensor(rng.normal(size=(4, 3)).astype(dtype), requires_grad=True)
    b = Tensor(np.zeros(3, dtype), requires_grad=True)
    X, Y = Tensor(x.astype(dtype)), Tensor(y.astype(dtype))
    return [W, b], lambda: ((X @ W + b - Y) ** 2).mean() + 0.1 * (W**4).sum()


def _closure(opt, loss_of, spoil=None):
    """PyTorch's closure; `spoil(k, loss)` may replace the loss of the k-th call (from 1)."""
    calls = [0]

    def closure():
        calls[0] += 1
        opt.zero_grad()
        loss = loss_of()
        loss.backward()
        return loss if spoil is None else spoil(calls[0], loss)

    closure.calls = calls
    return closure


def _snapshot(opt):
    return [np.array(p.data) for p in opt.params], {k: np.array(v) for k, v in opt.state_dict().items()}


def _same(a, b):
    assert all(np.array_equal(x, y) for x, y in zip(a[0], b[0]))
    assert a[1].keys() == b[1].keys() and all(np.array_equal(a[1][k], b[1][k]) for k in a[1])


SEARCHES = [None, "strong_wolfe"]


def test_step_needs_a_closure_and_says_how_to_write_it():
    params, _ = _problem()
    opt = nn.LBFGS(params)
    with pytest.raises(TypeError, match=r"LBFGS\.step needs a closure .* optimizer\.step\(closure\)"):
        opt.step()
    with pytest.raises(TypeError, match=r"LBFGS\.step: closure must be a function, got float"):
        opt.step(1.0)
    with pytest.raises(TypeError, match=r"the closure returned NoneType None; it must return the loss"):
        opt.step(lambda: None)
    assert not opt.state


@pytest.mark.parametrize(
    ("settings", "error", "match"),
    [
        ({"max_iter": 0}, ValueError, "max_iter must be an integer >= 1, got 0"),
        ({"max_iter": 2.5}, TypeError, "max_iter must be an integer >= 1, got float 2.5"),
        ({"max_iter": True}, TypeError, "max_iter must be an integer >= 1"),
        ({"max_eval": 0}, ValueError, "max_eval must be an integer >= 1"),
        ({"history_size": 0}, ValueError, "history_size must be an integer >= 1"),
        ({"history_size": "100"}, TypeError, "history_size must be an integer >= 1"),
        ({"tolerance_grad": -1e-7}, ValueError, "tolerance_grad must be a finite number >= 0"),
        ({"tolerance_change": math.nan}, ValueError, "tolerance_change must be a finite number >= 0"),
        ({"lr": -1}, ValueError, "lr must be a finite number >= 0"),
        ({"line_search_fn": "wolfe"}, ValueError, "line_search_fn must be None or 'strong_wolfe', got 'wolfe'"),
        ({"line_search_fn": 1}, TypeError, "line_search_fn must be None or 'strong_wolfe', got int 1"),
        ({"foreach": None}, TypeError, r"unexpected keyword argument 'foreach' \(torch.optim.LBFGS has no foreach"),
        ({"maximize": True}, TypeError, r"LBFGS\(\) got an unexpected keyword argument .maximize.$"),
    ],
)
def test_settings_are_checked(settings, error, match):
    with pytest.raises(error, match=match):
        nn.LBFGS(_problem()[0], **settings)


def test_the_defaults_and_max_eval_as_torchs():
    params, _ = _problem()
    group = nn.LBFGS(params).param_groups[0]
    assert {k: group[k] for k in group if k != "params"} == {
        "lr": 1.0,
        "max_iter": 20,
        "max_eval": 25,
        "tolerance_grad": 1e-7,
        "tolerance_change": 1e-9,
        "history_size": 100,
        "line_search_fn": None,
    }
    assert [nn.LBFGS(params, max_iter=m).max_eval for m in (1, 4, 8, np.int64(9))] == [1, 5, 10, 11]
    assert type(nn.LBFGS(params, max_iter=np.int64(9)).max_iter) is int


def test_a_param_group_sets_and_checks_the_settings():
    params, _ = _problem()
    opt = nn.LBFGS(params)
    (group,) = opt.param_groups
    group["line_search_fn"], group["max_iter"], group["max_eval"] = "strong_wolfe", 7, 9
    assert (opt.line_search_fn, opt.max_iter, opt.max_eval) == ("strong_wolfe", 7, 9)
    with pytest.raises(TypeError, match="max_eval must be an integer >= 1, got NoneType None"):
        group["max_eval"] = None  # the constructor's default only: PyTorch's step would fail comparing it
    with pytest.raises(ValueError, match="line_search_fn must be None or 'strong_wolfe'"):
        group["line_search_fn"] = "backtracking"
    assert (opt.line_search_fn, opt.max_eval) == ("strong_wolfe", 9)
    with pytest.raises(AttributeError, match="LBFGS has no setting 'momentum'"):
        opt.momentum = 0.9


def test_the_settings_other_optimizers_lack_come_from_the_classes():
    """An LBFGS setting assigned to Adam is refused as Adam's momentum was (the list was written by hand), and
    every name the hand-written list held is still refused."""
    adam = nn.Adam(_problem()[0])
    for name in ("max_iter", "history_size", "line_search_fn", "tolerance_grad"):
        with pytest.raises(AttributeError, match=f"Adam has no setting '{name}'"):
            setattr(adam, name, 3)
    before = (
        "lr momentum dampening nesterov betas eps weight_decay alpha centered lr_decay initial_accumulator_value "
        "amsgrad maximize foreach capturable differentiable fused momentum_decay decoupled_weight_decay rho etas "
        "step_sizes"
    ).split()
    assert settings_elsewhere(adam) == {*before, *nn.LBFGS.hyperparameters, *nn.LBFGS.integers, "line_search_fn"}


def test_an_optimizer_class_made_later_adds_its_settings():
    """The names are read once and kept until a class of optimizer is made: one made in nn after (its module
    nn's) adds its settings to those others refuse."""
    import gc

    from nn.optim_lacking import forget

    adam = nn.Adam(_problem()[0])
    adam.my_note = "kept"  # the caller's own attribute
    assert "warmth" not in settings_elsewhere(adam)

    class Warm(nn.SGD):
        __module__ = "nn.warm"
        hyperparameters = (*nn.SGD.hyperparameters, "warmth")

    with pytest.raises(AttributeError, match="Adam has no setting 'warmth'"):
        adam.warmth = 0.5
    del Warm
    gc.collect()
    forget()
    assert "warmth" not in settings_elsewhere(adam)


@pytest.mark.parametrize("search", SEARCHES)
@pytest.mark.parametrize("at", [1, 2, 4])
@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_a_loss_not_finite_puts_everything_back(search, at, bad):
    """A loss of NaN or inf at the at-th evaluation of the second step (its first; within its iterations, or its
    line search): FloatingPointError, the parameters and the state as the step found them, and the next step
    the one an optimizer that never saw it takes."""
    params, loss_of = _problem()
    twin_params, twin_loss = _problem()
    opt, twin = (
        nn.LBFGS(params, max_iter=5, line_search_fn=search),
        nn.LBFGS(twin_params, max_iter=5, line_search_fn=search),
    )
    opt.step(_closure(opt, loss_of))
    twin.step(_closure(twin, twin_loss))
    before = _snapshot(opt)
    spoiled = _closure(opt, loss_of, lambda k, loss: Tensor(np.array(bad)) if k == at else loss)
    with pytest.raises(FloatingPointError, match=f"LBFGS: the closure's loss is {bad} at an evaluation"):
        opt.step(spoiled)
    assert spoiled.calls[0] == at
    _same(before, _snapshot(opt))
    opt.step(_closure(opt, loss_of))
    twin.step(_closure(twin, twin_loss))
    _same(_snapshot(twin), _snapshot(opt))


@pytest.mark.parametrize("search", SEARCHES)
def test_a_gradient_not_finite_or_an_error_in_the_closure_puts_everything_back(search):
    params, loss_of = _problem()
    opt = nn.LBFGS(params, max_iter=5, line_search_fn=search)
    opt.step(_closure(opt, loss_of))
    before = _snapshot(opt)

    def spoil(k, loss):
        if k == 3:
            params[1].grad = np.array([0.0, math.inf, 0.0])
        return loss

    with pytest.raises(FloatingPointError, match=r"the gradient of parameter 1, of shape \(3,\) \(float64\) holds 1"):
        opt.step(_closure(opt, loss_of, spoil))
    _same(before, _snapshot(opt))

    def fail(k, loss):
        if k == 2:
            raise ZeroDivisionError("in the closure")
        return loss

    with pytest.raises(ZeroDivisionError, match="in the closure"):
        opt.step(_closure(opt, loss_of, fail))
    _same(before, _snapshot(opt))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("search", SEARCHES)
def test_state_dict_and_load_state_dict_go_on_bit_for_bit(search, dtype):
    """Three steps, the state saved, loaded into a new LBFGS over a copy of the parameters (a history of 3, filled
    past its size): the next three steps of both are the same, bit for bit (float32's scalars, t, ro and H_diag,
    saved as float64 and loaded as float32 again)."""
    settings = {"max_iter": 4, "history_size": 3, "line_search_fn": search, "lr": 1 if search else 0.3}
    params, loss_of = _problem(dtype=dtype)
    opt = nn.LBFGS(params, **settings)
    for _ in range(3):
        opt.step(_closure(opt, loss_of))
    assert len(opt.state["flat"]["old_dirs"]) == 3 and opt.state_dict()["state.flat.history"] == 3
    copies, copy_loss = _problem(dtype=dtype)
    for p, q in zip(copies, params):
        p.data = np.array(q.data)
    again = nn.LBFGS(copies, lr=0.5, history_size=3)
    again.load_state_dict(opt.state_dict())
    assert again.line_search_fn == search and again.history_size == 3 and again.lr == settings["lr"]
    for _ in range(3):
        assert float(opt.step(_closure(opt, loss_of)).data) == float(again.step(_closure(again, copy_loss)).data)
    _same(_snapshot(opt), _snapshot(again))


def test_nn_save_and_load_keep_the_state_and_training_goes_on(tmp_path):
    rng = np.random.default_rng(1)
    x, y = Tensor(rng.normal(size=(10, 3))), Tensor(rng.normal(size=(10, 2)))

    def trained(model, opt, steps):
        for _ in range(steps):
            opt.step(_closure(opt, lambda: ((model(x) - y) ** 2).mean()))

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
    _same(_snapshot(opt), _snapshot(resumed))


def test_a_state_before_any_iteration_saves_and_loads():
    """A first step at a minimum (max|g| <= tolerance_grad) makes a state of one evaluation and no iteration."""
    w = Tensor(np.zeros(3), requires_grad=True)
    opt = nn.LBFGS([w])
    opt.step(_closure(opt, lambda: (w**2).sum()))
    assert opt.state["flat"] == {"func_evals": 1, "n_iter": 0, "old_dirs": [], "old_stps": [], "ro": []}
    again = nn.LBFGS([w])
    again.load_state_dict(opt.state_dict())
    assert again.state == opt.state


def _trained_state():
    params, loss_of = _problem()
    opt = nn.LBFGS(params, max_iter=3, history_size=5)
    opt.step(_closure(opt, loss_of))
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
        ("state.flat.d", lambda a: a.__setitem__(0, math.nan), r"state.flat.d holds 1 NaN or infinite value"),
        ("line_search_fn", lambda a: a.fill(2), r"line_search_fn holds 2, not the place of a choice \(0 for None"),
        ("max_iter", lambda a: a.fill(0), r"max_iter must be an integer >= 1, got 0"),
    ],
)
def test_a_state_no_step_makes_is_refused_and_changes_nothing(name, change, match):
    opt, state = _trained_state()
    before = _snapshot(opt)
    with pytest.raises(ValueError, match=match):
        opt.load_state_dict(_edited(state, name, change))
    _same(before, _snapshot(opt))


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
    params, loss_of = _problem()
    opt = nn.LBFGS(params, max_iter=6, history_size=5)
    opt.step(_closure(opt, loss_of))
    newest = opt.state["flat"]["old_stps"][-2:]
    opt.param_groups[0]["history_size"] = 2
    state = opt.state_dict()
    assert state["state.flat.old_stps"].shape == (2, 15) and int(state["state.flat.history"]) == 2
    assert all(np.array_equal(a, b) for a, b in zip(state["state.flat.old_stps"], newest))
    opt.step(_closure(opt, loss_of))
    assert len(opt.state["flat"]["old_dirs"]) == 2
    opt.param_groups[0]["history_size"] = 7
    for _ in range(3):
        opt.step(_closure(opt, loss_of))
    assert 2 < len(opt.state["flat"]["old_dirs"]) <= 7


def test_a_frozen_parameter_does_not_move_and_values_train_beside_tensors():
    """Tensors and a Value as one vector of 16 (the closure's loss a float: the two graphs cannot mix); a Tensor
    frozen since keeps its data, though the history has directions for it."""
    params, loss_of = _problem()
    scale = Value(0.5)
    opt = nn.LBFGS([*params, scale], max_iter=5)

    def closure():
        opt.zero_grad()
        tensors, value = loss_of(), (scale - 2.0) ** 2
        tensors.backward()
        value.backward()
        return float(tensors.data) + value.data

    opt.step(closure)
    assert scale.data != 0.5 and opt.state["flat"]["d"].shape == (16,)
    params[1].requires_grad = False
    frozen, moving = np.array(params[1].data), np.array(params[0].data)
    opt.step(closure)
    assert np.array_equal(params[1].data, frozen) and not np.array_equal(params[0].data, moving)


def test_a_last_move_to_infinity_is_refused_and_puts_everything_back():
    """Without a line search the last iteration's move is not evaluated (torch's rule: the next step's first
    evaluation is); an lr that moves a parameter to infinity there was kept, the state too (torch's as well). It
    is refused now, everything as the step found it."""
    w = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = nn.LBFGS([w], lr=0.1, max_iter=1)
    closure = _closure(opt, lambda: (w**2).sum())
    opt.step(closure)
    opt.lr = 1e308  # the second step's t is lr itself
    before = _snapshot(opt)
    with np.errstate(over="ignore"), pytest.raises(FloatingPointError, match=r"its last move, by a step length of"):
        opt.step(closure)
    _same(before, _snapshot(opt))
    opt.lr = 0.1
    opt.step(closure)
    assert opt.state["flat"]["n_iter"] == 2


def test_empty_parameters_are_refused():
    with pytest.raises(ValueError, match="LBFGS: its parameters hold no numbers"):
        nn.LBFGS([Tensor(np.zeros(0), requires_grad=True)]).step(lambda: 0.0)


def test_a_state_made_for_other_parameters_is_refused_at_the_step():
    params, loss_of = _problem()
    opt = nn.LBFGS(params)
    opt.step(_closure(opt, loss_of))
    params[0].data, params[1].data = np.zeros((4, 3), np.float32), np.zeros(3, np.float32)
    with pytest.raises(TypeError, match="LBFGS: its state is float64, made before the parameters became"):
        opt.step(_closure(opt, loss_of))


@pytest.mark.parametrize("search", SEARCHES)
def test_a_compiled_step_runs_eagerly_with_eagers_numbers(search):
    def run(compiled):
        params, loss_of = _problem()
        opt = nn.LBFGS(params, max_iter=4, line_search_fn=search, lr=1 if search else 0.3)

        def train_step():
            return opt.step(_closure(opt, loss_of))

        step = autograd.compile(train_step) if compiled else train_step
        return [float(step().data) for _ in range(3)], [np.array(p.data) for p in params]

    with pytest.warns(autograd.CompileWarning, match=r"LBFGS\.step\(closure\) evaluates the closure.*runs eagerly"):
        compiled = run(True)
    eager = run(False)
    assert compiled[0] == eager[0] and all(np.array_equal(a, b) for a, b in zip(compiled[1], eager[1]))


def test_a_scheduler_changes_the_lr_of_the_next_steps():
    """StepLR halves lr every step: after the first iteration, each iteration's step length is the lr of its step."""
    params, loss_of = _problem()
    opt = nn.LBFGS(params, lr=0.4, max_iter=3)
    scheduler = nn.schedulers.StepLR(opt, 1, gamma=0.5)
    for lr in (0.4, 0.2, 0.1):
        assert opt.lr == opt.param_groups[0]["lr"] == lr
        opt.step(_closure(opt, loss_of))
        if opt.state["flat"]["n_iter"] > 1:
            assert opt.state["flat"]["t"] == lr
        scheduler.step()


def test_fit_refuses_lbfgs_naming_the_closure():
    """nn.fit steps on one batch's gradient; LBFGS's step needs a closure: the TypeError says so."""
    model = nn.Linear(2, 1, seed=0)
    opt = nn.LBFGS(model.parameters())
    with warnings.catch_warnings(), pytest.raises(TypeError, match=r"LBFGS\.step needs a closure"):
        warnings.simplefilter("ignore")
        nn.fit(
            model,
            nn.functional.mse_loss,
            opt,
            (np.ones((4, 2)), np.ones((4, 1))),
            batch_size=4,
            metric=None,
            verbose=False,
        )

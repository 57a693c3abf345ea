"""nn.LBFGS without torch (tests/test_torch_reference_lbfgs.py compares it with torch.optim.LBFGS): step needs a
closure; its settings are checked as every optimizer's (integers, tolerances, the line search's choice), by the
constructor, a param group and a loaded state alike; a loss or a gradient holding NaN or an infinity, or an error
in the closure, at any evaluation of a step puts the parameters and the state back as they were; a compiled step
runs eagerly; a scheduler changes its lr. Its state dict: tests/test_optim_lbfgs_state.py."""

import math

import numpy as np
import pytest
from lbfgs_problem import closure_of, problem, same, snapshot

import autograd
import nn
from autograd import Tensor, Value
from nn.optim_lacking import settings_elsewhere

SEARCHES = [None, "strong_wolfe"]


def test_step_needs_a_closure_and_says_how_to_write_it():
    params, _ = problem()
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
        nn.LBFGS(problem()[0], **settings)


def test_the_defaults_and_max_eval_as_torchs():
    params, _ = problem()
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
    params, _ = problem()
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
    adam = nn.Adam(problem()[0])
    for name in ("max_iter", "history_size", "line_search_fn", "tolerance_grad"):
        with pytest.raises(AttributeError, match=f"Adam has no setting '{name}'"):
            setattr(adam, name, 3)
    before = (
        "lr momentum dampening nesterov betas eps weight_decay alpha centered lr_decay initial_accumulator_value "
        "amsgrad maximize foreach capturable differentiable fused momentum_decay decoupled_weight_decay rho etas "
        "step_sizes"
    ).split()
    added = {*nn.LBFGS.hyperparameters, *nn.LBFGS.integers, "line_search_fn", *nn.ASGD.hyperparameters}
    added |= {*nn.Adafactor.hyperparameters}
    assert settings_elsewhere(adam) == {*before, *added}


def test_an_optimizer_class_made_later_adds_its_settings():
    """The names are read once and kept until a class of optimizer is made: one made in nn after (its module
    nn's) adds its settings to those others refuse."""
    import gc

    from nn.optim_lacking import forget

    adam = nn.Adam(problem()[0])
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
    params, loss_of = problem()
    twin_params, twin_loss = problem()
    opt, twin = (
        nn.LBFGS(params, max_iter=5, line_search_fn=search),
        nn.LBFGS(twin_params, max_iter=5, line_search_fn=search),
    )
    opt.step(closure_of(opt, loss_of))
    twin.step(closure_of(twin, twin_loss))
    before = snapshot(opt)
    spoiled = closure_of(opt, loss_of, lambda k, loss: Tensor(np.array(bad)) if k == at else loss)
    with pytest.raises(FloatingPointError, match=f"LBFGS: the closure's loss is {bad} at an evaluation"):
        opt.step(spoiled)
    assert spoiled.calls[0] == at
    same(before, snapshot(opt))
    opt.step(closure_of(opt, loss_of))
    twin.step(closure_of(twin, twin_loss))
    same(snapshot(twin), snapshot(opt))


@pytest.mark.parametrize("search", SEARCHES)
def test_a_gradient_not_finite_or_an_error_in_the_closure_puts_everything_back(search):
    params, loss_of = problem()
    opt = nn.LBFGS(params, max_iter=5, line_search_fn=search)
    opt.step(closure_of(opt, loss_of))
    before = snapshot(opt)

    def spoil(k, loss):
        if k == 3:
            params[1].grad = np.array([0.0, math.inf, 0.0])
        return loss

    with pytest.raises(FloatingPointError, match=r"the gradient of parameter 1, of shape \(3,\) \(float64\) holds 1"):
        opt.step(closure_of(opt, loss_of, spoil))
    same(before, snapshot(opt))

    def fail(k, loss):
        if k == 2:
            raise ZeroDivisionError("in the closure")
        return loss

    with pytest.raises(ZeroDivisionError, match="in the closure"):
        opt.step(closure_of(opt, loss_of, fail))
    same(before, snapshot(opt))


def test_a_frozen_parameter_does_not_move_and_values_train_beside_tensors():
    """Tensors and a Value as one vector of 16 (the closure's loss a float: the two graphs cannot mix); a Tensor
    frozen since keeps its data, though the history has directions for it."""
    params, loss_of = problem()
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
    closure = closure_of(opt, lambda: (w**2).sum())
    opt.step(closure)
    opt.lr = 1e308  # the second step's t is lr itself
    before = snapshot(opt)
    with np.errstate(over="ignore"), pytest.raises(FloatingPointError, match=r"its last move, by a step length of"):
        opt.step(closure)
    same(before, snapshot(opt))
    opt.lr = 0.1
    opt.step(closure)
    assert opt.state["flat"]["n_iter"] == 2


def test_empty_parameters_are_refused():
    with pytest.raises(ValueError, match="LBFGS: its parameters hold no numbers"):
        nn.LBFGS([Tensor(np.zeros(0), requires_grad=True)]).step(lambda: 0.0)


@pytest.mark.parametrize("search", SEARCHES)
def test_a_compiled_step_runs_eagerly_with_eagers_numbers(search):
    def run(compiled):
        params, loss_of = problem()
        opt = nn.LBFGS(params, max_iter=4, line_search_fn=search, lr=1 if search else 0.3)

        def train_step():
            return opt.step(closure_of(opt, loss_of))

        step = autograd.compile(train_step) if compiled else train_step
        return [float(step().data) for _ in range(3)], [np.array(p.data) for p in params]

    with pytest.warns(autograd.CompileWarning, match=r"LBFGS\.step\(closure\) evaluates the closure.*runs eagerly"):
        compiled = run(True)
    eager = run(False)
    assert compiled[0] == eager[0] and all(np.array_equal(a, b) for a, b in zip(compiled[1], eager[1]))


def test_a_scheduler_changes_the_lr_of_the_next_steps():
    """StepLR halves lr every step: after the first iteration, each iteration's step length is the lr of its step."""
    params, loss_of = problem()
    opt = nn.LBFGS(params, lr=0.4, max_iter=3)
    scheduler = nn.schedulers.StepLR(opt, 1, gamma=0.5)
    for lr in (0.4, 0.2, 0.1):
        assert opt.lr == opt.param_groups[0]["lr"] == lr
        opt.step(closure_of(opt, loss_of))
        if opt.state["flat"]["n_iter"] > 1:
            assert opt.state["flat"]["t"] == lr
        scheduler.step()

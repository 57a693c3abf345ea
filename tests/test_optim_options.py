"""Every optimizer's `maximize`, Adam's and AdamW's `amsgrad`, Adam's `decoupled_weight_decay`, and PyTorch's
options that choose how torch computes a step (foreach, fused, capturable, differentiable: nn.optim_options),
without torch; tests/test_torch_reference_optim_options.py compares them with torch.optim's.

SGD, Adam, AdamW, RMSprop and Adagrad had no maximize (a TypeError for `maximize=True` copied from PyTorch),
Adam and AdamW no amsgrad, Adam no decoupled_weight_decay, and `foreach=None` (PyTorch's default, written out)
was refused by every optimizer as an unexpected keyword."""

import numpy as np
import pytest
from optimizer_names import ALL_OPTIMIZERS, stepped

import nn
from autograd import Tensor, Value

# the most options on that each takes besides maximize, so that every slot and pass is used
FULL = {
    "SGD": {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1},
    "Adam": {"amsgrad": True, "weight_decay": 0.1},
    "AdamW": {"amsgrad": True},
    "RMSprop": {"momentum": 0.5, "centered": True, "weight_decay": 0.1},
    "Adagrad": {"lr_decay": 0.05, "weight_decay": 0.1},
    "Adamax": {"weight_decay": 0.1},
    "NAdam": {"weight_decay": 0.1, "decoupled_weight_decay": True},
    "RAdam": {"weight_decay": 0.1},
    "Adadelta": {"weight_decay": 0.1},
    "Rprop": {},
    "ASGD": {"lambd": 0.01, "t0": 3.0, "weight_decay": 0.1},
    "Adafactor": {"lr": 0.05, "eps": (1e-3, 1e-3), "d": 1.5, "weight_decay": 0.1},
}
# the options of torch.optim 2.13's constructors that choose how a step is computed, by optimizer
TORCH_OPTIONS = {
    "SGD": ("foreach", "differentiable", "fused"),
    "Adagrad": ("foreach", "differentiable", "fused"),
    "Adam": ("foreach", "capturable", "differentiable", "fused"),
    "AdamW": ("foreach", "capturable", "differentiable", "fused"),
    "LBFGS": (),
    "Adafactor": ("foreach",),
}
# maximize is a setting of every optimizer whose torch.optim counterpart has it: all but LBFGS (torch's has none),
# for which the test of maximize has no premise
MAXIMIZING = [name for name in ALL_OPTIMIZERS if "maximize" in getattr(nn, name).flags]
DEFAULT_OPTIONS = ("foreach", "capturable", "differentiable")


def _trained(name, grads, **kw):
    rng = np.random.default_rng(0)
    w = Tensor(rng.normal(size=(3, 4)), requires_grad=True)
    opt = getattr(nn, name)([w], **kw)
    for g in grads:
        stepped(opt, lambda g=g: setattr(w, "grad", g.copy()))  # LBFGS through a closure giving this gradient
    return w.data


@pytest.mark.parametrize("name", MAXIMIZING)
def test_maximize_climbs_as_descending_on_the_negated_gradient(name):
    """maximize=True on gradients g is the step without it on -g, bit for bit (negation is exact): each update
    negates the gradient first, before weight decay, as PyTorch's."""
    rng = np.random.default_rng(1)
    grads = [rng.normal(size=(3, 4)) * (rng.random((3, 4)) > 0.2) for _ in range(12)]
    climbed = _trained(name, grads, maximize=True, **FULL[name])
    np.testing.assert_array_equal(climbed, _trained(name, [-g for g in grads], **FULL[name]))
    assert not np.array_equal(climbed, _trained(name, grads, **FULL[name]))


def test_adam_with_decoupled_weight_decay_is_adamw():
    rng = np.random.default_rng(2)
    grads = [rng.normal(size=(3, 4)) for _ in range(10)]
    for amsgrad in (False, True):
        kw = {"lr": 0.01, "weight_decay": 0.3, "amsgrad": amsgrad}
        np.testing.assert_array_equal(
            _trained("Adam", grads, decoupled_weight_decay=True, **kw), _trained("AdamW", grads, **kw)
        )
    with pytest.raises(TypeError, match="unexpected keyword argument 'decoupled_weight_decay'"):  # as torch's AdamW
        nn.AdamW([Tensor(np.zeros(2), requires_grad=True)], decoupled_weight_decay=True)


def test_amsgrad_divides_by_the_largest_second_moment_yet():
    """A large gradient then small ones: amsgrad's denominator keeps the large one's moment, so its steps are
    smaller than Adam's, and its v_max is the running maximum of v."""
    grads = [np.full((3, 4), 10.0)] + [np.full((3, 4), 0.1)] * 20
    start = np.random.default_rng(0).normal(size=(3, 4))
    plain, ams = (_trained("Adam", grads, lr=0.1, amsgrad=a) for a in (False, True))
    assert np.all(np.abs(ams - start) < np.abs(plain - start))
    w = Tensor(np.zeros(2), requires_grad=True)
    opt = nn.Adam([w], amsgrad=True)
    biggest = np.zeros(2)
    for g in ([3.0, 0.0], [0.0, 1.0], [0.1, 0.1]):
        w.grad = np.array(g)
        opt.step()
        biggest = np.maximum(biggest, opt.state[0]["v"])
        np.testing.assert_array_equal(opt.state[0]["v_max"], biggest)
    assert set(opt.state_dict()) >= {"state.0.v_max", "amsgrad"}


def test_amsgrad_switched_on_later_starts_its_maximum_from_v():
    w = Tensor(np.ones(2), requires_grad=True)
    opt = nn.Adam([w])
    w.grad = np.array([1.0, 2.0])
    opt.step()
    opt.param_groups[0]["amsgrad"] = True  # PyTorch's step then fails: KeyError 'max_exp_avg_sq'
    opt.step()
    np.testing.assert_array_equal(opt.state[0]["v_max"], opt.state[0]["v"])


@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_pytorchs_default_options_are_taken_and_change_nothing(name):
    """`foreach=None, differentiable=False` (and fused, capturable where torch's class has them), as code copied
    from PyTorch writes them: the same steps as without, bit for bit."""
    takes = TORCH_OPTIONS.get(name, DEFAULT_OPTIONS)
    defaults = {"foreach": None, "fused": None, "capturable": False, "differentiable": False}
    grads = [np.random.default_rng(3).normal(size=(3, 4))] * 5
    given = {option: defaults[option] for option in takes}
    np.testing.assert_array_equal(_trained(name, grads, **given), _trained(name, grads))
    if takes:  # LBFGS takes none, as torch's (refused in the test below)
        _trained(name, grads, foreach=False, **({"differentiable": np.False_} if "differentiable" in takes else {}))


@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_an_option_that_would_change_the_numbers_is_refused_with_why(name):
    takes = TORCH_OPTIONS.get(name, DEFAULT_OPTIONS)
    w = Tensor(np.zeros(2), requires_grad=True)
    optimizer = getattr(nn, name)
    reasons = {
        "foreach": "multi-tensor kernels round some steps differently",
        "fused": "fused kernels round differently",
        "capturable": "CUDA graph capture",
        "differentiable": "records PyTorch's step in the autograd graph",
    }
    for option in takes:
        with pytest.raises(ValueError, match=f"{name}: {option}=True is not taken, only .*: .*{reasons[option]}"):
            optimizer([w], **{option: True})
    if "foreach" in takes:
        with pytest.raises(ValueError, match="foreach=0 is not taken"):  # a flag is a bool, as in every nn setting
            optimizer([w], foreach=0)
    for option in sorted(set(reasons) - set(takes)):  # torch's class lacks it too: a TypeError, as there
        with pytest.raises(TypeError, match=f"unexpected keyword argument '{option}' \\(torch.optim.{name} has no"):
            optimizer([w], **{option: False})
    with pytest.raises(TypeError, match=f"{name}\\(\\) got an unexpected keyword argument 'lrate'$"):
        optimizer([w], lrate=0.1)


def _without_amsgrad(name):
    """FULL's settings, amsgrad off (a state saved before it was a setting keeps no maximum)."""
    return {k: v for k, v in FULL[name].items() if k != "amsgrad"}


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_a_state_saved_before_the_new_flags_loads_with_them_off(name):
    """A state dict written before maximize (and amsgrad, decoupled_weight_decay) were settings lacks their
    entries: it loads, each flag off (PyTorch's default, and what the optimizer did then), even into an
    optimizer made with the flag on; a flag present is loaded as saved."""
    w = Tensor(np.ones(3), requires_grad=True)
    saved = getattr(nn, name)([w], **FULL[name])
    w.grad = np.arange(3.0)
    saved.step()
    old = {k: v for k, v in saved.state_dict().items() if k not in ("maximize", "amsgrad", "decoupled_weight_decay")}
    if name.startswith("Adam"):
        old = {k: v for k, v in old.items() if k != "state.0.v_max"}  # no amsgrad then: no maximum kept
    opt = getattr(nn, name)([w], maximize=True, **_without_amsgrad(name))
    opt.load_state_dict(old)
    assert opt.maximize is False and getattr(opt, "amsgrad", False) is False
    assert not getattr(opt, "decoupled_weight_decay", False) or name == "AdamW"
    opt.step()
    on = getattr(nn, name)([w], **_without_amsgrad(name))
    on.load_state_dict(opt.state_dict() | {"maximize": np.array(1)})
    assert on.maximize is True


def test_a_file_saved_before_maximize_loads_with_nn_load(tmp_path, monkeypatch):
    """nn.load checks a file's entries against the optimizer's layout before reading them: one without the
    flags added since loads too."""
    model = nn.Linear(2, 1)
    opt = nn.Adam(model.parameters(), lr=0.01)
    model(Tensor(np.ones((1, 2)))).sum().backward()
    opt.step()
    with monkeypatch.context() as m:
        m.setattr(nn.Adam, "flags", ())  # the Adam of before: no flags at all
        nn.save(model, tmp_path / "old.npz", optimizer=opt)
    again = nn.Adam(model.parameters(), maximize=True, amsgrad=False)
    nn.load(model, tmp_path / "old.npz", optimizer=again)
    assert (again.maximize, again.amsgrad, again.decoupled_weight_decay, again.lr) == (False, False, False, 0.01)
    np.testing.assert_array_equal(again.state[0]["m"], opt.state[0]["m"])


def test_a_pytorch_state_dict_is_refused_naming_what_it_is():
    """torch.optim's state_dict ({'state': {0: {...}}, 'param_groups': [...]}) was refused as a state
    'saved before chainrule wrote' its kind entry, which it is not."""
    w = Tensor(np.zeros(2), requires_grad=True)
    opt = nn.Adam([w], lr=0.5)
    torchs = {"state": {0: {"step": 1.0, "exp_avg": [0.1, 0.1]}}, "param_groups": [{"lr": 1e-3, "params": [0]}]}
    with pytest.raises(ValueError, match="into Adam: it is a PyTorch optimizer's state_dict \\('state' and 'param"):
        opt.load_state_dict(torchs)
    assert opt.lr == 0.5 and opt.state == {}


def test_the_flags_are_in_the_param_group_and_values_step_with_them():
    v = [Value(1.0), Value(-2.0)]
    opt = nn.SGD(v, lr=0.5, maximize=True)
    assert opt.param_groups[0]["maximize"] is True
    v[0].grad, v[1].grad = 1.0, 2.0
    opt.step()
    assert [x.data for x in v] == [1.5, -1.0]

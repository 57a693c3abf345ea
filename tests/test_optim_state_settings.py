"""An optimizer's state dict holds its kind and every setting, and loading one checks them as the
constructor does: Nesterov SGD with dampening or without momentum, another kind's state (an Adam's
into AdamW), a state without the kind, and a centered RMSprop's square_avg below grad_avg**2 (the
next step's square root of a negative) are refused, the optimizer unchanged. nn.load's errors about
the optimizer's entries name the optimizer and the entries as the file does."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.optim import SGD, Adagrad, Adam, AdamW, RMSprop


def param() -> Tensor:
    return Tensor(np.array([1.0, -2.0]), requires_grad=True)


def stepped(opt, steps=1):
    """`opt` after `steps` steps on its parameter, a gradient of [0.5, -1.5] each time."""
    for _ in range(steps):
        opt.params[0].grad = np.array([0.5, -1.5])
        opt.step()
    return opt


def unchanged(opt, before) -> bool:
    after = opt.state_dict()
    return after.keys() == before.keys() and all(np.array_equal(after[k], before[k]) for k in before)


# ---- 1. the settings a state holds are checked as the constructor checks them ----


@pytest.mark.parametrize("change", [{"dampening": 0.5}, {"momentum": 0.0}])
def test_nesterov_settings_the_constructor_refuses_are_refused_on_load(change):
    opt = stepped(SGD([param()], lr=0.1, momentum=0.9, nesterov=True))
    before = opt.state_dict()
    state = before | {name: np.array(value) for name, value in change.items()}
    if change.get("momentum") == 0.0:
        state = {k: v for k, v in state.items() if not k.startswith("state.")}  # momentum 0 keeps no buffer
    with pytest.raises(ValueError, match="cannot load this state into SGD: Nesterov momentum needs a momentum > 0"):
        opt.load_state_dict(state)
    assert unchanged(opt, before) and opt.nesterov and opt.dampening == 0.0


def test_the_flags_are_saved_and_taken_from_the_state():
    plain = stepped(SGD([param()], lr=0.1, momentum=0.9))
    assert plain.state_dict()["nesterov"].item() == 0 and SGD([param()]).state_dict()["nesterov"].dtype == np.int64
    assert RMSprop([param()], centered=True).state_dict()["centered"].item() == 1
    # a momentum SGD's state into a Nesterov SGD: the update goes on as the saved one's, not Nesterov's
    resumed = SGD([Tensor(plain.params[0].data.copy(), requires_grad=True)], lr=0.1, momentum=0.9, nesterov=True)
    resumed.load_state_dict(plain.state_dict())
    assert not resumed.nesterov
    stepped(plain, 2)
    stepped(resumed, 2)
    assert np.array_equal(resumed.params[0].data, plain.params[0].data)
    centered = RMSprop([param()], centered=True)
    centered.load_state_dict(RMSprop([param()]).state_dict())
    assert not centered.centered


def test_adagrads_initial_accumulator_value_is_saved_and_loaded():
    fresh = Adagrad([param()])
    fresh.load_state_dict(Adagrad([param()], initial_accumulator_value=0.5).state_dict())
    assert fresh.initial_accumulator_value == 0.5


@pytest.mark.parametrize("value, problem", [(2, "got 2"), (-1, "got -1")])
def test_a_flag_other_than_0_or_1_is_refused(value, problem):
    opt = stepped(RMSprop([param()], centered=True))
    before = opt.state_dict()
    with pytest.raises(ValueError, match=f"into RMSprop: centered must be True or False \\(1 or 0\\), {problem}"):
        opt.load_state_dict(before | {"centered": np.array(value)})
    assert unchanged(opt, before)


def test_a_flag_argument_is_a_bool():
    with pytest.raises(TypeError, match="SGD: nesterov must be True or False, got str 'yes'"):
        SGD([param()], momentum=0.9, nesterov="yes")
    assert SGD([param()], momentum=0.9, nesterov=np.True_).nesterov is True


def test_a_state_whose_flag_needs_other_slots_is_refused():
    opt = stepped(RMSprop([param()], centered=True))
    before = opt.state_dict()
    # centered off, but grad_avg kept: not a state a non-centered RMSprop makes
    with pytest.raises(KeyError, match="unexpected \\['state.0.grad_avg'\\]"):
        opt.load_state_dict(before | {"centered": np.array(0)})
    assert unchanged(opt, before) and opt.centered


@pytest.mark.parametrize("saved, loading", [(Adam, AdamW), (AdamW, Adam), (Adam, SGD)])
def test_another_kinds_state_is_refused_naming_both(saved, loading):
    state = stepped(saved([param()], weight_decay=0.1)).state_dict()
    opt = stepped(loading([param()], lr=0.5))
    before = opt.state_dict()
    mine, theirs = loading.__name__, saved.__name__
    with pytest.raises(
        ValueError, match=f"into {mine}: it is the state of {theirs} \\(kind.{theirs}\\), not of {mine}"
    ):
        opt.load_state_dict(state)
    assert unchanged(opt, before)


def test_a_state_without_the_kind_entry_is_refused():
    old = stepped(SGD([param()], lr=0.1, momentum=0.9)).state_dict()
    del old["kind.SGD"], old["nesterov"]  # as saved before the kind and the flags were
    opt = SGD([param()], momentum=0.9, nesterov=True)
    with pytest.raises(KeyError, match="into SGD: missing 'kind.SGD', the entry naming the optimizer that saved"):
        opt.load_state_dict(old)
    assert opt.nesterov and opt.state == {}


# ---- 2. a centered RMSprop's square_avg below grad_avg**2 would make the next step NaN ----


def test_a_centered_square_avg_below_the_squared_mean_is_refused():
    opt = stepped(RMSprop([param()], centered=True))
    before = opt.state_dict()
    bad = before | {"state.0.square_avg": np.array([0.0, 4.0]), "state.0.grad_avg": np.array([1.0, 2.0])}
    with pytest.raises(ValueError, match="state.0.square_avg is below state.0.grad_avg squared at 1 element"):
        opt.load_state_dict(bad)
    assert unchanged(opt, before)
    opt.load_state_dict(bad | {"state.0.square_avg": np.array([1.0, 4.0])})  # equal is a variance of 0: taken
    stepped(opt)
    assert np.isfinite(opt.params[0].data).all()


# ---- 3. nn.load's errors about the optimizer's entries name it and the file's names ----


def checkpoint(tmp_path, change):
    model = nn.Linear(2, 1, seed=0)
    opt = Adam(model.parameters())
    model(Tensor(np.ones((1, 2)))).sum().backward()
    opt.step()
    path = tmp_path / "ck.npz"
    nn.save(model, path, optimizer=opt)
    with np.load(path) as saved:
        entries = dict(saved)
    change(entries)
    np.savez(path, **entries)
    return model, path


@pytest.mark.parametrize(
    "change, loading, message",
    [
        (lambda e: e.pop("_optimizer.lr"), Adam, r" does not fit the optimizer Adam: missing \['_optimizer.lr'\]"),
        (
            lambda e: e.update({"_optimizer.state.0.t": np.array(1.0)}),
            Adam,
            r" does not fit the optimizer Adam: _optimizer.state.0.t has dtype float64",
        ),
        (
            lambda e: None,
            AdamW,
            r" does not fit the optimizer AdamW: it is the state of Adam \(_optimizer.kind.Adam\), not of AdamW",
        ),
        (
            lambda e: e.update({"_optimizer.lr": np.array(-1.0)}),
            Adam,
            r": cannot load this state into Adam: _optimizer.lr",
        ),
        (
            lambda e: e.update({"_optimizer.state.0.v": -np.ones_like(e["_optimizer.state.0.v"])}),
            Adam,
            r": cannot load this state into Adam: _optimizer.state.0.v holds 2 value",
        ),
    ],
)
def test_nn_load_names_the_optimizer_and_the_files_entries(tmp_path, change, loading, message):
    model, path = checkpoint(tmp_path, change)
    before = model.state_dict()
    opt = loading(model.parameters(), lr=0.5)
    with pytest.raises(ValueError, match=f"ck.npz{message}") as caught:
        nn.load(model, path, optimizer=opt)
    assert "Linear" not in str(caught.value)
    assert opt.state == {} and opt.lr == 0.5 and unchanged(model, before)


def test_nn_load_still_names_the_model_for_the_models_entries(tmp_path):
    model, path = checkpoint(tmp_path, lambda e: e.pop("b"))
    with pytest.raises(ValueError, match=r"ck.npz does not fit this Linear: missing \['b'\]"):
        nn.load(model, path, optimizer=Adam(model.parameters()))


@pytest.mark.parametrize("setting", ["centered", "momentum"])
def test_an_rmsprop_setting_switched_on_after_steps_starts_its_slot_from_zeros(setting):
    """centered=True or momentum > 0 set after the first steps: their slots (grad_avg, the momentum buffer)
    start from zeros then, as at a first step, where PyTorch's step raises a bare KeyError (it did here too,
    after moving the step counts of the parameters before it)."""
    alpha, lr, eps, g = 0.9, 0.01, 1e-8, np.array([0.5, -1.5])
    opt = stepped(RMSprop([param()], lr=lr, alpha=alpha, eps=eps), 3)
    square_avg, data = opt.state[0]["square_avg"].copy(), opt.params[0].data.copy()
    setattr(opt, setting, True if setting == "centered" else 0.5)
    stepped(opt)
    square_avg = alpha * square_avg + (1 - alpha) * g * g
    mean = (1 - alpha) * g if setting == "centered" else 0.0  # grad_avg from zeros
    step = g / (np.sqrt(square_avg - mean**2) + eps)  # the momentum buffer from zeros: 0.5 * 0 + this
    np.testing.assert_allclose(opt.params[0].data, data - lr * step, rtol=1e-12)
    assert opt.state[0]["step"] == 4


@pytest.mark.parametrize(
    ("make", "setting", "value"),
    [
        (lambda p: Adam(p, lr=0.01), "amsgrad", True),
        (lambda p: AdamW(p, lr=0.01), "amsgrad", True),
        (lambda p: RMSprop(p, lr=0.01), "centered", True),
        (lambda p: RMSprop(p, lr=0.01), "momentum", 0.5),
        (lambda p: SGD(p, lr=0.01, maximize=True, dampening=0.3), "momentum", 0.9),
    ],
)
def test_a_state_saved_after_a_setting_switched_on_loads_and_goes_on_the_same(make, setting, value):
    """A setting that adds a slot switched on between steps, then state_dict() before the next step: it
    loaded as a state missing that slot (KeyError "missing ['state.0.v_max']"); now it holds the slot as
    the next step starts it (zeros; SGD's buffer, made from the gradient, holds no state yet), and the
    optimizer loaded from it takes the same steps as the one saved, bit for bit."""
    opt = stepped(make([param()]), 3)
    setattr(opt, setting, value)
    saved = opt.state_dict()
    twin = make([Tensor(opt.params[0].data.copy(), requires_grad=True)])
    setattr(twin, setting, value)  # made with the settings the state was saved with
    twin.load_state_dict(saved)
    stepped(opt, 3), stepped(twin, 3)
    assert np.array_equal(twin.params[0].data, opt.params[0].data)
    assert unchanged(twin, opt.state_dict())

"""Optimizers over named parameters, as torch.optim 2.13 takes them (`nn.SGD(model.named_parameters())`): every
optimizer takes (name, parameter) pairs (they were refused with a TypeError), keeps the names (`param_names`, in
its param group and its state_dict), names a parameter by its name when refusing a step on a gradient that is not
finite, and refuses pairs it cannot name by with one clear error. The comparison with torch's keys is in
test_optim_param_groups."""

import math

import numpy as np
import pytest
from optimizer_names import ALL_OPTIMIZERS, stepped

import nn
from autograd import Tensor, Value


def _model():
    return nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))


@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_every_optimizer_takes_named_parameters_and_steps_as_over_unnamed_ones(name):
    named_model, model = _model(), _model()
    for (_, a), b in zip(named_model.named_parameters(), model.parameters()):
        a.data = np.array(b.data)
    named = getattr(nn, name)(named_model.named_parameters(), lr=0.1)
    plain = getattr(nn, name)(model.parameters(), lr=0.1)
    assert named.param_names == ["layers.0.W", "layers.0.b", "layers.1.W", "layers.1.b"]
    assert plain.param_names is None and "param_names" not in plain.param_groups[0]
    assert named.param_groups[0]["param_names"] == named.param_names

    def halves():
        for p, q in zip(named_model.parameters(), model.parameters()):
            p.grad = q.grad = np.full(p.shape, 0.5, p.dtype)

    stepped(named, halves)
    stepped(plain, halves)
    for p, q in zip(named_model.parameters(), model.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_a_refused_step_names_the_parameter_by_its_name(name):
    model = _model()
    opt = getattr(nn, name)(model.named_parameters())

    def spoiled():
        for _, p in model.named_parameters():
            p.grad = np.zeros(p.shape, p.dtype)
        model.layers[1].W.grad = np.full(model.layers[1].W.shape, math.nan, np.float32)

    with pytest.raises(FloatingPointError, match=r"the gradient of layers\.1\.W \(parameter 2\), of shape") as caught:
        stepped(opt, spoiled)
    assert caught.value.parameter is model.layers[1].W and caught.value.parameter_name == "layers.1.W"


def test_a_values_refusal_names_it_by_its_name():
    a, b = Value(1.0), Value(2.0)
    opt = nn.Adam([("a", a), ("b", b)])
    a.grad, b.grad = 0.5, math.inf
    with pytest.raises(FloatingPointError, match=r"the Value .* \(b \(parameter 1\)\) holds 1 infinity"):
        opt.step()


def test_state_dict_keeps_the_names_and_loads_between_named_and_unnamed():
    """A named optimizer's names go into its state dict; loaded into an unnamed one they become its names (as torch
    does), and an unnamed state (or one saved before) loaded into a named one leaves its names as they were."""
    model = _model()
    named = nn.Adam(model.named_parameters())
    for p in model.parameters():
        p.grad = np.ones(p.shape, p.dtype)
    named.step()
    state = named.state_dict()
    assert [k for k in state if k.startswith("param_names.")] == [
        "param_names.0.layers.0.W",
        "param_names.1.layers.0.b",
        "param_names.2.layers.1.W",
        "param_names.3.layers.1.b",
    ]
    plain = nn.Adam(model.parameters())
    plain.load_state_dict(state)
    assert plain.param_names == named.param_names and plain.param_groups[0]["param_names"] == named.param_names
    again = nn.Adam(model.named_parameters(), lr=0.5)
    again.load_state_dict(nn.Adam(model.parameters(), lr=0.25).state_dict())
    assert again.param_names == named.param_names and again.lr == 0.25


def test_a_state_naming_other_places_is_refused_and_changes_nothing():
    model = _model()
    opt = nn.SGD(model.named_parameters(), lr=0.5)
    state = opt.state_dict() | {"lr": np.array(0.25)}
    del state["param_names.3.layers.1.b"]
    with pytest.raises(ValueError, match=r"param_names\.\* name 3 parameters, and this SGD holds 4"):
        opt.load_state_dict(state)
    assert opt.lr == 0.5 and opt.param_names[3] == "layers.1.b"


def test_nn_save_and_load_keep_the_names_and_old_files_load(tmp_path):
    model = _model()
    named = nn.Adam(model.named_parameters())
    for p in model.parameters():
        p.grad = np.ones(p.shape, p.dtype)
    named.step()
    nn.save(model, tmp_path / "named.npz", optimizer=named)
    plain = nn.Adam(model.parameters())
    nn.load(model, tmp_path / "named.npz", optimizer=plain)
    assert plain.param_names == named.param_names
    nn.save(model, tmp_path / "plain.npz", optimizer=nn.Adam(model.parameters(), lr=0.25))
    renamed = nn.Adam(model.named_parameters())
    nn.load(model, tmp_path / "plain.npz", optimizer=renamed)
    assert renamed.param_names == named.param_names and renamed.lr == 0.25


W = Tensor(np.zeros(2), requires_grad=True)
B = Tensor(np.zeros(1), requires_grad=True)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ([(0, W), ("b", B)], TypeError, r"the name of parameter 0 is int 0, not a non-empty str"),
        ([("", W)], TypeError, r"the name of parameter 0 is str '', not a non-empty str"),
        ([("w", W), B], ValueError, r"named parameters .* and unnamed ones \(item 1"),
        ([("w", W), ("v", W)], ValueError, r"got the parameter 'v' \(also 'w'\) twice"),
        ([("w", W), ("w", B)], ValueError, r"got the name 'w' twice"),
    ],
)
@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_pairs_it_cannot_name_by_are_refused(name, params, error, match):
    with pytest.raises(error, match=match):
        getattr(nn, name)(params)


def test_fit_names_a_parameter_the_model_does_not_hold_by_the_optimizers_name_for_it():
    """A loss's own parameter (a temperature), given to the optimizer by name, whose gradient is infinite: fit's
    refusal said only "a parameter the model does not hold"; it gives the name the optimizer was given now."""
    model = nn.Linear(2, 3, seed=0)
    temperature = Tensor(np.zeros(1), requires_grad=True)

    def loss(out, yb):  # sqrt at 0: an infinite gradient for the temperature, a finite loss
        return nn.functional.cross_entropy(out, yb) + (temperature - temperature.detach()).sum().sqrt()

    opt = nn.SGD([*model.named_parameters(), ("temperature", temperature)], lr=0.1)
    X, y = np.ones((4, 2)), np.array([0, 1, 2, 0])
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError) as caught:
        nn.fit(model, loss, opt, (X, y), batch_size=4, verbose=False)
    assert "the gradient of the optimizer's parameter 'temperature', which the model does not hold" in str(caught.value)

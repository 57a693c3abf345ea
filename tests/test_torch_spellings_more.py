"""More of PyTorch's spellings, each an alias of what chainrule has (autograd/tensor_torch.py,
autograd.stack, nn.functional's activations, Module.load_state_dict), against PyTorch's own:
values, gradients, dtypes, and the refusals of what they cannot mean."""

import numpy as np
import pytest
from torch_reference import DTYPES, check, torch  # without torch: skipped

import autograd
import nn
from autograd import ShapeError, Tensor
from nn import functional as F

X = [[0.5, -1.0, 2.0], [2.0, 0.25, 2.0]]  # ties in row 1: amax shares the gradient among them
X3 = np.arange(24.0).reshape(2, 3, 4) / 7 - 1
CASES = {
    "t()": (lambda t: t.t() * 2, lambda t: t.t() * 2, X),
    "t() of 1-d": (lambda t: t[0].t() * t[1], lambda t: t[0].t() * t[1], X),
    "mT": (lambda t: t.mT @ t, lambda t: t.mT @ t, X3),
    "to(float64)": (lambda t: t.to(np.float64) * t.double(), lambda t: t.to(torch.float64) * t.double(), X),
    "to(copy=True)": (lambda t: t.to(t.dtype, copy=True) * t, lambda t: t.to(t.dtype, copy=True) * t, X),
    "type_as": (
        lambda t: t.type_as(Tensor(np.zeros(1, np.float64))) * t,
        lambda t: t.type_as(torch.zeros(1, dtype=torch.float64)) * t,
        X,
    ),
    "amax()": (lambda t: t.amax(), lambda t: t.amax(), X),
    "amax(1)": (lambda t: t.amax(1), lambda t: t.amax(1), X),
    "amin(dim, keepdim)": (lambda t: t.amin(dim=(0, 2), keepdim=True), lambda t: t.amin(dim=(0, 2), keepdim=True), X3),
    "amax(())": (lambda t: t.amax(()), lambda t: t.amax(()), X),
    "stack(dim=)": (
        lambda t: autograd.stack([t, t * 3], dim=1),
        lambda t: torch.stack([t, t * 3], dim=1),
        X,
    ),
    "stack(dim=-1)": (
        lambda t: autograd.stack([t, t * 3], dim=-1),
        lambda t: torch.stack([t, t * 3], dim=-1),
        X,
    ),
    "F.relu(inplace=True)": (lambda t: F.relu(t, inplace=True), lambda t: torch.nn.functional.relu(t), X),
    "F.leaky_relu(inplace=)": (
        lambda t: F.leaky_relu(t, 0.2, inplace=True),
        lambda t: torch.nn.functional.leaky_relu(t, 0.2),
        X,
    ),
    "F.hardtanh(inplace=)": (
        lambda t: F.hardtanh(t, -0.5, max_val=1.5, inplace=False),
        lambda t: torch.nn.functional.hardtanh(t, -0.5, max_val=1.5, inplace=False),
        X,
    ),
    "F.elu(inplace=)": (lambda t: F.elu(t, inplace=True), lambda t: torch.nn.functional.elu(t), X),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CASES)
def test_each_spelling_is_torch_s(name, dtype):
    ours, theirs, x = CASES[name]
    # amax's second derivative is 0; torch's at ties is as well: compared as the rest
    check(ours, theirs, [x], dtype)


@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge"])
@pytest.mark.parametrize("other", [2.0, np.array([2.0, 0.25, 1.0]), "tensor"])
def test_the_comparison_methods_are_the_operators(name, other):
    t, reference = Tensor(np.array(X)), torch.tensor(X)
    ours = getattr(t, name)(Tensor(np.array(X[::-1])) if isinstance(other, str) else other)
    theirs = getattr(reference, name)(torch.tensor(X[::-1]) if isinstance(other, str) else torch.as_tensor(other))
    assert ours.dtype == np.bool_ and not ours.requires_grad
    assert ours.tolist() == theirs.tolist()


def test_a_comparison_with_no_number_is_a_type_error_not_false():
    # `t == None` is Python's identity, False; PyTorch's t.eq(None) refuses, and so does chainrule's
    with pytest.raises(TypeError, match=r"eq\(\): compares with a number"):
        Tensor(np.array(X)).eq(None)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda x: x.new_zeros(2, 3), lambda x: x.new_zeros(2, 3)),
        (lambda x: x.new_ones((3,)), lambda x: x.new_ones((3,))),
        (lambda x: x.new_full((2,), 3.7), lambda x: x.new_full((2,), 3.7)),
        (lambda x: x.new_full((2,), 3.7, dtype=np.int64), lambda x: x.new_full((2,), 3.7, dtype=torch.int64)),
        (lambda x: x.new_zeros(()), lambda x: x.new_zeros(())),
    ],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float16, np.int32])
def test_new_tensors_take_this_tensors_dtype(ours, theirs, dtype):
    made = ours(Tensor(np.ones(2), dtype=dtype))
    reference = theirs(torch.ones(2, dtype=getattr(torch, np.dtype(dtype).name)))
    assert str(made.dtype) == str(reference.dtype).removeprefix("torch.")
    assert made.tolist() == reference.tolist() and not made.requires_grad


def test_to_returns_the_tensor_itself_when_nothing_changes_as_pytorch():
    t = Tensor(np.array(X), requires_grad=True)
    assert t.to("cpu") is t and t.to(np.float64) is t and t.to(t) is t and t.to() is t
    assert t.to(np.float64, copy=True) is not t
    assert t.to(torch.device("cpu"), torch.float16).dtype == np.float16  # PyTorch's own device and dtype objects
    assert t.to(np.int64).dtype == np.int64 and not t.to(np.int64).requires_grad  # a constant, as PyTorch's


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda t: t.to("cuda"), ValueError, "device 'cuda' is not available"),
        (lambda t: t.to(device="cuda:0", dtype=np.float64), ValueError, "is not available"),
        (lambda t: t.to(torch.device("meta")), ValueError, "is not available"),
        (lambda t: t.to("cpu", "cpu"), TypeError, "twice"),
        (lambda t: t.to(t, np.float64), TypeError, "twice"),
        (lambda t: t.to(np.float64, dtype=np.float16), TypeError, "twice"),
        (lambda t: t.to(np.complex64), TypeError, "not dtype complex64"),
        (lambda t: t.to(np.float64, copy=1), TypeError, "copy takes True or False"),
        (lambda t: t.type_as(np.zeros(1)), TypeError, "other must be a Tensor"),
        (lambda t: t.reshape(1, 2, 3).t(), ShapeError, r"t\(\) transposes at most 2 dims"),
        (lambda t: t[0].mT, ShapeError, "mT swaps the last two dims"),
        (lambda t: t.amax(2), IndexError, "amax"),
        (lambda t: t.amin(keepdim=1), TypeError, r"amin\(\): keepdim"),
        (lambda t: autograd.stack([t, t], axis=0, dim=1), TypeError, "both axis= .* and dim="),
        (lambda t: autograd.stack([t, t], dim=None), TypeError, "must be an int"),
        (lambda t: F.relu(t, inplace="yes"), TypeError, "relu: inplace must be True or False"),
    ],
)
def test_what_cannot_mean_one_thing_is_refused(call, error, words):
    with pytest.raises(error, match=words):
        call(Tensor(np.array(X)))


def test_stack_keeps_numpys_axis():
    t = Tensor(np.array(X))
    assert autograd.stack([t, t], 1).shape == autograd.stack([t, t], axis=1).shape == (2, 2, 3)
    assert autograd.stack([t, t]).shape == (2, 2, 3)


class Pair(nn.Module):
    def __init__(self):
        self.a = Tensor(np.ones((2, 3)), requires_grad=True)
        self.b = Tensor(np.ones(3), requires_grad=True)


class TorchPair(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.ones(2, 3, dtype=torch.float64))
        self.b = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))


def test_load_state_dict_not_strict_loads_what_matches_and_says_what_did_not():
    state = {"extra": np.zeros(1), "a": np.full((2, 3), 2.0)}
    ours, theirs = Pair(), TorchPair()
    got = ours.load_state_dict(state, strict=False)
    expected = theirs.load_state_dict({k: torch.tensor(v) for k, v in state.items()}, strict=False)
    assert (got.missing_keys, got.unexpected_keys) == (expected.missing_keys, expected.unexpected_keys)
    missing, unexpected = got
    assert (missing, unexpected) == (["b"], ["extra"])
    np.testing.assert_array_equal(ours.a.data, theirs.a.detach().numpy())
    np.testing.assert_array_equal(ours.b.data, np.ones(3))
    assert tuple(Pair().load_state_dict(Pair().state_dict())) == ([], [])  # strict: both empty, as PyTorch's


@pytest.mark.parametrize(
    ("state", "words"),
    [
        ({"a": np.zeros((3, 3)), "b": np.zeros(3)}, "a has shape"),
        ({"b": np.zeros(3), "a": np.full((2, 3), np.nan)}, "NaN"),
        ({"b": np.zeros(3), "a": np.zeros((2, 3), np.int64)}, "floating point"),
    ],
)
def test_load_state_dict_not_strict_still_checks_every_entry_it_loads_and_changes_nothing(state, words):
    model = Pair()
    with pytest.raises(ValueError, match=words):
        model.load_state_dict(state, strict=False)
    np.testing.assert_array_equal(model.b.data, np.ones(3))  # b was fine, and is not loaded either


def test_load_state_dict_strict_takes_true_or_false():
    with pytest.raises(TypeError, match="Pair.load_state_dict: strict must be True or False"):
        Pair().load_state_dict({}, strict=0)


@pytest.mark.parametrize("unbiased", [True, False])
@pytest.mark.parametrize("name", ["std", "var"])
def test_unbiased_is_the_correction_it_means(name, unbiased):
    x = np.random.default_rng(3).normal(size=(4, 3))
    correction = 1 if unbiased else 0
    for kwargs in ({}, {"dim": 1}):
        got = getattr(Tensor(x), name)(unbiased=unbiased, **kwargs).numpy()
        want = getattr(Tensor(x), name)(correction=correction, **kwargs).numpy()
        np.testing.assert_array_equal(got, want)
    with pytest.raises(TypeError, match="say the correction once"):
        getattr(Tensor(x), name)(unbiased=unbiased, ddof=1)
    with pytest.raises(TypeError, match="unbiased takes True or False"):
        getattr(Tensor(x), name)(unbiased=1)


def test_an_int_device_is_refused_as_a_device():
    """PyTorch's to(0) is cuda:0: refused with the device's words, not as a dtype numpy lacks."""
    with pytest.raises(ValueError, match="device 0 is not available"):
        Tensor([1.0]).to(0)
    with pytest.raises(ValueError, match="device 0 is not available"):
        nn.Linear(2, 2).to(0)


def test_inplace_given_last_by_position_as_pytorch_takes_it():
    x = np.array([-1.5, 0.5, 2.0])
    want = {"ReLU": [0.0, 0.5, 2.0], "LeakyReLU": [-0.3, 0.5, 2.0], "Hardtanh": [-1.0, 0.5, 1.0]}
    layers = {"ReLU": nn.ReLU(True), "LeakyReLU": nn.LeakyReLU(0.2, True), "Hardtanh": nn.Hardtanh(-1.0, 1.0, True)}
    for name, layer in layers.items():
        np.testing.assert_allclose(layer(Tensor(x)).numpy(), want[name])
    np.testing.assert_allclose(F.leaky_relu(Tensor(x), 0.2, True).numpy(), want["LeakyReLU"])
    np.testing.assert_allclose(F.relu(Tensor(x), False).numpy(), want["ReLU"])
    with pytest.raises(TypeError, match="got inplace twice"):
        nn.ReLU(True, inplace=False)
    with pytest.raises(TypeError, match="got inplace twice"):
        F.relu(Tensor(x), True, inplace=True)

"""A learner's likeliest slips, each named with its fix: micrograd's models given a batch or a number where
they take one example, a Module's class for a Module, tensors to a loss's constructor, a micrograd model's
Values to cross_entropy."""

import itertools

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, Value


@pytest.mark.parametrize(
    "x, message",
    [  # a learner's batch given where micrograd's models take one example (it was a '<=' of memoryviews)
        (np.ones((2, 2)), r"got an array of shape \(2, 2\): one example, .*model\(list\(row\)\) for row in X"),
        (np.ones((3, 2)), r"got an array of shape \(3, 2\)"),  # it was "Neuron of 2 inputs got 3"
        ([[0.5, -1.0], [1.0, 2.0]], r"got a list holding list \[0.5, -1.0\] at \[0\]: one example, of 2 numbers"),
        (0.5, r"got float 0.5: one example"),  # it was "object of type 'float' has no len()"
        ([0.5, "a"], r"got a list holding str 'a' at \[1\]$"),  # text is no row of a batch: no word of one
        ([np.ones(2), np.ones(2)], r"got a list holding ndarray array\(\[1., 1.\]\) at \[0\]: one example"),
    ],
)
def test_micrograds_models_given_other_than_one_example_say_so(x, message):
    """Each refusal names the model called: an element that is no number said "Neuron takes" of an MLP."""
    for model, owner in (
        (nn.MLP(2, [3, 1], seed=0), "MLP"),
        (nn.Layer(2, 3), "Layer"),
        (nn.Neuron(2, False), "Neuron"),
    ):
        with pytest.raises(TypeError, match=f"^{owner} takes a list of Values or numbers, {message}"):
            model(x)


def test_micrograds_models_take_one_example_as_numbers_or_values():
    """Any ordered iterable micrograd's zip reads is one example (dict.keys() was refused, and generators,
    map, dict.values()); a generator is read once for every neuron, where micrograd's first neuron drains it
    and the others see no input at all (a silently wrong output: micrograd's MLP(2, [3, 1]) gives another)."""
    for model in (nn.MLP(2, [3, 1], seed=0), nn.Layer(2, 3), nn.Neuron(2, nonlin=False)):
        expected = _numbers(model([0.5, -1.0]))
        for x in (
            np.array([0.5, -1.0]),
            np.array([0.5, -1.0], np.float32),
            (0.5, -1),
            [Value(0.5), np.float64(-1.0)],
            {0.5: "x1", -1.0: "x2"}.keys(),
            {"x1": 0.5, "x2": -1.0}.values(),
            (v for v in (0.5, -1.0)),
            map(float, ("0.5", "-1")),
            iter([0.5, -1.0]),
        ):
            assert _numbers(model(x)) == pytest.approx(expected)
        assert _numbers(model(range(2))) != pytest.approx(expected)  # range(2) is [0, 1]: read, not refused


def _numbers(out: Value | list[Value]) -> list[float]:
    return [v.data for v in (out if isinstance(out, list) else [out])]


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: {0.5, -1.0}, TypeError, r"got set \{.*\}, whose order is not the one written; give a list$"),
        (
            lambda: {"x1": 0.5, "x2": -1.0},
            TypeError,
            r"got dict \{.*\}; give list\(d.values\(\)\) or list\(d.keys\(\)\)$",
        ),
        (lambda: iter([0.5]), ValueError, r"of 2 inputs got 1$"),
        (itertools.count, ValueError, r"of 2 inputs got 3 or more$"),  # endless: read no further than that
        (lambda: [0.5, 1.0, 2.0], ValueError, r"of 2 inputs got 3$"),
    ],
)
def test_micrograds_models_refuse_an_unordered_or_wrongly_sized_iterable(make, error, message):
    """A set's order is its hashes' (micrograd zips it as it comes), a dict's keys or values is a guess, and an
    iterable of another length was cut short by micrograd's zip: each is refused, naming the model called."""
    for model, owner in ((nn.MLP(2, [3, 1], seed=0), "MLP"), (nn.Layer(2, 3), "Layer"), (nn.Neuron(2), "Neuron")):
        with pytest.raises(error, match=f"^{owner} (takes a list of Values or numbers, )?{message}"):
            model(make())


@pytest.mark.parametrize(
    "make, message",
    [  # PyTorch learners' slips: each said only what it got ("got type", "got 2 positional")
        (lambda: nn.Sequential(nn.Linear(2, 2), nn.ReLU), r"got the class ReLU, not a ReLU: make one, ReLU\(\)"),
        (lambda: nn.Sequential([nn.Linear(2, 2), nn.ReLU()]), r"got a list: give the layers one by one"),
        # the same slip in the containers said "holds Modules, got type"
        (lambda: nn.ModuleList([nn.Linear(2, 2), nn.ReLU]), r"^ModuleList holds Modules, got the class ReLU, not a"),
        (
            lambda: nn.ModuleDict({"act": nn.Tanh}),
            r"^ModuleDict holds Modules, got the class Tanh, not a Tanh: make one",
        ),
        (lambda: nn.MSELoss(Tensor([1.0]), Tensor([2.0])), r"nn.MSELoss\(\)\(input, target\)"),
        (lambda: nn.CrossEntropyLoss(Tensor([[1.0, 2.0]]), np.array([0])), r"nn.CrossEntropyLoss\(\)\(input, target\)"),
    ],
)
def test_a_class_for_a_module_or_tensors_to_a_loss_constructor_say_the_fix(make, message):
    with pytest.raises(TypeError, match=message):
        make()


def test_cross_entropy_of_a_micrograd_models_values_does_not_say_to_wrap_them_in_a_tensor():
    scores = nn.MLP(2, [3, 3], seed=0)([0.5, -1.0])  # a list of 3 Values; Tensor(scores) is refused too
    for call in (
        lambda: F.cross_entropy(scores, np.array([1])),
        lambda: F.cross_entropy([scores, scores], np.array([1, 2])),
        lambda: F.nll_loss(scores[0], np.array([1])),
    ):
        with pytest.raises(TypeError, match=r"got Values \(a micrograd model's outputs\).*nn.Linear") as e:
            call()
        assert "Tensor(scores)" not in str(e.value)


def test_cross_entropy_of_a_list_that_holds_itself_is_refused_not_walked_forever():
    looped = []
    looped.append(looped)  # looking for a Value at its first element never ended
    with pytest.raises(TypeError, match=r"^cross_entropy: class scores must be a Tensor .*got list"):
        F.cross_entropy(looped, np.array([0]))


def test_an_mlps_layer_sizes_in_a_set_are_refused():
    """MLP(2, {1, 16}) built 2 -> 16 -> 1, the set's order (micrograd's list + set raises): now a TypeError."""
    with pytest.raises(TypeError, match=r"^MLP: nouts must be in order, but a set has none .*got \{.*\}; give a list$"):
        nn.MLP(2, {1, 16})

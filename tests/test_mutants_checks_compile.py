"""Tests that kill the mutants a mutmut run over the trust checks left alive (docs/mutation-testing.md),
continued: tensor_errors' ragged-list complaint and compile_record's guard refusals and replayed methods."""

import warnings
from types import SimpleNamespace

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, tensor_errors

# --- nn.io_safetensors: the header's checks by their words, the checksum's definition, the byte order


def test_numpys_ragged_list_complaint_in_a_forward_is_the_ragged_value_error_naming_the_op():
    op = autograd.Op("mine", lambda x: x, lambda g, out, x: (g,))
    numpys = ValueError("setting an array element with a sequence. The requested array has an inhomogeneous shape")
    error = tensor_errors.forward_error(op, [np.ones(2)], numpys)
    assert type(error) is ValueError
    assert (
        str(error) == "mine: the list has rows of different lengths, which make no array: give rows all of one length"
    )


# --- compile_record: guard's refusals and keys; replayed methods known by identity


@pytest.mark.parametrize(
    "owner, name, words",
    [
        (nn.Linear(2, 2), 5, "guard: name must be the attribute's name (a str), got int 5"),
        (
            3.5,
            "p",
            "guard: owner must be the module or optimizer whose attribute the step's graph depends on, got float 3.5",
        ),
    ],
)
def test_guard_refuses_a_name_or_owner_it_cannot_watch_naming_its_type_and_value(owner, name, words):
    with pytest.raises(TypeError) as e:
        autograd.guard(owner, name)
    assert str(e.value) == words


def test_guards_of_two_owners_with_one_attribute_name_are_both_watched():
    a, b = SimpleNamespace(scale=1.0), SimpleNamespace(scale=1.0)
    step = autograd.compile(lambda x: (x * autograd.guard(a, "scale") * autograd.guard(b, "scale")).sum())
    x = Tensor(np.ones(3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [step(x).item() for _ in range(3)] == [3.0, 3.0, 3.0]
        b.scale = 2.0
        assert [step(x).item() for _ in range(3)] == [6.0, 6.0, 6.0]


def test_an_argument_with_a_replayed_method_of_its_own_is_known_by_identity_and_the_step_replays():
    """A class of the user's whose method is @autograd.replayed (an average of the weights) is known by
    identity, as nn's optimizers: the step replays, where an argument equal only to itself runs eagerly."""
    model = nn.Linear(2, 1, seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)

    class Average:
        def __init__(self, params):
            self.params, self.kept = params, [p.data.copy() for p in params]

        @autograd.replayed
        def update(self):
            for kept, p in zip(self.kept, self.params):
                kept *= 0.5
                kept += 0.5 * p.data

    def train(x, y, average):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        average.update()
        return loss

    step, average = autograd.compile(train), Average(model.parameters())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no CompileWarning: the step is replayed
        losses = [step(Tensor(np.ones((4, 2))), Tensor(np.zeros((4, 1))), average).item() for _ in range(4)]
    assert losses == sorted(losses, reverse=True) and losses[-1] < losses[0]

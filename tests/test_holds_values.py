"""holds_values, the one check of whether data given where numbers go holds Values (a micrograd model's
outputs), which Tensor(), the operators, autograd's losses and nn's losses of class scores all ask: nested,
ragged and numpy object arrays are seen, a list that holds itself ends, a huge list stays cheap."""

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Tensor, Value, holds_values
from tests.cpu_time import cpu_seconds_at_most

RAGGED = [[Value(1.0), Value(2.0)], [Value(3.0)]]


@pytest.mark.parametrize(
    "data",
    [
        Value(1.0),
        [Value(1.0), Value(2.0)],
        [[Value(1.0)], [Value(2.0)]],
        RAGGED,
        [0.5, Value(1.0)],  # first entry a number: nn's check, which followed first entries only, missed it
        (1.0, (2.0, Value(3.0))),
        np.array([1.0, Value(2.0)], dtype=object),  # nn's check did not look into arrays
        [np.array([Value(2.0)], dtype=object)],
    ],
)
def test_values_are_seen_wherever_they_stand(data):
    assert holds_values(data)


@pytest.mark.parametrize("data", [[], [1.0, 2.0], [[1.0], [2.0, 3.0]], np.ones(3), [Tensor([1.0])], "Value", None])
def test_numbers_and_tensors_hold_no_values(data):
    assert not holds_values(data)


def test_a_list_that_holds_itself_ends():
    looped = [1.0]
    looped.append(looped)
    with cpu_seconds_at_most(2.0):
        assert not holds_values(looped)


def test_a_huge_list_is_read_only_in_part():
    rows = [[0.5] * 10_000] * 10_000  # 10**8 entries: reading them all would take tens of seconds
    with cpu_seconds_at_most(2.0):
        assert not holds_values(rows)
        assert not holds_values([0.5] * 10_000_000)


@pytest.mark.parametrize(
    "call, message",
    [  # rows of different lengths of Values: each said "rows of different lengths" (autograd's losses numpy's
        # own "setting an array element with a sequence"), where the Values are what no length would fix
        (lambda: Tensor(RAGGED), r"^Tensor\(\) needs numbers, got list holding Values: a Tensor holds numbers"),
        (lambda: Tensor([1.0]) + RAGGED, r"^\+: cannot combine a Tensor with list holding Values"),
        (lambda: autograd.cross_entropy(RAGGED, 0), r"^cross_entropy needs numbers, got list holding Values"),
        (lambda: autograd.nll_loss(RAGGED, 0), r"^nll_loss needs numbers, got list holding Values"),
        (lambda: autograd.multi_margin_loss(RAGGED, 0), r"^multi_margin_loss needs numbers, got list holding Values"),
    ],
)
def test_ragged_values_are_named_as_values(call, message):
    with pytest.raises(TypeError, match=message):
        call()


@pytest.mark.parametrize("loss", [autograd.cross_entropy, autograd.nll_loss, autograd.multi_margin_loss])
def test_autograd_losses_name_ragged_rows_of_numbers(loss):
    with pytest.raises(ValueError, match=r": the list has rows of different lengths, which make no array"):
        loss([[1.0, 2.0], [3.0]], 0)  # it was numpy's "setting an array element with a sequence"


@pytest.mark.parametrize("scores", [[0.5, Value(1.0)], np.array([Value(1.0), Value(2.0)], dtype=object), RAGGED])
@pytest.mark.parametrize("loss", [F.cross_entropy, F.nll_loss])
def test_nn_losses_of_class_scores_see_values_anywhere(loss, scores):
    # a number first or a numpy array said "wrap them: Tensor(scores)", which refuses them too
    with pytest.raises(TypeError, match=r"got Values \(a micrograd model's outputs\).*nn.Linear") as e:
        loss(scores, np.array([0]))
    assert "Tensor(scores)" not in str(e.value)


def test_a_value_anywhere_in_an_array_of_objects_is_seen():
    # Tensor() of 70,000 numbers and then a Value said "got list of dtype object (is there a None, or a list of
    # another length?)": of the object array numpy had made, 65,536 entries were read, where the check before
    # read them all; an array's own entries are in memory, so reading them all costs what making it did
    data = [0.5] * 70_000 + [Value(1.0)]
    assert holds_values(np.array(data, dtype=object))
    with pytest.raises(TypeError, match=r"^Tensor\(\) needs numbers, got list holding Values"):
        Tensor(data)

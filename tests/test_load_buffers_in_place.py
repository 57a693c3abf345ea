"""load_state_dict (and nn.load, which calls it) writes a buffer's new values into the array the module holds, as
PyTorch's copy_ into the buffer: whatever else holds that array (a loss built on the model's own class weights,
`CrossEntropyLoss(weight=self.cw)`) sees them. It put a new array in the buffer's place: after loading [5, 5, 5],
`cw` read [5, 5, 5] and the loss went on weighing by [1, 2, 3], silently."""

import numpy as np
import pytest

import nn
from autograd import Tensor


class Weighted(nn.Module):
    def __init__(self, weights):
        super().__init__()
        self.register_buffer("cw", np.array(weights, dtype=np.float32))
        self.lin = nn.Linear(2, 3, seed=0)
        self.criterion = nn.CrossEntropyLoss(weight=self.cw)


@pytest.mark.parametrize("through_file", [False, True])
def test_a_loss_built_on_a_buffer_weighs_by_the_loaded_values(through_file, tmp_path):
    source, target = Weighted([5, 5, 5]), Weighted([1, 2, 3])
    if through_file:
        nn.save(source, tmp_path / "m.npz")
        nn.load(target, tmp_path / "m.npz")
    else:
        target.load_state_dict(source.state_dict())
    assert target.criterion.weight is target.cw
    assert np.array_equal(target.cw, [5, 5, 5])
    x, y = Tensor(np.ones((2, 2), np.float32)), np.array([0, 2])
    assert target.criterion(target.lin(x), y).item() == source.criterion(source.lin(x), y).item()


def test_a_read_only_buffer_is_replaced_as_before():
    model = Weighted([1, 2, 3])
    model.cw = np.broadcast_to(np.float32(1), (3,))  # a read-only view: nothing to write into
    model.load_state_dict(Weighted([5, 5, 5]).state_dict())
    assert np.array_equal(model.cw, [5, 5, 5]) and model.cw.flags.writeable


def test_one_array_as_two_buffers_given_two_values_is_refused_before_anything_changes():
    model = Weighted([1, 2, 3])
    model.register_buffer("other", np.zeros(3, np.float32))
    model.other = model.cw  # one array, two names
    state = model.state_dict()
    state["cw"], state["other"] = np.full(3, 5, np.float32), np.full(3, 7, np.float32)
    state["lin.W"] = state["lin.W"] + 1
    before = model.lin.W.data.copy()
    with pytest.raises(ValueError, match="'cw' and 'other' are one array"):
        model.load_state_dict(state)
    assert np.array_equal(model.cw, [1, 2, 3]) and np.array_equal(model.lin.W.data, before)
    state["other"] = state["cw"].copy()  # the same values: loaded, the two still one array
    model.load_state_dict(state)
    assert model.other is model.cw and np.array_equal(model.cw, [5, 5, 5])

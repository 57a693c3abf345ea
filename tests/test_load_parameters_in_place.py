"""Loading a state writes each parameter's values into the array it holds, as PyTorch's `param.copy_(input)` under
no_grad: the same array (identity, memory and layout kept), so whatever views it (a user's `w = p.data`, a slice,
a buffer over a row of it, a flat vector the parameters are views of) sees the loaded values. It put a new array in
the parameter's place: after loading, `p.data` read the file's values and the user's `w` the old ones, silently.
Memory shared by two entries (one array under two names, or a view of another) given values that one write would
undo in the other is refused naming both keys, bitwise, before anything changes; torch loads the last write silently."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.export import from_torch_state_dict, to_torch_state_dict


def load(model: nn.Module, source: nn.Module, how: str, tmp_path) -> None:
    if how == "load_state_dict":
        model.load_state_dict(source.state_dict())
    elif how == "strict=False":
        model.load_state_dict(source.state_dict(), strict=False)
    elif how == "nn.load":
        nn.save(source, tmp_path / "m.npz")
        nn.load(model, tmp_path / "m.npz")
    else:
        from_torch_state_dict(model, to_torch_state_dict(source))


HOWS = ["load_state_dict", "strict=False", "nn.load", "from_torch_state_dict"]


@pytest.mark.parametrize("how", HOWS)
def test_a_parameter_keeps_its_array_and_its_views_see_the_loaded_values(how, tmp_path):
    model, source = nn.Linear(3, 2, seed=0), nn.Linear(3, 2, seed=1)
    held, row = model.W.data, model.W.data[0]
    load(model, source, how, tmp_path)
    assert model.W.data is held
    assert np.array_equal(row, source.W.data[0]) and np.array_equal(held, source.W.data)


@pytest.mark.parametrize("how", HOWS[:3])
def test_a_fortran_ordered_parameter_keeps_its_layout(how, tmp_path):
    model, source = nn.Linear(3, 2, seed=0), nn.Linear(3, 2, seed=1)
    model.W.data = np.asfortranarray(model.W.data)
    load(model, source, how, tmp_path)
    assert model.W.data.flags.f_contiguous and not model.W.data.flags.c_contiguous
    assert np.array_equal(model.W.data, source.W.data)


class FlatVector(nn.Module):
    """Two parameters as views into one flat array (a layout some users keep for fused updates)."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.flat = np.random.default_rng(seed).standard_normal(10).astype(np.float32)
        self.a = nn.Parameter(self.flat[:6].reshape(2, 3))
        self.b = nn.Parameter(self.flat[6:])


def test_parameters_viewing_one_flat_array_stay_views_of_it():
    model, source = FlatVector(0), FlatVector(1)
    flat = model.flat
    model.load_state_dict(source.state_dict())
    assert np.array_equal(flat, source.flat)
    assert np.shares_memory(model.a.data, flat) and np.shares_memory(model.b.data, flat)


class RowBuffer(nn.Module):
    """A buffer that views a row of a parameter (`self.first = self.lin.W.data[0]`)."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.lin = nn.Linear(3, 2, seed=seed)
        self.register_buffer("first", np.zeros(2, np.float32))
        self.first = self.lin.W.data[0]


def test_a_buffer_viewing_a_parameter_stays_its_view_and_agrees():
    model, source = RowBuffer(0), RowBuffer(1)
    model.load_state_dict(source.state_dict())
    assert np.shares_memory(model.first, model.lin.W.data)
    assert np.array_equal(model.first, source.lin.W.data[0]) and np.array_equal(model.lin.W.data, source.lin.W.data)


def test_a_buffer_viewing_a_parameter_given_other_values_is_refused_naming_both():
    model, source = RowBuffer(0), RowBuffer(1)
    state = source.state_dict()
    state["first"] = state["first"] + 1
    before = {name: value.copy() for name, value in model.state_dict().items()}
    with pytest.raises(ValueError, match=r"'lin\.W' and 'first' share memory"):
        model.load_state_dict(state)
    assert all(np.array_equal(before[n], v) for n, v in model.state_dict().items())


class Overlapping(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("whole", np.arange(4, dtype=np.float32))
        self.register_buffer("head", np.zeros(2, np.float32))
        self.head = self.whole[:2]  # a view: two buffers over the same two entries


def test_overlapping_buffers_given_inconsistent_values_are_refused_before_anything_changes():
    model = Overlapping()
    state = {"whole": np.ones(4, np.float32), "head": np.full(2, 7, np.float32)}
    with pytest.raises(ValueError, match=r"'whole' and 'head' share memory"):
        model.load_state_dict(state)
    assert np.array_equal(model.whole, [0, 1, 2, 3]) and model.head.base is model.whole


def test_overlapping_buffers_given_consistent_values_load():
    model = Overlapping()
    model.load_state_dict({"whole": np.array([5, 6, 7, 8], np.float32), "head": np.array([5, 6], np.float32)})
    assert np.array_equal(model.whole, [5, 6, 7, 8]) and np.array_equal(model.head, [5, 6])


def test_plus_and_minus_zero_in_shared_memory_are_refused_as_different_bits():
    model = Overlapping()
    state = {"whole": np.array([0.0, 1, 2, 3], np.float32), "head": np.array([-0.0, 1], np.float32)}
    with pytest.raises(ValueError, match="share memory"):
        model.load_state_dict(state)


def test_a_graph_built_before_the_load_refuses_to_backward_as_in_pytorch():
    model, source = nn.Linear(3, 2, seed=0), nn.Linear(3, 2, seed=1)
    loss = (model.W * model.W).sum()
    model.load_state_dict(source.state_dict())
    with pytest.raises(RuntimeError):
        loss.backward()


def test_a_read_only_parameter_array_is_replaced():
    model, source = nn.Linear(3, 2, seed=0), nn.Linear(3, 2, seed=1)
    model.W.data.flags.writeable = False
    model.load_state_dict(source.state_dict())
    assert np.array_equal(model.W.data, source.W.data)


def test_the_optimizer_steps_the_loaded_array():
    model, source = nn.Linear(3, 2, seed=0), nn.Linear(3, 2, seed=1)
    opt = nn.SGD(model.parameters(), lr=0.1)
    held = model.W.data
    model.load_state_dict(source.state_dict())
    model(Tensor(np.ones((1, 3), np.float32))).sum().backward()
    opt.step()
    assert model.W.data is held
    assert np.allclose(held, source.W.data - 0.1 * np.ones((3, 2), np.float32))


class TwoLosses(nn.Module):
    """Losses whose class weights are arrays of the user's (PyTorch's buffers of the loss), one shared by two."""

    def __init__(self, weight: np.ndarray, shared: np.ndarray) -> None:
        super().__init__()
        self.head = nn.Linear(2, 3, seed=0)
        self.criterion = nn.CrossEntropyLoss(weight=weight)
        self.a, self.b = nn.CrossEntropyLoss(weight=shared), nn.CrossEntropyLoss(weight=shared)


def test_from_torch_writes_a_loss_weight_into_the_users_array_as_torchs_buffer_copy():
    weight, shared = np.array([1, 2, 3], np.float32), np.ones(3, np.float32)
    model = TwoLosses(weight, shared)
    state = to_torch_state_dict(TwoLosses(np.full(3, 5, np.float32), np.full(3, 7, np.float32)))
    from_torch_state_dict(model, state)
    assert model.criterion.weight is weight and np.array_equal(weight, [5, 5, 5])
    assert model.a.weight is shared and model.b.weight is shared and np.array_equal(shared, [7, 7, 7])


def test_one_array_as_two_losses_weights_given_two_values_is_refused_naming_both():
    model = TwoLosses(np.array([1, 2, 3], np.float32), np.ones(3, np.float32))
    state = to_torch_state_dict(model)
    state["a.weight"], state["b.weight"] = np.full(3, 7, np.float32), np.full(3, 9, np.float32)
    state["head.weight"] = state["head.weight"] + 1
    before = to_torch_state_dict(model)
    with pytest.raises(ValueError, match=r"'a\.weight' and 'b\.weight' are one array"):
        from_torch_state_dict(model, state)
    after = to_torch_state_dict(model)
    assert all(np.array_equal(before[k], after[k]) for k in before)


class Edges(nn.Module):
    def __init__(self, value: float) -> None:
        super().__init__()
        self.scalar = nn.Parameter(np.array(value, np.float32))
        self.empty = nn.Parameter(np.zeros((0, 3), np.float32))
        self.register_buffer("none_counted", np.zeros((2, 0), np.int64))


def test_0_d_and_empty_parameters_and_buffers_keep_their_arrays():
    model = Edges(1.0)
    held = [model.scalar.data, model.empty.data, model.none_counted]
    model.load_state_dict(Edges(2.5).state_dict())
    assert all(a is b for a, b in zip([model.scalar.data, model.empty.data, model.none_counted], held, strict=True))
    assert model.scalar.data == 2.5


class SelfOverlapping(nn.Module):
    """A buffer whose three entries are one float (as_strided with stride 0, writeable): written in place, the last
    value would stand in all three."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("one", np.zeros(3, np.float32))
        self.one = np.lib.stride_tricks.as_strided(np.zeros(1, np.float32), (3,), (0,), writeable=True)


def test_an_array_that_views_its_own_memory_twice_given_differing_values_is_refused():
    model = SelfOverlapping()
    with pytest.raises(ValueError, match=r"'one' views some of its memory more than once"):
        model.load_state_dict({"one": np.array([1, 2, 3], np.float32)})
    assert np.array_equal(model.one, [0, 0, 0])
    model.load_state_dict({"one": np.full(3, 5, np.float32)})
    assert np.array_equal(model.one, [5, 5, 5])

"""A submodule or parameter under a name starting with "_" is the model's like any other, as PyTorch
registers `self._backbone = nn.Linear(...)`: parameters, state dicts, files, export, modes, apply,
repr and a compiled fit all reach it. The names nn keeps for itself are refused, not shadowed."""

import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn import functional as F
from nn.export import from_torch_state_dict, to_torch_state_dict

X = np.random.default_rng(0).standard_normal((32, 3))
LABELS = np.random.default_rng(1).integers(0, 2, 32)


class Net(nn.Module):
    def __init__(self, seed=0):
        self._backbone = nn.Linear(3, 4, seed=seed)
        self._drop = nn.Dropout(0.5, seed=seed)
        self.head = nn.Linear(4, 2, seed=seed + 1)
        self._scale = Tensor(np.ones(2), requires_grad=True)

    def forward(self, x):
        return self.head(self._drop(self._backbone(x))) * self._scale


def test_underscore_members_are_parameters_and_children_in_attribute_order():
    net = Net()
    assert [name for name, _ in net.named_parameters()] == ["_backbone.W", "_backbone.b", "head.W", "head.b", "_scale"]
    assert [name for name, _ in net.named_children()] == ["_backbone", "_drop", "head"]
    assert list(net.state_dict()) == ["_backbone.W", "_backbone.b", "head.W", "head.b", "_scale"]
    assert repr(net).splitlines()[1:3] == ["  (_backbone): Linear(3 -> 4, init='he')", "  (_drop): Dropout(p=0.5)"]


def test_train_eval_and_apply_reach_underscore_children():
    net = Net().eval()
    assert net._drop.training is False and net._backbone.training is False
    assert net.train()._drop.training is True
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "Dropout", "Linear", "Net"]


def test_state_dict_and_file_round_trips_carry_underscore_members(tmp_path):
    source, target = Net(seed=0), Net(seed=5)
    target.load_state_dict(source.state_dict())
    np.testing.assert_array_equal(target._backbone.W.data, source._backbone.W.data)
    other = Net(seed=7)
    optimizer = nn.SGD(source.parameters(), lr=0.1, momentum=0.9)
    nn.save(source, tmp_path / "net.npz", optimizer=optimizer)
    nn.load(other, tmp_path / "net.npz", optimizer=nn.SGD(other.parameters(), lr=0.1, momentum=0.9))
    for a, b in zip(source.parameters(), other.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_export_gives_and_takes_the_underscore_names():
    state = to_torch_state_dict(Net(seed=0))
    assert list(state) == ["_scale", "_backbone.weight", "_backbone.bias", "head.weight", "head.bias"]
    target = from_torch_state_dict(Net(seed=3), state)
    np.testing.assert_array_equal(target._backbone.W.data, state["_backbone.weight"].T)


def test_a_torch_model_with_the_same_underscore_attributes_takes_the_export():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install -e '.[reference]')")

    class TorchNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self._backbone, self.head = torch.nn.Linear(3, 4), torch.nn.Linear(4, 2)
            self._scale = torch.nn.Parameter(torch.ones(2))

    theirs = TorchNet()
    assert sorted(theirs.state_dict()) == sorted(to_torch_state_dict(Net()))
    theirs.load_state_dict(to_torch_state_dict(Net(), as_tensors=True))  # strict: every key matches


def _fit(compiled):
    net = Net()
    before = net._backbone.W.data.copy()
    nn.fit(net, F.cross_entropy, nn.SGD(net.parameters(), lr=0.1), (X, LABELS), epochs=2, verbose=False,
           compile=compiled, metric=None)  # fmt: skip
    assert not np.array_equal(net._backbone.W.data, before)  # the backbone trained, not only the head
    return [p.data for p in net.parameters()]


def test_fit_compiled_trains_underscore_members_as_eager_fit_does():
    eager = _fit(False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every step after the recorded ones replays
        compiled = _fit(True)
    for a, b in zip(eager, compiled):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("_calls", 0, "keeps the record of its calls"),
        ("_calls", nn.Linear(1, 1), "keeps the record of its calls"),
        ("_buffer_names", ("running_mean",), "keeps the names of its buffers"),
        ("_optimizer", nn.Linear(1, 1), "nn.save writes an optimizer's state under '_optimizer.'"),
    ],
)
def test_the_names_nn_keeps_for_itself_are_refused_and_nothing_is_set(name, value, says):
    net = Net()
    with pytest.raises(AttributeError, match=f"Net.{name} .*{says}.*give"):
        setattr(net, name, value)
    assert name not in vars(net)
    net(Tensor(X[:2]))  # its own record of calls still works
    assert len(net.recorded_calls()) == 1


def test_an_optimizer_may_be_held_as_underscore_optimizer():
    net = Net()
    net._optimizer = nn.SGD(net.parameters(), lr=0.1)  # no module or parameter: nothing to take for its entries
    assert "_optimizer" not in [name for name, _ in net.named_children()]


def test_a_back_reference_that_would_make_the_model_hold_itself_is_refused_and_a_weakref_is_not():
    import weakref

    class Child(nn.Module):
        def __init__(self):
            self.lin = nn.Linear(2, 2, seed=0)

    parent = nn.Sequential(Child())
    child = parent[0]
    with pytest.raises(ValueError, match=r"Child\._parent would hold a module that holds this one.*weakref"):
        child._parent = parent
    assert "_parent" not in vars(child)
    with pytest.raises(ValueError, match="holds this one"):
        child._me = [child]
    child._parent = weakref.ref(parent)  # not a member: parameters() and state_dict() end
    assert [n for n, _ in parent.named_parameters()] == ["layers.0.lin.W", "layers.0.lin.b"]

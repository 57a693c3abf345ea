"""nn modules: parameter discovery, modes, state dicts, micrograd's MLP, tensor layers."""

import numpy as np
import pytest

import nn
from autograd import Tensor, Value, gradcheck


class Net(nn.Module):
    def __init__(self):
        self.first = nn.Linear(3, 4, seed=0)
        self.blocks = [nn.Linear(4, 4, seed=1), nn.ReLU()]
        self.heads = {"a": nn.Linear(4, 2, seed=2)}
        self.scale = Tensor(np.ones(2), requires_grad=True)
        self.constant = Tensor(np.ones(2))  # does not require grad: not a parameter
        self.shared = self.first.W  # the same tensor twice: one parameter

    def forward(self, x):
        return self.heads["a"](self.blocks[1](self.blocks[0](self.first(x)))) * self.scale


def test_parameters_are_found_in_attributes_lists_and_dicts_once_each():
    names = [name for name, _ in Net().named_parameters()]
    assert names == ["first.W", "first.b", "blocks.0.W", "blocks.0.b", "heads.a.W", "heads.a.b", "scale"]
    assert Net().count_parameters() == 3 * 4 + 4 + 4 * 4 + 4 + 4 * 2 + 2 + 2


def test_zero_grad_train_eval_and_repr():
    net = Net()
    net(Tensor(np.ones((5, 3)))).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.eval()
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    text = repr(net)
    assert "(first): Linear(3 -> 4, init='he')" in text and "(heads.a): Linear(4 -> 2" in text
    assert text.endswith("# 48 parameters")


def test_state_dict_round_trip_and_mismatches_named():
    a, b = Net(), Net()
    b.first.W.data = b.first.W.data + 1
    b.load_state_dict(a.state_dict())
    assert all(np.array_equal(p.data, q.data) for p, q in zip(a.parameters(), b.parameters()))
    state = a.state_dict()
    state["first.W"] = np.zeros((2, 2))
    before = b.first.W.data.copy()
    with pytest.raises(ValueError, match=r"first.W has shape \(2, 2\), needs \(3, 4\)"):
        b.load_state_dict(state)
    assert np.array_equal(b.first.W.data, before)  # nothing changed
    del state["scale"]
    state["extra"] = np.zeros(1)
    with pytest.raises(KeyError, match=r"missing \['scale'\], unexpected \['extra'\]"):
        b.load_state_dict(state)


def test_micrograd_mlp():
    model = nn.MLP(2, [16, 16, 1], seed=0)
    assert model.count_parameters() == 337 and all(isinstance(p, Value) for p in model.parameters())
    out = model([0.5, -1.0])
    assert isinstance(out, Value)
    assert len(nn.MLP(3, [4, 2])([1.0, 2.0, 3.0])) == 2
    assert [n.nonlin for n in model.layers[-1].neurons] == [False]  # micrograd's bool
    assert model.layers[0].neurons[0].nonlin is True and model.layers[0].neurons[0].activation == "relu"
    assert nn.MLP(2, [3, 1], nonlin="tanh").layers[0].neurons[0].activation == "tanh"
    assert nn.MLP(2, [3, 1], seed=4)([1.0, 1.0]).data == nn.MLP(2, [3, 1], seed=4)([1.0, 1.0]).data
    for make, name in [(lambda: nn.MLP(2, [1], nonlin="swish"), "MLP"), (lambda: nn.Layer(2, 3, "swish"), "Layer")]:
        with pytest.raises(ValueError, match=f"^{name}: nonlin must be one of"):
            make()
    with pytest.raises(ValueError, match="^Neuron: nonlin must be one of"):
        nn.Neuron(2, "swish")
    with pytest.raises(ValueError, match="^MLP of 2 inputs got 3$"):  # the model called is named
        model([1.0, 2.0, 3.0])
    scores = model([0.3, 0.2])
    scores.backward()
    assert any(p.grad != 0 for p in model.parameters())


@pytest.mark.parametrize("init, std", [("he", np.sqrt(2 / 400)), ("xavier", np.sqrt(2 / 500)), ("lesson", 1 / 20)])
def test_linear_init(init, std):
    layer = nn.Linear(400, 100, init=init, seed=0)
    assert layer.W.shape == (400, 100) and layer.W.dtype == np.float32
    assert abs(layer.W.data.std() - std) < 0.05 * std and np.all(layer.b.data == 0)
    assert nn.Linear(2, 3, bias=False).b is None
    with pytest.raises(ValueError, match="init must be one of"):
        nn.Linear(2, 3, init="ones")


def test_linear_gradients_and_activations():
    layer = nn.Linear(3, 2, dtype=np.float64, seed=0)
    x = np.random.default_rng(0).normal(size=(4, 3))
    assert gradcheck(lambda W, b: (((Tensor(x) @ W + b).tanh()) ** 2).sum(), [layer.W, layer.b])
    t = Tensor(np.array([[-1.0, 0.5, 2.0]]))
    assert nn.ReLU()(t).data.tolist() == [[0.0, 0.5, 2.0]]
    assert np.allclose(nn.Tanh()(t).data, np.tanh(t.data)) and np.allclose(
        nn.Sigmoid()(t).data, 1 / (1 + np.exp(-t.data))
    )
    assert np.allclose(nn.Softmax()(t).data.sum(axis=-1), 1.0)


def test_dropout_drops_and_scales_in_training_only():
    drop = nn.Dropout(0.25, seed=0)
    x = Tensor(np.ones((200, 100), np.float32))
    y = drop(x).data
    assert set(np.unique(y)) == {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.02 and abs(y.mean() - 1.0) < 0.03
    drop.eval()
    assert drop(x) is x
    with pytest.raises(ValueError, match="p must be at least 0 and below 1"):
        nn.Dropout(1.0)


def test_sequential_built_at_once_or_step_by_step():
    at_once = nn.Sequential(nn.Linear(2, 10, seed=0), nn.Tanh(), nn.Linear(10, 2, seed=1))
    step_by_step = nn.Sequential()
    step_by_step.add(nn.Linear(2, 10, seed=0)).add(nn.Tanh()).add(nn.Linear(10, 2, seed=1))
    x = Tensor(np.ones((3, 2), np.float32))
    assert np.array_equal(at_once(x).data, step_by_step(x).data)
    assert len(at_once) == 3 and isinstance(at_once[1], nn.Tanh) and list(at_once)[0] is at_once[0]
    with pytest.raises(TypeError, match="Sequential takes Modules"):
        nn.Sequential(lambda x: x)

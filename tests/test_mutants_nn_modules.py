"""Gaps a mutation run over nn/module.py, layers.py, micro.py and check.py found
(docs/mutation-testing.md): names, reprs, private attributes, state messages, layer options and
defaults, and gradcheck_module, which no test ran."""

import random
import re

import numpy as np
import pytest

import nn
from autograd import GradcheckError, Op, Tensor, Value
from nn import functional as F
from nn.check import gradcheck_module


class Plain(nn.Module):
    def forward(self, x, scale=1.0):
        return x * scale


class WithPrivates(nn.Module):
    def __init__(self):
        self._cache = nn.Linear(1, 1, seed=1)  # a "_" name counts as any other, as PyTorch registers it
        self._frozen = Tensor(np.ones(2), requires_grad=True)
        self.table = {
            "_hidden": Tensor(np.ones(1), requires_grad=True),
            "shown": Tensor(np.ones(1), requires_grad=True),
        }
        self.layer = nn.Linear(2, 1, seed=0)


def test_private_attributes_and_keys_are_children_and_parameters_in_attribute_order():
    m = WithPrivates()
    assert [name for name, _ in m.named_modules()] == ["", "_cache", "layer"]
    assert [name for name, _ in m.named_parameters()] == [
        "_cache.W", "_cache.b", "_frozen", "table._hidden", "table.shown", "layer.W", "layer.b",
    ]  # fmt: skip
    assert repr(m) == (
        "WithPrivates(\n  (_cache): Linear(1 -> 1, init='he')\n  (layer): Linear(2 -> 1, init='he')\n)  # 9 parameters"
    )


def test_nested_names_prefixes_and_repr():
    inner = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh())
    outer = nn.Sequential(inner, nn.Linear(3, 1, bias=False, seed=1))
    assert [name for name, _ in outer.named_modules()] == [
        "",
        "layers.0",
        "layers.0.layers.0",
        "layers.0.layers.1",
        "layers.1",
    ]
    assert [name for name, _ in outer.named_modules("net")][:2] == ["net", "net.layers.0"]
    assert [name for name, _ in outer.named_parameters(prefix="net")] == ["net.layers.0.layers.0.W",
        "net.layers.0.layers.0.b", "net.layers.1.W"]  # fmt: skip
    assert repr(outer) == (
        "Sequential(\n"
        "  (layers.0): Sequential(\n"
        "    (layers.0): Linear(2 -> 3, init='he')\n"
        "    (layers.1): Tanh()\n"
        "  )  # 9 parameters\n"
        "  (layers.1): Linear(3 -> 1, init='he', bias=False)\n"
        ")  # 12 parameters"
    )


def test_call_passes_keywords_and_forward_must_be_defined():
    assert Plain()(2.0, scale=3.0) == 6.0 and repr(Plain()) == "Plain()"
    with pytest.raises(NotImplementedError, match="^Module must define forward\\(\\)$"):
        nn.Module()(1.0)


def test_eval_sets_training_to_false_exactly():
    m = nn.Sequential(nn.Dropout(0.5))
    assert m.eval() is m and m.training is False and m[0].training is False


def test_state_messages_name_what_is_missing_and_what_is_unexpected():
    state = nn.Linear(2, 2).state_dict()
    with pytest.raises(KeyError, match=re.escape("missing nothing, unexpected ['extra']")):
        nn.Linear(2, 2).load_state_dict({**state, "extra": np.ones(1)})
    many = nn.Sequential(*[nn.Linear(1, 1, bias=False) for _ in range(5)])
    with pytest.raises(KeyError) as caught:
        many.load_state_dict({})
    five = ", ".join(f"'layers.{i}.W'" for i in range(5))
    assert caught.value.args[0].endswith(f"missing [{five}], unexpected nothing")
    with pytest.raises(KeyError, match=re.escape("'layers.4.W'] and 1 more, unexpected nothing")):
        nn.Sequential(*[nn.Linear(1, 1, bias=False) for _ in range(6)]).load_state_dict({})


def test_an_overflowing_cast_is_refused_as_infinite_even_where_numpy_raises():
    m = nn.Linear(1, 1)
    with np.errstate(all="raise"):
        fix = r"; load it into a model of a dtype that holds it \(model\.double\(\)\)$"
        with pytest.raises(ValueError, match=r"W: 1e\+300 does not fit float32 .* stored as infinity" + fix):
            m.load_state_dict({"W": np.array([[1e300]]), "b": np.zeros(1)})


def test_value_parameters_load_as_floats():
    mlp = nn.MLP(2, [1], seed=0)
    mlp.load_state_dict({name: np.asarray(0.25) for name in mlp.state_dict()})
    assert all(type(p.data) is float and p.data == 0.25 for p in mlp.parameters())


def test_linear_without_bias_and_with_a_bias():
    lin = nn.Linear(2, 3, bias=False, seed=0)
    x = Tensor(np.array([[1.0, 2.0]], np.float32))
    assert lin.b is None and np.allclose(lin(x).data, x.data @ lin.W.data)
    lin = nn.Linear(2, 3, seed=0)
    lin.b.data = np.array([1.0, -2.0, 3.0], np.float32)
    assert np.allclose(lin(x).data, x.data @ lin.W.data + [1.0, -2.0, 3.0])
    with pytest.raises(TypeError, match="^Sequential takes Modules, got int$"):
        nn.Sequential(lin, 3)


def test_softmax_layer_keeps_its_axis():
    x = Tensor(np.array([[1.0, 2.0], [3.0, 5.0]]))
    assert np.allclose(nn.Softmax(axis=0)(x).data.sum(axis=0), 1.0) and repr(nn.Softmax(axis=0)) == "Softmax(dim=0)"


def test_dropout_defaults_seed_and_edges():
    assert nn.Dropout().p == 0.5
    x = Tensor(np.ones(64, np.float32))
    assert np.array_equal(nn.Dropout(0.5, seed=3)(x).data, nn.Dropout(0.5, seed=3)(x).data)
    assert nn.Dropout(0.0)(x) is x  # p = 0 is allowed, and leaves x as it is
    # the first entry's 32 random bits of seed 7 against p * 2**32: a draw equal to it is kept (P = 1 - p), one
    # below dropped. Its top 8 bits are the first raw draw's first byte; its other 24, drawn since those 8 tie with
    # the threshold's, the next raw draw's first 32 bits shifted right by 8 (nn.rng.kept)
    first, second = (int(r) for r in np.random.default_rng(7).bit_generator.random_raw(2))
    bits = (first & 0xFF) << 24 | (second & 0xFFFFFFFF) >> 8
    one = Tensor(np.ones(1, np.float32))
    assert nn.Dropout(bits / 2**32, seed=7)(one).data[0] > 0
    assert nn.Dropout((bits + 1) / 2**32, seed=7)(one).data[0] == 0


def test_micro_nonlinearities_and_defaults():
    assert Value.relu is nn.micro.NONLINEARITIES[nn.Neuron(2).activation]
    assert [nn.Neuron(2, flag).activation for flag in (True, False, None)] == ["relu", "linear", "linear"]
    assert [nn.Neuron(2, flag).nonlin for flag in (True, False, None, "tanh")] == [
        True,
        False,
        False,
        True,
    ]  # micrograd's
    assert nn.Layer(2, 3).neurons[0].activation == "relu" and repr(nn.Layer(2, 3, "tanh")) == "Layer(2 -> 3, tanh)"
    assert repr(nn.Layer(2, 1)) == "Layer(2 -> 1, relu)"
    neuron = nn.Neuron(2000, rng=random.Random(0))
    weights = [w.data for w in neuron.w]
    assert -1 <= min(weights) < -0.99 and 0.99 < max(weights) <= 1 and neuron.b.data == 0.0
    neuron.b.data = 5.0
    neuron.nonlin = False  # micrograd's switch
    assert neuron([0.0] * 2000).data == 5.0 and repr(neuron).startswith("Neuron(2000, linear)")


def test_an_mlp_with_a_layer_of_one_neuron_inside():
    mlp = nn.MLP(2, [1, 2], seed=0)
    out = mlp([1.0, -1.0])
    assert isinstance(out, list) and len(out) == 2


class Doubling(nn.Module):
    """A layer whose derivative rule is wrong by half."""

    double = Op("double", lambda x: 2 * x, lambda g, out, x: (g,))

    def __init__(self):
        self.lin = nn.Linear(3, 8, seed=0)  # 24 weights: more than max_per_param's 20
        self.drop = nn.Dropout(0.5, seed=0)

    def forward(self, x):
        return self.double(self.drop(self.lin(x)))


def test_gradcheck_module_checks_in_eval_mode_and_float64_and_restores_both():
    X, y = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32), np.zeros((4, 8))
    good = nn.Sequential(nn.Linear(3, 4, seed=0), nn.Dropout(0.5, seed=0), nn.Tanh(), nn.Linear(4, 8, seed=1))
    assert gradcheck_module(good, F.mse_loss, X, y) is True
    assert good.training is True and good[0].W.dtype == np.float32
    bad = Doubling()
    with pytest.raises(GradcheckError, match=r"^gradcheck: 29 of 29 gradients disagree") as caught:
        gradcheck_module(bad, F.mse_loss, X, y)  # 20 of W's 24 elements and W[0:24]·d, all 8 of b's
    assert "lin.W[" in str(caught.value) and bad.training is True
    with pytest.raises(GradcheckError, match=r"^gradcheck: 4 of 4 gradients"):  # one element and one block of each
        gradcheck_module(bad, F.mse_loss, X, y, max_per_param=1)
    assert gradcheck_module(bad, F.mse_loss, X, y, rtol=0.6) is True  # the tolerances are passed on
    good[1].eval()  # a module's own mode comes back, not the root's
    good[0].W.requires_grad = False  # frozen: no gradient to check
    assert gradcheck_module(good, F.mse_loss, X, y) is True and good[1].training is False

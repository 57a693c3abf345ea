"""PyTorch's attribute habits that would be silently wrong on chainrule's layers: Linear's `weight` and
`bias` (chainrule's are W and b, W transposed) raise naming them, hasattr-style probing included, and a
plain Tensor or array over a parameter is refused, as torch.nn refuses it."""

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor


def test_linear_weight_and_bias_read_assigned_or_deleted_raise_naming_w_and_b() -> None:
    layer = nn.Linear(3, 2, seed=0)
    before = [p for _, p in layer.named_parameters()]
    with pytest.raises(NotImplementedError, match=r"layer\.W = nn\.Parameter\(weight\.T\)"):
        layer.weight = nn.Parameter(np.zeros((2, 3), np.float32))
    with pytest.raises(NotImplementedError, match=r"layer\.b = None"):
        layer.bias = None
    with pytest.raises(NotImplementedError, match=r"its bias is b"):
        del layer.bias
    with pytest.raises(NotImplementedError, match=r"layer\.W\.T is PyTorch's weight"):
        nn.init.xavier_uniform_(layer.weight)
    assert [p for _, p in layer.named_parameters()] == before  # nothing added: still W and b
    assert [n for n, _ in layer.named_parameters()] == ["W", "b"]


def test_a_torch_style_init_probing_hasattr_cannot_skip_a_linear() -> None:
    model = nn.Sequential(nn.Linear(3, 2, seed=0), nn.ReLU(), nn.Linear(2, 1, seed=1))

    def init_weights(m: nn.Module) -> None:
        if hasattr(m, "weight"):
            nn.init.zeros_(m.weight)

    with pytest.raises(NotImplementedError, match=r"isinstance\(m, nn\.Linear\) and use m\.W"):
        model.apply(init_weights)


def test_other_missing_attributes_stay_attribute_errors() -> None:
    layer = nn.Linear(3, 2, seed=0)
    assert not hasattr(layer, "weights")
    assert getattr(layer, "weigth", 5) == 5
    with pytest.raises(AttributeError, match=r"'Linear' object has no attribute 'foo'"):
        _ = layer.foo
    conv = nn.Conv1d(2, 3, 3, seed=0)  # a layer with PyTorch's names keeps them
    assert conv.weight.shape == (3, 2, 3)
    conv.bias = None
    assert conv(np.ones((1, 2, 5), np.float32)).shape == (1, 3, 3)


@pytest.mark.parametrize(
    "value",
    [Tensor(np.zeros((2, 1, 3, 3), np.float32)), np.zeros((2, 1, 3, 3), np.float32), 0.0],
    ids=["plain Tensor", "numpy array", "number"],
)
def test_a_value_that_is_no_parameter_over_a_parameter_is_refused(value: object) -> None:
    conv = nn.Conv2d(1, 2, 3, seed=0)
    weight = conv.weight
    with pytest.raises(TypeError, match=r"as parameter Conv2d\.weight .*nn\.Parameter\(value\)"):
        conv.weight = value
    assert conv.weight is weight and [n for n, _ in conv.named_parameters()] == ["weight", "bias"]


def test_a_computed_tensor_over_a_parameter_is_refused() -> None:
    layer = nn.Linear(3, 2, seed=0)
    with pytest.raises(TypeError, match=r"cannot assign a computed Tensor as parameter Linear\.W"):
        layer.W = layer.W * 2


def test_parameters_none_and_frozen_ones_may_replace_a_parameter() -> None:
    layer, other = nn.Linear(3, 2, seed=0), nn.Linear(3, 2, seed=1)
    layer.W = nn.Parameter(np.ones((3, 2), np.float32))
    layer.b = nn.Parameter(np.zeros(2, np.float32), requires_grad=False)
    assert [n for n, _ in layer.named_parameters()] == ["W", "b"] and layer.b.frozen
    layer.W = other.W  # tied
    assert layer.W is other.W
    layer.b = None
    assert [n for n, _ in layer.named_parameters()] == ["W"]
    np.testing.assert_allclose(layer(np.ones((1, 3), np.float32)).data, np.ones((1, 3), np.float32) @ other.W.data)


def test_a_property_of_another_module_keeps_its_own_attribute_error() -> None:
    """Only a layer with PyTorch's names elsewhere has a __getattr__: on another, a property's AttributeError
    would give way to "object has no attribute" for the property's own name."""

    class Head(nn.Module):
        @property
        def scale(self) -> float:
            return self.missing_setting

    with pytest.raises(AttributeError, match="missing_setting"):
        _ = Head().scale


def test_a_linear_copies_and_pickles() -> None:
    import copy
    import pickle

    layer = nn.Linear(3, 2, seed=0)
    for twin in (copy.deepcopy(layer), pickle.loads(pickle.dumps(layer))):
        np.testing.assert_array_equal(twin.W.data, layer.W.data)
        with pytest.raises(NotImplementedError):
            _ = twin.weight


def test_a_subclass_may_define_weight_itself() -> None:
    """A subclass of Linear with its own `weight` property (PyTorch's view of W) was refused its setter
    (NotImplementedError) though reading it worked: a name the class defines is the class's, not a trap."""

    class TorchNamed(nn.Linear):
        @property
        def weight(self) -> Tensor:
            return self.W.T

        @weight.setter
        def weight(self, value: Tensor) -> None:
            self.W = nn.Parameter(value.T)

        @weight.deleter
        def weight(self) -> None:
            self.W = nn.Parameter(autograd.zeros(self.W.shape))

    layer = TorchNamed(3, 2)
    layer.weight = nn.Parameter(autograd.ones((2, 3)))
    assert layer.W.shape == (3, 2) and float(layer.W.data.sum()) == 6.0
    del layer.weight
    assert float(layer.W.data.sum()) == 0.0
    with pytest.raises(NotImplementedError, match="layer.b"):
        layer.bias = None


def test_the_scalar_engines_refusal_says_what_a_value_parameter_takes() -> None:
    """On the lecture's Value-based MLP the refusal advised nn.Parameter(value) (which refuses a float) and
    module.b.copy_(value) (a Value has no copy_), and called a computed Value "Value"."""
    neuron = nn.MLP(2, [3, 1]).layers[0].neurons[0]
    with pytest.raises(TypeError, match=r"cannot assign float as parameter Neuron\.b") as refused:
        neuron.b = 0.5
    said = str(refused.value)
    assert "autograd.Value(value)" in said and "module.b.data = value" in said and "nn.Parameter" not in said
    with pytest.raises(TypeError, match=r"cannot assign a computed Value as parameter Neuron\.b"):
        neuron.b = neuron.b * 2
    neuron.b.data = 0.5  # what it says, and a leaf Value, are taken
    neuron.b = autograd.Value(0.25)
    assert neuron.parameters()[-1] is neuron.b


@pytest.mark.parametrize(
    ("make", "name", "shape"),
    [
        (lambda: nn.Linear(3, 2, bias=False), "b", (2,)),
        (lambda: nn.Conv2d(1, 2, 3, bias=False), "bias", (2,)),
        (lambda: nn.BatchNorm1d(2, affine=False), "weight", (2,)),
        (lambda: nn.InstanceNorm1d(2), "bias", (2,)),
        (lambda: nn.LayerNorm(2, elementwise_affine=False), "weight", (2,)),
        (lambda: nn.GroupNorm(1, 2, affine=False), "bias", (2,)),
        (lambda: nn.RMSNorm(2), "weight", (2,)),
        (lambda: nn.RNN(2, 3, bias=False), "bias_ih_l0", (3,)),
        (lambda: nn.GRU(2, 3, num_layers=2, bidirectional=True, bias=False), "bias_hh_l1_reverse", (9,)),
        (lambda: nn.LSTM(2, 3, proj_size=2), "weight_hr_l0", (2, 3)),
        (lambda: nn.MultiheadAttention(4, 2, bias=False), "in_proj_bias", (12,)),
        (lambda: nn.MultiheadAttention(4, 2), "bias_k", (1, 1, 4)),
        (lambda: nn.MultiheadAttention(4, 2, kdim=3), "in_proj_weight", (12, 4)),
        (lambda: nn.MultiheadAttention(4, 2, bias=False).out_proj, "bias", (4,)),
    ],
    ids=[
        "Linear.b",
        "Conv2d.bias",
        "BatchNorm1d.weight",
        "InstanceNorm1d.bias",
        "LayerNorm",
        "GroupNorm",
        "RMSNorm",
        "RNN.bias_ih_l0",
        "GRU.bias_hh_l1_reverse",
        "LSTM.weight_hr_l0",
        "MultiheadAttention.in_proj_bias",
        "MultiheadAttention.bias_k",
        "MultiheadAttention.in_proj_weight",
        "Projection.bias",
    ],
)
def test_a_plain_tensor_into_a_layers_empty_parameter_slot_is_refused(make, name, shape) -> None:
    """A layer made without a bias (or affine weights) holds None there: a plain Tensor assigned into it
    became a constant, outside parameters() and the state dict (torch refuses it: a parameter or None)."""
    layer = make()
    if getattr(layer, name) is not None:  # RMSNorm's weight is there by default
        setattr(layer, name, None)
    with pytest.raises(TypeError, match=rf"cannot assign .* as parameter {type(layer).__name__}\.{name} "):
        setattr(layer, name, Tensor(np.zeros(shape, np.float32)))
    setattr(layer, name, nn.Parameter(np.zeros(shape, np.float32)))  # a parameter is taken
    assert name in dict(layer.named_parameters())


def test_tying_a_linears_weight_to_an_embeddings_is_told_the_way_that_keeps_one_parameter() -> None:
    """`self.decoder.weight = self.encoder.weight` (PyTorch's word-language-model tying) was told to write
    `layer.W = nn.Parameter(weight.T)`: of a parameter, a second one over the same memory, which Adam then
    stepped apart from the first (the loss 2.99 where the tied model's was 3.36 after one step)."""
    encoder, decoder = nn.Embedding(7, 5), nn.Linear(5, 7)
    with pytest.raises(NotImplementedError, match=r"to tie it to .*F\.linear\(x, encoder\.weight, layer\.b\)"):
        decoder.weight = encoder.weight
    x = Tensor(np.ones((2, 5), np.float32))
    tied = nn.functional.linear(x, encoder.weight, decoder.b)  # the way the message gives
    tied.sum().backward()
    assert tied.shape == (2, 7) and encoder.weight.grad.shape == (7, 5)

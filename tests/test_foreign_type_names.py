"""Messages name another library's type by its module (`lecture_value.Value`, `torch.Tensor`), with the fix:
a learner's own Value class (the lecture's, micrograd's) was told "draw takes the Value or Tensor ..., got
Value", "*: cannot combine a Value with Value", and a torch tensor "got Tensor"."""

import numpy as np
import pytest

import autograd
import nn
import viz
from autograd import Tensor, type_name

torch = pytest.importorskip("torch")


class Value:  # the lecture's own Value, retyped by a learner
    def __init__(self, data):
        self.data, self.grad, self._prev = data, 0.0, set()

    def __repr__(self):
        return f"Value(data={self.data})"


THEIRS = f"{__name__}.Value"
FIX = "from autograd import Value"


class Net(nn.Module):
    def forward(self, x):
        return x


def test_type_name_is_short_for_ours_pythons_and_numpys_and_qualified_for_others():
    assert type_name(autograd.Value(1.0)) == "Value"
    assert type_name(Tensor([1.0])) == "Tensor"
    assert type_name(Net()) == "Net"  # a subclass of chainrule's own
    assert [type_name(x) for x in ([], 1.5, None, np.zeros(1), np.float64(1))] == [
        "list",
        "float",
        "NoneType",
        "ndarray",
        "float64",
    ]
    assert type_name(Value(1.0)).startswith(f"{THEIRS} (") and FIX in type_name(Value(1.0))
    assert type_name(torch.zeros(1)).startswith("torch.Tensor (PyTorch's")
    assert type_name(torch.nn.Parameter(torch.zeros(1))).startswith("torch.nn.parameter.Parameter (PyTorch's")
    assert type_name(object()) == "object" and type_name(np.random.default_rng()) == "Generator"


CALLS = {
    "draw": lambda v: viz.draw(v),
    "explain": lambda v: viz.explain(v, v),
    "Value()": lambda v: autograd.Value(v),
    "Value * it": lambda v: autograd.Value(1.0) * v,
    "zero_grad": lambda v: autograd.zero_grad([v]),
    "SGD": lambda v: nn.SGD([v], lr=0.1),
    "MLP": lambda v: nn.MLP(2, [1], seed=0)([v, 1.0]),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_a_foreign_value_is_named_with_its_module_and_the_fix(call):
    with pytest.raises(TypeError) as e:
        call(Value(6.0))
    assert THEIRS in str(e.value) and FIX in str(e.value), str(e.value)


def test_micrograds_value_is_named_as_micrograds():
    engine = pytest.importorskip("micrograd.engine")
    with pytest.raises(TypeError, match=r"got micrograd\.engine\.Value \(another library's Value"):
        viz.draw(engine.Value(2.0) * 3)


TORCH_CALLS = {
    "Parameter": lambda t: nn.Parameter(t),
    "Value()": lambda t: autograd.Value(t),
    "SGD lr": lambda t: nn.SGD([Tensor([1.0], requires_grad=True)], lr=t),
    "type_as": lambda t: Tensor([1.0]).type_as(t),
}


@pytest.mark.parametrize("call", TORCH_CALLS.values(), ids=TORCH_CALLS.keys())
def test_a_torch_tensor_is_named_as_pytorchs(call):
    with pytest.raises(TypeError) as e:
        call(torch.tensor(0.5))
    assert "torch.Tensor (PyTorch's" in str(e.value), str(e.value)


def test_a_class_given_for_an_instance_is_named_as_the_class():
    # a class's type is its metaclass: messages said "got type" (torch's "got torch._C._TensorMeta")
    assert type_name(Tensor) == "class Tensor" and type_name(int) == "class int"
    assert type_name(torch.Tensor) == "class torch.Tensor" and type_name(np.float32) == "class float32"
    with pytest.raises(TypeError, match=r"Linear takes a Tensor \(or an array of numbers\), got class Tensor "):
        nn.Linear(2, 1)(Tensor)
    with pytest.raises(TypeError, match=r"cannot combine a Tensor with class torch\.Tensor "):
        Tensor([1.0]) + torch.Tensor

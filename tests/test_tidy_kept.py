"""What a tidy of nn's pools and transformer layers must keep: a wrong call to a transformer layer named by the layer
(not by a shared class holding its constructor), a user's subclass free to use any public name, and the
*_with_indices' type hints (a factory's wrapper gave its own *args, **kwargs)."""

import inspect
import typing
from typing import Any

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

LAYERS = [nn.TransformerEncoderLayer, nn.TransformerDecoderLayer]


@pytest.mark.parametrize("layer", LAYERS, ids=lambda c: c.__name__)
def test_a_wrong_call_names_the_layer(layer):
    name = layer.__name__
    assert layer.__init__.__qualname__ == f"{name}.__init__"
    with pytest.raises(TypeError, match=rf"^{name}\.__init__\(\) missing 2 required positional arguments: 'd_model'"):
        layer()
    with pytest.raises(TypeError, match=rf"^{name}\.__init__\(\) got an unexpected keyword argument 'heads'$"):
        layer(4, 2, heads=2)
    with pytest.raises(TypeError, match=rf"^{name}\.__init__\(\) takes from 3 to 12 positional arguments but 13"):
        layer(4, 2, 8, 0.1, "relu", 1e-5, False, False, True, None, None, 0)

    class Mine(layer):
        pass

    with pytest.raises(TypeError, match=rf"^{name}\.__init__\(\) missing 1 required positional argument: 'nhead'$"):
        Mine(4)


@pytest.mark.parametrize("layer", LAYERS, ids=lambda c: c.__name__)
def test_a_subclass_may_name_its_own_attributes(layer):
    class Logged(layer):
        attentions: list[Any] = []  # a user's record of attention maps, a name torch's layers leave free

    made = Logged(4, 2, 8, dropout=0.0, seed=0)
    assert [k for k, _ in made.named_parameters()][0] == "self_attn.in_proj_weight"
    x = Tensor(np.ones((3, 1, 4)))
    out = made(x) if layer is nn.TransformerEncoderLayer else made(x, x)
    assert out.shape == (3, 1, 4)


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("kind", ["", "adaptive_"])
def test_with_indices_type_hints(kind, d):
    fn = getattr(F, f"{kind}max_pool{d}d_with_indices")
    hints = typing.get_type_hints(fn)
    assert list(hints) == [*inspect.signature(fn).parameters, "return"]
    assert hints["input"] is Tensor and hints["return"] == tuple[Tensor, Tensor]
    assert hints["return_indices"] is bool and hints["kernel_size" if not kind else "output_size"] is Any

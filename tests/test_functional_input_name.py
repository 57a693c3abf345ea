"""torch.nn.functional's first argument is `input` (F.dropout(input=h, p=0.5), F.conv2d(input=x, weight=w)):
nn.functional's functions take it by that name too; F.dropout(input=...) was a TypeError."""

import inspect

import numpy as np
import pytest
import torch

from autograd import Tensor
from nn import functional as F

X = Tensor(np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype(np.float32))
W = Tensor(np.random.default_rng(1).standard_normal((4, 3, 3, 3)).astype(np.float32))


def test_every_function_torch_has_takes_torchs_first_name() -> None:
    """Those that took it as `x` (conv2d, max_pool2d, dropout, pad, layer_norm, ... 31 of them) take `input`."""
    ours = [(name, getattr(F, name)) for name in F.__all__ if hasattr(torch.nn.functional, name)]
    firsts = {name: next(iter(inspect.signature(f).parameters)) for name, f in ours if inspect.isfunction(f)}
    assert [name for name, first in firsts.items() if first == "x"] == []
    assert firsts["conv2d"] == firsts["dropout"] == firsts["max_pool2d"] == "input"


@pytest.mark.parametrize(
    ("name", "args", "kwargs"),
    [
        ("dropout", (), {"p": 0.5, "training": False}),
        ("conv2d", (W,), {"padding": 1}),
        ("max_pool2d", (2,), {}),
        ("avg_pool2d", (2,), {}),
        ("pad", ((1, 1),), {}),
        ("interpolate", (), {"scale_factor": 2}),
        ("normalize", (), {"dim": 1}),
    ],
)
def test_input_by_name_gives_what_input_by_position_gives(name, args, kwargs) -> None:
    f = getattr(F, name)
    by_name = f(input=X, **dict(zip(list(inspect.signature(f).parameters)[1:], args)), **kwargs)
    np.testing.assert_array_equal(by_name.data, f(X, *args, **kwargs).data)


def test_input_given_twice_is_refused() -> None:
    with pytest.raises(TypeError, match=r"dropout\(\) got multiple values for argument 'input'"):
        F.dropout(X, input=X)

"""torch.nn.functional's first argument is `input` (F.dropout(input=h, p=0.5), F.conv2d(input=x, weight=w)):
nn.functional's functions take it by that name too; F.dropout(input=...) was a TypeError."""

import inspect
import pickle

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


def test_the_wrapped_functions_pickle_as_themselves() -> None:
    """pickle finds a function by its module and name: the input= wrapper named autograd.conv's conv2d, which
    is not it, so F.conv2d, F.dropout, F.pad and 27 more could no longer be pickled (a partial of one for a
    worker process, a module holding one), nor could the 21 activations (F.relu: no relu in
    autograd.op_functions); all 41 pickle as nn.functional's."""
    wrapped = [n for n in F.__all__ if "x" in inspect.signature(getattr(getattr(F, n), "__wrapped__", len)).parameters]
    assert {"conv2d", "dropout", "pad", "max_pool2d"} <= set(wrapped) and len(wrapped) > 25
    for name in wrapped:
        assert pickle.loads(pickle.dumps(getattr(F, name))) is getattr(F, name), name


def test_no_first_argument_is_named_input() -> None:
    """F.dropout() said "missing 1 required positional argument: 'x'", a name its signature does not show."""
    with pytest.raises(TypeError, match=r"dropout\(\) missing 1 required positional argument: 'input'"):
        F.dropout()

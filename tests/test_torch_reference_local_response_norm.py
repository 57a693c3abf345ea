"""local_response_norm and LocalResponseNorm against torch's: forward, gradients and second derivatives in
float64 and float32, inputs of 3 to 6 dims, odd and even sizes (the window PyTorch's: size//2 channels
before, (size-1)//2 after), a size beyond the channels, every factor; an empty input; the signatures and
reprs; each mistake refused naming it."""

import inspect

import numpy as np
import pytest
from torch_reference import DTYPES, F, check, torch  # without torch: skipped

import nn
from autograd import ShapeError, Tensor
from nn import functional as ours

RNG = np.random.default_rng(43)
X3 = RNG.standard_normal((2, 5, 7))
X4 = RNG.standard_normal((2, 6, 3, 4))
X5 = RNG.standard_normal((2, 4, 2, 3, 3))
X6 = RNG.standard_normal((1, 5, 2, 2, 3, 2))


def _case(x, size, *factors):
    return (
        lambda t: ours.local_response_norm(t, size, *factors),
        lambda t: F.local_response_norm(t, size, *factors),
        [x],
    )


CASES = {
    "3-d, size 3": _case(X3, 3),
    "3-d, size 2, factors": _case(X3, 2, 0.5, 0.75, 2.0),
    "4-d, size 5, AlexNet's": _case(X4, 5, 1e-4, 0.75, 2.0),
    "4-d, size 4, strong": _case(X4, 4, 2.0, 1.5, 0.5),
    "4-d, size 1": _case(X4, 1, 1.0, 0.5),
    "4-d, size beyond the channels": _case(X4, 9, 1.0, 0.75, 1.0),
    "4-d, size beyond twice the channels": _case(X4, 14, 1.0, 0.75, 1.0),  # every window all 6 channels
    "3-d, size past the channels on one side": _case(X3, 10, 1.0, 0.75, 1.0),  # 5 before (4 exist), 4 after
    "5-d, size 3": _case(X5, 3, 0.3, 2, 1),
    "6-d, size 2": _case(X6, 2, 1.0, 0.75, 1.5),
    "layer, 4-d, size 3": (
        lambda t: nn.LocalResponseNorm(3, 0.5, 0.75, 2.0)(t),
        lambda t: torch.nn.LocalResponseNorm(3, 0.5, 0.75, 2.0)(t),
        [X4],
    ),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CASES)
def test_each_is_torch_s(name, dtype):
    mine, theirs, inputs = CASES[name]
    check(mine, theirs, inputs, dtype, second=True)


def test_an_empty_input_is_returned_as_torch_s():
    for shape in [(0, 3, 4), (2, 0, 3, 3), (2, 3, 0, 4, 1)]:
        x = np.zeros(shape)
        expected = F.local_response_norm(torch.from_numpy(x), 2)
        assert ours.local_response_norm(Tensor(x), 2).shape == tuple(expected.shape) == shape


def test_a_size_far_beyond_the_channels_is_the_formula_over_them_all():
    """Every window holds all C channels, the rest zeros, still divided by `size`: computed over the channels
    there are (it padded size - 1 zeros around them: 10**12 was a MemoryError of pad's, 'use less padding')."""
    size = 10**12
    expected = X4 / (1.0 + 0.5 / size * (X4**2).sum(axis=1, keepdims=True)) ** 0.75
    for layer_or_function in (lambda t: ours.local_response_norm(t, size, 0.5), nn.LocalResponseNorm(size, 0.5)):
        np.testing.assert_allclose(layer_or_function(Tensor(X4)).data, expected, rtol=1e-15)


def test_the_layer_takes_torch_s_arguments_and_shows_as_torch_s():
    theirs = inspect.signature(torch.nn.LocalResponseNorm.__init__).parameters
    mine = inspect.signature(nn.LocalResponseNorm.__init__).parameters
    assert [(p.name, p.default) for p in mine.values()] == [(p.name, p.default) for p in theirs.values()]
    theirs = inspect.signature(F.local_response_norm).parameters
    mine = inspect.signature(ours.local_response_norm).parameters
    assert [(p.name, p.default) for p in mine.values()] == [(p.name, p.default) for p in theirs.values()]
    assert "LocalResponseNorm" in nn.__all__ and "local_response_norm" in ours.__all__
    for args in [(2,), (3, 1, 2, 2), (5, 1e-3, 0.5, 2.0)]:
        assert repr(nn.LocalResponseNorm(*args)) == repr(torch.nn.LocalResponseNorm(*args))
    assert nn.LocalResponseNorm(3).parameters() == []


def test_mistakes_are_refused_naming_the_fix():
    with pytest.raises(ShapeError, match=r"local_response_norm: the input must be \(N, C, \*\) of at least 3 dims"):
        ours.local_response_norm(Tensor(np.ones((2, 3))), 2)
    with pytest.raises(ShapeError, match=r"at least 3 dims.*got shape \(3,\)"):
        nn.LocalResponseNorm(2)(Tensor(np.ones(3)))
    with pytest.raises(ValueError, match="local_response_norm: size must be an int >= 1, got 0"):
        ours.local_response_norm(Tensor(X3), 0)
    with pytest.raises(TypeError, match="LocalResponseNorm: size must be an int >= 1, got float 2.5"):
        nn.LocalResponseNorm(2.5)
    with pytest.raises(TypeError, match="LocalResponseNorm: beta must be a real number"):
        nn.LocalResponseNorm(2, beta="0.75")
    layer = nn.LocalResponseNorm(2)
    with pytest.raises(ValueError, match="LocalResponseNorm: size must be an int >= 1, got -1"):
        layer.size = -1
    assert layer.size == 2

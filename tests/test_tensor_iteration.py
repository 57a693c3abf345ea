"""Iterating a Tensor as PyTorch does: its rows, and a 0-d tensor refused. Python's fallback through
__getitem__ read a 0-d tensor as an empty sequence, so list(Tensor(2.0)) was [], numpy's shape arguments
took it for no dims, and shape methods given a 0-d tensor for a dim did nothing. And the argument checks
that ask whether something is iterable still refuse a Tensor where a list is wanted."""

import collections.abc

import numpy as np
import pytest
import torch

import autograd
import nn
from autograd import Tensor
from nn.train_checks import _callbacks

ZERO_D = r"^iteration over a 0-d tensor"


def test_a_0d_tensor_is_refused_by_iteration_and_len_as_torchs():
    for make in (lambda: Tensor(2.0), lambda: torch.tensor(2.0)):
        with pytest.raises(TypeError, match=ZERO_D):
            list(make())
        with pytest.raises(TypeError, match=r"^len\(\) of a 0-d tensor"):
            len(make())
    with pytest.raises(TypeError, match=ZERO_D):
        [*Tensor(2.0)]  # noqa: B018 (unpacking: was [])


def test_a_tensor_iterates_over_its_rows_as_torchs():
    data = np.arange(6.0).reshape(3, 2)
    rows = list(Tensor(data, requires_grad=True))
    torch_rows = list(torch.tensor(data))
    assert len(rows) == len(torch_rows) == 3
    for row, torch_row in zip(rows, torch_rows, strict=True):
        assert row.shape == tuple(torch_row.shape) == (2,)
        assert np.array_equal(row.data, torch_row.numpy())
    sum(r.sum() for r in rows).backward()  # each row a node of the graph, as t[i]
    assert isinstance(Tensor(data), collections.abc.Iterable)


def test_numpy_reads_a_0d_integer_tensor_as_a_number():
    """np.zeros(Tensor(np.array(3))) had shape (): numpy took the tensor for an empty sequence of sizes."""
    assert np.zeros(Tensor(np.array(3))).shape == np.zeros(torch.tensor(3)).shape == (3,)
    assert np.array(Tensor(np.array(3))).shape == ()


@pytest.mark.parametrize(
    "call",
    [
        lambda t, i: t.squeeze(i),  # did nothing
        lambda t, i: t.flip(i),  # did nothing
        lambda t, i: t.roll(1, i),  # did nothing
        lambda t, i: t.tile(i),  # did nothing
        lambda t, i: t.reshape(i),  # reshaped to ()
        lambda t, i: t.view(i),
        lambda t, i: autograd.zeros(i),  # made a 0-d tensor
    ],
)
def test_shape_methods_given_a_0d_tensor_for_ints_refuse_it(call):
    t = Tensor(np.ones((1, 1)))
    with pytest.raises(TypeError, match="must be ints|a shape is ints"):
        call(t, Tensor(np.array(1)))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda x: nn.LayerNorm(x), r"^LayerNorm: normalized_shape must be an int or a list of sizes, got Tensor"),
        (lambda x: nn.MLP(2, x), r"^MLP: nouts must be a list of layer sizes .*got Tensor"),
        (lambda x: nn.Unflatten(1, x), r"^Unflatten: unflattened_size must be a tuple of sizes, got Tensor"),
        (lambda x: nn.SGD(x), r"^SGD takes a list of parameters, got one Tensor"),
        (lambda x: _callbacks(x), r"^fit: callbacks must be a list of callables .*got Tensor"),
        (lambda x: autograd.zero_grad(x), r"^zero_grad: nodes must be a list of Values or Tensors, got one Tensor"),
        (lambda x: autograd.gradcheck(lambda v: v, x), r"^gradcheck takes a list of f's inputs, got Tensor"),
    ],
)
@pytest.mark.parametrize("given", [np.array([4, 3]), np.array(3)])
def test_a_tensor_where_a_list_is_wanted_is_still_refused(call, message, given):
    """Iterable now (it has __iter__), a Tensor passed where a list of sizes, parameters or callables is
    wanted is refused as before, when the iterable checks did not take it, not read as its rows."""
    with pytest.raises(TypeError, match=message):
        call(Tensor(given, requires_grad=given.dtype.kind == "f"))

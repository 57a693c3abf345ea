"""`unbroadcast`, which sums every broadcasting op's gradient back to its input's shape: the same
numbers, bit for bit, as the sum_to op's forward (which autograd.compile's kernels are tested
against), whichever path it takes, in every float dtype and memory layout."""

import numpy as np
import pytest

from autograd import Tensor
from autograd.op_table_tensor import unbroadcast
from autograd.tensor_forwards import sum_to

CASES = [
    ((1, 10), (10,)),  # a bias's gradient at batch 1
    ((128, 256), (256,)),  # ... and at 128
    ((257, 129), (129,)),
    ((4, 5, 6), (6,)),
    ((4, 5, 6), (5, 6)),
    ((3, 1), (1,)),
    ((4, 5, 6), (1, 6)),  # stretched axes: sum_to's own path
    ((4, 5, 6), (5, 1)),
    ((2, 3), (2, 1)),
    ((4, 5), ()),
    ((7,), ()),
    ((2, 3), (2, 3)),
]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize(("source", "shape"), CASES)
def test_unbroadcast_gives_sum_tos_bits(source, shape, dtype):
    g = np.random.default_rng(0).standard_normal(source).astype(dtype)
    for layout in (g, np.asfortranarray(g)):
        ours, theirs = unbroadcast(layout, shape), sum_to(layout, shape=shape)
        assert isinstance(ours, np.ndarray) and ours.shape == shape and ours.dtype == dtype
        assert ours.tobytes() == theirs.tobytes()


def test_a_bias_gradient_is_the_batch_sum_and_differentiable_under_create_graph():
    x, b = Tensor(np.ones((3, 2)), requires_grad=True), Tensor(np.zeros(2), requires_grad=True)
    ((x + b) ** 2).sum().backward(create_graph=True)
    assert b.grad.tolist() == [6.0, 6.0] and isinstance(b.grad, Tensor)

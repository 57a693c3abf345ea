"""matmul of a stack of matrices by one matrix (a Linear layer on a sequence) against PyTorch.

The shared matrix's gradient is one product over all the stack's rows (issue #16): forward,
gradient and second derivative must agree with torch at the usual tolerances, for every shape
that takes that path or borders it, and the backward must not form a (T, I, G) temporary. The mirror, one
matrix by a stack, takes one product too where that is cheaper (autograd/matmul_batched.py)."""

import tracemalloc

import numpy as np
import pytest
from torch_reference import DTYPES, check, torch, weights  # without torch: skipped

from autograd import Tensor

SHAPES = [
    ((4, 3, 5), (5, 2)),  # a sequence (T, N, I) by a weight (I, G)
    ((2, 3, 4, 5), (5, 2)),  # two batch axes
    ((4, 3, 5), (5,)),  # by a vector: a column, then squeezed
    ((5,), (4, 5, 2)),  # a vector by a stack
    ((5, 2), (4, 2, 3)),  # the mirror: one matrix by a stack (per-slice products, summed: cheaper here)
    ((6, 5), (4, 5, 2)),  # the mirror where one product over the stack is cheaper (matmul_batched)
    ((6, 5), (2, 3, 5, 2)),  # the same with two batch axes
    ((6, 5), (0, 5, 2)),  # the same over an empty stack: zero gradient for the matrix
    ((1, 3, 5), (4, 5, 2)),  # broadcasting between stacks
    ((0, 3, 5), (5, 2)),  # an empty stack: zero gradient for the weight
    ((4, 0, 5), (5, 2)),  # empty slices
    ((4, 3, 0), (0, 2)),  # nothing to contract: zero forward
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sa, sb", SHAPES)
def test_stack_by_matrix_agrees_with_torch(sa, sb, dtype):
    check(lambda a, b: a @ b, torch.matmul, [weights(sa, dtype, 1), weights(sb, dtype, 2)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_stack_not_contiguous_agrees_with_torch(dtype):
    """a transposed stack (a view numpy cannot reshape without a copy) takes the per-slice product."""
    check(
        lambda a, b: a.swapaxes(0, 1) @ b,
        lambda a, b: a.transpose(0, 1) @ b,
        [weights((3, 4, 5), dtype, 1), weights((5, 2), dtype, 2)],
        dtype,
    )


@pytest.mark.parametrize(
    "matrix_first, other",
    [
        # (64, 32, 512) @ (512, 512): the weight's per-slice products were (64, 512, 512), 64 MiB, before they
        # were summed; the product over all rows forms 1 MiB
        (False, (64, 32, 512)),
        # the mirror, (512, 512) @ (64, 512, 16): the same 64 MiB; one product copies g and the stack, 2 MiB each
        (True, (64, 512, 16)),
    ],
)
def test_shared_matrix_gradient_forms_no_per_slice_temporary(matrix_first, other):
    """The shared (512, 512) matrix's gradient in float32 peaks under 16 MiB, one product over the stack."""
    rng = np.random.default_rng(0)
    w = Tensor(rng.standard_normal((512, 512)).astype(np.float32), requires_grad=True)
    x = Tensor(rng.standard_normal(other).astype(np.float32))
    y = w @ x if matrix_first else x @ w
    tracemalloc.start()
    try:
        y.sum().backward()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert w.grad.shape == (512, 512)
    assert peak < 16 * 2**20, f"backward peaked at {peak / 2**20:.1f} MiB"

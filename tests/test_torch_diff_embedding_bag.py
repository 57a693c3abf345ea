"""embedding_bag where torch 2.13 departs, found by a differential sweep (session 45), each recorded in
docs/edge-points.md with a guard here: a NaN row in a max bag, and a 2-d input of bags of length 0."""

import numpy as np
import pytest
from torch_reference import torch  # without torch: skipped

import nn
from autograd import Tensor

NAN = float("nan")


@pytest.mark.parametrize("bag", [[0, 1], [1, 0], [0, 0]])
def test_a_nan_in_a_max_bag_is_nan_in_any_order_where_torchs_depends_on_the_order(bag):
    table = np.array([[NAN, 1.0], [0.0, 2.0]])
    weight = Tensor(table, requires_grad=True)
    out = nn.functional.embedding_bag(np.array([bag]), weight, mode="max")
    np.testing.assert_array_equal(out.data, [[NAN, 2.0 if 1 in bag else 1.0]])
    out.sum().backward()
    # the NaN column's gradient goes to the NaN, as max(dim=)'s to its first NaN; the other column's to row 1's 2
    np.testing.assert_array_equal(weight.grad[:, 0], [1.0, 0.0])
    np.testing.assert_array_equal(weight.grad[:, 1], [0.0, 1.0] if 1 in bag else [1.0, 0.0])
    theirs = torch.nn.functional.embedding_bag(torch.tensor([bag]), torch.tensor(table), mode="max")
    assert np.isnan(theirs[0, 0].item()) == (bag[0] == 0)  # the guard: torch's NaN only where it comes first


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_a_2d_input_of_empty_bags_gives_zero_rows_where_torch_refuses(mode):
    weight = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    out = nn.functional.embedding_bag(np.zeros((2, 0), np.int64), weight, mode=mode)
    np.testing.assert_array_equal(out.data, np.zeros((2, 2)))  # as 1-d input's empty bags, and torch's there
    out.sum().backward()
    np.testing.assert_array_equal(weight.grad, np.zeros((3, 2)))
    with pytest.raises(RuntimeError, match="step must be nonzero"):  # the guard: torch 2.13 refuses
        torch.nn.functional.embedding_bag(torch.zeros((2, 0), dtype=torch.long), torch.zeros(3, 2), mode=mode)


def test_scale_grad_by_freq_is_embeddings_where_torchs_embedding_bag_miscounts():
    """Each row's gradient divided by its own count (torch's embedding gives the same); torch 2.13's embedding_bag
    divides rows by other rows' counts: [0, 0, 0, 2, 1] in bags [0, 3), [3, 5) gives rows 1 and 2 a third of
    their gradient, whose counts are 1 (docs/edge-points.md)."""
    index, offsets, table = np.array([0, 0, 0, 2, 1]), np.array([0, 3]), np.arange(6.0).reshape(3, 2)
    weight = Tensor(table, requires_grad=True)
    nn.functional.embedding_bag(index, weight, offsets, mode="sum", scale_grad_by_freq=True).sum().backward()
    np.testing.assert_array_equal(weight.grad, np.ones((3, 2)))  # 3 uses / 3, 1 / 1, 1 / 1
    theirs = torch.tensor(table, requires_grad=True)
    torch.nn.functional.embedding(torch.tensor(index), theirs, scale_grad_by_freq=True).sum().backward()
    np.testing.assert_array_equal(theirs.grad.numpy(), np.ones((3, 2)))
    theirs.grad = None
    torch.nn.functional.embedding_bag(
        torch.tensor(index), theirs, torch.tensor(offsets), mode="sum", scale_grad_by_freq=True
    ).sum().backward()
    np.testing.assert_allclose(theirs.grad.numpy()[1:], 1 / 3)  # the guard: torch's miscount

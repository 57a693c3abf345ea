"""`t.data = array` and the version count: an array over the memory t had (a reshape of it, the
same array changed in place) keeps t's count, which its views (detach(), slices) share, so a write
through them is still caught by backward, as PyTorch's set_data keeps the counter; an array of new
memory gives t a count of its own, and the old views write into memory t no longer has."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from autograd import Tensor

CHANGED = "was changed in place"


@pytest.mark.parametrize(
    "new_data",
    [lambda a: a.reshape(2, 3), lambda a: a.reshape(3, 2), lambda a: a[:, ::-1], lambda a: a],
    ids=["reshape", "other shape", "reversed view", "same array"],
)
def test_a_write_through_an_older_view_after_data_over_the_same_memory_is_caught(new_data):
    x = Tensor(np.arange(1.0, 7.0).reshape(2, 3), requires_grad=True)
    d = x.detach()
    x.data = new_data(x.data)
    y = (x * x).sum()
    d[0, 0] = 100.0
    with pytest.raises(RuntimeError, match=CHANGED):
        y.backward()
    assert x.grad is None


def test_pytorch_refuses_the_same_write():
    x = torch.arange(1.0, 7.0).reshape(2, 3).requires_grad_()
    d = x.detach()
    x.data = x.data.reshape(2, 3)
    y = (x * x).sum()
    d[0, 0] = 100.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_data_over_new_memory_leaves_the_older_views_apart_and_backward_right():
    x = Tensor(np.arange(1.0, 7.0).reshape(2, 3), requires_grad=True)
    d = x.detach()
    x.data = np.arange(1.0, 7.0).reshape(2, 3) * 2  # new memory
    y = (x * x).sum()
    d[0, 0] = 100.0  # writes into the old memory, which x no longer has
    y.backward()
    np.testing.assert_array_equal(x.grad, 4 * np.arange(1.0, 7.0).reshape(2, 3))
    assert d.data[0, 0] == 100.0 and x.data[0, 0] == 2.0


def test_each_assignment_counts_as_a_change():
    x = Tensor(np.ones(4))
    before = x._version
    x.data = x.data.reshape(2, 2)  # the same memory: the count goes on
    x.data = np.zeros(3)  # new memory: a count of its own, past the old one
    assert x._version == before + 2

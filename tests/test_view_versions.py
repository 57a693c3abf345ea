"""A tensor viewing another's memory shares its version count (as in PyTorch): an in-place change
through a slice, a transpose, a reshape or detach() is caught by every graph that used either."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor

CHANGED = "was changed in place"


def test_a_write_through_a_transpose_of_an_intermediate_is_caught():
    w = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    h = w * 1
    y = (h * h).sum()
    with autograd.no_grad():
        h.T[0, 1] = 10.0  # h[1, 0]: backward would read 10 where the forward used 3
    with pytest.raises(RuntimeError, match=CHANGED):
        y.backward()
    assert w.grad is None


@pytest.mark.parametrize(
    "view",
    [lambda c: c[0:2], lambda c: c.reshape(3, 1), lambda c: c.detach(), lambda c: c[::-1]],
    ids=["slice", "reshape", "detach", "reversed"],
)
def test_in_place_arithmetic_on_a_view_of_a_constant_is_caught(view):
    w, c = Tensor(np.ones(3), requires_grad=True), Tensor(np.array([1.0, 2.0, 3.0]))
    y = (w * c).sum()
    v = view(c)
    v += 10
    with pytest.raises(RuntimeError, match=CHANGED):
        y.backward()


def test_a_change_of_the_base_is_caught_in_a_graph_that_used_its_view():
    w, c = Tensor(np.ones(2), requires_grad=True), Tensor(np.array([1.0, 2.0, 3.0]))
    y = (w * c[1:]).sum()
    c.data -= 1  # in place: the slice's memory changed too
    with pytest.raises(RuntimeError, match=CHANGED):
        y.backward()


def test_a_new_array_for_the_base_leaves_its_views_and_their_graphs_alone():
    w, c = Tensor(np.ones(2), requires_grad=True), Tensor(np.array([1.0, 2.0, 3.0]))
    y = (w * c[1:]).sum()
    c.data = np.zeros(3)  # the slice still views the old array, unchanged
    y.backward()
    assert w.grad.tolist() == [2.0, 3.0]
    z = (w * c[1:]).sum()  # and a graph on the new array sees its own count
    c[0] = 5.0
    with pytest.raises(RuntimeError, match=CHANGED):
        z.backward()


def test_views_that_nothing_writes_through_change_nothing():
    w = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    (w.T * 2).sum().backward()
    (w[:, 1:] * w.reshape(3, 2).T[:, 1:]).sum().backward()  # two views of the same leaf in one graph
    x = w.data
    expected = np.full((2, 3), 2.0)
    expected[:, 1:] += x.reshape(3, 2).T[:, 1:]
    through_reshape = np.zeros((3, 2))
    through_reshape.T[:, 1:] += x[:, 1:]
    assert w.grad.tolist() == (expected + through_reshape.reshape(2, 3)).tolist()


def test_a_fresh_result_gets_a_count_of_its_own():
    c = Tensor(np.array([1.0, 2.0]))
    d = c * 2  # a new array: writing into it changes nothing c's graphs used
    w = Tensor(np.ones(2), requires_grad=True)
    y = (w * c).sum()
    d += 1
    y.backward()
    assert w.grad.tolist() == [1.0, 2.0]

"""Gradients taken with create_graph leave no reference cycles behind: each node's running sum (a node
itself under create_graph, whose graph leads back to the node holding it) is dropped after the pass, so
a loop of second derivatives frees its arrays by reference counting, not at the cyclic collector's
next full pass (a test run's heap grew by millions of objects from them)."""

import gc

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value


def _cyclic_garbage(make) -> list:
    """What the cyclic collector finds among the objects make() made, after it returns (only it could free those).
    Every object older than make() is frozen (gc.freeze) meanwhile: the collector leaves them alone, so the run's
    garbage so far is not counted, and the pass scans only make()'s objects, not the whole heap (two full passes a
    test over the default run's millions of objects took 3.1 s)."""
    was = gc.isenabled()
    gc.disable()
    gc.freeze()
    try:
        make()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        found = list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.unfreeze()
        if was:
            gc.enable()
    return found


def _second_derivative_tensor():
    x = Tensor(np.array([0.3, 0.7, 1.1]), requires_grad=True)
    g = autograd.grad(lambda t: autograd.grad(lambda u: (u * u * u).sum())(t).sum())(x)
    assert np.allclose(g.data, 6 * x.data)


def _second_derivative_value():
    g = autograd.grad(autograd.grad(lambda v: v * v * v))(Value(0.5))
    assert g.data == pytest.approx(3.0)


def _gradients_create_graph():
    x = Tensor(np.array([0.3, 0.7]), requires_grad=True)
    y = (x.tanh() * x).sum()
    (g,) = autograd.gradients(y, [x], create_graph=True)
    assert g.requires_grad


@pytest.mark.parametrize("make", [_second_derivative_tensor, _second_derivative_value, _gradients_create_graph])
def test_higher_order_gradients_leave_no_cycles(make):
    assert [type(o).__name__ for o in _cyclic_garbage(make)] == []


def test_the_check_sees_a_cycle():
    def make():
        a = []
        a.append(a)

    assert _cyclic_garbage(make)

"""backward(): accumulation, reuse, long chains, higher derivatives, modes."""

import math
import threading

import numpy as np
import pytest
from hypothesis import given

from autograd import Tensor, Value, grad, gradients, no_grad, pullback, topological_order, zero_grad
from autograd.testing import expressions, judged_gradcheck


def test_reused_node_gets_the_sum_of_its_gradients():
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert (a.grad, b.grad) == (4.0, 2.0)
    x = Value(5.0)
    (x * x).backward()
    assert x.grad == 10.0


def test_backward_twice_accumulates_like_pytorch():
    x = Value(2.0)
    y = x * 3
    z = y * y
    z.backward()
    assert x.grad == 36.0
    z.backward()
    assert (x.grad, y.grad, z.grad) == (72.0, 24.0, 2.0)
    zero_grad([x, y, z])
    z.backward()
    assert x.grad == 36.0


# a hundred times the recursion limit in the default run; the million-op one (6 s) in CI's slow set
@pytest.mark.parametrize("ops", [100_000, pytest.param(1_000_000, marks=pytest.mark.slow)])
def test_a_long_chain_needs_no_recursion(ops):
    x = Value(1.0)
    y = x
    for _ in range(ops):
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0
    assert len(topological_order(y)) == 2 * ops + 1  # one constant leaf per op
    del y  # freeing the chain must not overflow the C stack either


def test_topological_order_puts_every_node_before_its_parents():
    x = Value(1.0)
    y = (x * 2 + x.exp()) * x
    order = topological_order(y)
    position = {id(n): i for i, n in enumerate(order)}
    assert order[0] is y and len(order) == len(position)
    assert all(position[id(p)] > position[id(n)] for n in order for p in n.parents)


def test_graph_accessors_are_read_only():
    x = Value(1.0, label="x")
    y = x * 2
    assert y.op.name == "*" and y.parents[0] is x and y.parents[1].data == 2.0
    assert x.op is None and x.parents == ()
    with pytest.raises(AttributeError):
        y.parents = ()
    assert repr(x) == "Value(data=1.0, grad=0.0, label='x')"


@given(expressions())
def test_random_graphs_with_reuse_match_finite_differences(expr):
    assert judged_gradcheck(expr, expr.inputs)


@given(expressions(max_ops=6))
def test_random_graphs_second_derivatives_match_finite_differences(expr):
    n = len(expr.inputs)
    first = grad(expr, argnums=tuple(range(n)))

    def sum_of_first_derivatives(*xs):
        gs = first(*xs)
        return sum(gs[1:], gs[0]) + 0 * xs[0]  # stays a Value when every term is constant

    assert judged_gradcheck(sum_of_first_derivatives, expr.inputs)


def test_create_graph_then_second_backward_gives_second_derivative():
    x = Value(3.0)
    y = x**3
    y.backward(create_graph=True)
    dy = x.grad
    assert isinstance(dy, Value) and dy.data == 27.0
    x.grad = 0.0
    dy.backward()
    assert x.grad == 18.0


def test_grad_is_nestable_and_pure():
    def f(x):
        return x.sin() * x

    assert grad(f)(0.7) == pytest.approx(math.sin(0.7) + 0.7 * math.cos(0.7), rel=1e-12)
    assert grad(grad(f))(0.7) == pytest.approx(2 * math.cos(0.7) - 0.7 * math.sin(0.7), rel=1e-12)
    assert grad(grad(grad(lambda x: x**4)))(2.0) == pytest.approx(48.0)
    v = Value(1.5)
    g = grad(lambda v: v * v)(v)
    assert isinstance(g, Value) and g.data == 3.0 and v.grad == 0.0


def test_grad_with_several_argnums_and_constant_functions():
    df = grad(lambda a, b: a * b * b, argnums=(0, 1))
    assert df(2.0, 3.0) == (9.0, 12.0)
    assert grad(lambda x: 5.0)(1.0) == 0.0
    assert grad(grad(lambda x: 2 * x))(1.0) == 0.0
    with pytest.raises(IndexError, match="argnums=2"):
        grad(lambda a: a, argnums=2)(1.0)


def test_gradients_leaves_grad_alone_and_gives_zero_for_unreached_inputs():
    a, b, unused = Value(2.0), Value(5.0), Value(1.0)
    y = a * b
    assert gradients(y, [a, b, unused]) == [5.0, 2.0, 0.0]
    assert (a.grad, b.grad) == (0.0, 0.0)


def test_no_grad_builds_no_graph():
    x = Value(2.0)
    with no_grad():
        y = x * 3 + 1
    assert y.op is None and y.parents == () and y.data == 7.0
    z = x * 3
    assert z.parents[0] is x


def test_no_grad_is_thread_local():
    inside, other_done = threading.Event(), threading.Event()
    seen = {}

    def other_thread():
        inside.wait()
        seen["parents"] = (Value(1.0) * 2).parents
        other_done.set()

    t = threading.Thread(target=other_thread)
    t.start()
    with no_grad():
        inside.set()
        other_done.wait()
        assert (Value(1.0) * 2).parents == ()
    t.join()
    assert len(seen["parents"]) == 2


def test_pullback_is_one_step_of_backward_on_both_engines():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    assert pullback(c, 1.5) == [1.5 * -3.0, 1.5 * 2.0] and pullback(a, 1.0) == []
    w = Tensor(np.ones((2, 3)), requires_grad=True)
    out = w + np.arange(3.0)  # a constant row, broadcast: it gets no gradient
    gw, gconst = pullback(out, np.full((2, 3), 2.0))
    assert gw.tolist() == [[2.0] * 3] * 2 and gconst is None


def test_gradients_takes_torch_autograd_grads_grad_outputs():
    """A porter's torch.autograd.grad(y, [x], grad_outputs=v) was a TypeError (no such keyword): it is the seed."""
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = x * x
    v = np.array([1.0, 10.0])
    (by_name,) = gradients(y, [x], grad_outputs=v)
    (by_place,) = gradients(y, [x], v)
    assert by_name.tolist() == by_place.tolist() == [2.0, 40.0]
    with pytest.raises(TypeError, match="two names of one argument"):
        gradients(y, [x], v, grad_outputs=v)

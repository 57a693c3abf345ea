"""The lecture "The spelled-out intro to neural networks and backpropagation" on chainrule: its
helpers (`trace`, `draw_dot`, `build_topo`) as the lecture writes them, reading micrograd's internals
`_prev`, `_op` and `_backward`; backpropagation by hand, node by node; nodes built by hand, micrograd's
way, with a `_backward` of their author's.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from graphviz import Digraph

from autograd import Tensor, Value, topological_order

# ---- the lecture's code, as it is written there ----


def trace(root):
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(root)
    return nodes, edges


def draw_dot(root):
    dot = Digraph(format="svg", graph_attr={"rankdir": "LR"})
    nodes, edges = trace(root)
    for n in nodes:
        uid = str(id(n))
        dot.node(name=uid, label="{ %s | data %.4f | grad %.4f }" % (n.label, n.data, n.grad), shape="record")  # noqa: UP031
        if n._op:
            dot.node(name=uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    return dot


def build_topo(root):
    topo, visited = [], set()

    def build(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build(child)
            topo.append(v)

    build(root)
    return topo


def lecture_neuron():
    """The lecture's neuron, every value labelled: o = tanh(x1*w1 + x2*w2 + b)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, x1w1=x1w1, x2w2=x2w2, x1w1x2w2=x1w1x2w2, n=n, o=o)


NEURON_GRADS = dict(x1=-1.5, x2=0.5, w1=1.0, w2=0.0, b=0.5, x1w1=0.5, x2w2=0.5, x1w1x2w2=0.5, n=0.5, o=1.0)


def test_the_lectures_draw_dot_reads_the_graph() -> None:
    o, v = lecture_neuron()
    nodes, edges = trace(o)
    assert nodes == set(v.values())
    assert {(a.label, b.label) for a, b in edges} == {
        ("x1", "x1*w1"),
        ("w1", "x1*w1"),
        ("x2", "x2*w2"),
        ("w2", "x2*w2"),
        ("x1*w1", "x1*w1 + x2*w2"),
        ("x2*w2", "x1*w1 + x2*w2"),
        ("x1*w1 + x2*w2", "n"),
        ("b", "n"),
        ("n", "o"),
    }
    assert {n.label: n._op for n in nodes} == dict(x1="", x2="", w1="", w2="", b="") | {
        "x1*w1": "*",
        "x2*w2": "*",
        "x1*w1 + x2*w2": "+",
        "n": "+",
        "o": "tanh",
    }
    source = draw_dot(o).source
    assert "{ o | data 0.7071 | grad 0.0000 }" in source and "label=tanh" in source


@pytest.mark.parametrize("using_exp", [False, True])
def test_manual_backward_node_by_node_in_reverse_topological_order(using_exp: bool) -> None:
    o, v = lecture_neuron()
    if using_exp:  # the lecture's second version: tanh written with exp
        e = (2 * v["n"]).exp()
        o = (e - 1) / (e + 1)
        v["o"] = o
    o.grad = 1.0
    for node in reversed(build_topo(o)):
        node._backward()
    for name, want in NEURON_GRADS.items():
        assert v[name].grad == pytest.approx(want, abs=1e-12), name
    # the same as backward() on a fresh graph, node for node
    fresh, w = lecture_neuron()
    fresh.backward()
    assert {name: w[name].grad for name in NEURON_GRADS} == pytest.approx({name: v[name].grad for name in NEURON_GRADS})


def test_one_backward_step_adds_into_the_childrens_grads() -> None:
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    c.grad = 2.0
    c._backward()
    assert (a.grad, b.grad) == (-6.0, 4.0)
    c._backward()  # accumulates, as micrograd's does
    assert (a.grad, b.grad) == (-12.0, 8.0)
    a._backward()  # a leaf: nothing to pass on
    assert (a.grad, b.grad) == (-12.0, 8.0)
    d = a**2
    d.grad = 1.0
    d._backward()  # the exponent is no node: nothing goes to it
    assert d._prev == {a} and d._op == "**2" and a.grad == -8.0


def test_backward_steps_on_tensors_too() -> None:
    W = Tensor([[0.5, -1.0], [2.0, 0.3]], requires_grad=True)
    b = Tensor([0.1, -0.2], requires_grad=True)
    y = ((Tensor([[1.0, 2.0]]) @ W + b).tanh() * 3).sum()
    y.backward()
    want = W.grad.copy(), b.grad.copy()
    W.grad = b.grad = None
    y.grad = np.ones((), np.float32)  # a tensor's gradient is an array of its shape and dtype
    for node in topological_order(y):
        node._backward()
    assert W.grad == pytest.approx(want[0]) and b.grad == pytest.approx(want[1])


# ---- nodes built by hand, micrograd's way ----


def hand_mul(a: Value, b: Value) -> Value:
    """micrograd's __mul__, as a learner writes it."""
    out = Value(a.data * b.data, (a, b), "*")

    def _backward():
        a.grad += b.data * out.grad
        b.grad += a.data * out.grad

    out._backward = _backward
    return out


def test_a_node_built_by_hand_differentiates_with_its_own_backward() -> None:
    a, b = Value(2.0), Value(-3.0)
    o = (hand_mul(a, b) + a).tanh()
    o.backward()
    x, y = Value(2.0), Value(-3.0)
    (x * y + x).tanh().backward()
    assert (a.grad, b.grad) == (x.grad, y.grad)
    o.backward()  # accumulates as every node does: twice the gradients
    assert (a.grad, b.grad) == (2 * x.grad, 2 * y.grad)
    square = hand_mul(a, a)  # one child twice: its gradient counted once per use
    a.grad = 0.0
    square.backward()
    assert a.grad == 4.0 and square._prev == {a} and square._op == "*"


def test_a_node_built_by_hand_steps_by_hand_and_passes_nothing_without_a_backward() -> None:
    a, b = Value(2.0), Value(-3.0)
    c = hand_mul(a, b)
    c.grad = 1.0
    c._backward()
    assert (a.grad, b.grad) == (-3.0, 2.0)
    lone = Value(5.0, (a,), "mystery", label="m")
    assert (lone._op, lone._prev, lone.label) == ("mystery", {a}, "m")
    (lone * 2).backward()  # micrograd's default _backward does nothing; so does this one
    assert a.grad == -3.0 and lone.grad == 2.0


def test_what_a_node_built_by_hand_refuses() -> None:
    a = Value(2.0)
    with pytest.raises(TypeError, match="its _backward gives no second derivatives"):
        hand_mul(a, a).backward(create_graph=True)
    with pytest.raises(AttributeError, match="a leaf has no children"):
        a._backward = lambda: None
    with pytest.raises(AttributeError, match="this one follows its op's rule"):
        (a * 2)._backward = lambda: None
    with pytest.raises(TypeError, match="the children of a Value must be Values, got float 1.0"):
        Value(2.0, (a, 1.0), "+")
    assert Value(2.0, "x").label == "x"  # chainrule's older Value(data, label)


def lecture_tanh(x: float) -> float:
    """The lecture's own Value.tanh, as it writes it."""
    return (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)


def test_tanh_and_the_lectures_formula_differ_in_the_last_digit_as_the_readme_says() -> None:
    """README's "What differs" row on tanh: the neuron's o; both errors over [-3, 3] and the lecture's near 0, in units
    in the last place (the row said "up to 188", "at most 1.75": one sample's largest, where the lecture's is unbounded
    as x nears 0, 3e7 at 1e-8)."""
    mp = pytest.importorskip("mpmath")
    o, _ = lecture_neuron()
    n = o._prev.copy().pop().data
    assert (o.data, lecture_tanh(n)) == (0.7071067811865477, 0.7071067811865476)
    rng = random.Random(0)
    xs = [rng.uniform(-3, 3) for _ in range(3000)]
    with mp.workprec(100):
        exact = [mp.tanh(mp.mpf(x)) for x in xs]
        ours = [float(abs(mp.mpf(Value(x).tanh().data) - t) / math.ulp(float(t))) for x, t in zip(xs, exact)]
        theirs = [float(abs(mp.mpf(lecture_tanh(x)) - t) / math.ulp(float(t))) for x, t in zip(xs, exact)]
        near_zero = [float(abs(mp.mpf(lecture_tanh(x)) - mp.tanh(x)) / math.ulp(math.tanh(x))) for x in (1e-3, 1e-8)]
    assert round(max(ours), 2) == 1.75 and round(sum(ours) / len(xs), 2) == 0.35
    assert round(max(theirs)) == 188 and round(sum(theirs) / len(xs), 2) == 0.63
    assert round(near_zero[0]) == 83 and near_zero[1] > 3e7  # the sample's 188 is no bound: cancellation near 0
    differ = sum(Value(x).tanh().data != lecture_tanh(x) for x in xs) / len(xs)
    assert 0.3 < differ < 0.35  # a third

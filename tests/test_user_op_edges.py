"""Users' ops, in-place writes and gradcheck at their edges (an audit of them): each case gave a wrong
number without a word, or an error that did not name the op."""

import dataclasses
import warnings

import numpy as np
import pytest
from hypothesis import given

import autograd
from autograd import GradcheckError, Op, ShapeError, Tensor, Value, gradcheck, gradients, no_grad, raw
from autograd.op_def import Domain
from autograd.testing import within


def test_an_op_giving_integers_or_bools_makes_a_constant_as_in_pytorch():
    """A rounding op's gradient was cast to int64 on the way back: 0.3 became 0."""
    x = Tensor(np.array([0.4, 1.6, 2.2]), requires_grad=True)
    for dtype in (np.int64, bool):
        r = Op("rounded", lambda a, d=dtype: np.round(a).astype(d), lambda g, o, a: (g,))(x)
        assert r.dtype == dtype and not r.requires_grad and r.op is None
    with pytest.raises(RuntimeError, match="does not require grad"):
        r.sum().backward()
    v = Value(1.3)  # on Values alike: a constant leaf, no gradient through it
    for forward in (lambda a: int(a // 1), lambda a: a > 0, lambda a: np.bool_(a > 0)):
        out = Op("stepped", forward, lambda g, o, a: (g,))(v)
        assert out.parents == () and out.op is None and isinstance(out.data, float)
    (out * v).backward()
    assert v.grad == 1.0


def test_an_op_returning_its_second_input_gives_an_array_of_its_own():
    """A change through the output changed b's data under a graph that used b: [22 24 26] for [2 4 6].
    (It then shared b's version count, which refused the backward; now the output is a copy.)"""
    pick = Op("pick_second", lambda a, b: b, lambda g, o, a, b: (None, g))
    a = Tensor(np.ones(3), requires_grad=True)
    b = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    y = (b * b).sum()
    z = pick(a, b)
    with no_grad():
        z += 10.0
    y.backward()
    assert b.data.tolist() == [1.0, 2.0, 3.0] and b.grad.tolist() == [2.0, 4.0, 6.0]
    assert z.data.tolist() == [11.0, 12.0, 13.0]


def test_gradcheck_never_passes_a_row_whose_finite_difference_is_infinite():
    """inf <= rtol * inf passed whatever the rule said (PyTorch's gradcheck fails it). It cannot be judged
    (f is not finite at x - eps: log's edge within eps), and says so and how to judge it, not "fails"."""
    wrong = Op("wrong_log", np.log, lambda g, o, x: (g * -5.0,))
    judged = r"input 0\[0\] +1e-06 +-5 +inf .*<- cannot judge: f is not finite at x \+- eps \(a pole"
    with np.errstate(divide="ignore"), pytest.raises(GradcheckError, match=judged):
        gradcheck(lambda x: wrong(x).sum(), [np.array([1e-6])])
    with pytest.raises(GradcheckError, match="<- fails"):  # a smaller eps, as it says, judges it
        gradcheck(lambda x: wrong(x).sum(), [np.array([1e-6])], eps=1e-8)


def test_a_rule_taking_needs_works_on_values_and_is_told_a_numbers_gradient_is_unread():
    seen = []

    def rule(g, out, a, b, needs):
        seen.append(needs)
        return (g * b if needs[0] else None, g * a if needs[1] else None)

    times = Op("times", lambda a, b: a * b, rule, takes_needs=True)
    x, y = Value(2.0), Value(3.0)
    times(x, y).backward()
    times(x, 4.0).backward()
    assert (x.grad, y.grad) == (7.0, 2.0) and seen == [(True, True), (True, False)]


def test_a_users_rule_is_named_when_it_returns_none_and_its_constant_tensor_is_read_as_data():
    none = Op("returns_none", lambda x: x * 2, lambda g, o, x: None)
    with pytest.raises(TypeError, match="rule of op 'returns_none' returned NoneType None, not a tuple"):
        none(Tensor(np.ones(3), requires_grad=True)).sum().backward()
    constant = Op("constant_grad", lambda x: x * 2, lambda g, o, x: (Tensor(np.full(3, 2.0)),))
    x = Tensor(np.ones(3), requires_grad=True)
    constant(x).sum().backward()
    assert type(x.grad) is np.ndarray and x.grad.tolist() == [2.0, 2.0, 2.0]
    bools = Op("bool_grad", lambda x: x * 2, lambda g, o, x: (np.ones(3, bool),))
    with pytest.raises(TypeError, match="rule of op 'bool_grad' gave a gradient of dtype bool"):
        bools(Tensor(np.ones(3), requires_grad=True)).sum().backward()


def test_a_users_forward_error_keeps_its_words():
    """ "window size must be positive" was read as numpy's shape complaint (a ShapeError)."""

    def window(x):
        raise ValueError("window size must be positive")

    with pytest.raises(ValueError, match=r"^window\(array of shape \(2,\)\) is undefined: window size must be"):
        Op("window", window, lambda g, o, x: (g,))(Tensor(np.ones(2), requires_grad=True))
    add = Op("my_add", lambda a, b: a + b, lambda g, o, a, b: (g, g))  # numpy's own sentence: a ShapeError
    with pytest.raises(ShapeError, match=r"^my_add: shapes \(3,\) and \(4,\) do not fit \(operands could not"):
        add(Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(4)))


def test_in_place_arithmetic_on_a_view_of_a_held_node_in_the_graph_is_refused():
    """PyTorch changes the base through the view (h becomes [10, 11, 2, 3], the loss 234); chainrule's
    `+=` in a graph makes a new node, so the base kept its values and the loss was 14. A base nothing
    else holds is no matter: `layer(x).reshape(...) += b` works as before."""
    x = Tensor(np.arange(4.0), requires_grad=True)
    h = x * 1.0
    for view in (h[:2], h.reshape(2, 2), h.T):
        with pytest.raises(RuntimeError, match=r"t \+= x on a tensor that views another's memory"):
            view += 10.0
    total = (h * h).sum()
    total += 1.0  # its own memory: a new node, `total = total + 1`
    assert total.item() == 15.0 and h.data.tolist() == [0.0, 1.0, 2.0, 3.0]
    for chained in (h[0:2][0:1], h.reshape(4, 1).T):  # through a chain of views, to h
        with pytest.raises(RuntimeError, match="views another's memory"):
            chained += 1.0
    c, w = Tensor(np.array([1.0, 2.0, 3.0])), Tensor(np.array([10.0, 20.0]), requires_grad=True)
    part = c[0:2]  # a constant view: PyTorch would write w into c and make c part of the graph
    with pytest.raises(RuntimeError, match="views another's memory"):
        part += w
    part += 1.0  # no graph: in place, into c, as numpy
    assert c.data.tolist() == [2.0, 3.0, 3.0]
    out = (x * 1.0).reshape(2, 2)  # the base is held by out's record only: nobody could see it differ
    out += 10.0
    tiled = x.repeat(1)  # a copy, inside tile
    tiled += 1.0
    assert out.data.tolist() == [[10.0, 11.0], [12.0, 13.0]] and tiled.data.tolist() == [1.0, 2.0, 3.0, 4.0]


@given(within(Domain(lo=5.0, hi=10.0)), within(Domain(lo=-1e9, hi=-100.0)))
def test_within_draws_from_a_domain_wholly_outside_minus_3_to_3(above, below):
    assert 5.0 <= above <= 10.0 and -106.0 <= below <= -100.0


def test_a_rule_on_numbers_alone_run_for_a_second_derivative_names_its_op_and_the_fix():
    """math.cos in a Value op's rule works for a first derivative (floats) and cannot for a second (nodes):
    the error said float() of a Value, without the op or why it was asked."""
    import math

    import autograd

    mycos = Op("mycos", math.cos, lambda g, out, a: (-g * math.sin(a),))
    (first,) = autograd.gradients(mycos(x := Value(0.5)), [x])
    assert first == -math.sin(0.5)
    for second in (
        lambda: autograd.gradients(mycos(x), [x], create_graph=True),
        lambda: autograd.hessian(lambda v: mycos(v))(0.5),
    ):
        with pytest.raises(TypeError, match=r"op 'mycos' runs on the nodes themselves.*autograd.cos\(x\), not math"):
            second()


def test_a_rule_asking_a_held_nodes_number_in_a_first_derivative_is_not_said_to_run_on_nodes():
    """A rule given numbers (no create_graph) that asks float() of a Value it holds: Value's own message,
    not vjp_at's words of a second derivative, which was not asked for."""
    import autograd

    held = Value(2.0)
    scaled = Op("scaled", lambda a: 2.0 * a, lambda g, out, a: (g * float(held),))
    x = Value(0.5)
    with pytest.raises(TypeError, match=r"^float\(\) of a Value") as caught:
        autograd.gradients(scaled(x), [x])
    assert "second derivative" not in str(caught.value)


_FIRST_ONLY = Op("first_only", lambda a, b: a + b, lambda g, o, a, b: (g, None))  # b takes no gradient


@pytest.mark.parametrize("create_graph", [False, True])
def test_a_computed_input_that_gets_no_gradient_has_no_rule_run(create_graph):
    """b = exp(x), given to an op whose rule gives b None: exp's rule was still called, with the empty sum
    (TypeError: unsupported operand type(s) for *: '_EmptySum' and 'float'); a hook on b never runs, and b's
    gradient is 0, through backward and autograd.gradients, with create_graph or not."""
    x = Tensor(np.array([0.5, 1.0, 2.0]), requires_grad=True)
    b = x.exp()
    seen = []
    b.register_hook(lambda g: seen.append(g))
    b.retain_grad()
    _FIRST_ONLY(x, b).sum().backward(create_graph=create_graph)
    assert np.asarray(getattr(x.grad, "data", x.grad)).tolist() == [1.0, 1.0, 1.0]
    assert b.grad is None and seen == []
    gx, gb = gradients(_FIRST_ONLY(x, b).sum(), [x, b], create_graph=create_graph)
    assert raw(gx).tolist() == [1.0, 1.0, 1.0] and raw(gb).tolist() == [0.0, 0.0, 0.0]


def test_a_cast_of_a_constant_beside_one_that_requires_grad():
    """The same path as the loss weights a compiled step gives stand-ins: a float64 Tensor cast to float32, an
    operand whose rule gives it None; whether the Tensor requires grad or not, x's gradient alone is formed."""
    for requires_grad in (False, True):
        x = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
        w = Tensor(np.array([2.0, 3.0]), requires_grad=requires_grad)
        _FIRST_ONLY(x, w.astype(np.float32)).sum().backward()
        assert x.grad.tolist() == [1.0, 1.0] and w.grad is None


def test_a_rule_that_cannot_be_hashed_is_called_eagerly_compiled_and_under_anomaly():
    """A rule given as a dataclass's instance (eq=True leaves it no __hash__): backward looked every op's rule up in
    a dict of the engine's float16 wrappers, a TypeError ('unhashable type') for such a rule; it is a user's op's
    rule as it is, never looked up."""

    @dataclasses.dataclass
    class Scaled:
        k: float

        def __call__(self, g, out, x):
            return (g * self.k,)

    op = autograd.Op("scaled_by_rule", lambda x: x * 3.0, Scaled(3.0))

    def gradient(x):
        t = autograd.Tensor(x, requires_grad=True)
        op(t).sum().backward()
        return t.grad

    x = np.ones(2)
    assert gradient(x).tolist() == [3.0, 3.0]
    with autograd.detect_anomaly():
        assert gradient(x).tolist() == [3.0, 3.0]
    w = autograd.Tensor(np.ones(2), requires_grad=True)

    def step(x):
        loss = op(w * x).sum()
        loss.backward()
        return loss

    compiled = autograd.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        losses = [compiled(x).item() for _ in range(3)]
    assert losses == [6.0] * 3 and w.grad.tolist() == [9.0, 9.0]

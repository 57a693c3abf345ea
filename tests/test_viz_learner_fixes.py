"""Pictures a learner reads on the lecture's path: gradients set by hand drawn as set (none made up, no words
of passes that never ran), a tensor's exponent shown, drawings after create_graph, the sign of infinities,
a hand-built node's refusal, and near-whole numbers keeping their figures."""

import html
import re

import numpy as np
import pytest

import viz
from autograd import Tensor, Value
from viz.captions import forward_caption
from viz.number_text import figures, summary
from viz.steps import backward_pass


def words(drawing) -> str:
    return html.unescape(" ".join(re.findall(r">([^<>]+)</text>", drawing.pipe(format="svg").decode())))


def lecture_graph() -> dict[str, Value]:
    """The lecture's L = (a*b + c) * f, each value labelled."""
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "L": L}


def test_gradients_set_by_hand_are_drawn_as_set_and_the_rest_not_computed():
    v = lecture_graph()
    v["L"].grad, v["f"].grad, v["d"].grad = 1.0, 4.0, 2.0  # by hand, with a slip (d's is -2)
    told = words(viz.draw(v["L"]))
    assert "a data 2 grad not computed" in told and "e data -6 grad not computed" in told
    assert "d data 4 grad 2" in told and "L data -8 grad 1" in told
    assert "earlier passes" not in told and ".grad" not in told


def test_parameters_zeroed_by_hand_before_backward():
    v = lecture_graph()
    for name in "abcf":  # micrograd's `p.grad = 0.0`, then the drawing, before backward
        v[name].grad = 0.0
    told = words(viz.draw(v["L"]))
    assert "L data -8 grad not computed" in told and "a data 2 grad 0" in told
    assert "earlier passes" not in told and ".grad" not in told


def test_backward_steps_called_out_of_order_are_not_called_passes():
    v = lecture_graph()
    v["L"].grad = 1.0
    for name in "Led":  # e's step runs before d's has given e a gradient: a and b get 0
        v[name]._backward()
    for told in (words(viz.draw(v["L"])), words(viz.draw(v["L"], backward=True))):
        # every value holds a .grad: backward's gradient drawn, the .grad beside, said not to be passes' (a 0
        # where the gradient is not)
        assert "a data 2 grad 6 .grad 0 (set by hand or by another root's backward)" in told
        assert "earlier passes" not in told and "zero_grad" not in told


def test_another_roots_gradient_is_never_drawn_as_this_roots():
    """Two losses sharing d, both backward: each drawn value is dL/dvalue, the .grad sum beside (a review
    found the sum drawn as the gradient, with no note, when d held other than L's share)."""
    v = lecture_graph()
    M = v["d"] * 3.0
    M.backward()
    v["L"].backward()
    told = words(viz.draw(v["L"]))
    assert "a data 2 grad 6 .grad -3" in told and "d data 4 grad -2 .grad 1" in told
    a, c = v["a"], v["c"]
    for x in (a, c):
        x.grad = 0.0
    v["L"].grad = 0.0
    (a * c).backward()  # c.grad = a = 2, then L's -2 makes it exactly 0
    v["L"].backward()
    told = words(viz.draw(v["L"]))
    assert "c data 10 grad -2 .grad 0 (set by hand or by another root's backward)" in told


def test_a_forward_run_again_after_a_nudge_has_no_gradient_yet():
    v = lecture_graph()
    v["L"].backward()
    a, b, c, f = (v[k] for k in "abcf")
    a.data += 0.01
    L = (a * b + c) * f
    L.label = "L"
    assert not L.grad_computed
    told = words(viz.draw(L))
    assert "L data -7.94 grad not computed" in told and "a data 2.01 grad 6" in told


def test_a_tensor_power_shows_its_exponent_in_drawings_captions_and_rules():
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True, label="x")
    y = (x**3).sum()
    y.label = "y"
    assert "** 3" in words(viz.draw(y))
    assert "∂(x**3)/∂x = 3·x**(3−1)" in words(viz.draw(y, backward=True))
    assert "#2 = x ** 3 = min 1 mean 12 max 27" in forward_caption(backward_pass(y))
    assert "through input 1 of ** 3: ∂(x**3)/∂x = 3·x**(3−1)" in str(viz.explain(y, x))
    assert "** 2" in words(viz.draw((x**2).sum()))  # not the same picture as x ** 3


@pytest.mark.parametrize("kind", ["value", "tensor"])
def test_drawing_after_create_graph_shows_the_gradients_data(kind):
    if kind == "value":
        x = Value(2.0, label="x")
        y = x**3
    else:
        x = Tensor(np.array([2.0]), requires_grad=True, label="x")
        y = (x**3).sum()
    y.backward(create_graph=True)  # .grad is a node: its data, 3·2² = 12, is drawn
    assert "x" in words(viz.draw(y)) and "grad 12" in words(viz.draw(y))


def test_infinities_keep_their_sign():
    assert summary(np.array([-np.inf, -np.inf, 0.0])) == "2 -inf of 3; the rest min 0 mean 0 max 0"
    assert summary(np.array([np.inf, -np.inf, np.nan, 1.0])).startswith("1 nan, 1 -inf, 1 inf of 4")


def test_a_hand_built_node_is_refused_without_blaming_its_inputs():
    a, b = Value(0.5, label="a"), Value(-1.0, label="b")
    out = Value(a.data * b.data, (a, b), "*")
    with pytest.raises(ValueError, match="a node built by hand .* keeps no forward: draw without check=True") as caught:
        viz.draw(out, check=True)
    assert "undefined" not in str(caught.value) and "0.5 * -1.0" not in str(caught.value)


@pytest.mark.parametrize(("v", "shown"), [(9999.7, "9999.7"), (99999.5, "99999.5"), (29999.9, "29999.9")])
def test_near_whole_numbers_in_exponent_form_keep_their_figures(v, shown):
    assert figures(v, 4) == shown
    assert figures(1e16, 4) == "1e+16"  # a whole number is not extended


def test_a_tensor_graph_with_a_leaf_no_backward_reached_draws_the_grads_as_set():
    W = Tensor(np.array([[0.5, -1.0], [2.0, 0.25]]), requires_grad=True, label="W")
    b = Tensor(np.array([0.3]), requires_grad=True, label="b")
    L = ((W @ Tensor(np.array([1.0, 2.0])) + b).tanh() ** 2).sum()
    L.label = "L"
    W.grad = np.ones((2, 2))  # by hand, no backward: b holds none
    told = words(viz.draw(L))
    assert "b (1,) float64 data 0.3 grad not computed" in told and "earlier passes" not in told
    L.backward()
    W.grad[...] = 0.0  # zeroed in place after a backward: the root's gradients, the zeros beside
    b.grad[...] = 0.0
    told = words(viz.draw(L))
    assert "L () float64 data 1.68 grad 1" in told and "not computed" not in told

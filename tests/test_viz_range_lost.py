"""A float result its range changed says so, with its value on paper, on both engines, forward and backward: exp(-1000)
read "y = exp(x) = 0" and its gradient "1 × 0 = 0" with no word that either underflowed, a tensor's exp of [-1000,
1, 800] "1 inf of 3; the rest min 0 ..." with nothing said of the 0, and a record "data 0"."""

import warnings

import numpy as np
import pytest

import autograd
import viz
from autograd import Tensor, Value
from viz.captions import forward_caption
from viz.lost_masks import WIDER
from viz.nonfinite import first_nonfinite
from viz.steps import backward_pass

pytestmark = pytest.mark.skipif(not WIDER, reason="this platform's long double is no wider than a float")


def _named(node, name):
    node.label = name
    return node


def _forward(root) -> list[str]:
    return forward_caption(backward_pass(root)).splitlines()[1:]


def _backward(root) -> str:
    return "\n".join(step.caption for step in viz.backward_steps(root))


def test_exp_of_minus_1000_on_a_value_says_it_underflowed_forward_and_backward():
    x = Value(-1000.0, label="x")
    y = _named(x.exp(), "y")
    assert _forward(y) == [
        "y = exp(x) = 0 (underflowed to 0: on paper 5.076e-435, nearer 0 than half the least float, 4.941e-324)"
    ]
    told = _backward(y)
    assert "through exp, x gets 0 (underflowed)" in told
    assert (
        "∂y/∂x = ∂y/∂y · ∂y/∂x = 1 × 0 = 0    (∂exp(x)/∂x = exp(x); the local derivative underflowed to 0: "
        "on paper 5.076e-435, nearer 0 than half the least float, 4.941e-324)"
    ) in told


@pytest.mark.parametrize("make", [lambda x: x.sigmoid(), lambda x: autograd.softplus(x)])
def test_sigmoid_and_softplus_tails_of_a_value_say_they_underflowed(make):
    x = Value(-800.0, label="x")
    y = _named(make(x), "y")
    assert _forward(y)[0].endswith(
        "= 0 (underflowed to 0: on paper 3.668e-348, nearer 0 than half the least float, 4.941e-324)"
    )
    assert "x gets 0 (underflowed)" in _backward(y)


def test_a_division_and_a_power_that_underflow_say_so():
    x, d = Value(1e-170, label="x"), Value(1e200, label="d")
    q = _named(x / d, "q")
    assert _forward(q) == [
        "q = x / d = 0 (underflowed to 0: on paper 1e-370, nearer 0 than half the least float, 4.941e-324)"
    ]
    assert "d gets 0 (underflowed)" in _backward(q)  # -x/d² is -1e-570 on paper
    b = Value(1e-200, label="b")
    p = _named(b**2 + 1, "p")
    assert _forward(p)[0].endswith(
        "= 0 (underflowed to 0: on paper 1e-400, nearer 0 than half the least float, 4.941e-324)"
    )


def test_a_subnormal_result_says_it_kept_few_digits():
    x = Value(-745.0, label="x")
    y = _named(x.exp(), "y")
    assert _forward(y) == [
        "y = exp(x) = 4.941e-324 (rounded to a subnormal: on paper 2.822e-324, below 2.225e-308 a float is subnormal, "
        "a multiple of 4.941e-324 with fewer digits)"
    ]


def test_a_tensor_counts_its_entries_that_underflowed_and_overflowed():
    t = Tensor(np.array([-1000.0, 1.0, 800.0]), requires_grad=True, label="t")
    with np.errstate(over="ignore"):  # the overflow is the point
        s = _named(autograd.exp(t).sum(), "s")
    assert _forward(s)[0] == (
        "#2 = exp(t) = 1 inf of 3; the rest min 0 mean 1.36 max 2.72 (1 of 3 underflowed to 0: nearer 0 than half "
        "the least float, 4.941e-324; 1 of 3 overflowed to an infinity: beyond the largest float, 1.798e+308)"
    )
    told = _backward(s)
    assert "t gets 1 inf of 3; the rest min 0 mean 1.36 max 2.72 (1 of 3 underflowed, 1 of 3 overflowed)" in told
    assert "(∂exp(t)/∂t = exp(t); what it sends: 1 of 3 underflowed to 0: nearer 0 than half the least float" in told


def test_sinh_and_cosh_that_overflow_say_so_and_float32_names_its_own_bounds():
    t = Tensor(np.array([1000.0, -1000.0, 1.0]), requires_grad=True, label="t")
    with np.errstate(over="ignore"):
        s = _named(autograd.cosh(t).sum(), "s")
    assert "(2 of 3 overflowed to an infinity: beyond the largest float, 1.798e+308)" in _forward(s)[0]
    assert "through cosh, t gets 1 -inf, 1 inf of 3; the rest min 1.18 mean 1.18 max 1.18 (2 of 3 overflowed)" in (
        _backward(s)
    )
    u = Tensor(np.array([-200.0, 1.0], dtype=np.float32), requires_grad=True, label="u")
    v = _named(autograd.softplus(u).sum(), "v")
    assert "(1 of 2 underflowed to 0: nearer 0 than half the least float32, 1.401e-45)" in _forward(v)[0]


def test_a_zero_that_is_exact_says_nothing():
    """relu(-3) is 0 on paper too, and so is a sum of zeros: nothing was lost, nothing is said."""
    x = Value(-3.0, label="x")
    y = _named(x.relu(), "y")
    assert _forward(y) == ["y = relu(x) = 0"]
    assert "underflowed" not in _backward(y)
    t = Tensor(np.array([-1.0, 0.0, 2.0]), requires_grad=True, label="t")
    s = _named(autograd.relu(t).sum(), "s")
    assert "underflowed" not in "\n".join(_forward(s)) + _backward(s)


def test_the_drawing_and_the_player_mark_what_underflowed(tmp_path):
    x = Value(-1000.0, label="x")
    y = _named(x.exp() + 1.0, "y")
    source = viz.draw(y, backward=True).source
    assert "data 0 (underflowed)" in source
    assert "= 1 × 0 = 0 (the local derivative underflowed: on paper 5.076e-435)" in source
    page = viz.save_html(y, tmp_path / "page.html")
    assert "data 0 (underflowed)" in page.read_text(encoding="utf-8")


def test_a_reduction_whose_sum_overflowed_on_the_way_shows_its_right_value():
    """[1e308, 1e308, -1e308] @ [1, 1, 1] is 1e+308, which a float holds: matmul computes the sum that
    overflowed on the way again on scaled entries, so the value told is 1e+308 with no note of a loss."""
    t = Tensor(np.array([1e308, 1e308, -1e308]), requires_grad=True, label="t")
    m = _named(t @ Tensor(np.ones(3), label="ones"), "m")
    assert _forward(m) == ["m = t @ ones = 1e+308"]


def test_a_tensor_edge_in_the_drawing_counts_what_underflowed():
    t = Tensor(np.array([-1000.0, 1.0, 2.0]), requires_grad=True, label="t")
    s = _named(autograd.exp(t).sum(), "s")
    assert "of shape (3,) (1 of 3 underflowed)" in viz.draw(s, backward=True).source


def test_an_op_of_the_users_own_named_as_autograds_is_not_redone_as_autograds():
    """A user's Op named "exp" that computes something else: its 0 is not told as exp's 5.076e-435."""
    mine = autograd.Op("exp", lambda x: 0.0 * x, lambda g, out, x: (0.0 * g,))
    x = Value(-1000.0, label="x")
    y = _named(mine(x), "y")
    assert _forward(y) == ["y = exp(x) = -0 (zero with a minus sign: it equals 0, though 1 / -0 = -inf)"]
    assert "underflowed" not in _backward(y)


def test_explain_says_which_local_derivative_underflowed():
    """explain's path read "∂#3/∂a = 0 ... product: 0 × 2 × 1 = 0" of exp(-1000), with no word of 5.076e-435."""
    a = Value(-1000.0, label="a")
    y = _named(a.exp() * 2.0 + 1.0, "y")
    told = str(viz.explain(y, a))
    assert "∂#3/∂a = 0 (underflowed to 0: on paper 5.076e-435, nearer 0 than half the least float" in told
    t = Tensor(np.array([-1000.0, 1.0]), requires_grad=True, label="t")
    s = _named(autograd.exp(t).sum(), "s")
    assert "t gets min 0 mean 1.36 max 2.72 (1 of 2 underflowed)" in str(viz.explain(s, t))


def test_a_value_whose_shares_overflow_in_their_sum_is_drawn_and_told(tmp_path):
    """backward_steps, explain and save_html raised OverflowError ("intermediate overflow in fsum") where a
    value's finite shares summed to inf: now "1e+308 + 1e+308 = inf (on paper 2e+308: ...)"."""
    x, a, b = Value(1.0, label="x"), Value(1e308, label="a"), Value(1e308, label="b")
    y = _named(x * a + x * b, "y")
    told = "1e+308 + 1e+308 = inf (on paper 2e+308: beyond the largest float, 1.798e+308, the sum overflows to inf)"
    assert f"x.grad = {told}" in _backward(y)
    assert f"total: {told} = ∂y/∂x" in str(viz.explain(y, x))
    assert viz.save_html(y, tmp_path / "page.html").exists()


def test_a_tensor_whose_shares_overflow_in_their_sum_counts_them():
    t = Tensor(np.array([1.0, 2.0]), requires_grad=True, label="t")
    with np.errstate(over="ignore"):
        u = _named((t * 1e308 + t * 1e308).sum(), "u")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # viz tells the overflow; it does not warn of it
        told = _backward(u)
    assert (
        "t.grad: 2 shares added, now 2 inf of 2 (2 of 2 overflowed to an infinity: beyond the largest float, "
        "1.798e+308)"
    ) in told


def test_the_first_infinity_says_it_overflowed():
    """The player's banner read "#2 = 1 inf of 2; ... (made by exp from min 1 mean 400.5 max 800)", no word
    that exp(800), 2.726e+347 on paper, overflowed."""
    t = Tensor(np.array([1.0, 800.0]), requires_grad=True, label="t")
    with np.errstate(over="ignore"):
        s = _named(autograd.exp(t).sum(), "s")
    run = backward_pass(s)
    story = first_nonfinite(run.graph.order, run.grads, run.names).story
    assert story.endswith(
        "(made by exp from min 1 mean 400.5 max 800; 1 of 2 overflowed to an infinity: beyond the largest float, "
        "1.798e+308)"
    )


def test_the_command_line_says_which_zeros_underflowed(tmp_path, capsys):
    """python -m viz expr "exp(x) * y" --set x=-1000 y=2 printed "= 0; ∂/∂x = 0, ∂/∂y = 0" and nothing else; then
    only exp(x)'s and x's zeros were told: the product's and y's, made from exp(x)'s float 0, were not."""
    from viz.__main__ import main

    main(["expr", "exp(x) * y", "--set", "x=-1000", "y=2", "--out", str(tmp_path / "g.svg")])
    out = capsys.readouterr().out.splitlines()
    assert out[1:] == [
        "exp(x) * y = 0; ∂/∂x = 0, ∂/∂y = 0",
        "  exp(x) = 0 (underflowed to 0: on paper 5.076e-435, nearer 0 than half the least float, 4.941e-324)",
        "  exp(x) * y = 0 (underflowed to 0: on paper 1.015e-434, nearer 0 than half the least float, 4.941e-324)",
        "  y gets 0 from * at exp(x) * y (the local derivative underflowed to 0: on paper 5.076e-435, nearer 0 than "
        "half the least float, 4.941e-324)",
        "  x gets 0 from exp at exp(x) (the local derivative underflowed to 0: on paper 5.076e-435, nearer 0 than "
        "half the least float, 4.941e-324)",
    ]

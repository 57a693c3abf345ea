"""A drawing of Values compares every `.grad` with this root's gradients, not only the root's own."""

import html
import re

import viz
from autograd import Value


def words(drawing) -> str:
    return html.unescape(" ".join(re.findall(r">([^<>]+)</text>", drawing.pipe(format="svg").decode())))


def test_a_loop_that_forgot_zero_grad_is_drawn_with_the_real_gradient_and_a_note():
    w, x = Value(0.7, label="w"), Value(2.0, label="x")
    for _ in range(3):
        loss = (w * x - 1.0) ** 2  # the root's own .grad is 1 each time: only its inputs' add up
        loss.label = "loss"
        loss.backward()
    told = words(viz.draw(loss))
    assert "w data 0.7 grad 1.6 .grad 4.8 (earlier passes added)" in told
    assert ".grad is not the gradient drawn at x, w" in told


def test_another_roots_gradient_is_told_apart():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    first = a * b
    first.backward()
    second = a + b
    second.label = "s"
    second.backward()
    told = words(viz.draw(second))
    assert "a data 2 grad 1 .grad 4 (earlier passes added)" in told


def test_one_pass_and_gradients_set_by_hand_are_drawn_as_they_are():
    x = Value(0.8813735870195432, label="n")
    o = x.tanh()
    o.label = "o"
    o.grad, x.grad = 1.0, 0.5  # the lecture's hand: 1 - tanh(n)² is 0.4999999999999999
    told = words(viz.draw(o))
    assert "n data 0.8814 grad 0.5" in told and "earlier passes" not in told

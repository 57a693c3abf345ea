"""The lecture's part 1 backpropagates by hand: a `.grad` set with a slip (b.grad = 4 where the chain rule gives
-4), no backward ever run, was drawn "(earlier passes added)" with "call zero_grad() before backward", and with
check=True its box was green beside the wrong 4. Passes of one root make a `.grad` a whole number of times the
gradient drawn; anything else is said to be set by hand or another root's, with what the chain rule gives."""

import html
import re

import viz
from autograd import Value
from tests.test_viz_learner_fixes import lecture_graph
from tests.test_viz_player import page_data
from viz.colours import AGREE_FILL, DISAGREE_FILL
from viz.html import page_html

HAND = "(set by hand or by another root's backward)"


def words(drawing) -> str:
    return html.unescape(" ".join(re.findall(r">([^<>]+)</text>", drawing.pipe(format="svg").decode())))


def by_hand_with_a_slip() -> dict[str, Value]:
    v = lecture_graph()
    for name, grad in {"L": 1.0, "f": 4.0, "d": -2.0, "c": -2.0, "e": -2.0, "a": 6.0, "b": 4.0}.items():
        v[name].grad = grad  # b's is -4: a sign slip
    return v


def box_fill(drawing, name: str) -> str:
    """The fill of the record whose label starts with `name`."""
    line = next(s for s in drawing.source.splitlines() if f'label="{{ {name} |' in s)
    return re.search(r"fillcolor=\"?([^\" ]+)", line).group(1)


def test_a_slip_by_hand_is_not_called_passes_and_the_chain_rules_value_is_named():
    v = by_hand_with_a_slip()
    for told in (words(viz.draw(v["L"])), words(viz.draw(v["L"], backward=True))):
        assert f"b data -3 grad -4 .grad 4 {HAND}" in told
        assert "b.grad holds 4 where the chain rule gives -4" in told
        assert "earlier passes" not in told and "call zero_grad() before backward" not in told
    caption = page_data(page_html(v["L"]))["captions"][1]  # the player's first step of backward
    assert "b.grad holds 4 where the chain rule gives -4" in caption and "earlier passes" not in caption


def test_the_lectures_swapped_slip_in_the_neuron():
    x1, x2, w1, w2 = (Value(x, label=n) for x, n in ((2.0, "x1"), (0.0, "x2"), (-3.0, "w1"), (1.0, "w2")))
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.grad = 1.0
    for node in (n, n.parents[0], b, *n.parents[0].parents):
        node.grad = 0.5
    x2.grad, w2.grad = w2.data * 0.5, x2.data * 0.5
    x1.grad, w1.grad = x1.data * 0.5, w1.data * 0.5  # the slip: each takes its own data, not the other's
    told = words(viz.draw(o))
    assert f"x1 data 2 grad -1.5 .grad 1 {HAND}" in told and f"w1 data -3 grad 1 .grad -1.5 {HAND}" in told
    assert "earlier passes" not in told


def test_with_check_a_slipped_grad_is_red_and_crossed_where_backward_agrees():
    v = by_hand_with_a_slip()
    drawing = viz.draw(v["L"], check=True)
    told = words(drawing)
    assert f"b data -3 grad -4 .grad 4 ✗ {HAND} numeric -4 ✓" in told
    assert "finite differences disagree with the .grad held at b (4, numeric -4)" in told
    assert box_fill(drawing, "b") == DISAGREE_FILL and box_fill(drawing, "a") == AGREE_FILL


def test_passes_still_say_passes_and_an_earlier_loss_still_names_zero_grad():
    w, x = Value(0.7, label="w"), Value(2.0, label="x")
    for _ in range(2):
        loss = (w * x - 1.0) ** 2
        loss.label = "loss"
        loss.backward()
    assert "w data 0.7 grad 1.6 .grad 3.2 (earlier passes added)" in words(viz.draw(loss))
    for data in (3.0, 2.0):  # a loop with new data each step and no zero_grad: no whole number of passes
        x.data = data
        loss = (w * x - 1.0) ** 2
        loss.label = "loss"
        loss.backward()
    told = words(viz.draw(loss))
    assert f"w data 0.7 grad 1.6 .grad 11.4 {HAND}" in told
    assert "zero_grad()" in told  # the lecture's forgotten zero_grad stays named

"""A value used more than once (x * x, x - x, a in a * a + a) gets a share of its gradient along each
edge: the drawing, the step captions and explain say "share", so that the shares visibly add up to
its gradient; a value used once keeps the plain chain rule (the lecture's common case)."""

import re

import numpy as np
import pytest
import torch

import viz
from autograd import Tensor, Value
from tests.test_viz import svg, texts
from viz.demo import neuron
from viz.steps import backward_pass


def shares(words: str, name: str, root: str) -> list[float]:
    """The numbers each edge labelled as a share of ∂root/∂name passes, from the drawing's text."""
    found = re.findall(rf"share of ∂{root}/∂{name} via input \d of \S+ = [^=]+ = (\S+)", words)
    return [float(x) for x in found]


@pytest.mark.parametrize(
    "make, grad",
    [
        (lambda x: x * x, 6.0),  # both inputs of *
        (lambda x: x - x, 0.0),
        (lambda x: x * x + x, 7.0),  # both inputs of *, and +
    ],
)
def test_the_shares_on_the_edges_add_up_to_the_gradient(make, grad):
    x = Value(3.0, label="x")
    y = make(x)
    y.label = "y"
    y.backward()
    t = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    make(t).backward()
    assert x.grad == t.grad.item() == grad
    words = texts(svg(viz.draw(y, backward=True)))
    assert sum(shares(words, "x", "y")) == grad and f"x data 3 grad {grad:g}" in words
    assert "∂y/∂x =" not in words  # no edge claims the whole derivative


def test_the_plain_chain_rule_stays_where_each_value_is_used_once():
    o = neuron()
    words = texts(svg(viz.draw(o, backward=True)))
    assert "share" not in words and "∂o/∂x1 = ∂o/∂(x1*w1) · ∂(x1*w1)/∂x1 = 0.5 × (-3) = -1.5" in words


def test_captions_say_share_and_count_the_uses_right():
    a = Value(2.0, label="a")
    b = a * a
    b.label = "b"
    c = b + a
    c.label = "c"
    captions = backward_pass(c).captions
    assert "share of ∂c/∂a via input 2 of +: ∂c/∂c · local = 1 × 1 = 1    (∂(b+a)/∂a = 1)" in captions[0]
    assert "∂c/∂b = ∂c/∂c · ∂c/∂b = 1 × 1 = 1" in captions[0]  # b is used once
    assert "share of ∂c/∂a via input 1 of *: ∂c/∂b · local = 1 × 2 = 2" in captions[1]
    assert "a.grad = 1 + 2 = 3    (a is used 3 times: 2 shares added so far)" in captions[1]
    assert "a.grad = 1 + 2 + 2 = 5    (a is used 3 times: all 3 shares added)" in captions[1]
    assert "used 2 times" not in " ".join(captions)


def test_explain_says_which_input_a_step_of_x_times_x_goes_through():
    x = Value(2.0, label="x")
    y = x * x
    y.label = "y"
    story = str(viz.explain(y, x))
    assert "∂y/∂x's share through input 1 = 2    (input 1 of *: ∂(①·②)/∂① = ②)" in story
    assert "∂y/∂x's share through input 2 = 2" in story and "∂y/∂x = 2 " not in story  # ∂(x*x)/∂x is 4
    assert story.endswith("total: 2 + 2 = 4 = ∂y/∂x, the gradient backward gives")


def test_a_one_element_tensor_used_more_than_once_has_its_shares_added_in_the_captions(tmp_path):
    # a (1,) tensor's shares are arrays of one number: the captions' sum of them raised a TypeError in
    # math.fsum ("only 0-dimensional arrays can be converted"), so backward_steps and save_html failed
    b = Tensor(np.array([0.5]), label="b", requires_grad=True)
    y = (b * b + b).sum()
    y.label = "y"
    y.backward()
    captions = [frame.caption for frame in viz.backward_steps(y)]
    assert "b.grad = 1 + 0.5 = 1.5    (b is used 3 times: 2 shares added so far)" in captions[2]
    assert "b.grad = 1 + 0.5 + 0.5 = 2    (b is used 3 times: all 3 shares added)" in captions[2]
    page = viz.save_html(y, tmp_path / "page.html").read_text(encoding="utf-8")  # its captions are templates
    assert page.count("b is used ") == 2

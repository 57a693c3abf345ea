"""viz draws constants (numbers in expressions, tensors that do not require grad) as constants:
their data only, never a gradient, never nan."""

import re

import numpy as np

import viz
from autograd import Tensor, Value
from tests.test_viz import svg, texts
from viz.captions import forward_caption
from viz.steps import backward_pass


def squared_error() -> Value:
    y = Value(1.0, label="y")
    loss = (y - 3) ** 2 + (1 - y) * 4.0  # 3, 2, 1 and 4.0: numbers the operators lift, constants
    loss.label = "loss"
    loss.backward()
    return loss


def test_numbers_in_an_expression_are_drawn_as_constants_without_gradients():
    loss = squared_error()
    for drawing in (viz.draw(loss), viz.draw(loss, backward=True)):
        words = texts(svg(drawing))
        assert "nan" not in words and "grad 0" not in words
        assert words.count("grad") == 6  # loss, its two terms, y - 3, 1 - y and y; 3, 2, 1, 4: constants
        for number in ("2", "3", "1", "4"):
            assert f" {number} " in f" {words} "  # the constant's number alone
    words = texts(svg(viz.draw(loss, backward=True)))
    # one chain rule per edge with a gradient, none to the four constants; y, used twice, gets a share along each
    assert words.count("= ∂loss/∂") == 4 and words.count("share of ∂loss/∂y") == 2


def test_backward_steps_skip_constants_and_never_say_nan():
    frames = list(viz.backward_steps(squared_error()))
    assert len(frames) == 6 and frames[-1].caption.startswith("step 6 of 6")
    assert not any("nan" in f.caption or "a leaf has" in f.caption for f in frames)
    assert "nan" not in texts(svg(frames[-1].drawing))


def test_a_value_the_user_makes_is_not_a_constant():
    w = Value(2.0)  # unlabelled, but the user's own: its gradient can be read
    root = (w * Value(3.0, label="x")).tanh()
    root.backward()
    assert texts(svg(viz.draw(root))).count("grad") == 4


def test_a_tensor_that_does_not_require_grad_is_a_constant():
    t = Tensor(np.ones(3), requires_grad=True)
    x = Tensor(np.arange(3.0), label="X")
    q = ((t - x) ** 2).sum()
    q.backward()
    words = texts(svg(viz.draw(q, backward=True)))
    assert "X" in words and "(3,) float64" in words and "nan" not in words
    assert words.count("grad") == 4


def test_a_labelled_tensor_constant_is_named_by_its_label_in_rules_captions_and_stories():
    x = Tensor(np.array([[1.0, -2.0], [0.5, 3.0]]), label="X")  # data: drawn as X, so X in every rule too
    w = Tensor(np.array([[0.5], [-1.0]]), requires_grad=True, label="W")
    loss = (x @ w).sum()
    loss.backward()
    words = texts(svg(viz.draw(loss, backward=True)))
    assert "∂(X@W)/∂W: Xᵀ @ g" in words and "①" not in words
    assert "Xᵀ @ g" in str(viz.explain(loss, w))
    assert "= X @ W =" in forward_caption(backward_pass(loss))  # the player's step 0


def test_a_broadcast_constant_is_not_drawn_in_the_orange_of_a_gradient_summed_back():
    """Orange says backward sums the gradient back to the input's shape (the legend's words); a constant
    takes none, so its broadcast edge was orange beside nothing summed: now in its grey, still labelled."""
    x = Tensor(np.ones((2, 3)), requires_grad=True, label="x")
    w = Tensor(np.ones(3), requires_grad=True, label="w")
    k = Tensor(np.full(3, 0.5), label="k")
    source = viz.draw((x * w + k).sum()).source
    edges = re.findall(r"\[label=\"\(3,\) broadcast to \(2, 3\)\"([^\]]*)\]", source)
    assert len(edges) == 2  # w's and k's
    assert sum("darkorange3" in e for e in edges) == 1 and sum("gray55" in e for e in edges) == 1


def test_the_players_legend_names_a_tensor_without_grad_a_constant(tmp_path):
    """Its grey box said "a constant (a number in the expression)" beside a batch of data drawn so."""
    x = Tensor(np.ones((2, 3)), label="X")
    w = Tensor(np.ones(3), requires_grad=True, label="w")
    page = viz.save_html((x * w).sum(), tmp_path / "page.html").read_text()
    assert "a constant (a number in the expression, a tensor without requires_grad)" in page

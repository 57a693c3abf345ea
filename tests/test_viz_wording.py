"""What viz says, said truly: the node limit's advice offers only what the caller has, options that
cannot be drawn together are refused, a backward drawing of a non-scalar root says what to draw,
uses are counted right, an optimizer's own rule is not called SGD's, a zero's sign shows where it
matters, the stories' grammar, and no numpy warning leaks out of explain."""

import warnings

import numpy as np
import pytest

import nn
import viz
from autograd import Tensor, Value
from nn.optim import SGD, Adam
from tests.test_viz import svg, texts
from viz.captions import forward_caption
from viz.demo import neuron
from viz.html import page_html
from viz.steps import backward_pass
from viz.update import BEFORE_UPDATE, optimizer_update


def chain(n: int) -> Value:
    y = Value(1.0, label="x")
    for _ in range(n):
        y = y * 1.0  # each 1.0 a constant
    return y


def test_the_node_limit_counts_constants_apart_and_offers_collapse_only_to_draw():
    y = chain(1200)
    with pytest.raises(viz.GraphTooLarge) as drawn:
        viz.draw(y)
    assert "this graph has 1201 values, 1200 constants and 1200 ops, 3601 nodes to draw" in str(drawn.value)
    assert "collapse what modules compute into one box each (modules=model, collapse=True)" in str(drawn.value)
    with pytest.raises(viz.GraphTooLarge) as stepped:
        next(viz.backward_steps(y))  # backward_steps has no collapse=: it is offered as a drawing of its own
    assert "or use a smaller graph (viz.draw(root, modules=model, collapse=True) draws one box per module)" in str(
        stepped.value
    )
    assert "(modules=model, collapse=True)" not in str(stepped.value)
    model = nn.MLP(2, [3, 1], seed=0)
    with pytest.raises(viz.GraphTooLarge, match=r"collapsed into its modules, this graph still has \d+ nodes"):
        viz.draw(model([0.5, -1.0]), modules=model, collapse=True, max_nodes=3)


def test_collapse_refuses_what_its_boxes_cannot_show():
    model = nn.MLP(2, [3, 1], seed=0)
    out = model([0.5, -1.0])
    out.backward()
    with pytest.raises(ValueError, match=r"cannot show backward=True, color_by_grad=True: draw one or the other"):
        viz.draw(out, modules=model, collapse=True, backward=True, color_by_grad=True)  # backward was ignored
    assert "layers.1.neurons.0" in texts(svg(viz.draw(out, modules=model, collapse=True)))


def test_a_backward_drawing_of_a_non_scalar_root_says_what_to_draw():
    y = Tensor(np.ones(2), requires_grad=True) * 2.0
    message = r"backward drawings need a one-number root: the root has shape \(2,\); draw y\.sum\(\)"
    with pytest.raises(ValueError, match=message):  # a ShapeError about seeding before
        viz.draw(y, backward=True)
    with pytest.raises(ValueError, match=message):
        next(viz.backward_steps(y))
    assert "grad" in texts(svg(viz.draw(y.sum(), backward=True)))


def test_an_optimizers_own_rule_is_not_called_plain_sgd():
    root = neuron()
    params = [n for n in backward_pass(root).graph.order if n.label in ("w1", "w2", "b")]
    run = backward_pass(root)
    head = optimizer_update(run, Adam(params, lr=0.1)).caption.splitlines()[0]
    assert "w ← w − lr·grad" not in head and "each by Adam's own rule from its gradient, not plainly lr·grad" in head
    sgd = optimizer_update(run, SGD(params, lr=0.1)).caption.splitlines()[0]
    # w2's gradient is 0 (its input x2 is 0): plain SGD leaves it where it is
    assert sgd.endswith(
        "moves b, w1 against the gradient, downhill for the root near here, and leaves w2 where it is: w ← w − lr·grad"
    )
    assert "Adam's own rule" in page_html(root, optimizer=Adam(params, lr=0.1))


def test_an_update_that_moves_a_parameter_with_its_gradient_says_so_and_promises_no_descent():
    w, x = Value(2.0, label="w"), Value(3.0, label="x")

    def forward() -> Value:
        loss = (w * x - 1.0) ** 2
        loss.label = "loss"
        return loss

    opt = SGD([w], lr=0.1, momentum=0.9)
    loss = forward()
    loss.backward()
    opt.step()  # fills the momentum buffer: the next step moves w from -1 to -1.3, with its gradient -24
    opt.zero_grad()
    loss = forward()
    loss.backward()
    caption = optimizer_update(backward_pass(loss), opt).caption
    assert "against its gradient" not in caption and "the root goes down" not in caption
    head, line, _ = caption.splitlines()
    assert "SGD (lr 0.1, momentum 0.9) moves w with the gradient, up the slope, so this step need not lower the" in head
    assert line.endswith("-1 → -1.3, a change of -0.3, with its gradient, up the slope")
    opt.step()
    assert forward().data > loss.data  # as told: the loss rises, 16 to 24


def test_the_update_says_the_values_beside_the_new_parameters_are_from_before_it():
    # the page draws a and x with their new data (0.316, 1.979) beside #3 = a * x still reading 1
    a, x = Value(0.5, label="a"), Value(2.0, label="x")
    y = (a * x).tanh() + a
    caption = optimizer_update(backward_pass(y), SGD([a, x], lr=0.1)).caption
    assert caption.splitlines()[1:] == [
        "a ← a − 0.1 × 1.84: 0.5 → 0.316, a change of -0.184",
        "x ← x − 0.1 × 0.21: 2 → 1.979, a change of -0.021",
        BEFORE_UPDATE,
    ]
    assert "the forward and backward passes before this update" in BEFORE_UPDATE


@pytest.mark.parametrize("kind", [Value, Tensor])
def test_an_update_that_moves_a_parameter_whose_gradient_is_0_says_so(kind):
    # momentum carries w past its minimum: the caption said "moves no parameter" beside a change of -2.7
    w = kind(2.0, label="w") if kind is Value else Tensor(np.array([2.0, 1.0]), requires_grad=True, label="w")

    def forward():
        loss = (w * 3.0 - 1.0) ** 2 if kind is Value else ((w * 3.0 - 1.0) ** 2).sum()
        loss.label = "loss"
        return loss

    opt = SGD([w], lr=0.1, momentum=0.9)
    forward().backward()
    opt.step()
    w.data = 1 / 3 if kind is Value else np.array([1 / 3, 1.0])  # w (or w[0]) at the minimum: gradient 0
    opt.zero_grad()
    loss = forward()
    loss.backward()
    head, line, note = optimizer_update(backward_pass(loss), opt).caption.splitlines()
    assert "moves no parameter" not in head
    if kind is Value:
        assert "moves w where the gradient is 0, so this step need not lower the root" in head
        assert line.endswith("a change of -2.7, moved though its gradient is 0")
    else:
        assert line.endswith("of its 2 numbers 1 moved against its gradient, 0 with it, 1 where it is 0")


def test_a_negative_zero_shows_its_sign_where_it_makes_an_infinity():
    x = Tensor(np.array(-0.0), requires_grad=True, label="x")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        y = Tensor(np.array(1.0)) / x
    y.label = "y"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the drawing tells the infinity: nothing warns of it
        words = texts(svg(viz.draw(y, backward=True)))
        assert "y = 1 / x = -inf" in forward_caption(backward_pass(y.sum()))
    assert "the first NaN or infinity of the forward pass: y = -inf (made by / from 1 and -0)" in words
    assert "x () float64 data -0 " in words
    caption = forward_caption(backward_pass(Value(1.0, label="a") * -0.0))
    assert "#1 = a * (-0) = -0" in caption  # data; arithmetic on gradients keeps "0 × (-1) = 0"


def test_the_stories_grammar_with_one_path_listed_or_left():
    a = Value(2.0, label="a")
    b = a * a
    c = b + a
    c.label = "c"
    one = str(viz.explain(c, a, max_paths=1))
    assert "The largest is listed; the other 2 are summed." in one
    assert "the other 2 paths: 3 together (the total minus the path above)" in one
    two = str(viz.explain(c, a, max_paths=2))
    assert "The 2 largest are listed; the other one is summed." in two
    assert "the other path: 1 (the total minus the 2 paths above)" in two
    x = Value(3.0, label="x")
    y = -x
    y.label = "y"
    assert "    product: -1\n" in str(viz.explain(y, x))  # a single factor, not "(-1)"
    z = x * -1.0 + x * -2.0
    z.label = "z"
    assert "total: -2 + (-1) = -3" in str(viz.explain(z, x))  # the first term without brackets


def test_explain_lets_no_numpy_warning_out():
    t = Tensor(np.array([0.0, 1.0]), requires_grad=True, label="t")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        q = (t.sqrt() * 2.0).sum()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an infinite gradient, inf * 0, the norm of inf: nothing warns
        story = str(viz.explain(q, t))
    assert "1 inf of 2" in story

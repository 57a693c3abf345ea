"""draw(check=True): finite differences beside each leaf's gradient; the first NaN or infinity drawn
with its path; tensor shapes, broadcasting and histograms on the drawing; format; the lecture graph."""

import re
import warnings

import numpy as np
import pytest

import nn
import viz
from autograd import Op, Tensor, Value, detect_anomaly
from tests.test_viz import svg, texts
from viz.demo import neuron

GREEN, RED = "#d4efd4", "#f6c4c4"


def fills(drawing) -> dict[str, str]:
    """Each named value's fill colour, from the Digraph's source."""
    return dict(re.findall(r'label="\{ ([\w#]+) \|[^]]*fillcolor="?([^" \]]+)', drawing.source))


def test_every_leaf_of_the_neuron_agrees_with_its_finite_difference():
    drawing = viz.draw(neuron(), check=True)  # no backward first: check computes the gradients it compares
    words = texts(svg(drawing))
    assert "numeric -1.5 ✓" in words and "numeric 1 ✓" in words and "numeric 0.5 ✓" in words
    assert "finite differences agree with backward at all 5 leaves" in words
    colours = fills(drawing)
    assert all(colours[leaf] == GREEN for leaf in ("x1", "w1", "x2", "w2", "b")) and colours["o"] == "white"


def test_a_wrong_rule_of_ones_own_shows_red_where_it_is_used():
    cube = Op("cube", lambda x: x**3, lambda g, out, x: (g * 2 * x**2,))  # wrong: d x³/dx is 3x²
    x, w = Value(1.5, label="x"), Value(0.5, label="w")
    y = (cube(x) * w).tanh()
    y.label = "y"
    y.backward()
    drawing = viz.draw(y, check=True)
    words = texts(svg(drawing))
    assert fills(drawing) == {"x": RED, "w": GREEN, "y": "white"}
    true_slope = (1 - y.data**2) * w.data * 3 * x.data**2
    assert f"numeric {true_slope:.4g} ✗ backward {x.grad:.4g}" in words
    assert "finite differences disagree with backward at 1 of 2 leaves: x" in words


def test_small_tensor_leaves_are_checked_element_by_element():
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.Tanh(), nn.Linear(4, 1, seed=1))
    x = Tensor(np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3), label="X")
    loss = ((model(x) - 1.0) ** 2).mean()
    drawing = viz.draw(loss, check=True, modules=model)
    words = texts(svg(drawing))
    # the last layer's bias has one element: checked as a Value is, its derivative itself beside its grad
    assert re.findall(r"numeric agrees element by element \((\d+)\) ✓", words) == ["4", "12", "4"]
    assert words.count("numeric") == 4 and "✗" not in words
    assert "finite differences agree with backward at all 4 leaves" in words
    with pytest.raises(ValueError, match=r"check=True compares gradients of one number: the root has shape \(2, 1\)"):
        viz.draw(model(x), check=True)


def nan_in_the_forward_pass():
    a = Tensor(np.array([1.0, -1.0, 4.0]), requires_grad=True, label="a")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's, for sqrt(-1): the drawing shows it
        s = a.sqrt()
    s.label = "s"
    z = (s * 2.0).sum()
    z.label = "z"
    return z


def test_the_first_nan_of_the_forward_pass_is_red_with_the_path_that_carried_it():
    z = nan_in_the_forward_pass()
    drawing = viz.draw(z, backward=True)
    words = texts(svg(drawing))
    assert "the first NaN or infinity of the forward pass: s = 1 nan of 3; the rest min 1 mean 1.5 max 2" in words
    assert "(made by sqrt from min -1 mean 1.33 max 4)" in words
    assert fills(drawing)["s"] == "#ff9c9c" and fills(drawing)["a"] == "white"
    red = re.findall(r" -> .*\bcolor=red\b", drawing.source)
    assert len(red) == 3 + 2  # each op to its value, s, #2 and z, and s and #2 into the next op
    with detect_anomaly():  # backward would stop at the NaN; the drawing shows it instead
        assert texts(svg(viz.draw(z, backward=True))) == words


def test_an_infinite_gradient_is_red_from_the_rule_that_made_it():
    b = Tensor(np.array([0.0, 1.0]), requires_grad=True, label="b")
    q = b.sqrt().sum()
    q.label = "q"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        drawing = viz.draw(q, backward=True)
    words = texts(svg(drawing))
    assert "the first NaN or infinity of backward: the gradient of b, 1 inf of 2; the rest min 0.5" in words
    assert "from the rule of sqrt at #2" in words and fills(drawing)["b"] == "#ff9c9c"


def test_tensor_edges_show_shapes_and_where_broadcasting_summed_the_gradient():
    x = Tensor(np.arange(6, dtype=np.float32).reshape(2, 3), label="x")
    b = Tensor(np.ones(3, np.float32), requires_grad=True, label="b")
    w = Tensor(np.ones((3, 1), np.float32), requires_grad=True, label="w")
    y = ((x + b) @ w).relu().sum()
    y.backward()
    forward = texts(svg(viz.draw(y)))
    assert "(3,) broadcast to (2, 3)" in forward and "(2, 3)" in forward and "(3, 1)" in forward
    assert forward.count("broadcast") == 1  # not the matmul, whose output is larger too
    backward = texts(svg(viz.draw(y, backward=True)))
    assert "Σ summed back from (2, 3) to (3,)" in backward and backward.count("summed back") == 1
    assert "∂#1/∂b = ∂#1/∂#4 · ∂#4/∂b = min 2 mean 2 max 2 of shape (3,)" in backward


def test_tensor_detail_adds_histograms_of_data_and_grad():
    x = Tensor(np.array([0.0, 0.0, 0.0, 1.0, 2.0, 4.0]), requires_grad=True, label="x")
    y = (x * x).sum()
    y.backward()
    words = texts(svg(viz.draw(y, tensor_detail=True)))
    assert "data █▄▁▄▁▄ [0, 4]" in words  # three zeros, a 1, a 2, a 4: six values in six bins
    assert "grad █▄▁▄▁▄ [0, 8]" in words  # twice as much
    assert "data 21 | grad 1" in viz.draw(y, tensor_detail=True).source  # one number: nothing to bin
    assert "█" not in texts(svg(viz.draw(y)))


def test_format_is_the_digraphs_as_micrograds_draw_dot_takes_it(tmp_path):
    drawing = viz.draw(neuron(), format="svg")
    assert drawing.format == "svg"
    written = drawing.render(tmp_path / "neuron")
    assert written.endswith(".svg") and "<svg" in open(written).read()
    assert viz.draw(neuron()).format == "pdf"  # graphviz's own default
    with pytest.raises(ValueError, match=r"format 'svgg' is not one graphviz writes; use 'svg', 'png' or 'pdf'"):
        viz.draw(neuron(), format="svgg")


def test_micrograds_lecture_graph_draws_within_the_default_limit():
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    model = nn.MLP(3, [4, 4, 1], seed=0)
    loss = sum((model(x) - y) ** 2 for x, y in zip(xs, [1.0, -1.0, -1.0, 1.0]))
    loss.backward()
    drawing = svg(viz.draw(loss, backward=True))
    assert drawing.count('class="node"') == 398 + 300  # values and ops, under viz.graph.MAX_NODES = 2000


def test_a_finite_difference_is_written_with_the_figures_of_the_gradient_beside_it():
    x, c = Value(3.0, label="x"), Value(10.0, label="c")
    y = x * c.tanh()  # d y / d x = tanh(10) = 0.9999999959: 4 figures would write a whole number it is not
    y.label = "y"
    words = texts(svg(viz.draw(y, check=True)))
    assert "grad 0.999999996" in words and "numeric 0.999999996 ✓" in words  # was "numeric 1 ✓"
    exact = Value(4.0, label="w")
    square = exact * exact  # d/dw = 8, whole: its finite difference keeps 4 figures, not its noise
    assert "numeric 8 ✓" in texts(svg(viz.draw(square, check=True)))

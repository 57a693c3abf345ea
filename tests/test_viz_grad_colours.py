"""color_by_grad with NaN and infinite gradients: they are left out of the colour scale and drawn
grey with corner marks (not saturated blue), the other values keep their shades, and the note under
the drawing says what the colours mean."""

import re
import warnings

import numpy as np
from drawn_notes import unwrapped

import autograd
import viz
from autograd import Tensor, Value
from tests.test_viz import svg, texts


def styles(drawing) -> dict[str, tuple[str, str]]:
    """Each named value's (fill colour, style), from the Digraph's source."""
    found = {}
    for name, attributes in re.findall(r'\[label="\{ (\w+) \|[^"]*" ([^]]*)\]', drawing.source):
        attrs = {k: v.strip('"') for k, v in re.findall(r'(\w+)=("[^"]*"|[^\s\]]+)', attributes)}
        found[name] = (attrs["fillcolor"], attrs["style"])
    return found


def test_a_nan_gradient_is_grey_with_corner_marks_not_blue():
    x = Value(1e200, label="x")
    a = x * x  # inf
    a.label = "a"
    b = a - a  # nan
    b.label = "b"
    w = Value(2.0, label="w")
    y = b * w
    y.label = "y"
    y.backward()
    assert np.isnan(w.grad)
    drawing = viz.draw(y, color_by_grad=True)
    assert styles(drawing)["w"] == ("gray80", "filled,diagonals")  # was "0.6 nan 1.0": saturated blue
    assert styles(drawing)["b"][0] == "0.0 0.850 1.0"  # grad 2, the largest finite: the deepest red
    words = texts(svg(drawing))
    assert "colours: red for a positive gradient, blue for a negative one, deepest at |grad| 2" in words
    assert "grey with corner marks: NaN or infinite" in words


def test_one_infinite_gradient_leaves_the_others_their_shades():
    x = Value(1e-310, label="x")
    log = x.log()
    log.label = "l"
    w = Value(2.0, label="w")
    q = log * w
    q.label = "q"
    q.backward()
    drawing = viz.draw(q, color_by_grad=True)
    found = styles(drawing)
    assert found["w"][0] == "0.6 0.850 1.0"  # grad -713.8, the largest finite |grad|: deepest blue, not white
    assert found["l"][0] == "0.0 0.002 1.0"  # grad 2 of 713.8
    assert found["x"][0] == "#ff9c9c"  # the first infinity (of backward): red, as draw always marks it


def test_a_tensor_with_some_infinite_gradients_is_grey_and_stays_off_the_scale():
    p = Tensor(np.array([0.0, 4.0]), requires_grad=True, label="p")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        t = p * 1.0
        t.label = "t"
        r = t.sqrt()  # d/dt at 0 is inf: t's gradient is the first infinity, p's the next
        r.label = "r"
        s = (r * 3.0).sum()
        s.label = "s"
        s.backward()
        drawing = viz.draw(s, color_by_grad=True)
    found = styles(drawing)
    assert found["t"][0] == "#ff9c9c" and found["p"] == ("gray80", "filled,diagonals")
    assert found["r"][0] == "0.0 0.850 1.0"  # 3 everywhere: the largest finite mean |grad|
    assert "deepest at mean |grad| 3" in texts(svg(drawing))


def test_the_key_of_a_tensor_graph_says_its_scale_is_the_mean_size():
    """u's record reads "grad min -2 mean 3 max 8" and the key said "deepest at |grad| 5": its mean |grad|."""
    u = Tensor(np.array([-1.0, 4.0]), requires_grad=True, label="u")
    loss = (u * u).sum()
    loss.backward()
    drawing = viz.draw(loss, color_by_grad=True)
    words = texts(svg(drawing))
    assert "grad min -2 mean 3 max 8" in words and "deepest at mean |grad| 5" in words


def test_a_tensor_gradient_of_both_signs_is_purple_not_the_colour_of_its_mean():
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True, label="a")
    loss = (a * Tensor(np.array([1.0, -1.0]))).sum()  # a.grad = [1, -1]: mean 0, drawn deep red before
    loss.label = "L"
    loss.backward()
    drawing = viz.draw(loss, color_by_grad=True)
    assert styles(drawing)["a"][0] == "0.8 0.850 1.0" and styles(drawing)["L"][0] == "0.0 0.850 1.0"
    assert "purple: a tensor gradient of both signs, some elements positive and some negative" in texts(svg(drawing))
    z = Tensor(np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]], dtype=np.float32), requires_grad=True, label="z")
    ce = autograd.cross_entropy(z, np.array([2, 0]))  # the logits' gradient: mean 0 up to float32 noise
    ce.label = "ce"
    ce.backward()
    assert styles(viz.draw(ce, color_by_grad=True))["z"][0].startswith("0.8 ")  # was red or blue by the noise


def test_a_tensor_gradient_of_one_sign_and_zeros_keeps_its_colour_and_the_key_no_purple():
    a = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True, label="a")
    loss = (a * Tensor(np.array([0.0, -1.0, -2.0]))).sum()  # a.grad = [0, -1, -2]: blue
    loss.label = "L"
    loss.backward()
    drawing = viz.draw(loss, color_by_grad=True)
    assert styles(drawing)["a"][0].startswith("0.6 ") and "purple" not in texts(svg(drawing))


def test_the_key_speaks_of_grey_only_where_a_value_is_grey_and_names_the_first_nans_red():
    """The first NaN or infinity is filled light red, not grey: the key said "grey with corner marks: NaN or
    infinite" under a drawing where that was the only one, and nothing was grey."""
    t = Tensor(np.array([0.0, 4.0]), requires_grad=True, label="t")
    with np.errstate(divide="ignore", invalid="ignore"):
        root = t.sqrt().sum()
        root.backward()
    drawing = viz.draw(root, color_by_grad=True)
    assert "gray80" not in drawing.source and "grey with corner marks" not in drawing.source
    assert "light red: the first NaN or infinity, off the scale (red borders: its path)" in unwrapped(drawing)
    t = Tensor(np.array([0.0, 4.0]), requires_grad=True, label="t")
    with np.errstate(divide="ignore", invalid="ignore"):
        root = (t * 1.0).sqrt().sum()  # the first infinity at t * 1.0; t's is grey
        root.backward()
    drawing = viz.draw(root, color_by_grad=True)
    assert styles(drawing)["t"] == ("gray80", "filled,diagonals") and "grey with corner marks" in drawing.source


def test_before_any_backward_the_key_says_there_is_nothing_to_colour():
    """Before: draw(color_by_grad=True) of a graph no backward had reached drew every record white under
    "colours: red for a positive gradient, blue for a negative one, deepest at |grad| 1", a scale of nothing."""
    x = Tensor(np.array([1.0, -2.0]), requires_grad=True, label="x")
    for root in (Value(2.0, label="a") * Value(-3.0, label="b"), (x * x).sum()):
        words = texts(svg(viz.draw(root, color_by_grad=True)))
        assert "colours: none yet, no value holds a gradient: call backward() on the root, then draw it" in words
        assert "deepest at" not in words
        root.backward()
        assert "deepest at |grad| " in texts(svg(viz.draw(root, color_by_grad=True))).replace("mean |grad|", "|grad|")

"""Two different values given the same label (x in each sample, "#2" beside the value numbered #2) are told
apart wherever viz names them: records, the chain rule on edges, captions and explain. Drawn alike, x1 * x2
with both labelled x read as x * x, whose derivative is 2x, not the other x."""

import numpy as np

import viz
from autograd import Tensor, Value
from viz.steps import backward_pass


def test_two_values_labelled_alike_get_their_step_beside_the_label():
    x1, x2 = Value(2.0, label="x"), Value(3.0, label="x")
    y = x1 * x2
    y.label = "y"
    y.backward()
    source = viz.draw(y, backward=True).source
    assert "{ x#2 | data 3 | grad 2 }" in source and "{ x#3 | data 2 | grad 3 }" in source
    assert "∂(x#3·x#2)/∂x#3 = x#2" in source and "∂(x·x)/∂x" not in source
    assert "∂y/∂x#3 = ∂y/∂y · ∂y/∂x#3" in backward_pass(y).captions[0]
    assert "∂y/∂x#3 = 3" in str(viz.explain(y, x1))


def test_a_label_like_a_step_number_is_told_apart_from_that_step():
    p, q = Value(1.0, label="#2"), Value(2.0)
    z = p * q
    w = z * p
    w.backward()
    names = backward_pass(w).names
    assert names[id(z)] == "#2" and names[id(p)] == "#2#4"
    source = viz.draw(w, backward=True).source  # unnamed values numbered
    assert source.count("{ #2 |") == 1 and "{ #2#4 | data 1 |" in source


def test_a_label_used_once_is_drawn_as_it_is():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = a * b
    c.label = "c"
    assert backward_pass(c).names == {id(c): "c", id(b): "b", id(a): "a"}


def test_a_value_labelled_as_a_constant_tensor_is_told_apart_from_it():
    x = Tensor(np.array([1.0, 2.0]), label="x", requires_grad=True)
    k = Tensor(np.array([3.0, 4.0]), label="x")  # a constant, drawn by its label
    y = (x * k).sum()
    y.label = "y"
    y.backward()
    source = viz.draw(y, backward=True).source
    assert "{ x#3 | (2,) float64 |" in source and "{ x | (2,) float64 | min 3 mean 3.5 max 4 }" in source
    assert "∂(x#3·x)/∂x#3 = x" in source and "∂(x·x)/∂x" not in source
    assert "∂(x#3·x)/∂x#3 = x" in backward_pass(y).captions[1] and "∂y/∂x#3" in str(viz.explain(y, x))

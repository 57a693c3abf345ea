"""After a backward, a tensor drawing shows the gradient that flowed through every node, as the
player's captions say, without touching `.grad`."""

import re

import numpy as np
import pytest

import viz
from autograd import Tensor
from tests.test_viz import svg, texts
from viz.demo import neuron


def test_tensor_drawing_after_backward_shows_every_gradient_as_the_captions_do():
    x = Tensor(np.arange(6, dtype=np.float32).reshape(2, 3), label="x", requires_grad=True)
    w = Tensor(np.ones((3, 1), np.float32), requires_grad=True, label="w")
    h = x @ w
    h.label = "h"
    y = h.relu().sum()
    y.label = "y"
    assert texts(svg(viz.draw(y))).count("grad not computed") == 5  # before backward: none
    y.backward()
    words = texts(svg(viz.draw(y)))
    assert "not computed" not in words
    assert "y () float32 data 15 grad 1" in words  # the root, seeded with 1
    assert "grad min 1 mean 1 max 1" in words  # h and relu(h): ones flowed through
    captions = " ".join(f.caption for f in viz.backward_steps(y))
    assert "starts at y with gradient 1" in captions and "h has its gradient, min 1 mean 1 max 1" in captions
    with pytest.warns(UserWarning, match="retain_grad"):  # drawing kept nothing on the non-leaves, nor warned
        assert h.grad is None and y.grad is None


def test_colour_by_grad_keeps_the_sign():
    o = neuron()
    o.backward()
    drawing = viz.draw(o, color_by_grad=True).source
    fills = dict(re.findall(r'label="\{ (x1|w1|x2) \|[^]]*fillcolor="([^"]+)"', drawing))
    assert fills["x1"].startswith("0.6 ") and fills["w1"].startswith("0.0 ")  # x1: -1.5, blue; w1: +1, red
    assert fills["x2"] == "0.0 0.283 1.0"  # x2: +0.5, a third of |-1.5|'s depth

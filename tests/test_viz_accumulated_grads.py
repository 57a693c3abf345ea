"""The "forgot zero_grad" bug stays visible: where `.grad` holds more than one backward pass (as
PyTorch's `.grad` does), a drawing that shows this pass's gradient (backward=True, check=True, a
tensor graph) shows the real `.grad` beside it with a note, never silently replacing it."""

import html

import numpy as np
import pytest
import torch

import viz
from autograd import Tensor
from tests.test_viz import svg, texts
from viz.demo import neuron


def test_a_second_backward_shows_the_real_grad_beside_this_pass():
    o = neuron()
    o.backward()
    o.backward()  # no zero_grad between: .grad doubles, as PyTorch's does
    x1 = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    w1 = torch.tensor(-3.0, dtype=torch.float64)
    for _ in range(2):
        torch.tanh(x1 * w1 + 6.881373587019543).backward()
    assert x1.grad.item() == pytest.approx(-3)  # the real .grad, after two passes
    # every drawing alike, the default one of Values too (it drew .grad, -3, as "grad", where backward=True drew -1.5)
    for options in ({}, {"backward": True}, {"check": True}):
        words = html.unescape(texts(svg(viz.draw(o, **options))))
        assert "x1 data 2 grad -1.5 .grad -3 (earlier passes added)" in words  # this pass's, and the real one
        listed = "b, x2, w1, x1, o, n and 3 more (b.grad holds 1, drawn 0.5)"  # leaves first, as backward takes them
        assert f".grad is not the gradient drawn at {listed}" in words and "call zero_grad() before backward" in words
        assert "w2 data 1 grad 0 .grad" not in words  # 0 + 0 is 0: nothing to say


def test_one_backward_pass_adds_no_note():
    o = neuron()
    o.backward()
    for options in ({}, {"backward": True}, {"check": True}):
        assert ".grad" not in texts(svg(viz.draw(o, **options)))


def test_a_tensor_leaf_after_two_passes():
    t = Tensor(np.array([1.0, 2.0]), requires_grad=True, label="t")
    y = (t * t).sum()
    y.label = "y"
    y.backward()
    y.backward()
    reference = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    for _ in range(2):
        (reference * reference).sum().backward()
    np.testing.assert_array_equal(t.grad, reference.grad.numpy())  # [4, 8]
    words = texts(svg(viz.draw(y)))  # a tensor drawing shows what flowed through: [2, 4]
    assert "t (2,) float64 data min 1 mean 1.5 max 2 grad min 2 mean 3 max 4 .grad min 4 mean 6 max 8" in words
    assert ".grad is not the gradient drawn at t (t.grad holds min 4 mean 6 max 8, drawn min 2 mean 3 max 4)" in words


def test_the_player_and_backward_steps_say_when_grad_holds_more_than_their_pass():
    # they replay one pass: after two, the page's x1 ends at -1.5 where print(x1.grad) says -3, and said nothing
    from tests.test_viz_player import page_data
    from viz.html import page_html

    o = neuron()
    o.backward()
    o.backward()
    note = ".grad is not the gradient drawn at b, x2, w1, x1, o, n and 3 more (b.grad holds 1, drawn 0.5)"
    assert note in page_data(page_html(o))["captions"][1]  # step 1, where backward starts
    assert note in next(iter(viz.backward_steps(o))).caption
    fresh = neuron()
    fresh.backward()  # one pass: nothing to say
    assert all(".grad" not in c for c in page_data(page_html(fresh))["captions"])

"""A rule is told with what it depends on: where's condition, which picks each entry's input, was drawn nowhere
("where", "1 where cond holds, else 0" with no cond), so a learner could not see why x's gradient was 0 at one
entry and 1 at the next; polygamma's rule "∂ψ⁽ⁿ⁾(y)/∂y = ψ⁽ⁿ⁺¹⁾(y)" did not say its n."""

import numpy as np

import autograd
import viz
from autograd import Tensor


def _captions(root) -> str:
    return "\n".join(step.caption for step in viz.backward_steps(root))


def test_wheres_condition_is_drawn_in_its_oval_and_told_with_its_rule():
    x = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True, label="x")
    y = Tensor(np.array([5.0, 6.0, 7.0]), requires_grad=True, label="y")
    w = autograd.where(x > 0, x, y)
    w.label = "w"
    s = w.sum()
    s.label = "s"
    assert 'label="where(cond=[True, False, True])' in viz.draw(s).source
    s.backward()
    told = _captions(s)
    assert "(1 where cond holds, else 0; cond = [True, False, True])" in told
    assert "(0 where cond holds, else 1; cond = [True, False, True])" in told
    assert "1 where cond holds, else 0; cond = [True, False, True]" in viz.draw(s, backward=True).source


def test_a_long_condition_is_counted_and_a_grid_kept_in_its_shape():
    x = Tensor(np.arange(20.0) - 10, requires_grad=True, label="x")
    s = autograd.where(x > 0, x, 0.0).sum()
    s.backward()
    assert "(1 where cond holds, else 0; cond = 9 of 20 True)" in _captions(s)
    grid = Tensor(np.array([[1.0, -1.0], [-1.0, 1.0]]), requires_grad=True, label="g")
    picked = autograd.where(grid > 0, grid, 0.0)
    assert "where(cond=[[True, False], [False, True]])" in viz.draw(picked.sum()).source


def test_polygammas_rule_says_its_n():
    y = viz.evaluate("polygamma(2, y) * x", {"x": 2.0, "y": 3.0})
    y.backward()
    assert "(∂ψ⁽ⁿ⁾(y)/∂y = ψ⁽ⁿ⁺¹⁾(y); n = 2)" in _captions(y)
    assert "∂ψ⁽ⁿ⁾(y)/∂y = ψ⁽ⁿ⁺¹⁾(y); n = 2" in viz.draw(y, backward=True).source

"""The first NaN or infinity of backward is the first one backward makes, in its own order of
steps (root first), not the first by the nodes' positions: of a layer's W and b that both overflow,
b's (sent by the add, a step before the matmul sends W's)."""

import numpy as np

import nn
from autograd import Tensor
from viz.nonfinite import first_nonfinite
from viz.number_text import finite, summary
from viz.steps import backward_pass


def test_the_story_names_the_gradient_backward_made_non_finite_first():
    layer = nn.Linear(2, 3, seed=0, dtype=np.float64)
    layer.W.data = np.ones((2, 3))
    x = Tensor(np.tile([1.0, -1.0], (4, 1)))  # x @ W = 0: the loss is 0, finite
    loss = (layer(x) * 1e308).sum()  # each row's gradient 1e308, their sums (b's, W's) infinite
    run = backward_pass(loss)
    first = next(node for _, running, changed, _ in run.filling() for node in changed if not finite(running[id(node)]))
    trail = first_nonfinite(run.graph.order, run.grads, run.names)
    assert trail.node is first and first is layer.b
    assert run.names[id(layer.b)] in trail.story


def test_a_summary_of_numbers_near_the_float_limit_tells_their_mean():
    """Their sum overflows: the mean is taken scaled, never shown as inf beside a finite max."""
    assert summary(np.array([1e308, 1e308, -5.0])) == "min -5e+00 mean 6.67e+307 max 1e+308"

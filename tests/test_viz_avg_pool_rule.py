"""viz's edge rule of avg_pool: its n is each window's divisor, not the input's size over the output's (a mean's)."""

import numpy as np

import autograd as ag
import viz
from autograd import Tensor


def test_avg_pool_rule_does_not_state_a_wrong_window_count():
    """Kernel 2, stride 1 over 4 x 4: each window holds 4, but 16 // 9 outputs read "n = 1"."""
    x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
    y = ag.avg_pool2d(x, 2, stride=1).sum()
    y.backward()
    source = viz.draw(y, backward=True).source
    assert "Σ 1/n over the windows" in source
    assert "n = 1" not in source


def test_avg_pool_rule_says_what_its_n_is_with_and_without_divisor_override():
    """The note "(n: a window's count, or divisor_override)" named a parameter not given, so the drawing dropped it
    whole and left n undefined on the page."""
    x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
    for options, told in (
        ({}, "#3ᵢ, n a window"),
        ({"divisor_override": 3}, "(divisor_override if given); divisor_override = 3"),
    ):
        source = viz.draw(ag.avg_pool2d(x, 2, stride=1, **options).sum(), backward=True).source
        assert told in source, options

"""The training page's loss line marks a NaN or infinite loss apart, red: drawn at the top or bottom edge
alone, a NaN loss looked like the largest finite one and -inf like the smallest, the best step."""

import re

import numpy as np

from viz.training import training_bar


def test_nonfinite_losses_are_marked_apart_on_the_loss_line():
    bar = training_bar([1.0, np.nan, 0.5, -np.inf, 0.75])
    marked = re.findall(r'<circle id="loss(\d)" class="nonfinite"', bar)
    assert marked == ["1", "3"]
    assert len(re.findall(r"<circle ", bar)) == 5  # every step still has its dot


def test_the_line_breaks_at_a_nan_loss_and_one_step_is_one_step():
    # the line ran up to a NaN loss's dot at the top edge and down again, as if the loss had risen to the largest
    lines = re.findall(r'<polyline points="([^"]*)"/>', training_bar([1.0, np.nan, 0.5, 0.75, -np.inf]))
    assert lines == ["4.0,4.0", "90.0,26.0 133.0,15.0 176.0,26.0"]  # -inf still joined, at the bottom edge
    assert re.findall(r"<polyline ", training_bar([np.nan, np.nan])) == []
    assert "loss 2 → 2 over 1 step</span>" in training_bar([2.0]) and "over 2 steps</span>" in training_bar([2.0, 1.0])

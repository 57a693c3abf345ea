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

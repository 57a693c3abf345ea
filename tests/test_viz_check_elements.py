"""draw(check=True) on a tensor leaf: a rule wrong in one element shows red, however many elements the
tensor has (a single random direction over all of them diluted one element's error below the tolerance:
a rule 20% wrong in 1 of 1000 elements was drawn green), and the label says what was compared."""

import re

import numpy as np
import pytest

import viz
from autograd import Op, Tensor
from tests.test_viz import svg, texts
from tests.test_viz_check import GREEN, RED


def _square_off(bad: int, factor: float, plus: float = 0.0) -> Op:
    """x * x, whose rule is `factor` times the right one, plus `plus`, in flat element `bad`."""

    def rule(g, out, x):
        m, off = np.ones(np.shape(x)), np.zeros(np.shape(x))
        m.flat[bad], off.flat[bad] = factor, plus
        return (g * (2 * x * m + off),)

    return Op("sq", lambda x: x * x, rule)


def _drawn(op, data):
    w = Tensor(data, requires_grad=True, label="w")
    loss = op(w).sum() if op is not None else (w * w).sum()
    loss.label = "loss"
    drawing = viz.draw(loss, check=True)
    record = next(line for line in drawing.source.splitlines() if 'label="{ w |' in line)
    return re.search(r'fillcolor="?([^" \]]+)', record)[1], texts(svg(drawing))


def test_a_rule_a_fifth_wrong_in_one_element_of_a_thousand_is_red_naming_its_block():
    data = np.random.default_rng(0).uniform(-2, 2, 1000)
    colour, words = _drawn(_square_off(123, 1.2), data)
    assert colour == RED, words
    assert "in 32 blocks of up to 32 elements; elements 96 to 127 along a direction: numeric" in words
    assert "finite differences disagree with backward at the only leaf: w" in words
    colour, words = _drawn(None, data)  # the right rule: every block agrees
    assert colour == GREEN and "numeric agrees in 32 blocks of up to 32 elements ✓" in words


def test_a_small_tensor_is_checked_element_by_element_naming_the_element():
    data = np.linspace(-1.5, 2.0, 12).reshape(3, 4)
    colour, words = _drawn(_square_off(6, 1.01), data)  # 1% off in one element of 12: ten times rtol
    assert colour == RED and "element by element (12); element [1, 2]: numeric" in words
    wrong = re.search(r"element \[1, 2\]: numeric (\S+) ✗ backward (\S+)", words)
    assert float(wrong[1]) == pytest.approx(2 * data[1, 2], rel=5e-4)  # 4 figures
    assert float(wrong[2]) == pytest.approx(2 * data[1, 2] * 1.01, rel=5e-4)
    colour, words = _drawn(None, data)
    assert colour == GREEN and "numeric agrees element by element (12) ✓" in words


@pytest.mark.parametrize("trial", range(6))
def test_an_error_of_twice_the_block_times_its_tolerance_is_red_wherever_it_is(trial):
    """The promise: one element off by more than 2m times its own tolerance (m the block's size; rtol·|g|,
    at least a thousandth of the largest's), at any place, among gradients of any scales (4 orders)."""
    rng = np.random.default_rng(trial)
    size = int(rng.integers(40, 700))
    data = rng.uniform(0.5, 2.0, size) * 10.0 ** rng.uniform(-2, 2, size) * rng.choice((-1, 1), size)
    bad = int(rng.integers(size))
    g = 2 * data
    own = 1e-3 * (abs(g[bad]) + 1e-3 * np.abs(g).max())
    colour, words = _drawn(_square_off(bad, 1.0, 2.2 * 32 * own * rng.choice((-1, 1))), data)
    assert colour == RED, words
    lo = bad // 32 * 32
    assert f"elements {lo} to {min(lo + 32, size) - 1} along a direction" in words

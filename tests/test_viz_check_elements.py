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
    assert "in 32 blocks of up to 32 elements; elements [96:128] along a direction: numeric" in words
    assert "finite differences disagree with backward at the only leaf: w" in words
    colour, words = _drawn(None, data)  # the right rule: every block agrees
    assert colour == GREEN and "numeric agrees in 32 blocks of up to 32 elements ✓" in words


@pytest.mark.parametrize(
    ("shape", "bad", "named"), [((40, 32), (7, 3), "[7, :]"), ((6, 8, 16), (2, 5, 9), "[2, 4:6, :]")]
)
def test_a_block_of_a_matrix_is_named_by_its_index_as_gradcheck_names_it(shape, bad, named):
    """A block is named in the tensor's own shape (row 7: `[7, :]`), as gradcheck_params' rows name it (`W[7, :]`);
    it was named in flat order ("elements 224 to 255"), which a learner had to convert to find the row."""
    data = np.random.default_rng(1).uniform(-2, 2, shape)
    colour, words = _drawn(_square_off(int(np.ravel_multi_index(bad, shape)), 1.2), data)
    assert colour == RED and f"elements {named} along a direction: numeric" in words, words


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
    """The promise: one element off by more than 2m times its own tolerance (m the block's size; rtol·|g| and
    the rounding of its finite difference), at any place, among gradients of any scales (4 orders)."""
    rng = np.random.default_rng(trial)
    size = int(rng.integers(40, 700))
    data = rng.uniform(0.5, 2.0, size) * 10.0 ** rng.uniform(-2, 2, size) * rng.choice((-1, 1), size)
    bad = int(rng.integers(size))
    g = 2 * data
    rounding = 2 * 8 * np.finfo(float).eps * np.sum(data * data) / (6e-6 * max(1.0, abs(data[bad])))
    own = 1e-3 * abs(g[bad]) + rounding
    colour, words = _drawn(_square_off(bad, 1.0, 2.2 * 32 * own * rng.choice((-1, 1))), data)
    assert colour == RED, words
    lo = bad // 32 * 32
    assert f"elements [{lo}:{min(lo + 32, size)}] along a direction" in words


def _scaled(scales: np.ndarray, zero_at: int | None) -> Op:
    """x * scales, whose rule gives 0 in flat element `zero_at` (None: the right rule)."""

    def rule(g, out, x):
        slopes = scales.copy()
        if zero_at is not None:
            slopes.flat[zero_at] = 0.0
        return (g * slopes,)

    return Op("scaled", lambda x: x * scales, rule)


@pytest.mark.parametrize("share", [1e-4, 3e-5, 1e-6])
def test_a_rule_of_zero_where_the_slope_is_a_small_share_of_the_largest_is_red(share):
    """Each element is judged by its own tolerance: a floor of a thousandth of the largest |g|'s (times rtol)
    drew a rule of 0 green where the true slope, 1, is 3e-5 or 1e-6 of the largest, 1 / share."""
    data = np.random.default_rng(0).uniform(0.5, 1.5, 64)
    scales = np.random.default_rng(1).uniform(0.5, 1.5, 64)
    scales[0], scales[5] = 1 / share, 1.0
    colour, words = _drawn(_scaled(scales, 5), data)
    assert colour == RED and "elements [0:32] along a direction: numeric" in words, words
    colour, words = _drawn(_scaled(scales, None), data)
    assert colour == GREEN and "numeric agrees in 2 blocks of 32 elements ✓" in words, words


def test_slopes_below_the_rounding_of_their_finite_differences_are_not_judged():
    """Beside a slope of 1e12 the root is 1e12, and a change of 1 in an element moves it by less than its
    rounding at the step taken: that block cannot be judged, right rule or wrong, and is drawn so (grey)."""
    data = np.random.default_rng(0).uniform(0.5, 1.5, 64)
    scales = np.random.default_rng(1).uniform(0.5, 1.5, 64)
    scales[0] = 1e12
    for zero_at in (5, None):
        colour, words = _drawn(_scaled(scales, zero_at), data)
        assert colour not in (GREEN, RED), words
        assert "elements [0:32] along a direction: numeric" in words and "too small to judge" in words


def test_a_tensor_leaf_under_an_undefined_root_says_nothing_was_compared():
    """Before: "element by element (4); : numeric: cannot judge here (the root is nan here)", as if its 4
    elements had been compared one by one, with a stray "; :" where the element that failed would go."""
    _, words = _drawn(None, np.array([1.0, np.nan, np.inf, 2.0]))
    assert "numeric: cannot judge here (the root is nan here)" in words
    assert "element by element" not in words and "; :" not in words


def _off_by(name: str, forward, slope, plus: float) -> Op:
    """An elementwise op whose rule is its `slope` plus `plus` in every element."""
    return Op(name, forward, lambda g, out, x: (g * (slope(x) + plus),))


_SATURATING = [
    ("tanh", np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    ("clip", lambda x: np.clip(x, -5, 5), lambda x: ((x >= -5) & (x <= 5)) * 1.0),
]


@pytest.mark.parametrize(("name", "forward", "slope"), _SATURATING)
def test_elements_near_1_among_ones_near_1e16_are_blocked_apart_and_a_wrong_rule_is_red(name, forward, slope):
    """64 elements, every other near 1 and the rest near 1e16, a rule off by +1: the blocks mixed them, and their steps,
    scaled by their largest element, moved the small ones by 6e10 (grey: 'bends within the steps'). Blocked apart by
    size, the small ones' block is red."""
    rng = np.random.default_rng(0)
    data = np.empty(64)
    data[0::2], data[1::2] = rng.uniform(0.5, 1.5, 32), rng.uniform(0.5, 1.5, 32) * 1e16
    colour, words = _drawn(_off_by(name, forward, slope, 1.0), data)
    assert colour == RED, words
    assert "elements [0], [2], [4], …, [62] (of the elements of |x| up to 1.4" in words
    colour, words = _drawn(_off_by(name, forward, slope, 0.0), data)  # the right rule: no false alarm
    assert colour != RED, words


def test_sizes_within_the_spread_one_step_reaches_are_blocked_in_order_as_before():
    """Sizes 1 to 1e5 apart stay in one group: blocks in ravel's order, named as gradcheck_params names them."""
    data = np.tile([1.5, -0.7, 3e4, 9e4], 16)
    colour, words = _drawn(_square_off(43, 1.2), data)
    assert colour == RED and "in 2 blocks of 32 elements; elements [32:64] along a direction" in words, words


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_right_rule_on_elements_near_1e12_is_green_its_blocks_tolerance_taken_at_the_step_measured(dtype):
    """A block's tolerance was taken along steps of 6e-6, which round away beside 1e12: 0, and the right rule of
    (w ** 3).sum() drew red in float32 ("numeric 2.784e+49 ✗ backward 2.784e+49" near 1e16), grey in float64."""
    data = np.random.default_rng(3).uniform(0.5, 1.5, 64) * 1e12
    w = Tensor(data.astype(dtype), requires_grad=True, label="w")
    loss = (w**3).sum()
    loss.label = "loss"
    record = next(line for line in viz.draw(loss, check=True).source.splitlines() if 'label="{ w |' in line)
    assert re.search(r'fillcolor="?([^" \]]+)', record)[1] == GREEN, record
    colour, words = _drawn(_square_off(5, 1.2), data)  # a rule a fifth wrong in one element: red
    assert colour == RED, words

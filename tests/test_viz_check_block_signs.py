"""check=True on a tensor of more than one block: a rule off by a share of each element's slope shows red though the
slopes' signs are random against the block's direction; an element whose slope the root's rounding swamps is grey,
not vouched for by its block's green; a block that disagrees only as a whole (kinks cancelling) is not drawn red."""

import numpy as np
from test_viz_check_flat_pieces import check_of

import autograd
from autograd import Op, Tensor
from viz.check_verdicts import AGREE, DISAGREE, KINK, KINK_DISAGREE, TOO_SMALL, UNMEASURED


def _signed_sizes(seed: int, low: float, high: float) -> Tensor:
    rng = np.random.default_rng(seed)
    return Tensor(rng.choice([-1.0, 1.0], 64) * 10 ** rng.uniform(low, high, 64), requires_grad=True)


def test_a_rule_off_by_a_share_of_each_slope_is_red_whatever_the_slopes_signs():
    """sin of 64 elements ±1e3..1e8, its rule 1.01·cos: the error follows cos's signs, random against the block's
    direction, and cancelled in the block's slope (backward 7427558 beside numeric 7354010: green). Each block is
    measured along the signs of backward's gradient too, where such an error adds up: red; near 1e8, where a step
    fine enough for sin rounds by a few percent, grey. Elements ±1..100 were green too."""
    x = _signed_sizes(100, 3, 8)
    check = check_of(Op("sin", np.sin, lambda g, out, x: (g * 1.01 * np.cos(x),))(x).sum(), x)
    assert check.verdict not in (AGREE, KINK) and "the gradient's signs" in check.part, check
    right = check_of(Op("sin", np.sin, lambda g, out, x: (g * np.cos(x),))(x).sum(), x)
    assert right.verdict not in (DISAGREE, KINK_DISAGREE), right
    x = _signed_sizes(0, 0, 2)
    check = check_of(Op("sin", np.sin, lambda g, out, x: (g * 1.01 * np.cos(x),))(x).sum(), x)
    assert check.verdict == DISAGREE and "the gradient's signs" in check.part, check
    assert check_of(Op("sin", np.sin, lambda g, out, x: (g * np.cos(x),))(x).sum(), x).verdict == AGREE


def test_elements_whose_slopes_the_roots_rounding_swamps_are_not_vouched_for():
    """x² of 64 elements ±1..1e8 (a root near 3e16), its rule 2x + 1: the elements near 1 (slopes near 2) are allowed
    the root's rounding, 1.8e7, and the block was green though the rule is 50% off there. They are told grey."""
    x = _signed_sizes(0, 0, 8)
    check = check_of(Op("sq", lambda x: x * x, lambda g, out, x: (g * (2 * x + 1),))(x).sum(), x)
    assert check.verdict in (TOO_SMALL, UNMEASURED) and "rounding" in check.detail, check
    right = check_of(Op("sq", lambda x: x * x, lambda g, out, x: (g * 2 * x,))(x).sum(), x)
    assert right.verdict in (TOO_SMALL, UNMEASURED), right


def test_kinks_of_both_kinds_cancelling_in_a_block_are_not_drawn_red():
    """hardtanh and clip of 64 elements at -1 and 1 by turns: convex and concave kinks cancel in a block's one-sided
    slopes, which read smooth, 8 beside backward's 0 (clip's 16): red for the right rules. A block that disagrees is
    halved until an element alone confirms it; an element at a kink is a grey kink."""
    for op in (autograd.hardtanh, lambda w: w.clip(-1.0, 1.0)):
        x = Tensor(np.tile([-1.0, 1.0], 32), requires_grad=True)
        check = check_of(op(x).sum(), x)
        assert check.verdict == KINK, check


def test_a_block_that_disagrees_where_no_half_does_is_not_drawn_red():
    """clip of 64 elements, 40% of them at -1 or 1, its right rule: the block along the slopes' signs read 1.1e-4
    beside backward's 2.1e-4 (kinks cancelling in part), red, where each half of it was too small to judge."""
    rng = np.random.default_rng(255)
    rng.choice([-1.0, 1.0], 64)
    x = Tensor(np.where(rng.random(64) < 0.6, rng.choice([-1.0, 1.0], 64), rng.normal(size=64)), requires_grad=True)
    check = check_of(x.clip(-1.0, 1.0).sum(), x)
    assert check.verdict not in (DISAGREE, KINK_DISAGREE), check


def test_a_wrong_rule_whose_halves_are_too_small_to_judge_is_still_red():
    """clip of 64 elements, 16 of them at -1 or 1, its rule doubled (2 inside the bounds, where the slope is 1): the
    block read 1.4e-5 beside backward's 3.3e-5, red, but each half was too small to judge (±1.5e-5), the halving
    stopped there, and the wrong rule was drawn grey ("no half of it does"). A half too small to judge is halved on."""
    rng = np.random.default_rng(7)
    data = rng.normal(size=64)
    rng.choice(64, 4, replace=False), rng.choice(64, 4, replace=False), rng.choice([-1.0, 1.0], 4)
    rng.choice(64, 16, replace=False)  # draws that place no bounds: the places and signs below follow them
    at = rng.choice(64, 16, replace=False)
    data[at] = rng.choice([-1.0, 1.0], 16)
    x = Tensor(data, requires_grad=True)
    clip = Op("doubled_clip", lambda v: np.clip(v, -1.0, 1.0), lambda g, out, v: (g * 2.0 * (np.abs(v) <= 1.0),))
    check = check_of(clip(x).sum(), x)
    assert check.verdict in (DISAGREE, KINK_DISAGREE), check


def test_a_red_block_along_the_slopes_signs_is_confirmed_along_them():
    """sin of 64 elements ±1..100, its rule 1.003·cos: red along the slopes' signs, where the error adds up. Its halves
    keep those signs; on random signs of their own the error cancelled in them, no element was reached, and the
    wrong rule was drawn grey ("no half of it does")."""
    x = _signed_sizes(0, 0, 2)
    check = check_of(Op("sin", np.sin, lambda g, out, x: (g * 1.003 * np.cos(x),))(x).sum(), x)
    assert check.verdict == DISAGREE and "the gradient's signs" in check.part, check


def test_sins_right_rule_near_1e8_is_judged_where_the_moves_round():
    """sin of 64 elements ±1e3..1e8 (weighted by a constant): at the block's steps fine enough for sin its elements'
    moves round (an element near 8e7 moved 1e-8·its weight rounds to its float spacing, 1.5e-8), so each step moves
    the block along a slightly other direction: the root's slope read 2923.52 beside backward's 2923.52 along it, then
    6186.21 beside 6186.21, and, never steady from step to step, the right rule was grey ("sin_rule bends within the
    steps"). Steadiness is read of the slope less backward's along the same moves: green; rule 1.01·cos red."""
    rng = np.random.default_rng(0)
    rng.normal(size=(3, 64))  # draws the sweep (test_viz_check_sweep) takes first: the data below follow them
    data = rng.choice([-1.0, 1.0], 64) * 10 ** rng.uniform(3, 8, 64)
    w = Tensor(np.random.default_rng(1).normal(size=64))
    for factor, verdict in ((1.0, AGREE), (1.01, DISAGREE)):
        x = Tensor(data.copy(), requires_grad=True)
        check = check_of((Op("sin", np.sin, lambda g, out, x, k=factor: (g * k * np.cos(x),))(x) * w).sum(), x)
        assert check.verdict == verdict, check

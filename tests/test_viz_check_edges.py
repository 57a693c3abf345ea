"""check=True at the edges of an op's pieces: where clip's bounds meet (lo = hi: flat on both sides, its rule's 1 a
choice at that point), just past a bound (a step that crosses it), a max pool of more than one block's elements (its
g = 0 elements' tolerance), a user's op whose value underflows beside its kink (max(0, x)³ at 1e-120)."""

import numpy as np
import pytest
from test_viz_check_flat_pieces import check_of, tensor

import autograd
import nn
from autograd import Op, Tensor, Value
from autograd.tensor_ops import OPS
from viz import numeric_leaves
from viz.check_verdicts import AGREE, DISAGREE, KINK, KINK_DISAGREE, UNMEASURED
from viz.numeric import measure


def passes_g(g, out, x, *, lo, hi):  # a wrong clip rule: 1 everywhere
    return (g + 0 * x,)


def test_clip_whose_bounds_meet_is_grey_at_them_with_a_note_saying_why():
    """clip(x, 2, 2) is 2 whatever x is, yet its rule (PyTorch's) gives 1 at x = 2, where lo ≤ x ≤ hi: a choice at
    the one point where its pieces meet, not a wrong rule. It was drawn red ("1 ≠ numeric 0")."""
    x = tensor(2.0)
    check = check_of(x.clip(2.0, 2.0).sum(), x)
    assert check.verdict == UNMEASURED
    assert "where its pieces meet" in check.detail and "choice" in check.detail


def test_clip_whose_bounds_meet_is_red_for_a_rule_giving_1_beside_them(monkeypatch):
    monkeypatch.setattr(OPS["clip"], "vjp", passes_g)
    x = tensor(2.0)
    assert check_of(x.clip(2.0, 2.0).sum(), x).verdict == DISAGREE


@pytest.mark.parametrize("at", [2.0 + 1e-6, -1e-6, 2.0 + 1e-9])
def test_clip_just_past_a_bound_is_green(at):
    """At 2 + 1e-6 the move that told a flat piece from rounding's stillness (1.2e-5) crossed the bound at 2, and
    clip's 0 there was drawn grey, "clip stays put as its input moves, as rounding can", which is untrue."""
    x = tensor(at)
    assert check_of(x.clip(0.0, 2.0).sum(), x).verdict == AGREE


@pytest.mark.parametrize("at", [2.0 + 1e-6, -1e-6])
def test_clip_just_past_a_bound_is_red_for_a_rule_giving_1_there(at, monkeypatch):
    monkeypatch.setattr(OPS["clip"], "vjp", passes_g)
    x = tensor(at)
    assert check_of(x.clip(0.0, 2.0).sum(), x).verdict == DISAGREE


def pooled(shape=(1, 1, 8, 8)):
    x = Tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)
    return x, nn.MaxPool2d(2)(x).sum()


def test_a_max_pool_of_more_than_a_block_is_green():
    """64 elements, checked in 2 blocks of 32: a block's tolerance (7.4e-8 once its rounding share is set aside) was
    under the error floor of the step that judged (9.3e-8): "too small to judge"."""
    x, root = pooled()
    assert check_of(root, x).verdict == AGREE


@pytest.mark.parametrize("wrong", ["twice", "spread over the window"])
def test_a_max_pool_of_more_than_a_block_is_red_for_a_wrong_rule(wrong, monkeypatch):
    right = OPS["max_pool2d"].vjp

    def rule(g, out, x, **params):
        if wrong == "twice":
            return (2 * right(g, out, x, **params)[0],)
        return (right(g, out, x, **params)[0] + 0.25 * np.repeat(np.repeat(g, 2, axis=2), 2, axis=3),)

    monkeypatch.setattr(OPS["max_pool2d"], "vjp", rule)
    x, root = pooled()
    assert check_of(root, x).verdict == DISAGREE


def tied_pool(monkeypatch, factor):
    """A max pool of 64 whole numbers 0 to 2 (9 of its 16 windows tied at their max), its rule `factor` times the
    right one; the check of its input."""
    right = OPS["max_pool2d"].vjp
    monkeypatch.setattr(OPS["max_pool2d"], "vjp", lambda g, out, x, **params: (factor * right(g, out, x, **params)[0],))
    x = Tensor(np.random.default_rng(0).integers(0, 3, (1, 1, 8, 8)).astype(float), requires_grad=True)
    return check_of(nn.MaxPool2d(2)(x).sum(), x)


def test_a_max_pool_with_ties_is_red_for_a_rule_doubled_where_its_untied_elements_tell(monkeypatch):
    """Both blocks of 32 measured a kink (a tie), and a rule doubled was grey as the right one is: the kinked block is
    halved until the tie is an element's own, and an untied window's max, its rule 2 for 1, shows red."""
    check = tied_pool(monkeypatch, 2.0)
    assert check.verdict == DISAGREE and check.part.startswith("element"), check


def test_a_max_pool_with_ties_stays_a_grey_kink_for_the_right_rule(monkeypatch):
    check = tied_pool(monkeypatch, 1.0)
    assert check.verdict == KINK, check


def cube_of_relu(rule):
    return Op("cube_of_relu", lambda a: np.maximum(0.0, a) ** 3, rule)


ZERO = lambda g, out, a: (g * 0.0,)  # noqa: E731 (a wrong rule: the slope 3a² is 3e-240 at 1e-120)
RIGHT = lambda g, out, a: (g * 3 * np.maximum(0.0, a) ** 2,)  # noqa: E731


@pytest.mark.parametrize("scale", [1.0, 1e300])
@pytest.mark.parametrize("kind", [Tensor, Value])
def test_a_wrong_rule_of_0_where_a_users_op_underflows_beside_its_kink_is_not_green(kind, scale):
    """max(0, x)³ at 1e-120 is 0 in floats (1e-360 underflows), and at every step of 1e-120's scale too: a rule of 0
    agreed with that 0 and was drawn green, though steps of 6e-6 saw the root move (never settling: a slope shrinking
    with the step), and times 1e300 the slope is 3e60."""
    x = tensor(1e-120) if kind is Tensor else Value(1e-120)
    y = cube_of_relu(ZERO)(x)
    root = (y.sum() if kind is Tensor else y + 0.0) * scale
    assert check_of(root, x).verdict != AGREE


@pytest.mark.parametrize("scale", [1.0, 1e300])
def test_the_right_rule_where_a_users_op_underflows_beside_its_kink_is_not_red(scale):
    x = tensor(1e-120)
    assert check_of(cube_of_relu(RIGHT)(x).sum() * scale, x).verdict != DISAGREE


@pytest.mark.parametrize("scale", [1e-12, 1e-300])
def test_a_block_whose_moves_of_some_elements_round_away_is_not_green_for_a_wrong_rule(scale, monkeypatch):
    """relu of 64 numbers near 1e-12: a block's direction weighs the elements with g = 2 by 4e-17 (their tolerance
    rtol·|g| beside the rounding of the others, g = 0), whose moves then round away at the finer steps (2e-30 on
    1e-12) or underflow at |x|'s scale (4e-305 times 2e-300): the root stayed put, backward's slope along the steps as
    taken was 0, and a rule twice the right one read green."""
    right = OPS["relu"].vjp
    monkeypatch.setattr(OPS["relu"], "vjp", lambda *a, **k: tuple(2 * r for r in right(*a, **k)))
    x = Tensor(scale * np.random.default_rng(3).uniform(-2, 2, 64), requires_grad=True)
    assert check_of(x.relu().sum(), x).verdict != AGREE


def test_the_note_where_a_users_op_bends_says_no_rounding_hid_what_the_root_showed():
    """max(0, x)³ at 1e-120: the root's one-sided slopes (h² and 0) show the bend; the note said "which the root's
    rounding hides"."""
    x = tensor(1e-120)
    check = check_of(cube_of_relu(ZERO)(x).sum(), x)
    assert "cube_of_relu bends within the steps" in check.detail and "rounding hides" not in check.detail


@pytest.mark.parametrize("far", [1e6, 1e8])
def test_a_disagreement_of_a_block_is_still_confirmed_where_some_of_its_moves_round_away(far, monkeypatch):
    """sin of 64 numbers, half near 1 and half near `far`, its rule twice the right one: two steps disagreed (6.1e7
    beside 3.0e7 at 1e8) and finer ones, where sin's term bent, doubted it; the step that confirmed it moved the
    numbers near 1 no longer, and a block's steps now end there, so it read grey. A disagreement along the steps as
    taken is still one (only an agreement leaves the elements that did not move unjudged): red, as before."""
    right = OPS["sin"].vjp
    monkeypatch.setattr(OPS["sin"], "vjp", lambda *a, **k: tuple(2 * r for r in right(*a, **k)))
    rng = np.random.default_rng(11)
    data = np.concatenate([rng.uniform(-2, 2, 32), far * rng.uniform(-2, 2, 32)])
    rng.shuffle(data)
    x = Tensor(data, requires_grad=True)
    assert check_of(x.sin().sum(), x).verdict == DISAGREE


def test_a_half_of_a_kinked_block_is_not_told_red_for_the_right_rule_by_its_several_kinks():
    """hardswish at its kinks -3 and 3 (a fifth of 64 elements at each), its right rule: a half of 4 of a kinked block,
    its slopes cancelling to 2e-4 beside 0.09, read its one-sided slope at 3 off by the truncation of its curved
    elements (9.4e-5 for 1.9e-4: 'kink disagree', red) where each of its elements alone is a kink or agrees. A half
    that disagrees is halved on, and told only of one element."""
    rng = np.random.default_rng(29)
    r = rng.random(64)
    x = Tensor(np.where(r < 0.2, -3.0, np.where(r < 0.4, 3.0, rng.uniform(-4, 4, 64))), requires_grad=True)
    check = check_of(autograd.hardswish(x).sum(), x)
    assert check.verdict not in (DISAGREE, KINK_DISAGREE), check


def test_a_max_pool_with_ties_stops_halving_once_red(monkeypatch):
    """A half that disagrees settles the leaf's verdict and its name (the first part that disagrees): the halves after
    it were measured all the same, each confirming its disagreement over finer steps, 64 measures where 12 tell it."""
    measured = []
    monkeypatch.setattr(numeric_leaves, "measure", lambda *a, **k: measured.append(1) or measure(*a, **k))
    check = tied_pool(monkeypatch, 2.0)
    assert check.verdict == DISAGREE and len(measured) <= 16, (check, len(measured))

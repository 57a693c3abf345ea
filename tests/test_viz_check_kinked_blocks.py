"""check=True on a tensor of more than one block whose elements sit at kinks: a block that cannot judge for its kinks
is halved until they are elements' own, and the rest of it is decided."""

import numpy as np
import pytest
from test_viz_check_flat_pieces import check_of

from autograd import Op, Tensor
from viz.check_verdicts import DISAGREE, KINK, KINK_DISAGREE


def _relu(factor: float) -> Op:
    return Op("relu_rule", lambda v: np.maximum(v, 0.0), lambda g, out, v: (g * factor * (v > 0),))


@pytest.mark.parametrize("w", [np.ones(64), np.random.default_rng(2).normal(size=64)], ids=["sum", "weighted"])
def test_relu_of_a_quarter_of_elements_at_0_is_decided_beside_its_kinks(w):
    """relu of tile([0, 1, -1, 2], 16): each block's kinks at 0 (random signs: some one-sided slopes 1, some 0)
    made its central slope's error ±42, and the right rule and the rule doubled were both grey, "too small". The
    block is halved until each kink is an element's own: the right rule is the kink's grey ✓ (backward takes one of
    the one-sided slopes, 0), the doubled rule red, an element of 1 or 2 read 2 beside a slope of 1."""
    x = Tensor(np.tile([0.0, 1.0, -1.0, 2.0], 16), requires_grad=True)
    right = check_of((_relu(1.0)(x) * Tensor(w)).sum(), x)
    assert right.verdict == KINK and right.part.startswith("element ["), right
    x = Tensor(np.tile([0.0, 1.0, -1.0, 2.0], 16), requires_grad=True)
    doubled = check_of((_relu(2.0)(x) * Tensor(w)).sum(), x)
    assert doubled.verdict in (DISAGREE, KINK_DISAGREE), doubled


def test_a_wrong_block_after_blocks_of_kinks_is_still_red():
    """clip of 160 elements, the first 128 at -1 and 1 by turns, its rule doubled on the last 32 alone: the blocks of
    kinks (each red as a block, halved till a kink is found) spent the leaf's 128 halves, and the wrong block after
    them, not halved, was told grey, "no half of it does", where no half was measured. Each block has its halves."""
    rng = np.random.default_rng(5)
    data = np.concatenate([np.tile([-1.0, 1.0], 64), rng.normal(size=32) * 0.5])
    for factor, red in ((np.where(np.arange(160) >= 128, 2.0, 1.0), True), (np.ones(160), False)):
        x = Tensor(data.copy(), requires_grad=True)
        clip = Op("clip_rule", lambda v: np.clip(v, -1, 1), lambda g, out, v, k=factor: (g * k * (np.abs(v) <= 1),))
        check = check_of(clip(x).sum(), x)
        assert (check.verdict in (DISAGREE, KINK_DISAGREE)) == red, check
        assert red or check.verdict == KINK, check


def test_a_red_block_left_unhalved_for_want_of_halves_says_so(monkeypatch):
    """Where the leaf's halves are spent (none left here), a red block is grey saying it went unhalved: it said "no
    half of it does", of halves never measured."""
    import viz.numeric_leaves

    monkeypatch.setattr(viz.numeric_leaves, "LEAF_SPLITS", 0)
    x = Tensor(np.tile([-1.0, 1.0], 32), requires_grad=True)
    check = check_of(x.clip(-1.0, 1.0).sum(), x)
    assert check.verdict not in (DISAGREE, KINK_DISAGREE, KINK), check
    assert "halves a leaf may measure went to blocks before it" in check.detail, check

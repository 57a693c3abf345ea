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

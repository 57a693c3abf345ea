"""explain on tensors says "the means add up": the paths' shares' means as written must add up to the total's as
written. x used four times drew means 0.211, 0.211, -0.0284 and 0.333 beside a total's 0.728 (0.7266 on paper)."""

import re
from decimal import Decimal

import numpy as np
import pytest

import viz
from autograd import Tensor


def means_add_up(story: str) -> bool:
    shares = [Decimal(m) for m in re.findall(r"share of \S+ gradient: .*?\bmean (\S+)", story)]
    shares += [Decimal(m) for m in re.findall(r"^the other .*?\bmean (\S+)", story, re.M)]
    (total,) = re.findall(r"^total: .*?\bmean (\S+)", story, re.M)
    total = Decimal(total)  # read to 3 figures at least, as written: "0.5" is 0.500
    place = min(total.as_tuple().exponent, total.adjusted() - 2) if total else 0
    return abs(sum(shares) - total) < Decimal(5).scaleb(place - 1)


def four_uses(seed: int) -> tuple[Tensor, Tensor]:
    rng = np.random.default_rng(seed)
    x = Tensor(rng.normal(size=(3,)), requires_grad=True, label="x")
    w = Tensor(rng.normal(size=(3,)), requires_grad=True, label="w")
    y = ((x * w).tanh() + x * 0.33333 + (x * x)).sum()
    y.label = "y"
    return y, x


def test_the_shares_means_add_up_to_the_totals_as_written():
    y, x = four_uses(0)
    story = str(viz.explain(y, x))
    assert "the means add up" in story and means_add_up(story), story


@pytest.mark.parametrize("seed", range(1, 6))
def test_the_means_add_up_listed_or_grouped(seed):
    y, x = four_uses(seed)
    assert means_add_up(str(viz.explain(y, x)))
    assert means_add_up(str(viz.explain(y, x, max_paths=2)))


def test_a_total_whose_zeros_are_dropped_is_read_to_its_figures():
    """x's three paths carried means 0.1234, 0.1234 and 0.2532, told "0.123", "0.123" and "0.253" beside the total's
    "mean 0.5", which reads 0.500: 0.499 on paper (the rule read "0.5" to a tenth; the drawing's shares, to 0.500)."""
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True, label="x")
    a, b, c = (Tensor(np.full(2, v)) for v in (0.1234, 0.1234, 0.2532))
    y = (x * a + x * b + x * c).sum()
    y.label = "y"
    story = str(viz.explain(y, x))
    assert "mean 0.1234 " in story and means_add_up(story), story

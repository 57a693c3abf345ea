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
    total = Decimal(total)
    return abs(sum(shares) - total) < Decimal(5).scaleb(total.as_tuple().exponent - 1)


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

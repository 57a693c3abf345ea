"""A float result that rounding, not its range, made 0 is not told as a step that underflowed or overflowed: the sum
of [1e16, 1, -1e16] is 0 in float64 (1e16 + 1 rounds to 1e16) and 1 in a long double (whose 64 bits hold 1e16 + 1),
and read "0 (came out 0: on paper 1, a step of its float computation underflowed or overflowed ...)", though no step
did; so did a mean, a matmul and a tensor's shares that cancel so."""

import math

import numpy as np
import pytest

import viz
from autograd import Tensor, Value
from viz.captions import forward_caption
from viz.lost_masks import WIDER
from viz.steps import backward_pass

pytestmark = pytest.mark.skipif(not WIDER, reason="this platform's long double is no wider than a float")
CANCELS = [1e16, 1.0, -1e16]


def _t(data, label="t"):
    return Tensor(np.array(data), requires_grad=True, label=label)


@pytest.mark.parametrize(
    "make",
    [lambda t: t.sum(), lambda t: t.mean(), lambda t: (t.reshape(1, 3) @ Tensor(np.ones((3, 1)))).sum()],
    ids=["sum", "mean", "matmul"],
)
def test_a_zero_of_rounding_is_not_told_as_range_lost(make):
    told = forward_caption(backward_pass(make(_t(CANCELS))))
    assert " = 0" in told
    assert "underflowed" not in told and "came out" not in told


def test_shares_that_cancel_by_rounding_are_not_told_as_range_lost():
    t = _t([1.0, 2.0])
    u = (t * 1e16).sum() + t.sum() + (t * -1e16).sum()
    told = "\n".join(step.caption for step in viz.backward_steps(u))
    assert "t.grad: 3 shares added, now min 0 mean 0 max 0    (t is used 3 times" in told


def test_a_product_that_overflowed_on_the_way_is_told_as_its_right_value():
    """matmul computes a sum that overflowed on the way again on scaled entries: the caption gives 1e+308, with
    no note of an overflow (there was one on the way, but the value shown is right)."""
    t = _t([1e308, 1e308, -1e308])
    caption = forward_caption(backward_pass(t @ Tensor(np.ones(3))))
    assert "1e+308" in caption and "came out inf" not in caption


def test_a_gradient_infinite_because_its_ops_value_overflowed_is_told_lost_on_the_way():
    """exp(800) overflows, so the gradient 1e-300 · exp(800) is inf in floats, 2.7e+47 on paper, which a float
    holds: that overflow is a step of the op's own computation, and the edge says so."""
    t = _t([-1000.0, 1.0, 800.0])
    with np.errstate(all="ignore"):
        s = (t.exp() * 1e-300).sum()
    assert "of shape (3,) (1 of 3 underflowed, 1 of 3 lost on the way)" in viz.draw(s, backward=True).source


def test_an_infinity_of_a_step_that_overflowed_is_told_where_autograd_ignores_the_flags(monkeypatch):
    """d/dx x**z at x = z = 1e-310 is z · x**(z - 1) = 1e-310 · 1e+310 = 1 on paper; x**(z - 1) overflows in floats, in
    a rule that computes under np.errstate(over="ignore"), which hides the processor's flags: an infinity of finite
    numbers is told without them. No rule of the table does so any more at a first derivative (power's tiny base,
    div's tiny divisor and hypot's overflowed value are rescaled; a scan of every unary and binary op at each dtype's
    subnormals, 1 and largest floats found none left), so the Value's ** is given back its old rule, z · x**(z − 1)
    as written, for this test: what is tested is viz's telling of such a step, whichever rule has one."""

    def overflowing(g, out, a, b):
        with np.errstate(over="ignore"):
            return g * float(b * np.float64(a) ** (b - 1)), g * (out * math.log(a))

    x, z = Value(1e-310, label="x"), Value(1e-310, label="z")
    y = x**z
    y.label = "y"
    monkeypatch.setattr(y.op, "vjp", overflowing)
    told = "\n".join(step.caption for step in viz.backward_steps(y))
    assert "the local derivative came out inf: on paper 1, a step of its float computation" in told


def test_a_tensor_product_that_underflowed_and_overflowed_says_both():
    """x * x of [1e-200, 1e200, 3] read "1 inf of 3; ... (1 of its 3 products of nonzero numbers underflowed to 0:
    ...)", with no word of the infinity that overflowed."""
    x = _t([1e-200, 1e200, 3.0], "x")
    with np.errstate(all="ignore"):
        told = forward_caption(backward_pass((x * x).sum()))
    assert (
        "(1 of its 3 products of nonzero numbers underflowed to 0: nearer 0 than half the least float, 4.941e-324; "
        "1 of 3 overflowed to an infinity: beyond the largest float, 1.798e+308)"
    ) in told

"""The forward caption says what a bare number would not: a product of two nonzero numbers that underflowed
to 0 (it read "#3 = a * b = 0"), and what a -0 is (it read "w * z = -0", with no word)."""

import numpy as np

from autograd import Tensor, Value
from viz.captions import forward_caption
from viz.steps import backward_pass


def _lines(root) -> list[str]:
    return forward_caption(backward_pass(root)).splitlines()[1:]


def test_a_product_that_underflows_is_worked_on_paper_beside_the_float():
    a, b, m = Value(1e-200, label="a"), Value(3e-200, label="b"), Value(2.0, label="m")
    d = a * b * m
    d.label = "d"
    first, second = _lines(d)
    assert first == (
        "#3 = a * b = 1e-200 × 3e-200 = 3e-400 on paper; as a float, 0 (nearer 0 than half the least float, "
        "4.941e-324: it underflows to 0)"
    )
    # its input is 3e-400 on paper, not its float 0: d is 6e-400 on paper, and underflowed as #3 did
    assert (
        second == "d = #3 * m = 0 (underflowed to 0: on paper 6e-400, nearer 0 than half the least float, 4.941e-324)"
    )


def test_a_tensors_underflowed_products_are_counted():
    t = Tensor(np.array([1e-200, 2.0, 3e-170]), requires_grad=True, label="t")
    u = (t * t).sum()
    u.label = "u"
    assert "(2 of its 3 products of nonzero numbers underflowed to 0: nearer 0 than half the least" in _lines(u)[0]


def test_a_negative_zero_says_what_it_is():
    w, z = Value(-2.0, label="w"), Value(0.0, label="z")
    y = w * z + 1
    y.label = "y"
    assert _lines(y)[0] == "#2 = w * z = -0 (zero with a minus sign: it equals 0, though 1 / -0 = -inf)"

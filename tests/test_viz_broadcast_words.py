"""How captions write tensors. Where backward sums a broadcast input's gradient back to its shape, the
player's caption and `explain` say so, as the drawn edge does ("Σ summed back from (2, 3) to (3,)"): they
said "*'s rule maps the arriving 1 to min 3 mean 5 max 7 (∂(x·w)/∂w = x)", a gradient larger than any
element of x, without a word of the sum."""

import numpy as np

import viz
from autograd import Tensor
from viz.captions import forward_caption
from viz.rules import term
from viz.steps import backward_pass


def broadcast_product() -> tuple[Tensor, Tensor, Tensor]:
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, label="x")
    w = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True, label="w")
    y = (x * w + Tensor(np.full(3, 0.5), label="k")).sum()
    y.label = "y"
    return y, x, w


def test_the_caption_says_a_broadcast_inputs_gradient_was_summed_back():
    y, x, w = broadcast_product()
    captions = "\n".join(frame.caption for frame in viz.backward_steps(y))
    words = "summed back from (2, 3) to (3,): * broadcast w"
    assert captions.count(words) == 1 and "broadcast x" not in captions and "broadcast k" not in captions
    assert viz.draw(y, backward=True).source.count("Σ summed back from (2, 3) to (3,)") == 1  # the edge, as before


def test_explain_says_a_broadcast_inputs_gradient_was_summed_back():
    y, x, w = broadcast_product()
    assert "w gets min 3 mean 5 max 7 (summed back from (2, 3) to (3,): * broadcast w)" in str(viz.explain(y, w))
    assert "summed back" not in str(viz.explain(y, x))


def test_an_arrays_summary_as_an_operand_is_bracketed():
    """The forward caption read "#3 = #4 - min 0 mean 0.5 max 1" (minus "min"?) where the operand is an
    unnamed tensor, and the update "w ← w − 0.1 × min 1 mean 2 max 3"; a negative number was bracketed."""
    x = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True, label="x")
    y = ((x - Tensor(np.array([[0.0, 1.0], [0.0, 1.0]]))) ** 2).sum()
    caption = forward_caption(backward_pass(y))
    assert "= x - (min 0 mean 0.5 max 1) = " in caption
    assert term(np.array([1.0, 3.0])) == "(min 1 mean 2 max 3)" and term(-2.0) == "(-2)" and term(2.0) == "2"

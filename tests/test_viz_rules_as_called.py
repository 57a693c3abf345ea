"""The rule written beside an op is told for the call that made it: the op table's rule covers every call
(clip's "1 where lo ≤ x ≤ hi, else 0"), a drawing shows one, so a bound or option not given is not spoken of."""

import numpy as np
import pytest

import autograd
import viz
from autograd import Tensor, topological_order
from autograd.op_table import TABLE
from viz import rules
from viz.graph import read_graph
from viz.long_names import Names, drawn_names
from viz.rules import _operands


def local_rule(node, index: int, names: dict[int, str]) -> str:
    """The op's rule for an input with its operands named `names` (by id), its texts as a drawing of it writes them."""
    return rules.local_rule(node, index, Names(names, drawn_names(read_graph(node, None, None)).texts))


def _x():
    return Tensor(np.array([-1.0, 0.5, 2.0]), requires_grad=True, label="x")


@pytest.mark.parametrize(
    ("make", "rule"),
    [
        (lambda x: x.clip(hi=0), "∂clip(x)/∂x = 1 where x ≤ hi, else 0; hi = 0"),
        (lambda x: x.clamp(max=0), "∂clip(x)/∂x = 1 where x ≤ hi, else 0; hi = 0"),
        (lambda x: x.clip(lo=0), "∂clip(x)/∂x = 1 where lo ≤ x, else 0; lo = 0"),
        (lambda x: x.clip(-1, 1), "∂clip(x)/∂x = 1 where lo ≤ x ≤ hi, else 0; lo = -1, hi = 1"),
        (lambda x: x.clip(), "∂clip(x)/∂x = 1"),
        (lambda x: autograd.softplus(x), "∂softplus(x)/∂x = σ(βx); β = 1"),
        (
            lambda x: autograd.softplus(x, threshold=20.0),
            "∂softplus(x)/∂x = σ(βx) (1 where βx > threshold); β = 1, threshold = 20",
        ),
        (lambda x: autograd.gelu(x), "∂(x·Φ(x))/∂x = Φ(x) + x·φ(x)"),
        (lambda x: autograd.gelu(x, approximate="tanh"), "∂(x·Φ(x))/∂x = Φ(x) + x·φ(x) (of the tanh form)"),
        (
            lambda x: autograd.hardtanh(x),
            "∂hardtanh(x)/∂x = 1 where min_val < x < max_val, else 0; min_val = -1, max_val = 1",
        ),
        (lambda x: x.norm(), "∂‖x‖₂/∂xᵢ = xᵢ/‖x‖₂"),
        (lambda x: x.norm(ord=1), "∂‖x‖₁/∂xᵢ = sign(xᵢ)"),
        (lambda x: x.norm(ord=np.inf), "∂‖x‖∞/∂xᵢ = sign(xᵢ) at the largest |xᵢ|"),
    ],
)
def test_a_rule_speaks_only_of_the_bounds_and_options_given(make, rule):
    """Before: clip(hi=0) read "1 where lo ≤ x ≤ hi" (no lo was given), softplus without a threshold "(1 where
    βx > threshold)", gelu "(approximate='tanh': of the tanh form)" of the exact form, norm(ord=1) the 2-norm's
    and the inf-norm's rules beside its own."""
    x = _x()
    assert local_rule(make(x), 0, {id(x): "x"}) == rule


def test_the_drawing_and_the_caption_write_clips_rule_as_called():
    x = _x()
    y = x.clip(hi=0).sum()
    y.label = "y"
    assert "1 where x ≤ hi, else 0" in viz.draw(y, backward=True).source
    captions = "\n".join(step.caption for step in viz.backward_steps(y))
    assert "∂clip(x)/∂x = 1 where x ≤ hi, else 0" in captions and "lo ≤" not in captions


def test_a_rule_whose_condition_is_no_bound_keeps_it():
    """Before: where's rules read "1" and "0" (the picked input's and the other's, whatever the condition), and
    nan_to_num's "∂nan_to_num(x)/∂x = 1" at an infinity, where it is 0: the words of a condition that is no
    bound ("cond holds", "x is finite") went as if a bound not given had left them."""
    x = _x()
    picked = autograd.where(np.array([True, False, True]), x, x * 2.0)
    assert [local_rule(picked, k, {id(x): "x"}) for k in (0, 1)] == [
        "1 where cond holds, else 0; cond = [True, False, True]",
        "0 where cond holds, else 1; cond = [True, False, True]",
    ]
    assert local_rule(autograd.nan_to_num(x), 0, {id(x): "x"}) == "∂nan_to_num(x)/∂x = 1 where x is finite, else 0"
    y = picked.sum()
    y.label = "y"
    assert ">1 where cond holds, else 0; cond = [True, False, True]<" in viz.draw(y, backward=True).source


@pytest.mark.parametrize("join", [autograd.concatenate, autograd.stack])
def test_each_input_of_a_join_of_three_has_its_rule(join):
    """Before: the third input of concatenate([a, b, c]) and stack([a, b, c]) had no rule beside its edge (the
    op table writes the one rule for two inputs); the first two read "each input's slice of the gradient"."""
    x = _x()
    joined = join([x, x * 2.0, x * 3.0])
    assert [local_rule(joined, k, {id(x): "x"}) for k in range(3)] == ["each input's slice of the gradient"] * 3


def test_a_rule_that_names_g_says_what_g_is():
    """Before: matmul's edges read "∂(x@W)/∂x: g @ Wᵀ" and conv's "conv_transpose(g, w)", a g the drawing,
    the captions and the legend named nowhere; it is the gradient arriving at the op's output."""
    x = Tensor(np.ones((2, 3)), requires_grad=True, label="x")
    w = Tensor(np.ones((3, 2)), requires_grad=True, label="W")
    names = {id(x): "x", id(w): "W"}
    assert local_rule(x @ w, 0, names) == "∂(x@W)/∂x: g @ Wᵀ; g = the gradient arriving at the op's output"
    image = Tensor(np.ones((1, 1, 4, 4)), requires_grad=True, label="image")
    kernel = Tensor(np.ones((1, 1, 3, 3)), requires_grad=True, label="kernel")
    told = local_rule(autograd.conv2d(image, kernel), 1, {id(image): "image", id(kernel): "kernel"})
    assert told.endswith("Σ windows of image · g; g = the gradient arriving at the op's output")
    y = (x @ w).sum()
    y.label = "y"
    captions = "\n".join(step.caption for step in viz.backward_steps(y))
    assert "(∂(x@W)/∂W: xᵀ @ g; g = the gradient arriving at the op's output)" in captions


@pytest.mark.parametrize(
    ("text", "of", "rule"),
    [
        ("bessel_j0(y) * x", "y", "∂J₀(y)/∂y = −J₁(y)"),
        ("gammainc(2, y) * x", "y", "∂P(2,y)/∂y = y^(2−1)·e^(−y)/Γ(2)"),
        ("i0e(y) * x", "y", "∂(e^−|y|·I₀(y))/∂y = −sign(y)·e^−|y|·(I₀(|y|) − I₁(|y|))"),
        ("logaddexp2(y, x)", "x", "∂log₂(2**y + 2**x)/∂x = σ((x − y)·ln 2)"),
    ],
)
def test_a_rule_whose_head_names_a_function_by_a_letter_is_written_in_the_operands_names(text, of, rule):
    """Before: "∂J₀(x)/∂x = −J₁(x)" beside y's edge of bessel_j0(y) * x, an x that is another value of the
    drawing: the J of J₀ (the P of P(a,x), the e of e^x) was taken for an operand, so no operand was renamed;
    the same for gammainc's P(a,x) (its a has no derivative), the scaled Bessels' e^x and logaddexp2's 2ᵃ."""
    root = viz.evaluate(text, {"x": 0.5, "y": 1.5})
    root.backward()
    leaf = next(n for n in topological_order(root) if n.label == of)
    told = str(viz.explain(root, leaf))
    assert rule in told


def test_a_running_sums_rule_is_written_in_its_operands_name():
    """Before: cumsum's and cumprod's rules read "∂L/∂xᵢ = Σ_{k≥i} ∂L/∂yₖ" beside any input, its L, x and y named
    nowhere in the drawing; they now read in the input's name, as every elementwise rule does."""
    h = Tensor(np.array([[0.3, -0.5], [0.2, 0.9]]), requires_grad=True, label="h")
    assert local_rule(h.cumsum(axis=0), 0, {id(h): "h"}) == "∂cumsum(h)ₖ/∂hᵢ = 1 where k ≥ i, else 0"
    assert local_rule(h.cumprod(axis=0), 0, {id(h): "h"}) == "∂cumprod(h)ₖ/∂hᵢ = Π_{j≤k, j≠i} hⱼ where k ≥ i, else 0"


def test_the_softmax_familys_rules_say_what_s_and_delta_are_in_the_inputs_name():
    """Before: "∂sᵢ/∂xⱼ = sᵢ(δᵢⱼ − sⱼ)" beside any input of softmax, its s, x and δ named nowhere."""
    h = Tensor(np.array([[0.3, -0.5], [0.2, 0.9]]), requires_grad=True, label="h")
    delta = "δᵢⱼ = 1 where i = j, else 0"
    assert local_rule(h.softmax(axis=1), 0, {id(h): "h"}) == f"∂softmax(h)ᵢ/∂hⱼ = sᵢ(δᵢⱼ − sⱼ), s = softmax(h), {delta}"
    assert (
        local_rule(h.log_softmax(axis=1), 0, {id(h): "h"})
        == f"∂log_softmax(h)ᵢ/∂hⱼ = δᵢⱼ − sⱼ, s = softmax(h), {delta}"
    )


def test_an_input_named_as_another_letter_of_its_rule_is_written_by_its_place():
    """Before (s34 review): an input named s read "∂softmax(s)ᵢ/∂sⱼ = sᵢ(δᵢⱼ − sⱼ), s = softmax(s)", two s in one
    rule; cumsum's k, matmul's g and mish's t alike. Such an input is now written by its place, ①, as one named
    no way is; a name the rule does not use otherwise is kept (sign's "(a jump at 0)" has no letter a)."""
    h = Tensor(np.array([[0.3, -0.5], [0.2, 0.9]]), requires_grad=True, label="s")
    names = {id(h): "s"}
    assert local_rule(h.softmax(axis=1), 0, names).startswith("∂softmax(①)ᵢ/∂①ⱼ = sᵢ(δᵢⱼ − sⱼ), s = softmax(①),")
    assert local_rule(h.cumsum(axis=0), 0, {id(h): "k"}) == "∂cumsum(①)ₖ/∂①ᵢ = 1 where k ≥ i, else 0"
    assert local_rule(h.mish(), 0, {id(h): "t"}).endswith("= t + ①·(1 − t²)·σ(①), t = tanh(softplus ①)")
    w = Tensor(np.ones((2, 2)), requires_grad=True, label="W")
    assert local_rule(h @ w, 0, {id(h): "g", id(w): "W"}).startswith("∂(①@W)/∂①: g @ Wᵀ; g = the gradient")
    assert local_rule(h.softmax(axis=1), 0, {id(h): "x"}).startswith("∂softmax(x)ᵢ/∂xⱼ = sᵢ(δᵢⱼ − sⱼ)")
    assert local_rule(autograd.sign(h), 0, {id(h): "a"}) == "∂sign(a)/∂a = 0 (a jump at 0)"


# rules in words of their own, with no operand letters to rename: "∂CE/∂logits", "∂/∂g_y: conv(x, g)"
OWN_WORDS = {"cross_entropy", "nll_loss", "multi_margin_loss", "conv2d_weight", "conv3d_weight"}


def test_every_rule_written_with_a_derivative_names_its_operands():
    """Every op whose rules write ∂…/∂ is renamed to the drawing's names: before s34, 20 more kept the table's
    letters beside a learner's own x (the 12 Bessels, gammainc, gammaincc and zeta, their J, P or e taken for
    operands or their first rule without ∂; logaddexp2's 2ᵃ; softmax, log_softmax, cumsum and cumprod's ∂L)."""
    unnamed = {d.name for d in TABLE if any("∂" in f for f in d.formulas) and not _operands(d.formulas)}
    assert unnamed == OWN_WORDS

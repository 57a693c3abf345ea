"""The arithmetic viz writes works out as written: a product's factors and a sum's terms take the figures that
give its result as written. tanh(a*x) + a at a = 0.5, x = 2 drew "0.42 × 2 = 0.8399" (tanh'(1) = 0.41997): a
learner multiplies 0.42 by 2, gets 0.84, and reads a slip; a third added twice read "0.3333 + 0.3333 = 0.6667"."""

import math
import re

import nn
import viz
from autograd import Value
from nn.optim import SGD
from viz.demo import neuron
from viz.steps import backward_pass
from viz.update import optimizer_update

NUMBER = r"\(?(-?\d+(?:\.\d+)?(?:e[+-]\d+)?)\)?"
PRODUCT = re.compile(rf"= {NUMBER} × {NUMBER}(?: × {NUMBER})* = {NUMBER}(?!\d)")
SUM = re.compile(rf"\.grad = ({NUMBER}(?: \+ {NUMBER})+) = {NUMBER}(?!\d)")


def tanh_of_ax_plus_a() -> Value:
    a, x = Value(0.5, label="a"), Value(2.0, label="x")
    y = (a * x).tanh() + a
    y.label = "y"
    return y


def rounds_to(value: float, written: str) -> bool:
    """Whether `value` rounds to `written`, a number to 4 significant figures (more where it has them)."""
    w = float(written)
    figures = max(4, len(written.lstrip("-").replace(".", "").lstrip("0").split("e")[0]))
    return w == value or abs(value - w) <= 0.5 * 10.0 ** (math.floor(math.log10(abs(w))) - figures + 1)


def texts(root: Value) -> str:
    """All viz writes of a graph's backward: its drawing's edges, the captions, and each value's explanation."""
    run = backward_pass(root)
    stories = [str(viz.explain(root, run.graph.order[k])) for k in run.steps[1:]]
    return "\n".join([viz.draw(root, backward=True).source, *run.captions, *stories])


def test_the_factors_of_a_product_multiply_out_to_its_result_as_written():
    y = tanh_of_ax_plus_a()
    told = texts(y)
    assert "0.42 × 2 = 0.8399" not in told
    assert "= 0.41997 × 2 = 0.8399" in viz.draw(y, backward=True).source  # the edge from a into *
    assert "∂y/∂#3 · local = 0.41997 × 2 = 0.8399" in backward_pass(y).captions[2]
    assert "product: 2 × 0.41997 × 1 = 0.8399" in str(viz.explain(y, y.parents[1]))
    assert "= 0.42 × 0.5 = 0.21" in told  # 4 figures where they do


def test_a_sums_terms_add_up_to_its_result_as_written():
    b = Value(1.0, label="b")
    z = b * (1 / 3) + b * (1 / 3) + b * (1 / 3)
    z.label = "z"
    sums = [line for c in backward_pass(z).captions for line in c.split("\n") if line.startswith("b.grad")]
    assert sums[0].startswith("b.grad = 0.33333 + 0.33333 = 0.6667")  # was 0.3333 + 0.3333 = 0.6667
    assert sums[1].startswith("b.grad = 0.3333 + 0.3333 + 0.3333 = 1")  # 0.9999 is 1 to 4 figures


def test_every_product_and_sum_written_for_a_neuron_and_a_small_mlp_works_out():
    model = nn.MLP(2, [3, 1], seed=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.label = "loss"
    for root in (neuron(), tanh_of_ax_plus_a(), loss):
        told = texts(root).replace("&#45;", "-")
        products = [m.group(0) for m in PRODUCT.finditer(told)]
        sums = [m.group(0) for m in SUM.finditer(told)]
        assert products
        for equation in products:
            *factors, result = re.findall(NUMBER, equation)
            assert rounds_to(math.prod(map(float, factors)), result), equation
        for equation in sums:
            *terms, result = re.findall(NUMBER, equation)
            assert rounds_to(math.fsum(map(float, terms)), result), equation


def test_a_product_beyond_a_million_is_written_with_an_exponent_and_works_out_as_written():
    """A result of 3.1e14 was written to a tenth ("-313584771129869.6"), 16 figures where 4 read it: 3.136e+14 was
    taken for a whole number it is not. Written with an exponent it reads as rounded, and the factors as written give
    it: (-390355.9) × (-9777.01) × (-82165.2) is -3.1358e14 on paper."""
    x, a, b, c = Value(1.5, "x"), Value(-390355.91234, "a"), Value(-9777.0123, "b"), Value(-82165.2234, "c")
    loss = ((x * a) * b) * c
    loss.label = "L"
    told = str(viz.explain(loss, x))
    assert "product: (-390355.9) × (-9777.01) × (-82165.2) = -3.136e+14\n" in told


def test_where_no_figures_work_out_the_closest_are_written_with_the_product_on_paper():
    """Floats rounded along a product of three near a whole number: no count of figures gives the result written
    exactly, so the closest are written, with the product on paper beside the float written after "=", and why."""
    x, a = Value(1.5, "x"), Value(-92.54231895698662, "a")
    b, c = Value(97.85655932944559, "b"), Value(-4.102089362959145, "c")
    told = str(viz.explain(((x * a) * b) * c, x))
    assert (
        "product: (-92.54231895698662) × 97.85655932944559 × (-4.102089362959145) = 37147.999999998 on paper; "
        "as a float, 37147.999999999 (a float keeps about 16 significant digits, and each product is rounded to them)"
    ) in told


def test_the_updates_arithmetic_works_out_as_written():
    """SGD's line wrote the gradient to 4 figures whatever the new data: "w ← w − 1 × (-0.7189): -0.72 → -0.00108"
    is -0.0011 on paper, and its change, 0.7189, too; now the figures that give -0.00108."""
    w = Value(-0.72, label="w")
    y = w * Value(-0.71892, label="c")
    y.label = "y"
    caption = optimizer_update(backward_pass(y), SGD([w], lr=1.0)).caption
    assert "w ← w − 1 × (-0.71892): -0.72 → -0.00108, a change of 0.71892" in caption

"""The arithmetic viz writes works out as written: a product's factors and a sum's terms take the figures that
give its result as written. tanh(a*x) + a at a = 0.5, x = 2 drew "0.42 × 2 = 0.8399" (tanh'(1) = 0.41997): a
learner multiplies 0.42 by 2, gets 0.84, and reads a slip; a third added twice read "0.3333 + 0.3333 = 0.6667"."""

import math
import re
from decimal import Decimal

import numpy as np

import nn
import viz
from autograd import Value
from nn.optim import SGD
from viz.demo import neuron
from viz.number_text import summary
from viz.paper import product_equation, rounded_away
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


def rounds_to(value: Decimal | float, written: str) -> bool:
    """Whether `value` (worked out exactly: a Decimal) rounds to `written`, a number to 4 significant figures (more
    where it has them), unmistakably: halfway to the next number in written's own last figure ("0.30015" for
    "0.3001") a learner rounds up (or to even), so it does not count; "0.30105" for "0.301", a figure coarser, does."""
    v, w = Decimal(value), Decimal(written)
    figures = max(4, len(written.lstrip("-").replace(".", "").lstrip("0").split("e")[0]))
    half = Decimal(5).scaleb(w.adjusted() - figures) if w else Decimal(0)
    own_half = Decimal(5).scaleb(w.as_tuple().exponent - 1)
    off = abs(v - w)
    return off == 0 or off < half or (off == half and half < own_half)


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
    # each share as its edge writes it, in every sum of them (0.3333 here beside 0.33333 a line above read as two)
    assert sums[1].startswith("b.grad = 0.33333 + 0.33333 + 0.33333 = 1")


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
            assert rounds_to(math.prod(map(Decimal, factors)), result), equation
        for equation in sums:
            *terms, result = re.findall(NUMBER, equation)
            assert rounds_to(sum(map(Decimal, terms)), result), equation


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


def test_a_product_written_halfway_between_two_results_is_told_on_paper():
    """(x·0.3)·w at w = 1.0005 drew x's edge "1.0005 × 0.3 = 0.3001": on paper 0.30015, halfway, which a learner
    rounds to 0.3002 (half up, or to even). The float is below it (1.0005 is 1.00049999999999994 as a float), and no
    count of figures of 1.0005 and 0.3 says so: the product on paper is told beside the float's."""
    x, w = Value(2.0, label="x"), Value(1.0005, label="w")
    y = (x * 0.3) * w
    y.label = "y"
    y.backward()
    told = texts(y)
    assert not re.search(r"(1\.0005 × 0\.3|0\.3 × 1\.0005) = 0\.3001(?!\d)", told)
    assert (
        "1.0005 × 0.3 = 0.30015 on paper; as a float, 0.3001 (halfway: a float keeps"
        in viz.draw(y, backward=True).source
    )


def test_a_sum_whose_terms_add_up_halfway_is_told_on_paper():
    """a·0.3 + a·0.00055 told "a.grad = 0.00055 + 0.3 = 0.3005": on paper 0.30055, which a learner rounds to
    0.3006. The sum on paper is told beside it, in the caption and in explain's total."""
    a = Value(1.0, label="a")
    y = a * Value(0.3, label="c") + a * Value(0.00055, label="d")
    y.label = "y"
    y.backward()
    caption = [line for c in backward_pass(y).captions for line in c.split("\n") if line.startswith("a.grad")][-1]
    assert caption.startswith("a.grad = 0.00055 + 0.3 = 0.3005 (on paper 0.30055, halfway: a float keeps about 16")
    assert "total: 0.00055 + 0.3 = 0.3005 (on paper 0.30055, halfway" in str(viz.explain(y, a))
    d = Value(1.0, label="d")
    z = d * Value(0.3, label="c") + d * Value(0.00005, label="e")  # 0.30005 beside "0.3" (0.3000): halfway too
    z.backward()
    assert "= 0.3 (on paper 0.30005, halfway" in str(viz.explain(z, d))
    f = Value(1.0, label="f")
    w = f * Value(0.3, label="c") + f * Value(0.0005, label="e")  # 0.3005 beside "0.3005": as written
    w.backward()
    assert "on paper" not in str(viz.explain(w, f))


def test_rounds_to_takes_no_halfway_product_for_its_result():
    halfway, within, coarser = Decimal("0.30015"), Decimal("0.30014"), Decimal("0.30105")
    assert not rounds_to(halfway, "0.3001") and not rounds_to(halfway, "0.3002")  # neither reads right
    assert rounds_to(within, "0.3001") and rounds_to(coarser, "0.301")  # 0.301's last figure is 0.001's


def test_an_update_that_lands_halfway_writes_the_new_data_with_the_figure_that_settles_it():
    """SGD's line "w ← w − 0.1 × (-0.1385): 0.2725 → 0.2863" is 0.28635 on paper, which a learner rounds to 0.2864
    (193 of 3000 random one-weight updates landed so); the new data takes the figure that settles it."""
    w = Value(0.2725, label="w")
    y = w * Value(-0.1385, label="c")
    y.label = "y"
    caption = optimizer_update(backward_pass(y), SGD([w], lr=0.1)).caption
    assert "w ← w − 0.1 × (-0.1385): 0.2725 → 0.28635, a change of 0.01385" in caption


def test_a_float_halfway_itself_is_written_in_full():
    """0.5 × 2.125 is 1.0625, float and paper alike, and was written 1.062 (rounded to even), which a learner rounding
    up reads as a slip; the halfway fix then told it "1.0625 on paper; as a float, 1.062", blaming factors that are
    exact. A number exactly halfway between two of its figures takes one more: 1.0625, a tensor's max 2.625."""
    x, w = Value(2.125, label="x"), Value(0.5, label="w")
    y = x * w
    y.label = "y"
    y.backward()
    assert "on paper" not in texts(y) and "{ y | data 1.0625 | grad 1 }" in viz.draw(y).source
    assert product_equation([0.5, 2.125], 1.0625) == "0.5 × 2.125 = 1.0625"
    assert summary(np.array([-0.5, 2.625])) == "min -0.5 mean 1.06 max 2.625"  # 3 figures: 2.62 to even
    assert summary(1.00625) == "1.006" and summary(0.30015) == "0.3001"  # floats below halfway: as before


def test_a_product_halfway_across_a_power_of_ten_is_told_in_full_on_paper():
    """0.5 × 19.999 is 9.9995 on paper, halfway between 9.999 and 10.00; the float is 9.999. It was told "= 10.00 on
    paper; as a float, 9.999 (halfway: ...)": 9.9995 rounded to 4 figures (to even, up to the next power of ten),
    which is no number halfway to 9.999 and not what the factors make. The sum's note, alike."""
    told = product_equation([0.5, 19.999], 0.5 * 19.999)
    assert told.startswith("0.5 × 19.999 = 9.9995 on paper; as a float, 9.999 (halfway"), told
    negative = product_equation([0.5, -19.999], 0.5 * -19.999)
    assert negative.startswith("0.5 × (-19.999) = -9.9995 on paper; as a float, -9.999 (halfway"), negative
    assert rounded_away([99.99, 0.005], 99.99 + 0.005).startswith(" (on paper 99.995, halfway")  # was "100.0"


def test_a_halfway_note_writes_the_float_as_far_as_it_parts_from_the_paper():
    """check=True writes x's gradient "grad 0.30015" (5 figures, to tell it from the numeric), and the edge beside it
    said "= 0.30015 on paper; as a float, 0.3001 (halfway ...)": the drawing told the float two ways and the note
    contradicted the node. The note names the float's digits as far as they part from the paper's: 0.30014999999999997.
    """
    x, w = Value(2.0, label="x"), Value(1.0005, label="w")
    y = (x * 0.3) * w
    y.label = "y"
    y.backward()
    source = viz.draw(y, backward=True, check=True).source
    # the edge now writes x's one share with the figures of its grad (share_figures): 0.30015, as on paper
    assert "grad 0.30015 |" in source and "= 1.0005 × 0.3 = 0.30015<" in source and "on paper" not in source
    told = product_equation([1.0005, 0.3], 1.0005 * 0.3)  # where the product is written to 4 figures, the note
    assert "their product, 0.30014999999999997, lies on 0.3001's side" in told, told
    f32 = product_equation([np.float32(1.0005), np.float32(0.3)], np.float32(1.0005) * np.float32(0.3))
    assert "their product, 0.30015001, lies on 0.3002's side" in f32, f32
    a = Value(1.0, label="a")
    s = a * Value(0.3, label="c") + a * Value(0.00055, label="d")
    s.backward()
    assert "their sum, 0.30054999999999998, lies on 0.3005's side" in str(viz.explain(s, a))

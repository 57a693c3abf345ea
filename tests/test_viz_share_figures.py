"""The shares backward sends a value used more than once are written with the figures that add up to its gradient
as written, wherever they are drawn: x in (x*x).tanh() + x.ceil() at 3 got "1.828e-07" twice beside its grad
"3.655e-07" (1.8276e-07 each, 3.6552e-07), which a learner adds up to 3.656e-07."""

import random
import re
from decimal import Decimal
from fractions import Fraction

import pytest

import viz
import viz.graph
from autograd import Tensor, Value
from viz.page_steps import step_numbers
from viz.paper import product_equation
from viz.steps import backward_pass

NUMBER = r"-?\d+(?:\.\d+)?(?:e[+-]\d+)?"


def _adds_up(terms: list[str], total: str, figures: int = 4) -> bool:
    """Whether `terms` as written, added exactly, lie within half a unit of the last figure of `total` as written
    (read to `figures` significant figures at least: "1" is 1.000), not halfway, as a learner checks them. Added as
    exact rationals: a decimal's 28 digits would round 1 + 1e-30 away."""
    written = Decimal(total)
    place = min(written.as_tuple().exponent, written.adjusted() - figures + 1) if written else 0
    return abs(sum(map(Fraction, terms)) - Fraction(total)) < Fraction(Decimal(5).scaleb(place - 1))


def _drawn_shares(root: Value, x: Value) -> tuple[list[str], str]:
    """The shares of ∂root/∂x on the drawing's edges, and x's grad on its box."""
    source = re.sub(r"<[^>]*>", " ", viz.draw(root, backward=True).source)
    # a share on paper and as a float ("1.234e-320 on paper; as a float, 1.2347e-320"): the float's, which is added
    found = re.findall(
        rf"share of ∂out/∂x via input \d of \S+ += [^=]+ = \(?({NUMBER})\)?(?: on paper; as a \w+, ({NUMBER}))?", source
    )
    return [fl or paper for paper, fl in found], re.search(rf"\{{ x \| data \S+ \| grad ({NUMBER})", source).group(1)


def _repro() -> tuple[Value, Value]:
    x = Value(3.0, label="x")
    out = (x * x).tanh() + x.ceil()
    out.label = "out"
    return out, x


def test_the_shares_drawn_into_x_add_up_to_its_grad_as_drawn():
    out, x = _repro()
    shares, grad = _drawn_shares(out, x)
    assert grad == "3.655e-07" and sorted(shares) == ["0", "1.8276e-07", "1.8276e-07"]
    assert _adds_up(shares, grad)


def test_the_player_and_the_captions_write_the_shares_alike():
    out, x = _repro()
    run = backward_pass(out)
    sent = step_numbers(out, run, None)["sent"]
    assert sum("= 6.092e-08 × 3 = 1.8276e-07" in row for row in sent) == 2
    captions = "\n".join(run.captions)
    assert "x gets 1.8276e-07, x gets 1.8276e-07" in captions
    assert "x.grad = 0 + 1.8276e-07 = 1.828e-07" in captions  # the sum so far, as the edge writes the share


def test_explain_writes_each_paths_product_as_its_total_adds_it():
    out, x = _repro()
    told = str(viz.explain(out, x))
    assert told.count("product: 3 × 6.092e-08 × 1 = 1.8276e-07") == 2
    assert "total: 0 + 1.8276e-07 + 1.8276e-07 = 3.655e-07" in told


def test_a_subnormal_share_is_written_as_a_float_with_the_figures_its_sums_take():
    """A share below the least normal float, told "on paper; as a float", wrote the float with 4 figures where its
    sums took 5: x's edges read 9.8813e-323, 2.999e-321 and "as a float, 1.235e-320" beside "grad 1.544e-320"
    (1.5449e-320 added), while the captions and the player wrote that share 1.2347e-320."""
    x, a, b = Value(2.0, label="x"), Value(1e-160, label="a"), Value(1.2345e-160, label="b")
    out = (x * a) * b + x * 3e-321 + x * 1e-322
    out.label = "out"
    shares, grad = _drawn_shares(out, x)
    assert sorted(shares) == ["1.2347e-320", "2.999e-321", "9.8813e-323"] and _adds_up(shares, grad), (shares, grad)
    assert "x gets 1.2347e-320 (subnormal)" in "\n".join(backward_pass(out).captions)


def test_explain_writes_a_subnormal_paths_product_as_its_total_line_adds_it():
    """Path 1's product read "-2.519e-320" while the total line added it as -2.5187e-320 (the float, subnormal)."""
    x, s = Value(0.910672197517107, label="x"), Value(-1.5247e-320, label="s")
    h = s * x
    out = h * 1.6520655209032111 + h
    out.label = "out"
    told = str(viz.explain(out, x))
    assert "× 1.652 × 1 = -2.5193e-320 on paper; as a float, -2.5187e-320 (" in told, told
    assert "total: -1.5247e-320 + (-2.5187e-320) = -4.043e-320" in told, told


def test_a_product_told_on_paper_writes_the_float_with_the_figures_given():
    """A share with 5 figures whose product on paper is halfway there: the float was told "0.3" (4 figures, where the
    share is 0.30002 on every other line), and why as a product rounded at each step, which it was not."""
    told = product_equation([1.00005, 0.3], 1.00005 * 0.3, 5)
    assert told.startswith("1.00005 × 0.3 = 0.300015 on paper; as a float, 0.30002 (halfway: "), told
    assert "their product, 0.30001500000000003, lies on 0.30002's side" in told, told


def test_a_sum_rounded_away_later_does_not_change_the_figures_of_the_sums_before():
    """x's shares 1, 3.50249539e+300 and its negative: their whole sum, 0 in floats and 1 on paper, adds up with no
    figures, and its caption says so; its 5 figures for the whole wrote the sum before it "1 + 3.5025e+300 =
    3.502e+300" (3.5025e+300 + 1 on paper, past halfway: 3.503e+300), where 4 figures add up."""
    x, big = Value(1.0, label="x"), Value(-3.5024953943381574e300, label="big")
    out = x * big - x * big + x
    out.label = "out"
    lines = [line for c in backward_pass(out).captions for line in c.split("\n") if line.startswith("x.grad")]
    assert lines[0].startswith("x.grad = 1 + 3.502e+300 = 3.502e+300 "), lines
    assert lines[1].startswith("x.grad = 1 + 3.502e+300 + (-3.502e+300) = 0 (on paper 1: "), lines


def _player_sums(out: Value, x: Value) -> list[tuple[list[str], str]]:
    """Each of the player's texts of x's grad (its sums so far, then the whole), with the shares sent by then, as
    their edges write them: backward's order."""
    run = backward_pass(out)
    found = step_numbers(out, run, None)
    row = dict(zip(((id(e.child), e.index) for flow in run.flows for e in flow), found["sent"]))
    position, sent, sums = run.graph.order.index(x), [], []
    for k, changed, _ in found["steps"]:
        sent += [row[(id(e.child), e.index)].rsplit(" = ", 1)[1].strip("()") for e in run.flows[k] if e.parent is x]
        sums += [(list(sent), re.match(rf"grad ({NUMBER})", text).group(1)) for at, text in changed if at == position]
    return sums


@pytest.mark.parametrize(
    "make, x, w",
    [
        (lambda x, w: x * x * x + x, -1.048, 0.177),  # 1 + 1.098 × 3 beside 4.295 (4.294 on paper)
        (lambda x, w: x * x * x + x, 0.539, 1.472),  # 1 + 0.2905 beside "grad 1.291 so far"
        # x feeding several neurons: 1.326 + 1.326 + 0.2155 beside 2.867
        (lambda x, w: (x * w).tanh() + (x * 2.5).tanh() + (x * -1.5).sigmoid() + (x * w * w).relu(), 0.875, 1.515),
    ],
)
def test_shares_from_several_uses_add_up_as_drawn_and_so_far(make, x, w):
    x, w = Value(x, label="x"), Value(w, label="w")
    out = make(x, w)
    out.label = "out"
    shares, grad = _drawn_shares(out, x)
    assert len(shares) > 1 and _adds_up(shares, grad)
    sums = _player_sums(out, x)
    assert len(sums) == len(shares) and all(_adds_up(sent, total) for sent, total in sums), sums


def test_a_first_share_alone_reads_as_the_grad_so_far():
    """x's shares 0.838549123 and 1 were written "0.8385" and "1" beside its grad "1.839" (1.8385 on paper, halfway,
    which a learner rounds to 1.838 or 1.839 as they choose); 5 figures would write the first "0.83855" beside the
    player's "grad 0.8385 so far (1 of 2 shares)", halfway again: 6 figures, "0.838549", read right at both."""
    x, c, d = Value(2.0, label="x"), Value(0.838549123, label="c"), Value(1.0, label="d")
    out = x * d + x * c
    out.label = "out"
    sums = _player_sums(out, x)
    assert sums == [(["0.838549"], "0.8385"), (["0.838549", "1"], "1.839")]
    assert all(_adds_up(sent, total) for sent, total in sums)


def test_each_frame_writes_the_shares_as_the_last_adds_them():
    """backward_steps' frames drew x's shares with the figures the shares sent so far needed: "1.098" in the frame
    where x*x*x + x at -1.048 sends the first of its three, "1.0983" where 1 + 1.0983 × 3 adds up to 4.295."""
    x = Value(-1.048, label="x")
    out = x * x * x + x
    out.label = "out"
    sources = [re.sub(r"<[^>]*>", " ", f.drawing.source) for f in viz.backward_steps(out)]
    drawn = [re.findall(rf"share of ∂out/∂x via input \d of \* += [^=]+ = \(?({NUMBER})", s) for s in sources]
    assert {share for frame in drawn for share in frame} == {"1.0983"}


def test_a_tensors_shares_means_add_up_to_its_grads_mean_as_drawn():
    """A tensor's edges and box write min, mean and max, of which the means add up: x's shares in tanh(x*w) + x*x +
    sin(x) were drawn "mean 0.151", 1.08 twice and 0.421 beside its grad's "mean 2.74" (2.732 on paper)."""
    x = Tensor([1.25, 1.5, 0.5], requires_grad=True, label="x")
    w = Tensor([-1.5, -1.5, 0.75], requires_grad=True, label="w")
    out = ((x * w).tanh() + x * x + x.sin()).sum()
    out.label = "out"
    source = re.sub(r"<[^>]*>", " ", viz.draw(out, backward=True).source)
    shares = re.findall(rf"share of ∂out/∂x via input \d of \S+ += min \S+ mean ({NUMBER})", source)
    grad = re.search(rf"\{{ x \|[^}}]* grad min \S+ mean ({NUMBER})", source).group(1)
    assert len(shares) == 4 and grad == "2.74" and _adds_up(shares, grad, figures=3)
    captions = "\n".join(backward_pass(out).captions)
    assert all(f"mean {share} " in captions for share in shares)  # "x gets ..." writes them alike


def _random_graph(rng: random.Random) -> Value:
    """A small graph of Values whose ops take earlier values again (x*x, a neuron's input feeding two)."""
    nodes = [Value(rng.choice([rng.uniform(-3, 3), float(rng.randint(-3, 3))]), label=f"x{i}") for i in range(3)]
    for _ in range(rng.randint(2, 7)):
        a, b = rng.choice(nodes), rng.choice(nodes)
        nodes.append(rng.choice([a * b, a + b, a - b, a.tanh(), a.exp(), a.sigmoid(), a.ceil(), a.sin()]))
    return sum(nodes[3:-1], nodes[-1])


@pytest.mark.slow
def test_in_random_graphs_every_values_shares_add_up_to_its_grad_as_drawn():
    """Each value's shares, as the drawing writes them on its edges, add up to its grad on its box (38 of these 150
    drew a value whose did not)."""
    rng = random.Random(1)
    for _ in range(150):
        out = _random_graph(rng)
        source = re.sub(r"<[^>]*>", " ", viz.draw(out, backward=True).source)
        grads = dict((v, g) for g, v in re.findall(rf"\| grad ({NUMBER}) [^\n]* id=v(\d+) ", source))
        order, shares = viz.graph.read_graph(out, None, None).order, {}
        for share, child, index in re.findall(rf" = \(?({NUMBER})\)?  [^\n]* id=e(\d+)_(\d+)\]", source):
            parent = order[int(child)].parents[int(index)]
            shares.setdefault(str(order.index(parent)), []).append(share)
        assert shares and all(_adds_up(s, grads[v]) for v, s in shares.items() if v in grads), (shares, grads)


def test_shares_that_add_up_at_summarys_figures_are_worked_out_once(monkeypatch):
    """Each figure count's misses were worked out for all 14 counts before any was looked at: share_figures on a
    2-16-16-1 MLP's backward took 0.079 s where 0.017 s had done; the first count that fits ends the search."""
    import viz.sum_figures as sum_figures

    counts = []
    misses = sum_figures._misses
    monkeypatch.setattr(
        sum_figures, "_misses", lambda terms, sums, n, shown: counts.append(n) or misses(terms, sums, n, shown)
    )
    assert sum_figures._share_figures([0.5, 0.25, 2.0], None) == (None, [])
    assert counts == [4]

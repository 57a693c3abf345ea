"""What viz writes holds on paper: a float sum that lost a term says so, the player's clicked value tells
its gradient as `viz.explain` does (one wording, backward's order), a label is drawn as given (backslashes,
runs of spaces), a histogram of extreme numbers draws, and a rounding op beyond 2**52, where every float
is whole, is not judged by finite differences."""

import html
import json
import re

import numpy as np
from drawn_notes import unwrapped

import viz
from autograd import Op, Tensor, Value
from viz.html import page_html


def texts(drawing) -> list[str]:
    return [html.unescape(t) for t in re.findall(r">([^<>]+)</text>", drawing.pipe(format="svg").decode())]


def cancelling(first: float, second: float, third: float) -> tuple[Value, Value]:
    x = Value(1.0, label="x")
    root = x * first + x * second + x * third
    root.label = "r"
    return root, x


def clicked(page: str, name: str) -> str:
    """The player's "Clicked value" text for the value called `name`, as its script builds it."""
    shared, runs = (json.loads(re.search(rf"var {v} = (.*);\n", page).group(1)) for v in ("page", "runs"))
    k = shared["values"].index(shared["names"].index(name))
    lines = runs[0]["lines"]
    return "\n".join(
        "".join(w + n for w, n in zip(shared["lineWords"][lines[i][0]], [*lines[i][1:], ""]))
        for i in runs[0]["explained"][k]
    )


def test_a_sum_that_floats_round_otherwise_than_paper_says_so():
    root, x = cancelling(1e16, -1e16, 1.0)  # backward adds 1 + (-1e16) first: the 1 is lost
    root.backward()
    assert x.grad == 0.0
    total = str(viz.explain(root, x)).splitlines()[-1]
    assert total.startswith("total: 1 + (-1e+16) + 1e+16 = 0 (on paper 1: a float keeps about 16 significant")
    lines = [line for frame in viz.backward_steps(root) for line in frame.caption.splitlines()]
    assert any(line.startswith("x.grad = 1 + (-1e+16) + 1e+16 = 0 (on paper 1: ") for line in lines)


def test_a_sum_that_floats_get_right_has_no_note():
    root, x = cancelling(1.0, 1e16, -1e16)  # backward adds -1e16 + 1e16 first: 1, as on paper
    assert "on paper" not in str(viz.explain(root, x))


def test_the_players_clicked_value_is_explains_text():
    root, x = cancelling(1e16, -1e16, 1.0)
    told = clicked(page_html(root), "x")
    assert told == str(viz.explain(root, x))  # it listed 1e+16 + (-1e+16) + 1 = 0, no word of rounding
    assert "total: 1 + (-1e+16) + 1e+16 = 0 (on paper 1" in told


def test_one_path_is_told_as_one_path():
    x = Value(3.0, label="x")
    y = x * -2.0
    y.label = "y"
    told = clicked(page_html(y), "x")
    assert "one path leads from x up to y" in told and "the 1 path" not in told and "= (-2)" not in told
    assert told == str(viz.explain(y, x))


def test_backslashes_in_labels_are_drawn_as_given_on_edges():
    x = Value(1.5, label="\\Gamma")
    y = (x * x).tanh()
    y.label = "\\Theta"
    y.backward()
    edges = [t for t in texts(viz.draw(y, backward=True)) if "∂" in t]
    assert "∂(\\Theta)/∂#2 = ∂(\\Theta)/∂(\\Theta) · ∂(\\Theta)/∂#2" in edges
    assert "share of ∂(\\Theta)/∂(\\Gamma) via input 1 of *" in edges  # was "∂(140169…heta)/∂(%3amma)": \G, \T


def test_a_run_of_spaces_in_a_label_is_kept():
    a = Value(2.0, label="a   b")
    assert "a   b" in [t.replace("\xa0", " ") for t in texts(viz.draw(a * 2.0))]  # it was drawn "a b"


def test_histograms_of_extreme_ranges_draw():
    for data in ([0.0, 5e-324], [-1.7e308, 1.7e308]):
        t = Tensor(np.array(data), requires_grad=True)
        r = (t * 0.5).sum()
        r.backward()
        drawn = " ".join(texts(viz.draw(r, tensor_detail=True)))  # ValueError: Too many bins for data range
        assert "data ██ [" in drawn


def check_text(root: Value) -> str:
    return " ".join(texts(viz.draw(root, check=True)))


def test_rounding_beyond_two_to_the_52_is_not_judged():
    for v in (2.0**52, 4503599627370497.0, 1e20, -1e20):
        for op in ("floor", "ceil", "round", "trunc"):
            x = Value(v, label="x")
            y = getattr(x, op)()
            y.backward()
            told = check_text(y)
            assert "cannot judge" in told and "every float is a whole number" in told and "✗" not in told
    x = Value(1.649390915485265, label="x")
    r = (x % Value(-1e-300)) * Value(-2.0) + x  # the quotient x / -1e-300: floor cannot be told from it
    r.backward()
    assert "✗" not in check_text(r) and "the quotient a / b" in check_text(r)


def test_a_wrong_rule_beyond_two_to_the_52_stays_red():
    double = Op("double", lambda a: 2 * a, lambda g, out, a: (g,))  # its rule forgets the 2
    y = double(Value(1e17, label="x"))  # every float is whole here too, but nothing rounds
    y.backward()
    assert "numeric 2 ✗ backward 1" in check_text(y)


def test_shares_that_sum_past_the_largest_float_on_the_way_say_so():
    """x's shares 1e308, 1e308 and -1e308 add to inf in backward's order, 1e+308 on paper: the caption said "on paper
    1e+308: beyond the largest float", and the drawing's note that the rule of * sent the infinity (each share is
    finite: the sum passed the largest float)."""
    x = Value(1e-10, label="x")
    with np.errstate(all="ignore"):
        y = x * -1e308 + x * 1e308 + x * 1e308
        y.label = "y"
        told = "\n".join(step.caption for step in viz.backward_steps(y))
        source = unwrapped(viz.draw(y, backward=True))
    assert (
        "x.grad = 1e+308 + 1e+308 + (-1e+308) = inf (on paper 1e+308: the sum so far passed the largest float, "
        "1.798e+308, and stays inf whatever is added after)"
    ) in told
    assert "x.grad = 1e+308 + 1e+308 = inf (on paper 2e+308: beyond the largest float, 1.798e+308, the sum " in told
    assert "the gradient of x, inf, its 3 shares, each finite, summed past the largest float" in source
    assert "from the rule of" not in source

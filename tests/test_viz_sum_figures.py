"""A sum's inputs are drawn with the figures that add up to it as drawn: micrograd's neuron drew b as "data 6.881"
beside x1*w1 + x2*w2 "data -6" and their sum n "data 0.8814", where 6.881 + (-6) is 0.881."""

import re

from drawn_notes import unwrapped
from test_viz_player import page_data

from autograd import Value
from viz import backward_steps, draw
from viz.demo import neuron
from viz.html import page_html
from viz.paper import rounded_away


def _data(source: str) -> dict[str, str]:
    return dict(re.findall(r"\{ (\S+) \| data (\S+)", source))


def test_the_neurons_boxes_add_up_as_drawn():
    o = neuron()
    shown = _data(draw(o).source)
    assert shown["b"] == "6.8814" and shown["n"] == "0.8814"  # 6.8814 + (-6) = 0.8814
    o.backward()
    assert "data 6.8814" in page_html(o) and "data 6.881 " not in page_html(o)


def test_a_difference_is_written_alike_and_a_sum_that_adds_up_keeps_its_four_figures():
    a, b = Value(1.23456, label="a"), Value(1.2, label="b")
    d = a - b
    d.label = "d"
    assert _data(draw(d).source) == {"d": "0.03456", "a": "1.23456", "b": "1.2"}
    c = Value(0.1, label="c") + Value(0.2, label="e")
    c.label = "s"
    assert _data(draw(c).source) == {"s": "0.3", "c": "0.1", "e": "0.2"}


def test_a_sum_no_finer_than_its_inputs_keeps_their_four_figures():
    """1.234 + 2.345 drawn 3.58 (3.57998) is rounding as any reader knows it: no box grows for it."""
    s = Value(1.23449, label="a") + Value(2.34549, label="b")
    s.label = "s"
    assert _data(draw(s).source) == {"s": "3.58", "a": "1.234", "b": "2.345"}


def test_inputs_that_add_up_halfway_in_the_sums_last_figure_take_the_figures_that_add_up_to_it():
    """0.8955 + 1.548 beside 2.443 was drawn as rounding: on paper 2.4435, which a learner rounds to 2.444. A
    caption's terms take the figures that add up to the sum as written there (on_paper.alike); the boxes now too."""
    s = Value(0.89549, label="a") + Value(1.548004, label="b")
    s.label = "s"
    assert _data(draw(s).source) == {"s": "2.443", "a": "0.89549", "b": "1.548"}


def test_a_box_sum_the_float_rounded_says_so_under_the_drawing_and_each_frame():
    """s = x + 3 at x = 1e16 is 10000000000000004, written so where y = s − x = 4 adds it up, beside "data 1e+16" and
    3: 10000000000000003 on paper, which no figures mend. The drawing, the frames and the player said nothing of it."""
    x = Value(1e16, label="x")
    s = x + 3.0
    s.label = "s"
    y = s - x
    y.label = "y"
    line = "s = 1e+16 + 3 = 10000000000000004 (on paper 10000000000000003: a float keeps about 16 significant digits"
    assert line in " ".join(unwrapped(draw(y)).split())
    assert all(line in " ".join(unwrapped(f.drawing).split()) for f in backward_steps(y))
    sums = page_data(page_html(y))["sums"]  # the player, from its first step (the forward pass) to its last
    assert [(start, end) for start, end, text in sums if " ".join(text.split()).startswith(line)] == [(0, None)]


def test_a_term_the_float_rounds_up_is_not_said_to_be_rounded_away():
    """s = 1e16 + 3 is 10000000000000004: the 3 counted as 4, not as nothing, yet the note said "a term much smaller
    than the sum so far is rounded away as it is added". 1 + 1e16 − 1e16, whose 1 is lost, still says so."""
    x = Value(1e16, label="x")
    s = x + 3.0
    s.label = "s"
    y = s - x
    y.label = "y"
    note = " ".join(unwrapped(draw(y)).split())
    assert "a float keeps about 16 significant digits, so each sum is rounded to them as it is added" in note
    assert "rounded away" not in note
    assert "rounded away" in rounded_away([1.0, 1e16, -1e16], 0.0)


def test_the_players_forward_caption_writes_a_sum_as_its_box_does():
    """s = x + 3 at x = 1e16, its box "data 10000000000000004" so that y = s − x = 4 adds up: the forward pass's
    caption said "s = x + 3 = 1e+16" beside it, and then "y = s - x = 4"."""
    x = Value(1e16, label="x")
    s = x + 3.0
    s.label = "s"
    y = s - x
    y.label = "y"
    caption = page_data(page_html(y))["captions"][0]
    assert "s = x + 3 = 10000000000000004\n" in caption and "= 1e+16\n" not in caption

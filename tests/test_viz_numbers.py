"""Numbers a learner reads are what they are: a whole number below a million is written whole (12345 was
drawn 1.234e+04, read as 12340, and its check said "numeric 1.235e+04 ✓" beside "grad 1.234e+04")."""

import numpy as np

import viz
from autograd import Value
from viz.demo import neuron
from viz.html import page_html
from viz.number_text import ARRAY_FIGURES, NUMBER_FIGURES, figures, summary


def test_a_whole_number_below_a_million_is_written_whole():
    assert [figures(v, 4) for v in (12345.0, -12345.0, 999999.0, 100000.0)] == ["12345", "-12345", "999999", "100000"]
    # beyond, four figures and an exponent, as before; a number that is not whole keeps its rule
    assert [figures(v, 4) for v in (1234567.0, 2.0**53, 12345.5, 0.5)] == ["1.235e+06", "9.007e+15", "12345.5", "0.5"]


def test_a_checked_drawing_writes_a_large_gradient_and_its_finite_difference_alike():
    a, b = Value(12345.0, label="a"), Value(3.0, label="b")
    c = a * b
    c.label = "c"
    c.backward()
    source = viz.draw(c, check=True).source
    assert "data 12345 " in source and "data 37035 " in source
    assert "grad 12345 | numeric 12345 ✓" in source


def test_the_players_legend_says_the_figures_drawings_use():
    """It said "4 significant figures ... a tensor: min, mean and max", which are written to 3."""
    words = " ".join(page_html(neuron()).split())
    assert f"Numbers: {NUMBER_FIGURES} significant figures" in words and NUMBER_FIGURES == 4
    assert f"a tensor: min, mean and max, to {ARRAY_FIGURES} figures" in words and ARRAY_FIGURES == 3
    assert "whole numbers below 1,000,000 in full (12345)" in words
    assert summary(np.array([1.23456, 2.0])) == "min 1.23 mean 1.62 max 2"  # 3 figures, as the legend says


def test_a_gradient_and_its_agreeing_finite_difference_read_alike_across_a_rounding_tie():
    """A grad of 1.0625 is a tie at 4 figures (rounded to even, 1.062), and its finite difference, a hair
    above, read 1.063: "grad 1.062 | numeric 1.063 ✓". Both now take the figures that make them alike."""
    for x0 in (1.7, 3.0):
        x = Value(x0, label="x")
        y = (x * x) * (1.0625 / (2 * x0))
        y.backward()
        assert x.grad == 1.0625
        assert "grad 1.0625 | numeric 1.0625 ✓" in viz.draw(y, check=True).source
    x = Value(2.0, label="x")
    y = x * 3.0
    y.backward()
    assert "grad 3 | numeric 3 ✓" in viz.draw(y, check=True).source  # alike already: no more figures

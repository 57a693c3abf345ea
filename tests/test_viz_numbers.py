"""Numbers a learner reads are what they are: a whole number below a million is written whole (12345 was
drawn 1.234e+04, read as 12340, and its check said "numeric 1.235e+04 ✓" beside "grad 1.234e+04")."""

import numpy as np

import viz
from autograd import Value
from viz.demo import neuron
from viz.html import page_html
from viz.number_text import ARRAY_FIGURES, NUMBER_FIGURES, apart_figures, figures, summary
from viz.paper import rounded_away


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


def test_a_number_from_a_million_on_written_with_an_exponent_shows_the_figures_it_is_rounded_to():
    """1000001 was drawn "1e+06", which reads as a million (why 999999 is written in full): a + b with a = 1e6 and
    b = 1 read "1e+06 + 1 = 1e+06", as if the float had lost the 1, and micrograd's neuron at n = 1000001 read
    "#4 1e+06 + b 0.5 = n 1e+06". Rounded, it shows its 4 figures, which read as rounded; exact, as it is."""
    assert [figures(v, 4) for v in (1000001.0, 1000000.5, -1000001.0, 2500000001.5)] == [
        "1.000e+06", "1.000e+06", "-1.000e+06", "2.500e+09"
    ]  # fmt: skip
    assert [figures(v, 4) for v in (1e6, 2.5e9, 1234567.0, 1e300)] == ["1e+06", "2.5e+09", "1.235e+06", "1e+300"]
    assert summary(np.array([1.0, 2.0, 3.0, 1e10])) == "min 1e+00 mean 2.50e+09 max 1e+10"  # 2500000001.5
    a, b = Value(1e6, label="a"), Value(1.0, label="b")
    c = a + b
    c.label = "c"
    source = viz.draw(c).source
    assert "data 1e+06 " in source and "data 1.000e+06 " in source


def test_a_number_from_a_million_on_written_in_full_is_no_whole_number_it_is_not():
    """[1000000.5, 1000001.5] read "min 1000000 mean 1000001 max 1000002": seven figures tell the two apart, and
    written in full they showed whole numbers, a max above every element; an exponent's "reads as rounded" does not
    hold for a number written in full."""
    assert figures(1000000.5, 7) == "1000000.5"
    assert summary(np.array([1000000.5, 1000001.5])) == "min 1000000.5 mean 1000001 max 1000001.5"


def test_a_rounded_numbers_zeros_tell_no_change_apart():
    """1e6 updated to 1000000.5 read "1e+06 → 1.000e+06", told apart by zeros alone, as if it had not moved."""
    assert apart_figures(1e6, 1000000.5) == 7 and summary(1000000.5, n=7) == "1000000.5"
    assert summary(np.array([1e6, 1e6 + 1, 5e6])) == "min 1e+06 mean 2.33e+06 max 5e+06"


def test_a_checked_gradient_from_a_million_on_and_its_finite_difference_read_alike():
    """With its zeros a rounded grad read "grad 1.000e+06 | numeric 1e+06 ✓" (a finite difference was written
    without them); an exact one reads as it is, and its finite difference with it."""
    a, b, c = Value(1000000.5, label="a"), Value(2.0, label="b"), Value(1e6, label="c")
    root = a * b + c * b
    root.backward()
    source = viz.draw(root, check=True).source
    assert "grad 2.000e+06 | numeric 2.000e+06 ✓" in source  # b's: 2000000.5
    assert "grad 2 | numeric 2 ✓" in source
    d = Value(3.0, label="d")
    exact = c * d
    exact.backward()
    assert "grad 1e+06 | numeric 1e+06 ✓" in viz.draw(exact, check=True).source


def test_a_sum_on_paper_that_reads_as_its_float_gets_no_note():
    """1e6 plus 20 of 4e-11 is 1e6 in floats, 1000000.0000000008 on paper: both read 1e6 to 4 figures, yet with the
    zeros the note said "(on paper 1.000e+06: ... rounded away as it is added)" beside a total of 1e+06."""
    terms = [1e6] + [4e-11] * 20
    assert rounded_away(terms, sum(terms)) == ""

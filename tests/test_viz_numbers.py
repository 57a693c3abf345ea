"""Numbers a learner reads are what they are: a whole number below a million is written whole (12345 was
drawn 1.234e+04, read as 12340, and its check said "numeric 1.235e+04 ✓" beside "grad 1.234e+04")."""

import viz
from autograd import Value
from viz.graph import figures


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

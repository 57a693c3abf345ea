"""A value a hair from a whole number is written with the digits that show it is not whole, down to a few
units in its last place (rounding noise, 0.9999999999999998, stays hidden): tanh(15) = 1 - 1.9e-13 was drawn
"1" beside its gradient 3.7e-13 = 1 - tanh(15)², which reads as 1 - 1² = 0."""

import math

import viz
from autograd import Value
from viz.number_text import figures


def test_tanh_of_15_is_not_drawn_as_1_beside_its_nonzero_gradient():
    n = Value(15.0, label="n")
    o = n.tanh()
    o.label = "o"
    o.backward()
    source = viz.draw(o, backward=True).source
    assert "{ o | data 0.9999999999998 | grad 1 }" in source and "{ n | data 15 | grad 3.743e-13 }" in source


def test_only_a_few_units_in_the_last_place_are_rounding_noise():
    assert figures(1 - 1e-13, 4) == "0.9999999999999" and figures(-(1 + 1e-14), 4) == "-1.00000000000001"
    assert figures(math.tanh(17), 4) == "0.999999999999997"
    assert figures(sum([0.1] * 10), 4) == "1" and figures(3.0000000000000004, 4) == "3"  # a unit or two


def test_rounding_noise_is_counted_in_the_numbers_own_units_in_the_last_place():
    # just below a power of two a unit in the last place is half the one above: 4 eps relative to 1 let
    # 1 - 7 units (its gradient 1 - v² = 1.6e-15) read "1"; five units off now shows its digits, four stay whole
    unit = math.ulp(0.9)  # 2**-53, the last place of numbers in [0.5, 1)
    assert figures(1 - 7 * unit, 4) == "0.999999999999999" and figures(1 - 5 * unit, 4) == "0.999999999999999"
    assert figures(1 - 4 * unit, 4) == "1" and figures(3 - 5 * math.ulp(2.5), 4) == "2.999999999999998"
    assert figures(-(1 - 5 * unit), 4) == "-0.999999999999999" and figures(-(3 + 4 * math.ulp(3.0)), 4) == "-3"

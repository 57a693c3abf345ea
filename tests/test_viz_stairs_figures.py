"""A rounding op's input is written with the figures that show where it lies between the stairs: floor's x = 1e13 + 0.5
was drawn "data 1.000e+13" beside check=True's note on floor's stairs, which its .5 decides."""

import pytest

import viz
from autograd import Value
from viz.html import page_html


@pytest.mark.parametrize("op", ["floor", "ceil", "round", "trunc"])
def test_a_rounding_ops_input_shows_its_fraction(op):
    x = Value(1e13 + 0.5, label="x")
    y = getattr(x, op)() + x * 2.0
    y.label = "y"
    y.backward()
    drawn = viz.draw(y, backward=True, check=True).source
    assert "{ x | data 10000000000000.5 |" in drawn  # was "data 1.000e+13"
    assert "10000000000000.5" in page_html(y)


def test_a_fraction_its_own_figures_show_is_written_as_before():
    x, w = Value(2.5, label="x"), Value(1e13, label="w")
    y = x.floor() + w.floor()  # 2.5 shows its fraction; 1e13 is whole
    y.backward()
    drawn = viz.draw(y).source
    assert "{ x | data 2.5 |" in drawn and "{ w | data 1e+13 |" in drawn


def test_a_one_number_tensors_fraction_is_shown_too():
    import numpy as np

    from autograd import Tensor

    x = Tensor(np.array([1e13 + 0.5]), requires_grad=True, label="x")
    y = x.floor().sum()
    y.backward()
    assert "data 10000000000000.5 |" in viz.draw(y, backward=True).source  # was "data 1.000e+13"

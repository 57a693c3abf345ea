"""A value its float's range changed is told from its inputs' values on paper, and beyond a long double's range
too: exp(x) * y at x = -1000 told exp(x)'s 0 but printed the product's 0 and ∂/∂y = 0 (exp(x)'s value, y's local
derivative) bare, the float 0 of exp(x) redone as if it were the input on paper; exp(-1e5), below even a long
double's least (e^-100000 is 10^-43429), was drawn a bare 0; and where the long double is a float64 (macOS arm64,
Windows) nothing at all was said of any range."""

import numpy as np
import pytest

from autograd import Value
from viz import lost_masks
from viz.captions import lost_lines
from viz.labels import record
from viz.steps import backward_pass


def _lines(x: float) -> list[str]:
    x, y = Value(x, label="x"), Value(2.0, label="y")
    e = x.exp()
    e.label = "e"
    r = e * y
    r.label = "r"
    r.backward()
    return lost_lines(backward_pass(r))


@pytest.mark.skipif(not lost_masks.WIDER, reason="this platform's long double is no wider than a float")
def test_a_product_of_a_value_that_underflowed_is_told_from_its_value_on_paper():
    lines = _lines(-1000.0)
    assert "r = 0 (underflowed to 0: on paper 1.015e-434, nearer 0 than half the least float, 4.941e-324)" in lines
    assert (
        "y gets 0 from * at r (the local derivative underflowed to 0: on paper 5.076e-435, nearer 0 than half the "
        "least float, 4.941e-324)"
    ) in lines


def test_exp_of_minus_1e5_is_told_on_paper_beyond_a_long_doubles_range():
    lines = _lines(-1e5)
    assert "e = 0 (underflowed to 0: on paper 3.563e-43430, nearer 0 than half the least float, 4.941e-324)" in lines
    assert "r = 0 (underflowed to 0: on paper 7.126e-43430, nearer 0 than half the least float, 4.941e-324)" in lines
    told = [line for line in lines if line.startswith(("x gets 0", "y gets 0"))]
    assert len(told) == 2 and all("underflowed to 0: on paper nearer 0 than half the least float" in t for t in told)


def test_a_drawn_node_that_underflowed_beyond_a_long_double_says_so():
    x = Value(-1e5, label="x")
    e = x.exp()
    assert "data 0 (underflowed)" in record(e, "e", e.data, 0.0)


@pytest.fixture
def narrow(monkeypatch):
    """A platform whose long double is a float64, as macOS arm64's and Windows'."""
    monkeypatch.setattr(lost_masks, "WIDE", np.float64)


def test_where_the_long_double_is_a_float_exp_and_products_are_still_told_on_paper(narrow):
    lines = _lines(-1000.0)
    assert "e = 0 (underflowed to 0: on paper 5.076e-435, nearer 0 than half the least float, 4.941e-324)" in lines
    assert "r = 0 (underflowed to 0: on paper 1.015e-434, nearer 0 than half the least float, 4.941e-324)" in lines
    gets = [line for line in lines if " gets 0 " in line]
    assert len(gets) == 2 and all(
        "how far is not worked out here: this platform's long double is no wider than a float" in g for g in gets
    )


def test_where_the_long_double_is_a_float_an_underflow_without_a_decimal_forward_is_told_by_the_flags(narrow):
    x = Value(-800.0, label="x")
    s = x.sigmoid()
    s.label = "s"
    s.backward()
    assert lost_lines(backward_pass(s))[0] == (
        "s = 0 (underflowed to 0: on paper nearer 0 than half the least float, 4.941e-324 (how far is not worked "
        "out here: this platform's long double is no wider than a float))"
    )


def test_a_zero_that_is_exact_says_nothing_where_the_long_double_is_a_float(narrow):
    x = Value(0.0, label="x")
    r = x * 3.0 + x.exp() * 0.0
    r.backward()
    assert lost_lines(backward_pass(r)) == []


@pytest.mark.parametrize("platform", ["x86", "narrow"])
def test_a_tensors_entries_beyond_a_long_double_or_with_none_wider_are_counted(platform, monkeypatch):
    """exp of [-1e5, -1000, 0, 1, 800, -inf]: -1e5's 0 (below a long double's least too) was not counted, and where
    the long double is a float64 no entry was; exp(-inf)'s 0 is exact, not the range's."""
    from autograd import Tensor
    from viz.lost_words import lost_note
    from viz.widened import wide_value

    if platform == "narrow":
        monkeypatch.setattr(lost_masks, "WIDE", np.float64)
    x = Tensor(np.array([-1e5, -1000.0, 0.0, 1.0, 800.0, -np.inf]), requires_grad=True)
    with np.errstate(all="ignore"):
        e, s = x.exp(), x.sinh()
    assert lost_note(e.data, wide_value(e)) == (
        "2 of 6 underflowed to 0: nearer 0 than half the least float, 4.941e-324; 1 of 6 overflowed to an infinity: "
        "beyond the largest float, 1.798e+308"
    )
    assert lost_note(s.data, wide_value(s)) == "3 of 6 overflowed to an infinity: beyond the largest float, 1.798e+308"


@pytest.mark.skipif(not lost_masks.WIDER, reason="this platform's long double is no wider than a float")
def test_a_drawn_gradient_that_underflowed_says_so_in_the_drawing_and_the_player():
    """The drawing of exp(x) * y at x = -1000 said "data 0 (underflowed)" of exp(x) but "grad 0" of x and y bare; x,
    used thrice in exp(x) * y + exp(x) * x, gets three shares of 0, each underflowed."""
    import viz

    x, y = Value(-1000.0, label="x"), Value(2.0, label="y")
    r = x.exp() * y + x.exp() * x
    r.backward()
    source = viz.draw(r).source
    assert source.count("grad 0 (underflowed)") == 2  # x's and y's
    page = viz.player(r).page
    assert '"grad 0 (underflowed)"' in page


def test_a_gradient_of_exact_zeros_is_drawn_bare():
    import viz

    x, y = Value(0.0, label="x"), Value(2.0, label="y")
    r = x * y
    r.backward()
    assert "(underflowed)" not in viz.draw(r).source


def test_a_value_on_paper_is_worked_out_again_when_an_input_changes_in_place():
    """Values on paper are kept per node: a tensor's input changed in place (an optimizer's step) leaves the node's
    0 a 0, but its value on paper is another."""
    from autograd import Tensor
    from viz.lost_words import lost_note
    from viz.widened import wide_value

    x = Tensor(np.array([-1000.0]), requires_grad=True)
    with np.errstate(all="ignore"):
        e = x.exp()
    assert "5.076e-435" in lost_note(e.data, wide_value(e)) or not lost_masks.WIDER
    x.data[...] = -1e5  # e's float stays 0; on paper it is now below a long double's least too
    assert "5.076e-435" not in lost_note(e.data, wide_value(e))


def test_each_decimal_forward_of_the_op_table_agrees_with_its_float_forward():
    """The forwards on paper live in the op table beside the others (OpDef.decimal), and give each op's value:
    a decimal forward written for the wrong op (ln for sqrt) would tell a wrong number beyond a float's range."""
    from decimal import Decimal, localcontext

    from autograd import DECIMAL_FORWARDS
    from autograd.op_table import TABLE
    from viz.beyond_wide import PAPER

    made = {d.symbol or d.name: d for d in TABLE}
    assert set(DECIMAL_FORWARDS) == {"+", "-", "*", "/", "**", "neg", "exp", "log", "sqrt"}
    for name, forward in DECIMAL_FORWARDS.items():
        inputs = (1.7, 0.6)[: made[name].arity]
        with localcontext(PAPER):
            on_paper = float(forward(*map(Decimal, inputs)))
        assert on_paper == pytest.approx(made[name].scalar(*inputs), rel=1e-15), name


def test_a_value_beyond_even_decimals_range_is_told_underflowed_not_zero_on_paper():
    """exp(-1e300) is below decimals' own least (1e-1000000000): decimals gave 0, taken as its value on paper, so
    e = 0 was drawn bare while x's local derivative, the same exp(-1e300), was told underflowed."""
    lines = _lines(-1e300)
    assert any(line.startswith("e = 0 (underflowed to 0: on paper nearer 0 than half the least") for line in lines)
    assert any(line.startswith("r = 0 (underflowed to 0") for line in lines)

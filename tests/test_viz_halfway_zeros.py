"""A result whose trailing zeros its figures drop ("0.3" is 0.3000 to 4 figures) is halfway on paper as 0.3001 is:
"0.6001 × 0.5 = 0.3" is 0.30005 on paper, which a learner rounds to 0.3001; it was drawn bare."""

import viz
from autograd import Value
from viz.paper import product_equation, rounded_away


def test_a_product_halfway_beside_a_result_whose_zeros_are_dropped_is_told_on_paper():
    told = product_equation([0.6001, 0.5], 0.6001 * 0.5)
    assert told.startswith("0.6001 × 0.5 = 0.30005 on paper; as a float, 0.3 (halfway"), told
    assert "lies on 0.3000's side" in told


def test_a_sum_halfway_beside_a_result_whose_zeros_are_dropped_is_told_on_paper():
    assert rounded_away([0.3, 0.00005], 0.3 + 0.00005).startswith(" (on paper 0.30005, halfway")
    d = Value(1.0, label="d")
    z = d * Value(0.3, label="c") + d * Value(0.00005, label="e")
    z.backward()
    assert "= 0.3 (on paper 0.30005, halfway" in str(viz.explain(z, d))
    x = Value(2.0, label="x")
    y = x * 0.6001 * 0.5
    y.backward()
    assert "0.30005 on paper" in viz.draw(y, backward=True).source


def test_a_whole_number_written_with_an_exponent_keeps_its_rule():
    # 1000000.5 is written "1.000e+06" (its zeros shown): no halfway read into 1e+06's own last figure
    assert "on paper" not in product_equation([2000001.0, 0.5], 1000000.5)


def test_a_grouped_total_halfway_on_paper_is_told():
    """explain's grouped total "0.8815 (the path above) + 0.304 (the other path) = 1.185" is 1.1855 on paper, which a
    learner rounds to 1.186; it was drawn bare (98 of 20,000 random small graphs grouped at max_paths=1 so)."""
    d = Value(1.0, label="d")
    z = d * Value(0.304) + d * Value(0.8815)
    z.backward()
    total = str(viz.explain(z, d, max_paths=1)).splitlines()[-1]
    assert total.startswith("total: 0.8815 (the path above) + 0.304 (the other path) = 1.185 (on paper 1.1855, halfway")

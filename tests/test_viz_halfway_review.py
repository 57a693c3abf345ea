"""A product halfway on paper only because a factor is written with fewer figures than it has: 2.8466 × 25 was drawn
"2.847 × 25 = 71.175 on paper; as a float, 71.17 (halfway: ... the factors as floats are not exactly as written ...)",
blaming the float for the figures the drawing dropped (2 of 425 halfway notes in 20,000 random products). Where the
factors' own figures are halfway too, they are written: "2.8466 × 25 = 71.165 on paper; as a float, 71.17"."""

import pytest

from viz.paper import product_equation


@pytest.mark.parametrize(
    "a, b, told",
    [
        (2.8466, 25.0, "2.8466 × 25 = 71.165 on paper; as a float, 71.17"),
        (798.14, 2.5, "798.14 × 2.5 = 1995.35 on paper"),
    ],
)
def test_a_halfway_product_writes_its_factors_figures(a, b, told):
    assert product_equation([a, b], a * b).startswith(told)


def test_a_product_halfway_as_written_keeps_its_note():
    assert product_equation([1.0005, 0.3], 1.0005 * 0.3).startswith("1.0005 × 0.3 = 0.30015 on paper")

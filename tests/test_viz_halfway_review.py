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


@pytest.mark.parametrize(
    "terms, note",
    [
        ([-217.1, 58.45, -1825.2], " (on paper -1983.85, halfway"),  # was "on paper -1983.9: ... rounded away"
        ([5324.6, 9.109, -51.754], ""),  # 5324.6 + 9.109 + (-51.75) = 5281.96 reads right: was "on paper 5281.95"
        ([-3309.6, -3900.0, 7591.6], ""),  # -3309.6 + (-3900) + 7591.6 = 382: was "on paper 382.0000000000005"
        # a term rounded away that moves nothing the line shows: the floats' exact sum is a hair past halfway, and
        # the terms as written add up: 2.0999e-16 + (-6.065) + (-38) = -44.06 was told "on paper -44.07"
        ([2.0998972394819424e-16, -6.065, -38.0], ""),
        ([30.413, 1.3629744592479047e-16, 0.002], ""),  # 30.41 + 1.363e-16 + 0.002 = 30.41: was "on paper 30.42"
        ([2.164724101406357e-17, 82.44, 5.465], ""),  # 2.165e-17 + 82.44 + 5.465 = 87.91: was "on paper 87.90"
        # the floats' exact sum 7240.5499999999997 reads 7240.5, as a float (7240.55) 7240.6: was "on paper 7240.55"
        ([1.7780558415892093e-17, 3.9781027135670183e-17, -836.98, 8077.53], ""),
    ],
)
def test_a_sum_that_reads_right_as_written_is_not_told_rounded_away(terms, note):
    """A sum whose terms as written add up to it as written (or halfway in its last figure) was told "a term much
    smaller than the sum so far is rounded away", which none was, beside an "on paper" sum the written terms do not
    give (13 of 158 notes in 20,000 random sums of 2 or 3 numbers); so too where a term was rounded away that moves
    nothing the line shows (5 of 226 notes in 40,000 lines of share sums, which no drawing noted)."""
    from viz.paper import rounded_away

    total = terms[0]
    for t in terms[1:]:
        total += t
    told = rounded_away(terms, total)
    assert told.startswith(note) and "rounded away" not in told and (note or not told)


def test_a_term_rounded_away_is_still_told():
    assert "rounded away" in __import__("viz.paper").paper.rounded_away([1.0, -1e16, 1e16], 1.0 + -1e16 + 1e16)

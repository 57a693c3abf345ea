"""A tensor's min, mean and max read at a glance and never claim what is false: one notation for the three (an
exponent on each where one needs it), no more figures than tell them apart, and the numbers of their own type
(a long double's, a 64-bit integer's), not float64's roundings of them."""

import numpy as np

from viz.labels import histogram
from viz.number_text import summary

LONG_EPS = np.finfo(np.longdouble).eps


def test_min_mean_and_max_share_one_notation_and_a_large_mean_takes_no_noise_digits():
    """[1, 2, 3, 1e10] read "min 1 mean 2500000001.5 max 1e+10": two notations, and 11 figures for a mean that 3
    tell (a number written with an exponent, its figures shown, reads as rounded: 2.50e+09 as no whole number)."""
    assert summary(np.array([1.0, 2.0, 3.0, 1e10])) == "min 1e+00 mean 2.50e+09 max 1e+10"
    assert summary(np.array([-1e10, 3.0])) == "min -1e+10 mean -5.00e+09 max 3e+00"  # was mean -4999999998.5
    assert summary(2500000001.5) == "2.500e+09"
    assert summary(np.array([0.25, 0.5, 1.0])) == "min 0.25 mean 0.583 max 1"  # no exponent needed: none written
    assert summary(np.array([0.0, 1e-9])) == "min 0 mean 5e-10 max 1e-09"  # 0 reads alike in both


def test_a_mean_that_differs_from_the_max_is_not_written_as_it():
    """[1, 1.002 nine times] read "min 1 mean 1.002 max 1.002": a mean equal to the max says every number is the max,
    which the min 1 denies; [999999, 1000001] read "min 999999 mean 1e+06 max 1e+06" in two notations."""
    assert summary(np.array([1.0] + [1.002] * 9)) == "min 1 mean 1.0018 max 1.002"
    assert summary(np.array([999999.0, 1000001.0])) == "min 999999 mean 1000000 max 1000001"


def test_long_doubles_that_differ_are_not_summarised_as_equal():
    """A long double array [1, 1 + 4 eps] read "min 1 mean 1 max 1" and its bars "all 1": float64 has no number
    between them. Their difference is exact in long doubles."""
    a = np.array([1, 1 + 4 * LONG_EPS], dtype=np.longdouble)
    assert summary(a) == "min 1 mean 1 max min + 4.34e-19"
    assert histogram(a) == "██ [1, min + 4.34e-19]"
    big = np.array([1, np.longdouble("1e4000")], dtype=np.longdouble)  # beyond float64: was "1 inf of 2"
    assert summary(big) == "min 1e+00 mean 5e+3999 max 1e+4000"
    assert summary(np.longdouble("-1e-4000")) == "-1e-4000"  # was -0


def test_64_bit_integers_beyond_float64s_whole_numbers_are_not_summarised_as_equal():
    """int64 [2**53, 2**53 + 1] read "min 9.01e+15 mean 9.01e+15 max 9.01e+15": float64 rounds 2**53 + 1 to 2**53."""
    assert summary(np.array([2**53, 2**53 + 1])) == "min 9.01e+15 mean 9.01e+15 max min + 1"
    assert histogram(np.array([2**53, 2**53 + 1])) == "██ [9.01e+15, min + 1]"


def test_numbers_that_differ_where_float64_has_one_number_for_both_are_not_summarised_as_equal():
    """int64 [3e18, 3e18 + 1] still read "min 3e+18 mean 3e+18 max 3e+18", bars "██ [3e+18, 3e+18]": written as
    float64s (the one number 3e18 for both), no figures wrote them apart, where 2**53's pair took the difference;
    a long double [3e18, 3e18 + 2] read so too (3e18 + 2 given its float64's figures, 1), and 1e30 "1.e+30"."""
    pair = np.array([3 * 10**18, 3 * 10**18 + 1])
    assert summary(pair) == "min 3e+18 mean 3e+18 max min + 1"
    assert histogram(pair) == "██ [3e+18, min + 1]"
    assert summary(np.array([10**17, 10**17 + 1], dtype=np.uint64)) == "min 1e+17 mean 1e+17 max min + 1"
    assert summary(pair.astype(np.longdouble) + np.array([0, 1], dtype=np.longdouble)) == (
        "min 3e+18 mean 3e+18 max min + 2"
    )
    assert summary(np.longdouble("1e30")) == "1e+30"


def test_a_mean_takes_the_figures_that_place_it_between_the_min_and_max_and_few_more_to_look_unwhole():
    """A mean is no element: the figures that kept tanh(-6) from reading -1 (to 17) wrote [1e6, 2, -3e-7]'s as
    333333.9999999; it takes at most 6 for that, and those that write it strictly between the min and max."""
    assert summary(np.array([1e6, 2.0, -3e-7])) == "min -3e-07 mean 3.33334e+05 max 1e+06"  # was 3.333339999999e+05
    assert summary(np.array([1.0, 800.0])) == "min 1 mean 400.5 max 800"  # 400 would read as (1 + 800) / 2 exactly
    # near the max: "mean 1" would lie above the max 0.99999995, so it takes the figures that keep it below
    assert summary(np.array([0.9999999, 0.99999995])) == "min 0.9999999 mean 0.99999993 max 0.99999995"

"""An array whose numbers differ is never written as if they were equal: its min and max take the figures
that tell them apart ("min 0.1 mean 0.1 max 0.1" and bars over "[0.1, 0.1]" read as a constant array)."""

import numpy as np

import viz
from autograd import Tensor
from viz.labels import histogram
from viz.number_text import summary


def test_min_and_max_that_differ_are_written_apart():
    a = np.array([0.1001, 0.1002, 0.1003])
    assert summary(a) == "min 0.1001 mean 0.1002 max 0.1003"
    assert histogram(a) == "███ [0.1001, 0.1003]"
    assert summary(np.array([0.5, 0.25, 1.0])) == "min 0.25 mean 0.583 max 1"  # apart at 3 figures already
    assert summary(np.array([0.1, 0.1])) == "min 0.1 mean 0.1 max 0.1"  # equal: nothing to tell apart


def test_a_drawn_tensor_of_close_numbers_shows_their_spread():
    t = Tensor(np.array([0.1001, 0.1002, 0.1003]), requires_grad=True, label="t")
    s = (t * 2).sum()
    s.backward()
    source = viz.draw(s, tensor_detail=True).source
    assert "data min 0.1001 mean 0.1002 max 0.1003" in source and "[0.1001, 0.1003]" in source


def test_a_tensor_with_no_finite_value_draws_no_bars():
    """A branch no test reached: tensor_detail's histogram of a tensor of NaN and infinities has no range to draw
    bars over, and says so beside its counts."""
    t = Tensor(np.array([np.nan, np.inf, -np.inf]), requires_grad=True, label="t")
    with np.errstate(all="ignore"):
        source = viz.draw((t * 2.0).sum(), tensor_detail=True).source
    assert "{ t | (3,) float64 | data 1 nan, 1 -inf, 1 inf of 3 | data no finite values | grad not computed }" in source


def test_a_min_and_max_a_few_units_apart_are_told_apart_by_their_difference_not_noise_digits():
    """Told apart digit by digit, [1, 1 + 2**-52] read "min 1 mean 1 max 1.0000000000000002": 17 digits, 16 of them
    the min's again; [1 - 2**-53, 1] "min 0.9999999999999999". Beyond the figures the float type holds whatever the
    number (15 of float64's, 6 of float32's), the max is written by its difference from the min, which is exact."""
    up, below = np.nextafter(1.0, 2.0), np.nextafter(1.0, 0.0)
    assert summary(np.array([1.0, up])) == "min 1 mean 1 max min + 2.22e-16"
    assert summary(np.array([below, 1.0])) == "min 1 mean 1 max min + 1.11e-16"
    assert summary(np.array([-1.0, np.nextafter(-1.0, 0.0)])) == "min -1 mean -1 max min + 1.11e-16"
    f32 = np.array([1.0, np.nextafter(np.float32(1.0), np.float32(2.0))], dtype=np.float32)
    assert summary(f32) == "min 1 mean 1 max min + 1.19e-07"  # was max 1.0000001
    assert histogram(np.array([1.0, up])) == "██ [1, min + 2.22e-16]"
    assert summary(np.array([1.0, 1 + 1e-14])).endswith("max 1.00000000000001")  # 15 figures: written out as before


def test_a_float16_min_and_max_read_at_a_glance_are_written_out_not_by_their_difference():
    """Beyond float16's 3 figures, its 1.001 and 1001 were written "max min + 0.000977" and "max min + 1": a sum to
    work out where 4 or 5 figures read at a glance, as a whole number below a million is written in full."""
    half = np.float16
    assert summary(np.array([1, 1.001], dtype=half)) == "min 1 mean 1 max 1.001"
    assert summary(np.array([1000, 1001], dtype=half)) == "min 1000 mean 1000.5 max 1001"
    assert (
        summary(np.array([10000, 10008], dtype=half)) == "min 10000 mean 10000 max 10008"
    )  # its mean rounds to a float16
    assert histogram(np.array([1, 1.001], dtype=half)) == "██ [1, 1.001]"

"""pad's memory on hostile widths: all a pad and its gradient build (its result, each mode's pass per
axis and the index arrays) is counted and asked of memory at once, before any allocation, where the
widths made numpy allocate (or fail in its own words) first. The count is at least what each pad and
its backward take (measured with tracemalloc). No test here allocates more than a few MiB."""

import tracemalloc

import numpy as np
import pytest
from address_space import address_space_left
from cpu_time import cpu_seconds_at_most

import autograd
from autograd import Tensor, pad_modes

MODES = ["constant", "reflect", "replicate", "circular"]


@pytest.mark.parametrize("mode", ["constant", "replicate"])
def test_widths_whose_arrays_do_not_fit_are_refused_before_any_allocation(mode):
    """A billion entries (8 GB, and the index arrays of a mode): numpy's raw MemoryError before."""
    with cpu_seconds_at_most(0.5), address_space_left(2**30), pytest.raises(MemoryError) as e:
        autograd.pad(np.ones((1, 1, 5)), (0, 10**9), mode)
    assert str(e.value).startswith("pad: widths (0, 1000000000): the arrays it and its gradient build (")
    assert str(e.value).endswith(" entries of float64) does not fit in memory: use less padding")


def test_widths_beyond_any_array_are_one_value_error_naming_them():
    with pytest.raises(ValueError, match=r"^pad: too many values: .*: widths \(0, 10+, 1, 1\): the arrays it"):
        autograd.pad(np.ones((1, 2, 5)), (0, 10**30, 1, 1))


CASES = [
    ((2, 3, 50, 50), (5, 5, 5, 5)),
    ((2, 3, 10, 10), (0, 9, 9, 0)),
    ((1, 2, 1000), (999, 999)),
    ((1, 2, 20, 20, 20), (5, 5, 5, 5, 5, 5)),
    ((2, 3, 50, 50), (-5, 5, -5, 5)),
    ((1, 1, 5000), (0, 4999)),
    ((1, 1, 10000), (3, -3)),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape, widths", CASES)
def test_the_count_asked_of_memory_is_at_least_what_a_pad_and_its_backward_take(shape, widths, mode, monkeypatch):
    """After a first call (whose peak holds caches made once), in float32: the index arrays, intp,
    counted in its entries."""
    asked = []
    monkeypatch.setattr(pad_modes, "check_memory", lambda fn, what, entries, dtype, fix: asked.append(entries))
    x = Tensor(np.random.default_rng(0).standard_normal(shape).astype(np.float32), requires_grad=True)
    autograd.pad(x, widths, mode).sum().backward()
    tracemalloc.start()
    try:
        autograd.pad(x, widths, mode).sum().backward()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= asked[-1] * 4

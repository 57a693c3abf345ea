"""adaptive_max_pool*d made each axis's windows (an int64 array of output_size entries, and one of its windows'
entries) before checking that the output fits: output_size (10**9, 10**9) asked numpy for 7.45 GiB and was
numpy's unnamed "Unable to allocate 7.45 GiB for an array with shape (1000000000,)" under a limit, or used that
memory on a machine with it. The output's size is now checked first, as adaptive_avg_pool*d's is."""

from __future__ import annotations

import numpy as np
import pytest
from address_space import address_space_left

import autograd
from autograd import Tensor


@pytest.mark.parametrize(
    "call, named",
    [
        (lambda: autograd.adaptive_max_pool2d(Tensor(np.ones((1, 1, 4, 4))), (10**9, 10**9)), "adaptive_max_pool2d"),
        (lambda: autograd.adaptive_max_pool1d(Tensor(np.ones((1, 1, 4))), 10**9), "adaptive_max_pool1d"),
        (lambda: autograd.adaptive_max_pool3d(Tensor(np.ones((1, 1, 2, 2, 2))), (10**9, 1, 10**9)), "max_pool3d"),
    ],
)
def test_an_output_size_too_large_is_refused_before_its_windows_are_made(call, named) -> None:
    with address_space_left(2**30), pytest.raises((MemoryError, ValueError), match=named):
        call()

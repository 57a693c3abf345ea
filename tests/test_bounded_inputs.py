"""Inputs that once cost memory out of proportion, or were taken as numbers: each now costs what it
asks for, or is refused (a third review's findings)."""

import tracemalloc

import numpy as np
import pytest

import nn
from autograd import Tensor


def peak_bytes(make) -> int:
    tracemalloc.start()
    try:
        make()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_convolution_with_a_huge_padding_is_made_without_a_huge_trial_input():
    assert peak_bytes(lambda: nn.Conv2d(1, 1, 3, padding=20_000)) < 2**22  # was a 6 GB input of zeros
    with pytest.raises(ValueError, match="stride must be at least 1"):  # small ones still tried when made
        nn.Conv2d(1, 1, 3, stride=0)


def test_make_classification_draws_vertices_of_a_high_dimensional_cube_without_listing_them():
    X, y = nn.data.make_classification(100, 40, n_classes=3, seed=0)  # 2**40 vertices were permuted
    assert X.shape == (100, 40) and set(y) <= {0, 1, 2}
    X2, _ = nn.data.make_classification(100, 2, seed=3)
    np.testing.assert_array_equal(X2, nn.data.make_classification(100, 2, seed=3)[0])


@pytest.mark.parametrize("text", [["1.5"], np.array(["1.5"]), [b"1"]], ids=["list", "array", "bytes"])
def test_text_is_refused_with_a_dtype_too(text):
    with pytest.raises(TypeError, match="needs numbers, got text"):
        Tensor(text, dtype=np.float64)  # numpy would parse it as 1.5

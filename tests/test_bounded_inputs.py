"""Inputs that once cost memory out of proportion, or were taken as numbers: each now costs what it
asks for, or is refused (a third review's findings)."""

import tracemalloc

import numpy as np
import pytest

import autograd
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


def test_one_hot_builds_its_rows_only():
    """np.eye(num_classes)[labels] built num_classes² entries first: 40 GB for one label of 100,000 classes."""
    hot = autograd.one_hot(np.array([3, 99_999]), 100_000)
    assert peak_bytes(lambda: autograd.one_hot(np.array([3, 99_999]), 100_000)) < 2 * 2 * 100_000 * 4 + 2**16
    np.testing.assert_array_equal(np.flatnonzero(hot.data), [3, 100_000 + 99_999])
    np.testing.assert_array_equal(autograd.one_hot(np.array([[0, 2], [1, 0]]), 3).data, np.eye(3)[[[0, 2], [1, 0]]])
    with pytest.raises(MemoryError, match="one_hot: num_classes 1000000000000: a row of that many for each of 1"):
        autograd.one_hot(np.array([1]), 10**12)


@pytest.mark.parametrize("name", ["tile", "repeat"])
def test_tile_and_repeat_refuse_what_no_memory_holds_naming_themselves(name):
    x = Tensor(np.ones((1, 1, 2, 2)))
    with pytest.raises(MemoryError, match=f"{name}: repetitions \\(1, 1, 1000000, 1000000\\).*give fewer repetitions"):
        getattr(x, name)(1, 1, 10**6, 10**6)
    with pytest.raises(ValueError, match=f"{name}: repetitions are non-negative"):
        getattr(x, name)(1, 1, -1, 1)

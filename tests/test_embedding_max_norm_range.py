"""max_norm's row norms out of the float range: a row of 1e200 has a 2-norm of 1.4e200, but numpy's norm squares it
first (1e400: inf), so the row was scaled by max_norm / inf = 0 and came back as zeros; a row of 1e-170 squared to 0
(norm 0 < max_norm = 1e-200) and was left with a norm far above max_norm. torch 2.13 does the same (its norm squares
too). Rows whose norms fit are scaled with the bits they had (torch's)."""

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0, 7.5])
@pytest.mark.parametrize(
    "row, max_norm, dtype",
    [
        ([1e200, 1e200], 1.0, np.float64),
        ([1e200, -3e199], 1e190, np.float64),
        ([1.5e308, 1.5e308], 1.0, np.float64),  # a norm beyond the largest float itself
        ([1e30, 1e30], 1.0, np.float32),
    ],
)
def test_a_row_whose_norm_leaves_the_float_range_is_scaled_to_max_norm(row, max_norm, dtype, norm_type):
    table = Tensor(np.array([row, [1.0, 1.0]], dtype=dtype))
    F.embedding(np.array([0]), table, max_norm=max_norm, norm_type=norm_type)
    scaled = table.data[0].astype(np.float64)
    unit = np.array(row, dtype=np.float64) / np.max(np.abs(row))  # the row over its largest entry: powers in range
    expected = max_norm * unit / np.sum(np.abs(unit) ** norm_type) ** (1 / norm_type)
    assert np.all(np.isfinite(scaled)) and np.all(scaled != 0)
    # the row's norm is now max_norm (torch's 1e-7 in the divisor is nothing beside these norms)
    norm = max_norm * np.sum(np.abs(scaled / max_norm) ** norm_type) ** (1 / norm_type)
    assert norm == pytest.approx(max_norm, rel=1e-5 if dtype == np.float32 else 1e-12)
    assert np.allclose(scaled / max_norm, expected / max_norm, rtol=1e-5 if dtype == np.float32 else 1e-12)
    assert np.array_equal(table.data[1], [1.0, 1.0])  # not looked up: as it was


def test_rows_whose_norms_fit_keep_torchs_bits():
    from torch_reference import torch

    rng = np.random.default_rng(0)
    table = rng.normal(size=(6, 5)) * 3
    index = np.array([0, 2, 3, 5])
    for norm_type in (1.0, 2.0, 3.0, float("inf")):
        mine, theirs = Tensor(table.copy()), torch.tensor(table.copy())
        F.embedding(index, mine, max_norm=1.5, norm_type=norm_type)
        torch.nn.functional.embedding(torch.tensor(index), theirs, max_norm=1.5, norm_type=norm_type)
        assert np.array_equal(mine.data, theirs.numpy())


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0])
@pytest.mark.parametrize(
    "row, max_norm, dtype", [([1e-170, 1e-170], 1e-200, np.float64), ([1e-30, -1e-30], 1e-38, np.float32)]
)
def test_a_row_whose_norm_underflows_ends_within_max_norm(row, max_norm, dtype, norm_type):
    # torch's max_norm / (norm + 1e-7), the norm now right: such a row scaled far below max_norm (1e-7 dominates)
    table = Tensor(np.array([row], dtype=dtype))
    F.embedding(np.array([0]), table, max_norm=max_norm, norm_type=norm_type)
    after = table.data[0].astype(np.float64)
    top = np.max(np.abs(after))
    assert top == 0 or top * np.sum(np.abs(after / top) ** norm_type) ** (1 / norm_type) <= max_norm

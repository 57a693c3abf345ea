"""nn.data and nn.idx as a user meets them: batches that are the caller's own, IDX arrays in the
machine's byte order, toy datasets that finish."""

import struct

import numpy as np
import pytest

import nn


@pytest.mark.parametrize("shuffle", [False, True])
def test_a_batch_changed_in_place_changes_neither_the_callers_data_nor_the_next_epoch(shuffle):
    X, y = np.arange(12.0).reshape(6, 2), np.arange(6)
    batches = nn.data.Batches(X, y, batch_size=4, shuffle=shuffle, seed=0)
    for xb, yb in batches:
        xb /= 255  # a normalisation written in place, as a training loop might
        yb[:] = 0
    assert np.array_equal(X, np.arange(12.0).reshape(6, 2)) and np.array_equal(y, np.arange(6))
    assert sorted(np.concatenate([yb for _, yb in batches]).tolist()) == list(range(6))


@pytest.mark.parametrize("code, dtype", [(0x0B, np.int16), (0x0C, np.int32), (0x0D, np.float32), (0x0E, np.float64)])
def test_read_idx_gives_its_numbers_in_the_machines_byte_order(tmp_path, code, dtype):
    values = np.array([[1, -2], [300, 7]], dtype)
    path = tmp_path / "numbers-idx2"
    path.write_bytes(
        bytes([0, 0, code, 2]) + struct.pack(">2I", 2, 2) + values.astype(values.dtype.newbyteorder(">")).tobytes()
    )
    array = nn.data.read_idx(path)
    assert array.dtype == dtype and array.dtype.isnative  # a >i4 array is no int32: torch.from_numpy refuses it
    assert np.array_equal(array, values)

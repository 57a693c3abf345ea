"""nn.Parameter over a numpy array of every floating dtype holds that array, as the README promises (s26-r2
review): a float16 array was copied into a float32 Tensor (Tensor(array)'s rule), where torch's Parameter of
torch.from_numpy(a float16 array) stays float16."""

import numpy as np
import pytest

import nn


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_it_holds_the_array_given_in_its_dtype(dtype):
    array = np.arange(3, dtype=dtype)
    p = nn.Parameter(array)
    assert p.dtype == dtype
    assert p.data is array or np.shares_memory(p.data, array)
    array[0] = 7
    assert p.data[0] == 7

"""tensor_forwards.max_kept, the softmax family's row max: over a transposed copy along short rows,
np.max's own reduce elsewhere; the same numbers as np.max in every case, bit for bit (infinities and
NaN included), but for the sign of a zero max where a row's largest entries are +0 and -0 both
(either is the max; exp and the sums that follow do not tell them apart)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd.tensor_forwards import SHORT_ROW, max_kept

SPECIAL = st.sampled_from([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 1e-40])


@given(
    st.sampled_from([np.float16, np.float32, np.float64]),
    hnp.array_shapes(min_dims=2, max_dims=2, min_side=0, max_side=SHORT_ROW + 8),
    st.data(),
)
def test_max_kept_is_np_max_bit_for_bit(dtype: type, shape: tuple[int, int], data: st.DataObject) -> None:
    elements = st.one_of(SPECIAL, st.floats(-1e4, 1e4, width=16 if dtype == np.float16 else 32))
    x = data.draw(hnp.arrays(dtype, shape, elements=elements))
    for view in (x, x.T.copy().T):  # C-contiguous, then Fortran-ordered (np.max's path)
        for axis in (1, -1):
            expected = np.max(view, axis=axis, keepdims=True) if shape[1] else None
            if expected is None:  # no column: both refuse alike
                continue
            got = max_kept(view, axis)
            assert got.shape == expected.shape and got.dtype == expected.dtype
            zero = expected == 0
            assert got[~zero].tobytes() == expected[~zero].tobytes()
            assert (got[zero] == 0).all()


def test_max_kept_of_rows_without_columns_is_minus_inf() -> None:
    """The max of nothing, as the softmax family needs it: logsumexp over an empty axis is -inf and
    softmax of it empty, as PyTorch's (np.max refuses a zero-size reduction)."""
    for x, axis, shape in ((np.zeros((3, 0)), 1, (3, 1)), (np.zeros((0, 4)), 0, (1, 4)), (np.zeros(0), 0, (1,))):
        top = max_kept(x, axis)
        assert top.shape == shape and np.all(top == -np.inf)

"""`t == x` and `t != x` of a Python number compare in the tensor's dtype, as `<` and `>` do and as
numpy's and PyTorch's weak scalars: the number was made a float64 array first, so a float32 tensor of
0.1 was neither `== 0.1` nor `< 0.1` nor `> 0.1`, and `0.1 in t` was False where PyTorch says True."""

import numpy as np
import pytest
import torch

import autograd
from autograd import Tensor, Value

DATA = [0.1, 0.2, 1 / 3, 2.0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.bool_])
@pytest.mark.parametrize("x", [0.1, 1 / 3, 2.0, 2, True])
def test_a_python_number_compares_in_the_tensors_dtype_as_torchs(dtype, x):
    data = np.array(DATA).astype(dtype)
    ours, theirs = Tensor(data, dtype=data.dtype), torch.tensor(data)
    assert (ours == x).tolist() == (theirs == x).tolist()
    assert (ours != x).tolist() == (theirs != x).tolist()
    assert (x in ours) is (x in theirs)


def test_equal_less_and_greater_agree_on_a_float32_tensor():
    t = Tensor(np.array([0.1], dtype=np.float32))
    answers = [(t == 0.1).item(), (t < 0.1).item(), (t > 0.1).item()]
    assert answers == [True, False, False]  # was [False, False, False]


def test_a_compiled_step_compares_with_a_values_number_as_eagerly():
    """`x == Value(2.0)` in a compiled step: the comparison is recorded with the Value's number, as `<` is
    (passed the Value itself, a replay's mask compared by identity: 0.0 where eager gives 4.0)."""
    w = Tensor(np.ones(2), requires_grad=True)

    def step(x):
        return (x * w * (x == Value(2.0))).sum()

    compiled = autograd.compile(step)
    for first in (2.0, 1.0, 2.0):
        x = Tensor(np.array([first, 2.0]))
        assert compiled(x).item() == step(x).item()

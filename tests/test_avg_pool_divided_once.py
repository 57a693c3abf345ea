"""avg_pool's means are each window's sum divided once, as PyTorch's: a kernel of 1/count rounded each entry's
share first, which lost subnormal entries' bits (the mean of [5e-324, 5e-324, 5e-324] was 0 for 5e-324, of
three float32 3e-45 4e-45 for 3e-45) and was an ulp off elsewhere; and float16's in float32, rounded once."""

import numpy as np
import pytest
from torch_reference import torch

import autograd
from autograd import Tensor

TF = torch.nn.functional


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kernel", [2, 3, 5])
def test_subnormal_means_are_torchs_bit_for_bit(dtype, kernel):
    """Sums of subnormals are exact, so the one division gives torch's bits (a share of 1/count each did not)."""
    rng = np.random.default_rng(kernel)
    x = (rng.integers(1, 50, (2, 3, 4 * kernel, 3 * kernel)) * np.finfo(dtype).smallest_subnormal).astype(dtype)
    ours = autograd.avg_pool2d(Tensor(x), kernel).data
    theirs = TF.avg_pool2d(torch.tensor(x), kernel).numpy()
    assert ours.tobytes() == theirs.tobytes()


def test_a_window_of_the_smallest_subnormals_keeps_its_mean():
    """[5e-324, 5e-324, 5e-324] averages to 5e-324 (a kernel of 1/3 rounded each third to 0: a mean of 0)."""
    x = np.full((1, 1, 3), 5e-324)
    assert autograd.avg_pool1d(Tensor(x), 3).data.ravel().tolist() == [5e-324]
    three = np.full((1, 1, 3), np.float32(3e-45))
    assert autograd.avg_pool1d(Tensor(three), 3).data.ravel()[0] == np.float32(3e-45)


def test_float16_means_and_gradients_round_once():
    """Sums of float16 entries in float32 (60000 + 60000 leaves float16), each mean rounded once."""
    x = np.array([[[60000.0, 60000.0, 1.0, 2.0]]], np.float16)
    t = Tensor(x, requires_grad=True, dtype=np.float16)
    y = autograd.avg_pool1d(t, 2)
    y.backward(np.ones(y.shape, np.float16))
    assert y.dtype == np.float16 and y.data.ravel().tolist() == [60000.0, 1.5]
    assert t.grad.dtype == np.float16 and t.grad.ravel().tolist() == [0.5] * 4


def test_float16_means_and_gradients_are_the_exact_ones_rounded_once():
    """[0.125, 0.625, 0.125] averages to 0.875 / 3 rounded once, 0.2917 (float16 shares of 1/3 gave 0.2915), and a
    weight of 3.125 on it gives each entry 3.125 / 3 rounded once, 1.042 (a float16 1/3 gave 1.041)."""
    x = np.array([[[0.125, 0.625, 0.125]]], np.float16)
    t = Tensor(x, requires_grad=True, dtype=np.float16)
    y = autograd.avg_pool1d(t, 3)
    y.backward(np.full(y.shape, 3.125, np.float16))
    assert y.data.ravel().tolist() == [float(np.float16(0.875 / 3))] == [0.291748046875]
    assert t.grad.ravel().tolist() == [float(np.float16(3.125 / 3))] * 3 == [1.0419921875] * 3

"""ceil_mode's one window where the kernel is longer than the padded input, by less than the stride:
PyTorch pools it (a window reaching past the input, clipped), where chainrule checked the kernel
against the input before ceil_mode's padding and refused it."""

import numpy as np
import pytest
from torch_reference import DTYPES, F, check, torch  # without torch: skipped

from autograd import ShapeError
from autograd.conv import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d

# (length, kernel, stride, padding, dilation): span = dilation * (kernel - 1) + 1 > length + 2 * padding
LONG_KERNELS = [(1, 2, 2, 0, 1), (1, 3, 3, 0, 1), (2, 4, 3, 1, 1), (3, 3, 4, 0, 1), (3, 4, 4, 2, 3), (7, 4, 4, 0, 3)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", LONG_KERNELS)
def test_max_pool1d_ceil_mode_kernel_past_the_input(case, dtype):
    n, k, s, p, d = case
    x = np.random.default_rng(0).uniform(-1, 1, (2, 3, n))
    kw = {"kernel_size": k, "stride": s, "padding": p, "dilation": d, "ceil_mode": True}
    assert max_pool1d(x, **kw).shape == F.max_pool1d(torch.tensor(x), **kw).shape
    check(lambda x: max_pool1d(x, **kw), lambda x: F.max_pool1d(x, **kw), [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("include", [True, False])
@pytest.mark.parametrize("case", [c for c in LONG_KERNELS if c[4] == 1])
def test_avg_pool1d_ceil_mode_kernel_past_the_input(case, include, dtype):
    """The clipped window's divisor: its entries in the input and the padding (or the input alone)."""
    n, k, s, p, _ = case
    x = np.random.default_rng(1).uniform(-1, 1, (2, 3, n))
    kw = {"kernel_size": k, "stride": s, "padding": p, "ceil_mode": True, "count_include_pad": include}
    check(lambda x: avg_pool1d(x, **kw), lambda x: F.avg_pool1d(x, **kw), [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("divisor", [None, 3])
def test_pool2d_ceil_mode_kernel_past_the_input(divisor, dtype):
    x = np.random.default_rng(2).uniform(-1, 1, (1, 2, 1, 5))
    most = {"kernel_size": (2, 3), "stride": (2, 3), "ceil_mode": True}
    mean = {**most, "count_include_pad": False, "divisor_override": divisor}
    check(lambda x: max_pool2d(x, **most), lambda x: F.max_pool2d(x, **most), [x], dtype)
    check(lambda x: avg_pool2d(x, **mean), lambda x: F.avg_pool2d(x, **mean), [x], dtype)


@pytest.mark.parametrize("pool", [max_pool1d, avg_pool1d])
def test_ceil_mode_still_refuses_a_kernel_past_the_input_by_the_stride(pool):
    """No window: PyTorch's output would have size 0 or less, and it refuses; so does chainrule."""
    x = np.zeros((1, 1, 2))
    with pytest.raises(RuntimeError):
        getattr(F, pool.__name__)(torch.tensor(x), 4, 1, ceil_mode=True)
    with pytest.raises(ShapeError, match=f"{pool.__name__}: the kernel"):
        pool(x, 4, 1, ceil_mode=True)

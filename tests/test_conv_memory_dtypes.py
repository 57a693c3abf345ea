"""What convolution and pooling ask of memory, against what they take (tracemalloc), where the dtype
they compute in is not the input's (a float32 input with a float64 weight computes in float64; an
integer input averages in floats) or where an index array is wider than an entry (max pooling's
backward finds its maxima with intp indices, 4 times a float16). And max pooling, which builds no
columns, is not refused for columns it never builds. No test here allocates more than a few MiB."""

import tracemalloc

import numpy as np
import pytest

import autograd
from autograd import Tensor, conv_limits


def _asked_and_taken(monkeypatch, call, operands):
    """(bytes asked of memory, peak bytes traced) for call(*operands) and its backward, after a first
    run (whose peak holds caches made once). Every size is asked (no floor), and nothing is allocated
    for the asking, which would count in the peak."""
    asked = []
    monkeypatch.setattr(conv_limits, "FLOOR", 0)
    monkeypatch.setattr(
        conv_limits, "check_memory", lambda fn, what, n, dtype, fix: asked.append(n * np.dtype(dtype).itemsize)
    )

    def run():
        out = call(*operands)
        if out.requires_grad:
            out.sum().backward()

    run()
    asked.clear()
    tracemalloc.start()
    try:
        run()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return sum(asked), peak


def _operand(shape, dtype):
    rng = np.random.default_rng(0)
    data = rng.standard_normal(shape) if np.dtype(dtype).kind == "f" else rng.integers(0, 9, shape)
    return Tensor(data.astype(dtype), requires_grad=np.dtype(dtype).kind == "f")


CASES = {
    # computed in float64 from a float32 input: asked in float32 before, half of what it took
    "conv2d float32 x, float64 weight": (
        autograd.conv2d,
        [((2, 4, 30, 30), np.float32), ((6, 4, 3, 3), np.float64)],
        {},
    ),
    "conv_transpose2d float32 x, float64 weight": (
        autograd.conv_transpose2d,
        [((2, 8, 20, 20), np.float32), ((8, 3, 4, 4), np.float64)],
        {"stride": 2, "padding": 1},
    ),
    # an int64 input computed in float64: its plane and columns are built as int64, then cast (asked 16%
    # and 25% less than it took, counting one plane for the cast)
    "conv2d int64 x, float32 weight": (
        autograd.conv2d,
        [((8, 4, 80, 20), np.int64), ((6, 4, 3, 3), np.float32)],
        {"padding": 1},
    ),
    "avg_pool2d int64": (
        autograd.avg_pool2d,
        [((8, 4, 120, 30), np.int64)],
        {"kernel_size": 3, "stride": 1, "padding": 1},
    ),
    # averaged in float32 from int8: asked in int8 before, 3.5 times less than it took
    "avg_pool2d int8": (autograd.avg_pool2d, [((4, 8, 30, 30), np.int8)], {"kernel_size": 3, "stride": 1}),
    # float16's transposed columns and their sums are float32 (rounded once): asked as float32
    "conv_transpose2d float16": (
        autograd.conv_transpose2d,
        [((2, 8, 20, 20), np.float16), ((8, 3, 4, 4), np.float16)],
        {"stride": 2, "padding": 1},
    ),
    "conv2d float16": (autograd.conv2d, [((2, 4, 30, 30), np.float16), ((6, 4, 3, 3), np.float16)], {}),
    # its weight gradient's columns cast to float32 for the products (rounded once over the batch)
    "conv2d float16, kernel 7": (autograd.conv2d, [((4, 4, 30, 30), np.float16), ((6, 4, 7, 7), np.float16)], {}),
    # the maxima's intp indices, 4 entries of float16 each (1-d float32 kernel 3: asked too few before)
    "max_pool2d float16, kernel 2": (autograd.max_pool2d, [((4, 8, 30, 30), np.float16)], {"kernel_size": 2}),
    "max_pool1d float32, kernel 3 stride 2": (
        autograd.max_pool1d,
        [((4, 8, 300), np.float32)],
        {"kernel_size": 3, "stride": 2, "padding": 1},
    ),
    "max_pool1d float16, kernel 5": (
        autograd.max_pool1d,
        [((4, 8, 300), np.float16)],
        {"kernel_size": 5, "stride": 1, "padding": 2},
    ),
    "max_pool2d float64, kernel 13": (
        autograd.max_pool2d,
        [((4, 8, 30, 30), np.float64)],
        {"kernel_size": 13, "stride": 1, "padding": 6},
    ),
}


@pytest.mark.parametrize("call, operands, geometry", CASES.values(), ids=CASES.keys())
def test_what_is_asked_of_memory_is_at_least_what_is_taken(call, operands, geometry, monkeypatch):
    asked, peak = _asked_and_taken(
        monkeypatch, lambda *xs: call(*xs, **geometry), [_operand(shape, dtype) for shape, dtype in operands]
    )
    assert peak <= asked


def test_max_pooling_is_not_refused_for_columns_it_never_builds(monkeypatch):
    """SPP's 13 x 13 stride-1 max pool of YOLOv3 on 19 x 19 maps of 512 channels, batch 64, float32:
    it builds the padded input, the output and the maxima's indices (about 0.9 GB), where its kernel
    entries times its output (8.4 GB) were asked of memory and refused."""
    asked = []
    monkeypatch.setattr(conv_limits, "check_memory", lambda fn, what, n, dtype, fix: asked.append(n * dtype.itemsize))
    x = Tensor(np.zeros((1, 1, 1, 1), np.float32))  # what conv_limits reads: its shape and dtype
    monkeypatch.setattr(type(x), "shape", (64, 512, 19, 19))
    conv_limits.check_windows("max_pool2d", x, (13, 13), (1, 1), ((6, 6), (6, 6)), (1, 1))
    assert asked == [(2 * 64 * 512 * 31**2 + (3 + 5 * 2) * 64 * 512 * 19**2) * 4]

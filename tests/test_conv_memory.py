"""Convolution's and pooling's memory on hostile geometry: an output grown by its padding alone is held
to the bound on what geometry builds, and all that an op and its gradient build (the padded plane, the
im2col columns, the output) is counted and asked of memory at once, before any allocation. The count
is at least what each op and its backward take (measured with tracemalloc), and ordinary networks'
layers stay within the bounds. No test here allocates more than a few MiB."""

import math
import tracemalloc
from contextlib import contextmanager
from types import SimpleNamespace

import numpy as np
import pytest
from address_space import address_space_left
from cpu_time import cpu_seconds_at_most

import autograd
from autograd import Tensor, conv_limits

PYTHON_OBJECTS = 2**14  # bytes of the graph's own objects beside the numbers a count is of

BOUND = (
    r"over the bound of 16,777,216 \(64 times the largest of the operands and the output without padding or of "
    r"the input's size"
)


@contextmanager
def _refused_at_once():
    """The block's peak of traced memory stays under 1 MiB, and it ends within half a second."""
    tracemalloc.start()
    try:
        with cpu_seconds_at_most(0.5):
            yield
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20


PADDED_OUTPUTS = {
    # 2e8 outputs of windows of zeros but one: 15.8 GB with its backward
    "conv1d": (
        lambda: autograd.conv1d(np.ones((1, 1, 5)), np.ones((1, 1, 3)), padding=10**8),
        r"conv1d: padding 100000000 would make an output of 200,000,003 entries, ",
    ),
    "conv2d": (
        lambda: autograd.conv2d(Tensor(np.ones((1, 1, 4, 4)), requires_grad=True), np.ones((2, 1, 3, 3)), padding=3000),
        r"conv2d: padding \(3000, 3000\) would make an output of 72,048,008 entries, ",
    ),
}


@pytest.mark.parametrize("call, message", PADDED_OUTPUTS.values(), ids=PADDED_OUTPUTS.keys())
def test_an_output_grown_by_its_padding_alone_is_refused_before_any_allocation(call, message):
    with _refused_at_once(), pytest.raises(MemoryError, match=message + BOUND):
        call()


def test_padding_that_fills_a_kernels_reach_is_not_refused(monkeypatch):
    """A "full" convolution (padding of the kernel's span less one) of a long kernel: its output, about
    twice the input, is within 64 times the operands, though without padding it has one entry."""
    monkeypatch.setattr(conv_limits, "check_memory", lambda *arguments: None)  # memory is the machine's
    n = 2**24
    x, w = _operand(1, 1, 1, n), _operand(1, 1, 1, n)
    conv_limits.check_windows("conv1d", x, (1, n), (1, 1), ((0, 0), (n - 1, n - 1)), (1, 1), w)


LONG_KERNELS = {
    # columns of 100,000 kernel entries at each of 100,001 positions: 80 GB, numpy's raw MemoryError before
    "conv1d": lambda: autograd.conv1d(np.ones((1, 1, 200000)), np.ones((1, 1, 100000))),
    "conv_transpose1d": lambda: autograd.conv_transpose1d(np.ones((1, 1, 100000)), np.ones((1, 1, 100000))),
}


@pytest.mark.parametrize("call", LONG_KERNELS.values(), ids=LONG_KERNELS.keys())
def test_columns_of_a_long_kernel_on_a_long_input_are_counted_before_any_allocation(call):
    with address_space_left(2**30), pytest.raises(MemoryError) as e:
        call()
    assert "kernel_size 100000: the arrays it and its gradient build (1" in str(e.value)
    assert str(e.value).endswith("entries of float64) does not fit in memory: use a smaller kernel, input or batch")


def _conv(xs, ws, **geometry):
    return autograd.conv2d if len(xs) == 4 else autograd.conv1d, xs, ws, geometry


CASES = [
    _conv((2, 3, 40, 40), (8, 3, 3, 3), padding=1),
    _conv((2, 8, 40, 40), (3, 8, 3, 3), padding=1),
    _conv((2, 8, 40, 40), (8, 1, 5, 5), padding=2, groups=8),
    _conv((8, 4, 100, 100), (4, 4, 3, 3), stride=2, padding=1),
    _conv((2, 6, 30, 30), (6, 2, 3, 3), padding=3, dilation=2, groups=3),
    _conv((1, 1, 200), (1, 1, 3), padding=100000),
    _conv((1, 1, 3000), (1, 1, 1500)),
    (autograd.conv_transpose2d, (2, 8, 20, 20), (8, 3, 4, 4), {"stride": 2, "padding": 1}),
    (autograd.conv_transpose2d, (8, 4, 50, 50), (4, 4, 5, 5), {"padding": 4}),
    (autograd.conv_transpose1d, (1, 1, 300), (1, 1, 300), {}),
]


def _count(fn, xs, ws, geometry, out_shape):
    """What conv_limits counts for this call: its padded plane, its columns and its output."""
    pad = geometry.get("padding", 0)
    if "transpose" in fn.__name__:  # the plane is the output before its padding is cut; columns per input position
        plane = math.prod(out_shape[:2]) * math.prod(n + 2 * pad for n in out_shape[2:])
        columns = math.prod(out_shape[:2]) * math.prod(ws[2:]) * math.prod(xs[2:])
    else:
        plane = math.prod(xs[:2]) * math.prod(n + 2 * pad for n in xs[2:])
        columns = math.prod(xs[:2]) * math.prod(ws[2:]) * math.prod(out_shape[2:])
    return conv_limits.built(plane, columns, math.prod(out_shape))


@pytest.mark.parametrize("fn, xs, ws, geometry", CASES)
def test_the_count_asked_of_memory_is_at_least_what_a_convolution_and_its_backward_take(fn, xs, ws, geometry):
    """After a first call (whose peak holds caches made once), in float64. The count is of numbers; the traced peak
    also holds the graph's Python objects (nodes, tuples, small index arrays): up to 16 KiB beside them, which made
    conv_transpose1d's 300-by-300 case (its columns 720,000 bytes of 743,960 counted) peak at 731,880..747,704 bytes
    by what ran before it in the process."""
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal(xs), requires_grad=True)
    w = Tensor(rng.standard_normal(ws), requires_grad=True)
    fn(x, w, **geometry).sum().backward()
    tracemalloc.start()
    try:
        out = fn(x, w, **geometry)
        out.sum().backward()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= _count(fn, xs, ws, geometry, out.shape) * 8 + PYTHON_OBJECTS


@pytest.mark.parametrize("pool", ["max_pool2d", "avg_pool2d"])
@pytest.mark.parametrize("kernel, stride, padding", [(3, 1, 1), (2, 2, 0), (13, 1, 6), (3, 2, 1)])
def test_the_count_asked_of_memory_is_at_least_what_a_pooling_and_its_backward_take(pool, kernel, stride, padding):
    x = Tensor(np.random.default_rng(1).standard_normal((4, 8, 30, 30)), requires_grad=True)
    run = getattr(autograd, pool)
    run(x, kernel, stride=stride, padding=padding).sum().backward()
    tracemalloc.start()
    try:
        out = run(x, kernel, stride=stride, padding=padding)
        out.sum().backward()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    plane = 4 * 8 * (30 + 2 * padding) ** 2
    assert peak <= conv_limits.built(plane, 4 * 8 * kernel**2 * math.prod(out.shape[2:]), out.size) * 8


def _operand(*shape, dtype=np.float32):
    """What conv_limits reads of an operand: its shape and dtype (no array is made)."""
    return SimpleNamespace(shape=shape, dtype=np.dtype(dtype))


NO_PADDING = ((0, 0), (0, 0))
ORDINARY = {  # (input, weight, kernel, stride, padding): layers of networks as they are trained
    "MNIST conv 1->32, batch 512": ((512, 1, 28, 28), (32, 1, 3, 3), (1, 1), ((1, 1), (1, 1))),
    "MNIST conv 32->64, batch 512": ((512, 32, 28, 28), (64, 32, 3, 3), (1, 1), ((1, 1), (1, 1))),
    "224 x 224, 64 channels, batch 32": ((32, 64, 224, 224), (64, 64, 3, 3), (1, 1), ((1, 1), (1, 1))),
    "ResNet stem 7 x 7, batch 64": ((64, 3, 224, 224), (64, 3, 7, 7), (2, 2), ((3, 3), (3, 3))),
    "depthwise 9 x 9, batch 32": ((32, 64, 56, 56), (64, 1, 9, 9), (1, 1), ((4, 4), (4, 4))),
    "raw audio 1->512, kernel 10, stride 5": ((8, 1, 1, 160000), (512, 1, 1, 10), (1, 5), NO_PADDING),
}


@pytest.mark.parametrize("x, weight, stride, padding", ORDINARY.values(), ids=ORDINARY.keys())
def test_ordinary_layers_are_within_the_bounds(x, weight, stride, padding, monkeypatch):
    """The bounds on geometry refuse none of them; memory is asked for what they build (not asked here:
    it depends on the machine)."""
    asked = []
    monkeypatch.setattr(conv_limits, "check_memory", lambda fn, what, entries, dtype, fix: asked.append(entries))
    conv_limits.check_windows("conv2d", _operand(*x), weight[2:], stride, padding, (1, 1), _operand(*weight))
    assert asked and asked[0] < 2**32


def test_an_upsampling_transposed_convolution_is_within_the_bounds(monkeypatch):
    """FCN-8s: stride 8 and kernel 16 make an output 66 times its input of 21 channels (512 x 512 from 64 x 64)."""
    monkeypatch.setattr(conv_limits, "check_memory", lambda *arguments: None)
    x, w = _operand(16, 21, 64, 64), _operand(21, 1, 16, 16)
    conv_limits.check_transposed(x, w, 21, (8, 8), (4, 4), (1, 1), (512, 512))


def test_padding_same_of_a_kernel_nearly_the_inputs_length_is_not_refused(monkeypatch):
    """conv1d 1 -> 256 channels, kernel 1023, padding='same', on 1024 samples at batch 128: its output
    (33.5M entries, 134 MB of float32) is the input's length times its channels, as PyTorch's; it was
    refused as grown by its padding (without padding, it has 2 entries per channel)."""
    monkeypatch.setattr(conv_limits, "check_memory", lambda *arguments: None)  # memory is the machine's
    x, w = _operand(128, 1, 1, 1024), _operand(256, 1, 1, 1023)
    conv_limits.check_windows("conv1d", x, (1, 1023), (1, 1), ((0, 0), (511, 511)), (1, 1), w)

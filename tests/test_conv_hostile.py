"""Convolution and pooling on hostile arguments: bool operands of a convolution (numpy's bool GEMM is
an OR, not a count), geometry whose padded input or pooling steps grow with the padding or kernel
rather than the operands (refused at once, before any allocation, naming the argument and the
bound), adaptive pooling's memory counted with its intermediates, sizes numpy would reject in its
own words, and the argument types and dtypes every path shares."""

import tracemalloc
from itertools import product

import numpy as np
import pytest
from address_space import address_space_left
from cpu_time import cpu_seconds_at_most

import autograd
from autograd import ShapeError, Tensor
from autograd.conv_args import windows_meet_input

# ---- bools: a convolution counts, numpy's bool GEMM does not ----


@pytest.mark.parametrize(
    "call",
    [
        lambda b: autograd.conv2d(b((1, 1, 3, 3)), b((1, 1, 3, 3))),
        lambda b: autograd.conv2d(np.ones((1, 1, 3, 3)), b((1, 1, 3, 3))),
        lambda b: autograd.conv1d(Tensor(b((1, 1, 3))), np.ones((1, 1, 3))),
        lambda b: autograd.conv_transpose2d(b((1, 1, 3, 3)), b((1, 1, 3, 3))),
    ],
    ids=["conv2d", "conv2d weight", "conv1d Tensor", "conv_transpose2d"],
)
def test_a_convolution_of_bools_is_refused_naming_the_cast(call):
    with pytest.raises(TypeError, match=r"not bools \(dtype bool\): convert them first, x.astype\(np.float32\)"):
        call(lambda shape: np.ones(shape, bool))


def test_poolings_of_bools_stay_exact():
    """A maximum of bools is their OR (exact); an average casts them to floats, as it casts integers."""
    x = np.zeros((1, 1, 4, 4), bool)
    x[0, 0, 0, :2] = True
    assert autograd.max_pool2d(x, 2).tolist() == [[[[True, False], [False, False]]]]
    np.testing.assert_array_equal(autograd.avg_pool2d(x, 2), [[[[0.5, 0.0], [0.0, 0.0]]]])


# ---- geometry that grows with the padding or kernel: refused before any allocation ----

ONE = np.ones((1, 1, 1, 1))
HOSTILE = {
    "avg_pool2d padding": (lambda: autograd.avg_pool2d(ONE, 6000, padding=3000), "padding"),
    # a padded plane of 8001 x 8001 for an output of 2 x 2 (padding 20000 and stride 40000: 11.9 GiB)
    "conv2d padding": (lambda: autograd.conv2d(ONE, ONE, stride=8000, padding=4000), "padding"),
    # an uncut plane of 10**10 entries for an output of 2 x 2 entries
    "conv_transpose2d padding": (
        lambda: autograd.conv_transpose2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)), stride=10**5, padding=49999),
        "padding",
    ),
}


@pytest.mark.parametrize("call, argument", HOSTILE.values(), ids=HOSTILE.keys())
def test_geometry_growing_past_its_operands_is_refused_at_once(call, argument):
    tracemalloc.start()
    try:
        with cpu_seconds_at_most(0.5):
            with pytest.raises(
                MemoryError, match=rf": {argument} .* would make .* entries, over the bound of 16,777,216"
            ):
                call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20


def test_a_max_pooling_kernel_past_its_bound_is_refused_at_once():
    """360000 Python steps of the kernel for one output took 6.8 s with its backward."""
    with cpu_seconds_at_most(0.5):
        with pytest.raises(ValueError, match=r"kernel_size \(600, 600\) has 360,000 entries, .* bound of 65,536"):
            autograd.max_pool2d(Tensor(ONE), 600, stride=600, padding=300)


def test_a_stride_1_pooling_with_a_large_kernel_is_ordinary_work():
    """YOLO's spatial pyramid pooling: 13 x 13 max pooling at stride 1 reads each entry 169 times, in any
    engine; it was refused as 'steps over the windows' past 64 times the input (a review's finding)."""
    x = np.random.default_rng(0).standard_normal((1, 512, 19, 19)).astype(np.float32)
    for k in (5, 9, 13):
        assert autograd.max_pool2d(Tensor(x), k, stride=1, padding=k // 2).shape == x.shape
    assert autograd.avg_pool2d(Tensor(x[:, :64]), 13, stride=1, padding=6).shape == (1, 64, 19, 19)


def test_ordinary_and_small_geometry_is_not_refused():
    """Global pooling (the kernel the input), a large kernel on a small input (under the floor of 2**24
    entries), and a padded input only somewhat larger than a big one."""
    assert autograd.avg_pool2d(np.ones((2, 3, 300, 300)), 300).shape == (2, 3, 1, 1)
    assert autograd.max_pool2d(ONE, 101, stride=1, padding=50).shape == (1, 1, 1, 1)
    assert autograd.conv2d(ONE, ONE, stride=2000, padding=1000).shape == (
        1,
        1,
        2,
        2,
    )
    x = np.ones((64, 1, 600, 500), np.float32)  # 19.2 million entries, over the floor
    assert autograd.conv2d(x, np.ones((1, 1, 3, 3), np.float32), stride=3, padding=1).shape == (64, 1, 200, 167)


def test_adaptive_pooling_counts_its_intermediates_before_any_work():
    """The output (11000 x 11000 float64: 0.97 GB) fits in the 1.5 GB left, the arrays that make it
    (about 4 times as much) do not: refused at once, where the check of the output alone let the work
    start, and numpy's MemoryError came after seconds."""
    x = Tensor(np.ones((1, 1, 2, 3)), requires_grad=True)
    with cpu_seconds_at_most(0.5), address_space_left(3 * 2**29):
        with pytest.raises(MemoryError, match=r"adaptive_avg_pool2d: an output of shape \(1, 1, 11000, 11000\) and"):
            autograd.adaptive_avg_pool2d(x, (11000, 11000))


def test_adaptive_pooling_counts_at_least_the_memory_it_takes():
    """The count its check asks memory for is at least the forward's peak, graph recorded (after a first
    call, whose peak holds numpy's and Python's caches made once: one of 4,096 outputs or more, whose check of
    finite values by BLAS makes its row of ones, 512 KiB, once a process)."""
    from autograd.pool_adaptive import _adaptive_entries

    autograd.adaptive_avg_pool2d(Tensor(np.ones((1, 1, 2, 3)), requires_grad=True), (100, 100))
    for shape, size in [((1, 1, 2, 3), (1000, 1000)), ((2, 3, 50, 40), (30, 300)), ((4, 8, 6, 6), (500, 5))]:
        x = Tensor(np.ones(shape), requires_grad=True)
        tracemalloc.start()
        try:
            autograd.adaptive_avg_pool2d(x, size)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak <= _adaptive_entries(shape, size) * 8


# ---- sizes numpy would refuse in its own words: one error naming the argument ----

SIZES = {
    "padding beyond memory": (
        lambda: autograd.conv2d(ONE, ONE, padding=10**30),
        ValueError,
        r"conv2d: too many values: .*: padding \(10+, 10+\): a padded input would have 4.0e\+60: use less padding",
    ),
    "pooling padding": (
        lambda: autograd.avg_pool2d(np.ones((1, 2, 5, 5)), 2**62, padding=2**61),
        MemoryError,
        r"avg_pool2d: padding \(2305843009213693952, 2305843009213693952\) would make a padded input of 4.2e\+37",
    ),
    "no output channels": (
        lambda: autograd.conv2d(np.ones((1, 2, 5, 5)), np.zeros((0, 2, 3, 3))),
        ShapeError,
        r"conv2d needs weight of shape \(out_channels, .* with at least 1 along axes \(0, 2, 3\), got shape \(0, 2",
    ),
    "a kernel of size 0": (
        lambda: autograd.conv1d(np.ones((1, 2, 5)), np.zeros((3, 2, 0))),
        ShapeError,
        r"conv1d needs weight .* at least 1 along axes \(0, 2\)",
    ),
    "transposed, no input rows": (
        lambda: autograd.conv_transpose2d(np.ones((1, 2, 0, 5)), np.ones((2, 3, 3, 3))),
        ShapeError,
        r"conv_transpose2d needs input .* at least 1 along axes \(2, 3\), got shape \(1, 2, 0, 5\)",
    ),
    "transposed stride": (
        lambda: autograd.conv_transpose2d(np.ones((1, 2, 5, 5)), np.ones((2, 3, 3, 3)), stride=10**30),
        ValueError,
        r"conv_transpose2d: too many values: .*: an output of shape \(1, 3, 40+3, 40+3\) .*: use a smaller stride",
    ),
}


@pytest.mark.parametrize("call, error, message", SIZES.values(), ids=SIZES.keys())
def test_sizes_numpy_would_refuse_are_one_error_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---- argument types, dtypes ----


@pytest.mark.parametrize("groups", [2.0, True, np.float64(2)])
def test_groups_of_the_wrong_kind_is_a_type_error(groups):
    with pytest.raises(TypeError, match="conv2d: groups must be an int, got"):
        autograd.conv2d(np.ones((1, 2, 5, 5)), np.ones((2, 1, 3, 3)), groups=groups)
    with pytest.raises(ValueError, match="conv2d: groups must be at least 1, got 0"):
        autograd.conv2d(np.ones((1, 2, 5, 5)), np.ones((2, 1, 3, 3)), groups=0)


@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.uint8, bool])
def test_adaptive_pooling_of_integers_gives_avg_pool2ds_dtype_on_every_path(dtype):
    x = np.ones((1, 1, 4, 4), dtype)
    expected = autograd.avg_pool2d(x, 2).dtype
    assert expected.kind == "f"
    assert [autograd.adaptive_avg_pool2d(x, s).dtype for s in (1, 2, 3)] == [expected] * 3


# ---- a window wholly in the padding, found at once ----


def test_windows_in_the_padding_are_found_as_by_each_windows_entries():
    """The vectorised check against each window's entries written out, on every small geometry."""
    for n, k, s, d in product(range(1, 6), range(1, 5), range(1, 4), range(2, 5)):
        for before in range(k // 2 + 1):
            span = d * (k - 1) + 1
            if span > n + 2 * before:
                continue
            starts = range(-before, n + before - span + 1, s)
            wholly = any(not any(0 <= t + i * d < n for i in range(k)) for t in starts)
            geometry = ((n, 1), (k, 1), (s, 1), ((before, before), (0, 0)), (d, 1))
            if wholly:
                with pytest.raises(ValueError, match="lies wholly in the padding"):
                    windows_meet_input("max_pool2d", *geometry)
            else:
                windows_meet_input("max_pool2d", *geometry)


def test_a_long_dilated_axis_is_checked_at_once():
    """32001 windows of 16000 entries each (an empty batch: no work to bound): a Python loop over the
    windows and their entries took 1.6 s (8.6 s for windows of 40000)."""
    with cpu_seconds_at_most(0.2):
        windows_meet_input("max_pool2d", (48000, 1), (16000, 1), (1, 1), ((8000, 8000), (0, 0)), (2, 1))

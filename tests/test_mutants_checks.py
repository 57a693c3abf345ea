"""Tests that kill the mutants a mutmut run over the trust checks left alive (docs/mutation-testing.md), in the
checks of numbers and shapes: dtype_fits, tensor_data and conv_limits (files, names, stale graphs and
compile's keys: test_mutants_checks_io.py, test_mutants_checks_compile.py). Each pins what a docstring
promises: the error's type and the words naming the problem, a bound enforced at its edge and not below it, a
copy really made."""

from decimal import Decimal
from types import SimpleNamespace

import numpy as np
import pytest
from address_space import address_space_left

import autograd
from autograd import Tensor, conv_limits

# --- dtype_fits: check_fits, check_cast_fits, _within, _shown


def test_a_float_dtypes_largest_value_fits_and_a_larger_one_does_not():
    """check_fits refuses a float beyond the dtype's largest, not the largest itself (65504 is float16's)."""
    assert autograd.full((2,), 65504.0, dtype=np.float16).data.tolist() == [65504.0, 65504.0]
    assert autograd.full((1,), -65504.0, dtype=np.float16).data.tolist() == [-65504.0]
    with pytest.raises(ValueError, match=r"^full: 100000.0 does not fit float16 \(largest 65504\): .*infinity"):
        autograd.full((1,), 1e5, dtype=np.float16)


@pytest.mark.parametrize("value, dtype", [(65519.0, np.float16), (3.4028235e38, np.float32)])
def test_a_float_that_rounds_to_the_largest_finite_value_is_stored_as_numpy_stores_it(value, dtype):
    assert np.isfinite(np.array(value).astype(dtype))  # numpy's own cast: finite, the dtype's largest
    t = autograd.full((1,), value, dtype=dtype)
    assert t.data.tolist() == [float(np.finfo(dtype).max)]


def test_an_integer_message_ends_with_the_range_when_no_fix_is_given():
    """`fix` is empty by default: full()'s refusal ends with the dtype's range."""
    with pytest.raises(ValueError) as e:
        autograd.full((1,), 300, dtype=np.int8)
    assert str(e.value) == "full: 300 does not fit int8, which holds -128 to 127"


@pytest.mark.parametrize(
    "value, shown",
    [(10**30, str(10**30)), (-(10**30), str(-(10**30))), (10**30 + 1, "an integer of 31 digits")],
)
def test_an_integer_beyond_10_to_the_30_is_named_by_its_count_of_digits(value, shown):
    with pytest.raises(ValueError) as e:
        autograd.full((1,), value, dtype=np.int64)
    assert str(e.value).startswith(f"full: {shown} does not fit int64")


def test_a_cast_of_integers_names_the_first_that_does_not_fit_after_one_at_the_edge():
    """255 fits uint8 exactly; the 300 after it is refused, not passed on as 44."""
    assert Tensor(np.array([0, 255])).astype(np.uint8).data.tolist() == [0, 255]
    with pytest.raises(ValueError, match=r"^astype\(uint8\): 300 does not fit uint8, which holds 0 to 255; clip"):
        Tensor(np.array([255, 300])).astype(np.uint8)
    with pytest.raises(ValueError, match=r"^astype\(int8\): -129 does not fit int8"):
        Tensor(np.array([-128, -129])).astype(np.int8)


def test_a_cast_of_floats_says_to_replace_nan_as_well_as_to_clip():
    with pytest.raises(ValueError) as e:
        Tensor(np.array([1.0, 300.0])).astype(np.uint8)
    assert str(e.value).endswith(
        "; clip the values into uint8's range first (t.clip(low, high)) and replace NaN (t.masked_fill(t.isnan(), 0))"
    )


# --- tensor_data: an index's refusals in their own words; a dtype numpy does not read


def test_a_ragged_list_index_is_refused_naming_the_index():
    with pytest.raises(ValueError) as e:
        Tensor(np.ones((2, 3)))[[[0, 1], [0]]]
    assert (
        str(e.value)
        == "an index: the list has rows of different lengths, which make no array: give rows all of one length"
    )


def test_an_empty_list_index_picks_nothing_as_numpy_does():
    assert Tensor(np.ones((2, 3)))[[]].shape == np.ones((2, 3))[[]].shape == (0, 3)


def test_a_float_index_tensor_is_refused_naming_its_dtype_and_the_fix():
    with pytest.raises(IndexError) as e:
        Tensor(np.ones((2, 3)))[Tensor([0.0, 1.0])]
    assert str(e.value) == (
        "an index Tensor must hold integers or booleans, got dtype float32 (Tensor() makes lists float32: index "
        "with np.array([...]), or .astype(int) first)"
    )


@pytest.mark.parametrize("data", [[1, 2], np.array([1, 2])])
def test_a_dtype_numpy_does_not_read_is_refused_in_tensors_name(data):
    with pytest.raises(TypeError) as e:
        Tensor(data, dtype="nonsense")
    # named as the dtype's fault: "Tensor() needs numbers, got list that numpy cannot make an array of" blamed the data
    assert str(e.value) == "Tensor(): 'nonsense' is not a dtype numpy has: give one such as np.float64"


@pytest.mark.parametrize(
    "data, dtype, error, words",
    [
        ([[1, 2], [3]], np.float32, ValueError, "Tensor(): the list has rows of different lengths"),
        ([None], np.int64, TypeError, "Tensor() needs numbers, got list that numpy cannot make an array of (int()"),
        # numpy's ValueError that is not about ragged rows stays the TypeError of what numpy cannot make
        ([Decimal("NaN")], np.int64, TypeError, "Tensor() needs numbers, got list that numpy cannot make an array of"),
        # a dtype that holds no real numbers is the dtype's fault, refused before numpy reads the data
        ([1.5], "datetime64[s]", TypeError, "Tensor(): tensors hold bool, integer or floating-point numbers"),
    ],
)
def test_data_numpy_refuses_with_a_dtype_is_refused_in_tensors_name(data, dtype, error, words):
    with pytest.raises(error) as e:
        Tensor(data, dtype=dtype)
    assert type(e.value) is error and str(e.value).startswith(words)


def test_a_list_of_integers_beyond_float32_is_refused_naming_the_dtypes_to_pass():
    with pytest.raises(ValueError) as e:
        Tensor([1, 2**24 + 1])
    assert str(e.value) == (
        "Tensor(): integers beyond 2**24 do not fit float32, the dtype lists are given: pass dtype=np.int64 "
        "(token ids, counts) or dtype=np.float64, or a numpy array"
    )


# --- conv_limits: the bound on what convolution and pooling build, at its edge; memory by dtype


def _operand(*shape, dtype=np.float32):
    """What conv_limits reads of an operand: its shape and dtype (no array is made)."""
    return SimpleNamespace(shape=shape, dtype=np.dtype(dtype))


BOUND_WORDS = "(64 times the largest of the operands and the output, at least 16,777,216)"


def test_counts_in_messages_switch_to_a_power_of_ten_at_10_to_the_15():
    assert conv_limits._count(10**15 - 1) == "999,999,999,999,999"
    assert conv_limits._count(10**15) == "1.0e+15"
    assert conv_limits._count(4 * 10**60) == "4.0e+60"


@pytest.mark.parametrize(
    "size, kernel, stride, padding, dilation",
    [((5, 7), (3, 2), (2, 1), ((1, 1), (0, 2)), (1, 2)), ((9, 4), (2, 4), (3, 2), ((0, 3), (1, 1)), (3, 1))],
)
def test_out_size_is_the_shape_the_pooling_returns(size, kernel, stride, padding, dilation):
    """out_size counts the windows that fit in the padded input: the op's own output shape."""
    x = np.arange(np.prod(size), dtype=np.float64).reshape(1, 1, *size)
    padded = np.pad(x, ((0, 0), (0, 0), *padding))
    w = np.ones((1, 1, *kernel))
    expected = autograd.conv2d(padded, w, stride=stride, dilation=dilation).shape[2:]
    assert conv_limits.out_size(size, kernel, stride, padding, dilation) == expected


def test_max_poolings_kernel_bound_is_its_count_of_entries_at_the_edge():
    """65,536 kernel entries are taken, whatever their shape; 66,048 are refused, counted as the product."""
    for kernel in [(256, 256), (128, 512)]:
        conv_limits.check_windows("max_pool2d", _operand(1, 1, *kernel), kernel, (1, 1), ((0, 0), (0, 0)), (1, 1))
    with pytest.raises(ValueError) as e:
        x = _operand(1, 1, 129, 512)
        conv_limits.check_windows("max_pool2d", x, (129, 512), (1, 1), ((0, 0), (0, 0)), (1, 1))
    assert str(e.value) == (
        "max_pool2d: kernel_size (129, 512) has 66,048 entries, which max pooling steps through one by one, "
        "over the bound of 65,536: use a smaller kernel"
    )


def test_a_padded_input_at_the_bound_is_built_and_one_row_past_it_is_refused_naming_each_axis_padding():
    """The input (2, 3, 200, 300) is the largest operand: bound 64 * 360,000; padding 900 and 810 make a
    padded input of exactly that, 811 one over (padding shown as given, axis by axis)."""
    x, w = _operand(2, 3, 200, 300), _operand(1, 3, 1, 1)
    conv_limits.check_windows("conv2d", x, (1, 1), (1000, 1000), ((900, 900), (810, 810)), (1, 1), w)
    with pytest.raises(MemoryError) as e:
        conv_limits.check_windows("conv2d", x, (1, 1), (1000, 1000), ((900, 900), (811, 811)), (1, 1), w)
    assert str(e.value) == (
        "conv2d: padding (900, 811) would make a padded input of 23,064,000 entries, over the bound of 23,040,000 "
        f"{BOUND_WORDS}: use less padding"
    )
    with pytest.raises(MemoryError, match=r"^conv2d: padding \(\(900, 901\), \(811, 811\)\) would make .* of 23,"):
        conv_limits.check_windows("conv2d", x, (1, 1), (1000, 1000), ((900, 901), (811, 811)), (1, 1), w)


def test_a_convolutions_bound_counts_its_weight_when_that_is_the_largest_operand():
    x, w = _operand(1, 1, 1, 1), _operand(400, 1, 30, 30)  # 360,000 weights; an output of 400 * 5 * 5
    conv_limits.check_windows("conv2d", x, (30, 30), (1000, 1000), ((2399, 2399), (2399, 2399)), (1, 1), w)
    with pytest.raises(MemoryError, match=r"of 23,049,601 entries, over the bound of 23,040,000 "):
        conv_limits.check_windows("conv2d", x, (30, 30), (1000, 1000), ((2400, 2400), (2400, 2400)), (1, 1), w)


def test_a_convolutions_bound_counts_its_output_channels_when_the_output_is_the_largest():
    """An output of 100 channels (the weight's first axis) of 101 x 101: bound 64 * 1,020,100."""
    x, w = _operand(1, 1, 1, 1), _operand(100, 1, 1, 1)
    with pytest.raises(MemoryError) as e:
        conv_limits.check_windows("conv2d", x, (1, 1), (100, 100), ((5000, 5000), (5000, 5000)), (1, 1), w)
    assert "a padded input of 100,020,001 entries, over the bound of 65,286,400 " in str(e.value)


def test_a_padded_input_within_the_bound_but_not_in_memory_is_named_with_its_dtype():
    """The padded input twice, its columns and the output three times over: 6 * 1,600,160,004 entries."""
    x, w = _operand(1, 1, 40000, 40000), _operand(1, 1, 1, 1)
    with address_space_left(2**30), pytest.raises(MemoryError) as e:
        conv_limits.check_windows("conv2d", x, (1, 1), (1, 1), ((1, 1), (1, 1)), (1, 1), w)
    assert str(e.value) == (
        "conv2d: kernel_size (1, 1): the arrays it and its gradient build (9,600,960,024 entries of float32) does "
        "not fit in memory: use a smaller kernel, input or batch"
    )


def test_a_poolings_windows_that_do_not_fit_in_memory_are_refused_by_their_count():
    """Kernel entries times the output (2 * 3 * 301 * 251) are the windows avg pooling builds (2,266,530,000),
    with the input twice (720,000 each) and the output three times over."""
    x = _operand(2, 3, 400, 300)
    with address_space_left(2**30), pytest.raises(MemoryError) as e:
        conv_limits.check_windows("avg_pool2d", x, (100, 50), (1, 1), ((0, 0), (0, 0)), (1, 1))
    assert str(e.value) == (
        "avg_pool2d: kernel_size (100, 50): the arrays it and its gradient build (2,269,329,918 entries of float32) "
        "does not fit in memory: use a smaller kernel, input or batch"
    )


@pytest.mark.parametrize(
    "x, weight, size, edge, over, bound",
    [  # the largest operand: the input, the weight, the output (of 2 * 3 channels: the weight's second axis)
        ((1, 1, 600, 600), (1, 1, 1, 1), (10, 10), 2395, "23,059,204", "23,040,000"),
        ((1, 1, 1, 1), (1, 1, 600, 600), (10, 10), 2395, "23,059,204", "23,040,000"),
        ((2, 1, 1, 1), (1, 3, 1, 1), (300, 300), 1050, "34,617,624", "34,560,000"),
    ],
)
def test_a_transposed_convolutions_uncut_output_is_bounded_at_its_edge(x, weight, size, edge, over, bound):
    x, w = _operand(*x), _operand(*weight)
    conv_limits.check_transposed(x, w, 1, (1, 1), (edge, edge), (1, 1), size)
    with pytest.raises(MemoryError) as e:
        conv_limits.check_transposed(x, w, 1, (1, 1), (edge + 1, edge + 1), (1, 1), size)
    assert str(e.value) == (
        f"conv_transpose2d: padding ({edge + 1}, {edge + 1}) would make an output before its padding is cut of "
        f"{over} entries, over the bound of {bound} {BOUND_WORDS}: use less padding"
    )


def test_a_transposed_convolutions_output_and_uncut_plane_are_named_in_their_dtype_where_memory_lacks():
    x, w = _operand(1, 1, 1, 1), _operand(1, 1, 1, 1)
    with address_space_left(2**30), pytest.raises(MemoryError) as e:
        conv_limits.check_transposed(x, w, 1, (3, 3), (0, 0), (2, 2), (40000, 40000))
    assert str(e.value) == (
        "conv_transpose2d: an output of shape (1, 1, 40000, 40000) (1,600,000,000 entries of float32) does not fit "
        "in memory: use a smaller stride (3, 3), dilation (2, 2) or input"
    )
    # the output, 512 MiB, fits; the uncut plane (1.5 GiB) twice with the output three times over does not
    with address_space_left(2**30), pytest.raises(MemoryError) as e:
        conv_limits.check_transposed(x, w, 1, (1, 1), (8192, 0), (1, 1), (8192, 16384))
    assert str(e.value) == (
        "conv_transpose2d: kernel_size (1, 1): the arrays it and its gradient build (1,207,959,553 entries of "
        "float32) does not fit in memory: use a smaller kernel, input or batch"
    )


def test_memory_is_asked_for_above_the_floor_only_and_in_the_arrays_dtype():
    """FLOOR entries are never refused (never asked for); above, memory is asked in the dtype given."""
    floor = conv_limits.FLOOR
    with address_space_left(2**26):  # 64 MiB: the floor's 128 MiB of float64 would not fit
        conv_limits.check_memory("f", "it", floor, np.dtype(np.float64), "fix")
        with pytest.raises(MemoryError, match=r"^f: it \(16,777,217 entries of float64\) does not fit in memory: fix$"):
            conv_limits.check_memory("f", "it", floor + 1, np.dtype(np.float64), "fix")
    with address_space_left(2**30):
        conv_limits.check_memory("f", "it", 2**28 - 2**20, np.dtype(np.float32), "fix")  # 1 GiB less 4 MiB
        with pytest.raises(MemoryError, match=r"entries of float64\) does not fit"):
            conv_limits.check_memory("f", "it", 2**28 - 2**20, np.dtype(np.float64), "fix")

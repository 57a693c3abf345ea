"""Tests that kill the mutants a mutmut run over last session's trust checks left alive (docs/mutation-testing.md):
dtype_fits, tensor_data, conv_limits, nn's io_safetensors and structure, viz's kept, tensor_errors and
compile_record. Each pins what a docstring promises: the error's type and the words naming the problem,
a bound enforced at its edge and not below it, a copy really made."""

import html
import json
import re
import sys
import warnings
import zlib
from types import SimpleNamespace

import numpy as np
import pytest
from address_space import address_space_left

import autograd
import nn
import viz
from autograd import Tensor, Value, conv_limits, tensor_errors
from nn import io_safetensors
from viz import kept as viz_kept

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
    assert str(e.value).startswith("Tensor() needs numbers") and "data type 'nonsense' not understood" in str(e.value)


@pytest.mark.parametrize(
    "data, dtype, error, words",
    [
        ([[1, 2], [3]], np.float32, ValueError, "Tensor(): the list has rows of different lengths"),
        ([None], np.int64, TypeError, "Tensor() needs numbers, got list that numpy cannot make an array of (int()"),
        # numpy's ValueError that is not about ragged rows stays the TypeError of what numpy cannot make
        ([1.5], "datetime64[s]", TypeError, "Tensor() needs numbers, got list that numpy cannot make an array of"),
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


# --- nn.io_safetensors: the header's checks by their words, the checksum's definition, the byte order


def _st_file(header, data=b"", length=None):
    """A .safetensors file by hand: the header's length (or `length`), the JSON header, the data."""
    text = header if isinstance(header, bytes) else json.dumps(header, separators=(",", ":")).encode()
    return (len(text) if length is None else length).to_bytes(8, "little") + text + data


def _st_entry(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


def _st_refusal(tmp_path, content):
    """nn.load's words (after the path) refusing `content` for nn.Linear(2, 2): W (2, 2) and b (2,) float32."""
    pytest.importorskip("safetensors.numpy")
    path = tmp_path / "crafted.safetensors"
    path.write_bytes(content)
    with pytest.raises(ValueError) as e:
        nn.load(nn.Linear(2, 2, seed=0), path)
    return str(e.value).split("(a readable .safetensors file): ", 1)[1]


GOOD_ENTRIES = {"W": _st_entry("F32", [2, 2], 0, 16), "b": _st_entry("F32", [2], 16, 24)}


@pytest.mark.parametrize(
    "header, words",
    [
        ({**GOOD_ENTRIES, "W": [1, 2]}, "entry 'W' is not an object of dtype, shape and data_offsets"),
        (
            {**GOOD_ENTRIES, "W": _st_entry("Q8", [2, 2], 0, 16)},
            "entry 'W' has dtype 'Q8', none of those nn.load reads "
            "(F16, F32, F64, C64, BOOL, I8, U8, I16, U16, I32, U32, I64, U64)",
        ),
        ({**GOOD_ENTRIES, "W": _st_entry(["F32"], [2, 2], 0, 16)}, "entry 'W' has dtype ['F32'], none of those"),
        (
            {**GOOD_ENTRIES, "W": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 8, 16]}},
            "entry 'W' needs a shape and two data_offsets, as lists of natural numbers",
        ),
        ({**GOOD_ENTRIES, "W": _st_entry("F32", [-2, -2], 0, 16)}, "entry 'W' needs a shape and two data_offsets"),
        ({**GOOD_ENTRIES, "W": _st_entry("F32", {}, 0, 16)}, "entry 'W' needs a shape and two data_offsets"),
        ({**GOOD_ENTRIES, "W": _st_entry("F32", "", 0, 16)}, "entry 'W' needs a shape and two data_offsets"),
        ({**GOOD_ENTRIES, "b": _st_entry("F32", [2], 16.0, 24)}, "entry 'b' needs a shape and two data_offsets"),
        ([GOOD_ENTRIES], "its header is a JSON list, not an object of named tensors"),
        ({"__metadata__": "notes", **GOOD_ENTRIES}, "its __metadata__ is not an object of strings"),
        ({"__metadata__": ["notes"], **GOOD_ENTRIES}, "its __metadata__ is not an object of strings"),
    ],
)
def test_a_bad_safetensors_header_is_refused_in_its_own_words(tmp_path, header, words):
    refusal = _st_refusal(tmp_path, _st_file(header, bytes(24)))
    assert refusal == words if words.endswith(")") or words.endswith("tensors") else refusal.startswith(words)
    assert "None" not in refusal and "XX" not in refusal


def test_a_files_first_8_bytes_must_be_there_and_an_empty_header_is_not_json(tmp_path):
    assert _st_refusal(tmp_path, bytes(7)) == "it has 7 bytes, too few for the 8 that give its header's length"
    assert _st_refusal(tmp_path, bytes(8)).startswith("its header is not JSON: ")


def test_the_header_length_is_bounded_by_the_models_names_and_shapes_at_its_edge(tmp_path):
    """16 KiB of metadata, then per entry 96 bytes, 4 per character of its name, 21 per dimension:
    16,384 + (96 + 4 + 42) + (96 + 4 + 21) = 16,647 for W (2, 2) and b (2,)."""
    over = _st_refusal(tmp_path, _st_file(b"{}", bytes(100), length=16_648))
    assert over == "its header declares 16,648 bytes, more than one for these parameters takes (16,647)"
    at = _st_refusal(tmp_path, _st_file(b"{}", bytes(100), length=16_647))
    assert at == "its header declares 16,647 bytes, but only 102 follow"


def test_a_header_one_byte_longer_than_what_follows_is_refused_by_its_length(tmp_path):
    text = json.dumps(GOOD_ENTRIES, separators=(",", ":")).encode()
    refusal = _st_refusal(tmp_path, _st_file(text, bytes(3), length=len(text) + 4))
    assert refusal == f"its header declares {len(text) + 4:,} bytes, but only {len(text) + 3:,} follow"


def test_the_checksum_is_the_documented_crc32_and_covers_each_entrys_name_dtype_and_shape(tmp_path):
    """nn.save writes the CRC-32 (from 0) of each entry's JSON [name, dtype, shape] and bytes, by name:
    a file whose two weights' names are swapped, data untouched, is refused as corrupted."""
    pytest.importorskip("safetensors.numpy")
    model, path = nn.Sequential(nn.Linear(2, 2, seed=0), nn.Linear(2, 2, seed=1)), tmp_path / "m.safetensors"
    nn.save(model, path)
    raw = path.read_bytes()
    length = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + length])
    crc = 0
    for name in sorted(k for k in header if k != "__metadata__"):
        entry = header[name]
        dtype = np.dtype(io_safetensors.DTYPES[entry["dtype"]]).str
        crc = zlib.crc32(json.dumps([name, dtype, entry["shape"]]).encode(), crc)
        begin, end = entry["data_offsets"]
        crc = zlib.crc32(raw[8 + length + begin : 8 + length + end], crc)
    assert header["__metadata__"] == {io_safetensors.CHECKSUM: f"{crc:08x}"}

    names = raw[: 8 + length].replace(b'"layers.0.W":', b'"layers.X.W":').replace(b'"layers.1.W":', b'"layers.0.W":')
    swapped = names.replace(b'"layers.X.W":', b'"layers.1.W":')
    path.write_bytes(swapped + raw[8 + length :])
    with pytest.raises(ValueError, match="is corrupted: its data does not match the checksum nn.save wrote"):
        nn.load(nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2)), path)


def test_big_endian_parameters_are_saved_little_endian_and_load_as_they_were(tmp_path):
    pytest.importorskip("safetensors.numpy")
    path = tmp_path / "m.safetensors"
    state = {"W": np.array([[1.5, -2.0], [3.25, 4.0]], ">f4"), "b": np.array([0.5, -0.5], ">f4")}
    with open(path, "wb") as f:
        io_safetensors.write(f, state)
    loaded = nn.Linear(2, 2, seed=1)
    nn.load(loaded, path)
    assert loaded.W.data.tolist() == [[1.5, -2.0], [3.25, 4.0]] and loaded.b.data.tolist() == [0.5, -0.5]


def test_a_file_that_grows_while_it_is_read_is_refused(tmp_path):
    pytest.importorskip("safetensors.numpy")
    path = tmp_path / "m.safetensors"
    nn.save(nn.Linear(2, 2, seed=0), path)
    size = path.stat().st_size

    def grow(layout):
        with open(path, "ab") as more:
            more.write(bytes(8))

    with open(path, "rb") as f, pytest.raises(ValueError) as e:
        io_safetensors.read(f, {"W": ((2, 2), np.dtype(np.float32)), "b": ((2,), np.dtype(np.float32))}, grow)
    assert str(e.value) == f"it changed while it was read: {size:,} bytes, then {size + 1:,}"


def test_without_the_safetensors_package_the_error_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "safetensors", None)
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    with pytest.raises(ImportError) as e:
        nn.save(nn.Linear(2, 2, seed=0), tmp_path / "m.safetensors")
    assert str(e.value) == '.safetensors files need safetensors: pip install "chainrule[safetensors]"'


# --- nn.structure: the words of an ambiguous attribute name


def test_an_attribute_name_with_a_dot_is_refused_naming_the_modules_attributes():
    model = nn.Linear(2, 2)
    setattr(model, "a.b", nn.Linear(2, 2))
    with pytest.raises(ValueError) as e:
        list(model.parameters())
    assert str(e.value) == (
        "the module's attributes holds modules or parameters under the key 'a.b', which would make their dotted "
        "names ambiguous; use keys that are non-empty and have no '.'"
    )


# --- viz.kept: a stale graph's refusal in its own words; holds_gradient's tolerance


def test_a_stale_graphs_refusal_writes_unlabelled_values_by_their_data_and_the_op_as_it_gives_now():
    w, x = Value(0.7), Value(2.0)
    loss = (w * x - 1.0) ** 2
    loss.backward()
    w.data += -0.1 * w.grad
    with pytest.raises(ValueError) as e:
        viz.backward_steps(loss)
    assert str(e.value) == (
        "the player and backward_steps compute each step's gradient from the graph's data, but the data changed "
        "after the forward pass: 0.54 * 2 holds 1.4 from it, and gives 1.08 now (an input was changed: an update "
        "such as w.data += -0.1 * w.grad, an optimizer's step). Gradients computed now would be neither backward's "
        "nor those at the new data: run the forward again and draw its root"
    )


def test_a_stale_tensor_graphs_refusal_names_unlabelled_tensors_by_their_shape():
    w = Tensor(np.ones((2, 2)), requires_grad=True)
    loss = (w @ Tensor(np.ones(2))).sum()
    loss.backward()
    w.data -= 0.5
    with pytest.raises(
        ValueError, match=r"data changed after the forward pass: a tensor of shape \(2, 2\) @ a tensor "
    ):
        viz.backward_steps(loss)


def test_a_stale_graph_reruns_its_op_without_numpys_warnings():
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    loss = a.log().sum()
    loss.backward()
    a.data[...] = 0.0  # log(0): numpy's divide warning, inside the refusal's rerun
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(
            ValueError, match=r"log\(a tensor of shape \(2,\)\) holds .* from it, and gives 2 -inf of 2 now"
        ):
            viz.backward_steps(loss)


def test_a_drawing_shows_no_gradient_on_the_constants_an_operator_lifted():
    """The 1 of `w * x - 1.0` and the 2 of `** 2` hold a .grad after backward, but are no values: drawn bare."""
    w, x = Value(0.7, label="w"), Value(2.0, label="x")
    loss = (w * x - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    svg = viz.draw(loss).pipe(format="svg").decode()
    told = html.unescape(" ".join(re.findall(r">([^<>]+)</text>", svg)))
    assert (
        told
        == "loss data 0.16 grad 1 ** 2 data 0.4 grad 0.8 - 1 data 1.4 grad 0.8 * x data 2 grad 0.56 w data 0.7 grad 1.6"
    )


def test_holds_gradient_is_the_same_number_or_within_a_billionth_nans_matching_shapes_equal():
    assert viz_kept.holds_gradient(0.5, 0.4999999999999999)
    assert viz_kept.holds_gradient(1.0, 1.0 + 1e-10) and not viz_kept.holds_gradient(1.0, 1.0 + 1e-8)
    assert not viz_kept.holds_gradient(0.0, 1e-12)  # no absolute tolerance: a gradient of 0 is 0
    assert viz_kept.holds_gradient(np.array([np.nan, 1.0]), np.array([np.nan, 1.0 + 1e-12]))
    assert not viz_kept.holds_gradient(np.zeros(2), np.zeros(3)) and not viz_kept.holds_gradient(np.zeros(1), 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not viz_kept.holds_gradient(1e308, -1e308)  # the difference overflows: no warning


# --- tensor_errors: numpy's ragged-list complaint in a forward named for the op


def test_numpys_ragged_list_complaint_in_a_forward_is_the_ragged_value_error_naming_the_op():
    op = autograd.Op("mine", lambda x: x, lambda g, out, x: (g,))
    numpys = ValueError("setting an array element with a sequence. The requested array has an inhomogeneous shape")
    error = tensor_errors.forward_error(op, [np.ones(2)], numpys)
    assert type(error) is ValueError
    assert (
        str(error) == "mine: the list has rows of different lengths, which make no array: give rows all of one length"
    )


# --- compile_record: guard's refusals and keys; replayed methods known by identity


@pytest.mark.parametrize(
    "owner, name, words",
    [
        (nn.Linear(2, 2), 5, "guard: name must be the attribute's name (a str), got int 5"),
        (
            3.5,
            "p",
            "guard: owner must be the module or optimizer whose attribute the step's graph depends on, got float 3.5",
        ),
    ],
)
def test_guard_refuses_a_name_or_owner_it_cannot_watch_naming_its_type_and_value(owner, name, words):
    with pytest.raises(TypeError) as e:
        autograd.guard(owner, name)
    assert str(e.value) == words


def test_guards_of_two_owners_with_one_attribute_name_are_both_watched():
    a, b = SimpleNamespace(scale=1.0), SimpleNamespace(scale=1.0)
    step = autograd.compile(lambda x: (x * autograd.guard(a, "scale") * autograd.guard(b, "scale")).sum())
    x = Tensor(np.ones(3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [step(x).item() for _ in range(3)] == [3.0, 3.0, 3.0]
        b.scale = 2.0
        assert [step(x).item() for _ in range(3)] == [6.0, 6.0, 6.0]


def test_an_argument_with_a_replayed_method_of_its_own_is_known_by_identity_and_the_step_replays():
    """A class of the user's whose method is @autograd.replayed (an average of the weights) is known by
    identity, as nn's optimizers: the step replays, where an argument equal only to itself runs eagerly."""
    model = nn.Linear(2, 1, seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)

    class Average:
        def __init__(self, params):
            self.params, self.kept = params, [p.data.copy() for p in params]

        @autograd.replayed
        def update(self):
            for kept, p in zip(self.kept, self.params):
                kept *= 0.5
                kept += 0.5 * p.data

    def train(x, y, average):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        average.update()
        return loss

    step, average = autograd.compile(train), Average(model.parameters())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no CompileWarning: the step is replayed
        losses = [step(Tensor(np.ones((4, 2))), Tensor(np.zeros((4, 1))), average).item() for _ in range(4)]
    assert losses == sorted(losses, reverse=True) and losses[-1] < losses[0]

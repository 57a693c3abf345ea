"""Tests that kill the mutants a mutmut run over the trust checks left alive (docs/mutation-testing.md), in what
reads files and names: nn's io_safetensors and structure, viz's kept (tensor_errors and compile_record:
test_mutants_checks_compile.py; numbers and shapes: test_mutants_checks.py). Each pins what a docstring
promises: the error's type and the words naming the problem, a bound enforced at its edge, a copy really made."""

import html
import json
import re
import sys
import warnings
import zlib

import numpy as np
import pytest

import nn
import viz
from autograd import Tensor, Value
from nn import io_safetensors
from viz import kept as viz_kept

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


def test_a_files_first_8_bytes_must_be_there_and_declare_a_length_a_header_may_have(tmp_path):
    assert _st_refusal(tmp_path, (400).to_bytes(8, "little")[:7]).startswith(
        "it is cut short: it has 7 bytes, too few for the 8 that give its header's length. "
    )
    assert _st_refusal(tmp_path, bytes(8)).startswith(
        "it does not begin as a .safetensors file does (8 bytes of its header's length, then the header's '{')"
    )
    assert _st_refusal(tmp_path, (400).to_bytes(8, "little")).startswith(
        "it is cut short: its header declares 400 bytes, but only 0 follow. "
    )


def test_the_header_length_is_bounded_by_the_models_names_and_shapes_at_its_edge(tmp_path):
    """16 KiB of metadata, then per entry 96 bytes, 4 per character of its name, 21 per dimension:
    16,384 + (96 + 4 + 42) + (96 + 4 + 21) = 16,647 for W (2, 2) and b (2,)."""
    over = _st_refusal(tmp_path, _st_file(b'{"', bytes(100), length=16_648))  # a header cut: "{}" is whole
    assert over == "its header declares 16,648 bytes, more than one for these parameters takes (16,647)"
    at = _st_refusal(tmp_path, _st_file(b'{"', bytes(100), length=16_647))
    assert at.startswith("it is cut short: its header declares 16,647 bytes, but only 102 follow. ")


def test_a_header_one_byte_longer_than_what_follows_is_refused_by_its_length(tmp_path):
    text = json.dumps(GOOD_ENTRIES, separators=(",", ":")).encode()
    # cut in its padding (spaces); data after a whole header is a length field that is corrupt (test_io_foreign_files)
    refusal = _st_refusal(tmp_path, _st_file(text, b"   ", length=len(text) + 4))
    assert refusal.startswith(
        f"it is cut short: its header declares {len(text) + 4:,} bytes, but only {len(text) + 3:,} follow. "
    )


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
    assert str(e.value) == (
        ".safetensors files: safetensors is missing; pip install safetensors "
        '(in chainrule\'s clone: pip install -e ".[safetensors]")'
    )


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

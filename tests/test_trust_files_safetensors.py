"""Crafted .safetensors files: nn.load refuses each by name, for its own reason, in memory bounded by the
model, changing no parameter (the .npz side of the same promises is test_trust_files)."""

import json
import os

import numpy as np
import pytest
from test_safetensors import safetensors_file
from test_trust_files import BAD_LAST, MB, model_and_file, peak_while, small_model

import nn


@pytest.fixture
def safetensors_numpy():
    return pytest.importorskip(
        "safetensors.numpy", reason='safetensors is not installed: pip install -e ".[safetensors]"'
    )


def entry(dtype: str, shape: list, begin: int, end: int) -> dict:
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


GOOD_W, GOOD_B = entry("F32", [2, 2], 0, 16), entry("F32", [2], 16, 24)


def good_header(**changes) -> dict:
    return {"W": GOOD_W, "b": GOOD_B, **changes}


def saved_and_cut(path) -> None:
    nn.save(small_model(), path)
    path.write_bytes(path.read_bytes()[:-12])


CRAFTED_SAFETENSORS = {
    "an entry declaring 8 TB": lambda: safetensors_file(
        {"W": entry("F64", [10**12], 0, 8 * 10**12), "b": entry("F32", [2], 8 * 10**12, 8 * 10**12 + 8)}, bytes(24)
    ),
    "a header length of 2**64 - 1": lambda: safetensors_file(good_header(), bytes(24), length=2**64 - 1),
    "a header longer than the file": lambda: safetensors_file(good_header(), bytes(24), length=4000),
    "a header of 1 GB": lambda: safetensors_file(b"{}", length=1 << 30),
    "offsets that overlap": lambda: safetensors_file(good_header(b=entry("F32", [2], 8, 16)), bytes(16)),
    "offsets that leave a gap": lambda: safetensors_file(good_header(b=entry("F32", [2], 20, 28)), bytes(28)),
    "offsets that lie about the size": lambda: safetensors_file(
        good_header(W=entry("F32", [2, 2], 0, 1 << 40)), bytes(24)
    ),
    "offsets past the end of the file": lambda: safetensors_file(
        good_header(W=entry("F32", [2, 2], 1 << 30, (1 << 30) + 16)), bytes(24)
    ),
    "data after the last entry": lambda: safetensors_file(good_header(), bytes(24 + (1 << 20))),
    "negative offsets": lambda: safetensors_file(good_header(W=entry("F32", [2, 2], -16, 0)), bytes(24)),
    "a shape of floats": lambda: safetensors_file(good_header(W=entry("F32", [2.0, 2], 0, 16)), bytes(24)),
    "a header that is not JSON": lambda: safetensors_file(b'{"W": {"dtype": "F32", ', bytes(24)),
    "a header that is not UTF-8": lambda: safetensors_file(b'{"\xff\xfe": 1}', bytes(24)),
    "a header nested 5,000 deep": lambda: safetensors_file(b"[" * 5_000 + b"]" * 5_000),
    "a header that is a list": lambda: safetensors_file(b"[1, 2, 3]"),
    "a name given twice": lambda: safetensors_file(
        b'{"W":%s,"W":%s,"b":%s}' % tuple(map(json_bytes, (GOOD_W, GOOD_W, GOOD_B)))
    ),
    "a dtype numpy lacks": lambda: safetensors_file(
        good_header(W=entry("BF16", [2, 2], 0, 8), b=entry("F32", [2], 8, 16)), bytes(16)
    ),
    "an entry with a key too many": lambda: safetensors_file(good_header(W={**GOOD_W, "extra": 1}), bytes(24)),
    "metadata that is not text": lambda: safetensors_file(good_header(__metadata__={"epochs": 3}), bytes(24)),
    "metadata the library refuses (a lone surrogate)": lambda: safetensors_file(
        b'{"__metadata__":{"note":"\\ud800"},"W":%s,"b":%s}' % (json_bytes(GOOD_W), json_bytes(GOOD_B)), bytes(24)
    ),
    "thousands of entries": lambda: safetensors_file(
        {f"x{k}": entry("F32", [1], 4 * k, 4 * k + 4) for k in range(5000)}, bytes(20000)
    ),
    "random bytes": lambda: os.urandom(4096),
    "an empty file": lambda: b"",
    "fewer than 8 bytes": lambda: b"\x02\x00\x00",
    "a truncated file": None,  # made by saved_and_cut
}


def json_bytes(value) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


@pytest.mark.parametrize("kind", CRAFTED_SAFETENSORS)
def test_a_crafted_safetensors_file_is_refused_by_name_in_bounded_memory(safetensors_numpy, tmp_path, kind):
    path = tmp_path / "crafted.safetensors"
    make = CRAFTED_SAFETENSORS[kind]
    saved_and_cut(path) if make is None else path.write_bytes(make())
    model = small_model()
    before = [p.data.copy() for p in model.parameters()]
    error, peak = peak_while(lambda: nn.load(model, path))
    assert isinstance(error, ValueError) and str(path) in str(error), repr(error)
    assert peak < 2 * MB, f"{peak / MB:.1f} MB to refuse {kind}"
    assert all(np.array_equal(p.data, b) for p, b in zip(model.parameters(), before))


SAFETENSORS_REFUSALS = {
    "a header length of 2**64 - 1": "its header's length field is corrupt: it declares 18,446,744,073,709,551,615",
    "a header longer than the file": "its header's length field is corrupt: it declares 4,000 bytes, but the header",
    "offsets that overlap": "entry 'b' starts at byte 8 of the data, overlapping the entry before it",
    "offsets that leave a gap": "entry 'b' starts at byte 20 of the data, after a gap from byte 16",
    "offsets that lie about the size": "entry 'W' spans bytes 0 to 1,099,511,627,776, but its dtype and shape take 16",
    "data after the last entry": "it has 1,048,576 bytes after the ",
    "an entry declaring 8 TB": "its data has 24 bytes, but its header accounts for 8,000,000,000,008",
    "a name given twice": "its header names 'W' twice",
    "a dtype numpy lacks": "entry 'W' has dtype 'BF16', none of those nn.load reads",
    "a header nested 5,000 deep": "its header is not JSON: maximum recursion depth",
    "metadata the library refuses (a lone surrogate)": "the safetensors library refuses it",
}


@pytest.mark.parametrize("kind", SAFETENSORS_REFUSALS)
def test_each_crafted_safetensors_file_is_refused_for_its_own_reason(safetensors_numpy, tmp_path, kind):
    path = tmp_path / "crafted.safetensors"
    path.write_bytes(CRAFTED_SAFETENSORS[kind]())
    with pytest.raises(ValueError) as caught:
        nn.load(small_model(), path)
    assert f"{path} is not a model saved by nn.save (a readable .safetensors file): " in str(caught.value)
    assert SAFETENSORS_REFUSALS[kind] in str(caught.value)


def test_many_safetensors_entries_against_a_big_model_are_named_in_one_short_line(safetensors_numpy, tmp_path):
    path = tmp_path / "many.safetensors"
    path.write_bytes(safetensors_file({f"x{k}": entry("F32", [1], 4 * k, 4 * k + 4) for k in range(200)}, bytes(800)))
    with pytest.raises(
        ValueError, match=r"does not fit this Linear: .*unexpected \['x0', 'x1', 'x10', 'x100', 'x101'\] and 195 more$"
    ):
        nn.load(nn.Linear(784, 256), path)


SAFETENSORS_LAST = {
    kind: bad for kind, bad in BAD_LAST.items() if kind not in ("strings", "objects")
}  # it holds neither
SAFETENSORS_LAST["complex numbers"] = (np.array([1 + 2j, 0j], np.complex64), "dtype complex64")  # its only complex


@pytest.mark.parametrize("kind", SAFETENSORS_LAST)
def test_a_bad_last_safetensors_entry_leaves_every_parameter_unchanged(safetensors_numpy, tmp_path, kind):
    last, problem = SAFETENSORS_LAST[kind]
    model, _ = model_and_file(tmp_path, last)
    path = tmp_path / "model.safetensors"
    safetensors_numpy.save_file({**{k: v + 1 for k, v in model.state_dict().items()}, "layers.2.b": last}, path)
    before = model.state_dict()
    with pytest.raises(ValueError, match=rf"model.safetensors.*layers.2.b.*{problem}"):
        nn.load(model, path)
    assert all(np.array_equal(model.state_dict()[name], value) for name, value in before.items())

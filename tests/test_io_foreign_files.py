"""A file given to nn.load that is not of its suffix's format is said to be what its first bytes show, with the fix:
a .npz that is no zip was zipfile's "File is not a zip file", and a .safetensors file read its first 8 bytes as its
header's length ("its header declares 8,367,736,964,726,416,744 bytes", of a text file). A .safetensors header
whose length field is corrupt is told from a file cut short where the bytes tell (a whole header follows it)."""

import gzip
import io
import pickle
import zipfile

import numpy as np
import pytest

import nn


def model():
    return nn.Linear(3, 2, seed=0)


def _zip(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buffer.getvalue()


def _npz():
    buffer = io.BytesIO()
    np.savez(buffer, W=np.zeros((2, 3)), b=np.zeros(2))
    return buffer.getvalue()


FILES = {  # a file's bytes, and what the refusal says of them (for both suffixes but where the suffix is theirs)
    "text": (b"W,b\n1.0,2.0\n" * 4, r"it is text, beginning 'W,b\\n1.0,2.0\\nW,b\\n', .*get the file again"),
    "a web page": (b"<!DOCTYPE html><html><body>Not Found</body></html>", r"it is text \(a web page: a download"),
    "JSON with '{' 9th": (  # was 'a .safetensors file: name it .safetensors' (.npz), 'the field is corrupt'
        b'{"data":{"message":"Not Found","status":404}}\n',
        r"it is text, beginning '\{\"data\":\{\"messag', .*get the file again",
    ),
    "a pickle": (pickle.dumps({"W": [1.0]}, protocol=4), r"it is a Python pickle .*nn.export.from_torch_state_dict"),
    "torch.save's zip": (
        _zip({"archive/data.pkl": b"\x80\x02}q\x00.", "archive/version": b"3\n"}),
        r"it is a PyTorch file \(torch.save's, a zip of pickles: its first entry is 'archive/data.pkl'\)",
    ),
    "gzip": (gzip.compress(b"\0" * 100), "it is gzip-compressed: decompress it first"),
    "HDF5": (b"\x89HDF\r\n\x1a\n" + bytes(200), r"it is an HDF5 file \(Keras' .h5, h5py's\)"),
    "a Git LFS pointer": (
        b"version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 12345\n",
        "it is a Git LFS pointer, the file's stand-in, not the file: fetch it: git lfs pull",
    ),
    "other bytes": (bytes(range(200, 256)) * 4, r"its first bytes, b'\\xc8\\xc9.*begin no file nn.save writes"),
    "UTF-8 text with a BOM": (  # was 'its first bytes, b'\xef\xbb\xbfW,b...', begin no file nn.save writes'
        "\ufeffW,b\n1.0,2.0\n".encode(),
        r"it is text, UTF-8 after a byte-order mark, beginning 'W,b\\n1.0,2.0\\n', .*get the file again",
    ),
    "UTF-16 web page": (
        "<html><body>Not Found</body></html>".encode("utf-16"),
        r"it is text \(a web page: .*\), UTF-16 after a byte-order mark, beginning '<html><body>Not ', ",
    ),
}


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
@pytest.mark.parametrize("kind", FILES)
def test_a_file_of_another_kind_is_said_to_be_what_it_is(tmp_path, kind, suffix):
    if suffix == ".safetensors":
        pytest.importorskip("safetensors.numpy")
    data, said = FILES[kind]
    path = tmp_path / f"model{suffix}"
    path.write_bytes(data)
    m = model()
    before = [p.data.copy() for p in m.parameters()]
    with pytest.raises(ValueError, match=rf"model\{suffix} is not a model saved by nn.save \(.*\): .*{said}") as e:
        nn.load(m, path)
    assert "File is not a zip file" not in str(e.value) and "its header declares" not in str(e.value)
    assert all(np.array_equal(p.data, b) for p, b in zip(m.parameters(), before, strict=True))


def test_a_file_of_the_other_format_names_its_suffix(tmp_path):
    """An .npz named .safetensors: its 'header declares 578,437,695,752,307,201 bytes'; a .safetensors named .npz:
    'File is not a zip file'."""
    pytest.importorskip("safetensors.numpy")
    saved = tmp_path / "saved.safetensors"
    nn.save(model(), saved)
    (tmp_path / "a.safetensors").write_bytes(_npz())
    (tmp_path / "b.npz").write_bytes(saved.read_bytes())
    with pytest.raises(ValueError, match=r"it is a zip file, as a .npz is \(its first entry is 'W.npy'\): .* name it"):
        nn.load(model(), tmp_path / "a.safetensors")
    with pytest.raises(ValueError, match=r"it is a .safetensors file \(.*\): name it .safetensors$"):
        nn.load(model(), tmp_path / "b.npz")


@pytest.mark.parametrize("extra", [1, 50, 1000, 1 << 40])
def test_a_corrupt_header_length_is_not_called_cut_short(tmp_path, extra):
    """A whole header followed by its data, behind a length field grown by 1 byte, was 'its header is not JSON'; by
    50 or 1,000 bytes (beyond the file's 200), 'cut short'; by 2**40, 'more than one for these parameters takes'."""
    pytest.importorskip("safetensors.numpy")
    path = tmp_path / "model.safetensors"
    nn.save(model(), path)
    data = path.read_bytes()
    length = int.from_bytes(data[:8], "little")
    path.write_bytes((length + extra).to_bytes(8, "little") + data[8:])
    with pytest.raises(ValueError, match=rf"its header's length field is corrupt: it declares {length + extra:,} "):
        nn.load(model(), path)


def test_a_length_beyond_any_header_is_said_to_be_corrupt_and_a_cut_header_cut_short(tmp_path):
    """A length of 2**56 before a header cut short was 'more than one for these parameters takes': so it is, and more
    than any header's; a header cut short behind its own length is still cut short."""
    pytest.importorskip("safetensors.numpy")
    path = tmp_path / "model.safetensors"
    nn.save(model(), path)
    data = path.read_bytes()
    path.write_bytes((1 << 56).to_bytes(8, "little") + data[8:40])
    with pytest.raises(ValueError, match=r"more than any .safetensors header may take \(100,000,000"):
        nn.load(model(), path)
    path.write_bytes(data[:40])
    with pytest.raises(ValueError, match=r"it is cut short: its header declares"):
        nn.load(model(), path)


@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy pickle"])
def test_a_file_torch_save_wrote_is_named_with_the_way_to_load_it(tmp_path, legacy):
    from torch_reference import torch

    path = tmp_path / "model.npz"
    torch.save(torch.nn.Linear(3, 2).state_dict(), path, _use_new_zipfile_serialization=not legacy)
    said = (
        r"a Python pickle" if legacy else r"a PyTorch file \(torch.save's, a zip of pickles: its first entry is 'model/"
    )
    with pytest.raises(ValueError, match=rf"it is {said}.*nn.export.from_torch_state_dict\(model, arrays\)$"):
        nn.load(model(), path)


def test_a_header_corrupt_behind_a_right_length_is_not_called_a_corrupt_length(tmp_path):
    """A padding byte of a header of 184 bytes turned from ' ' to '!' was said to be a length field that is corrupt
    ('it declares 184 bytes, but the header is a JSON object of 177 bytes'): the field was right, the header and its
    data fill the file; and a whole '{}' behind a length beyond the file, with no data of its entries, was too."""
    pytest.importorskip("safetensors.numpy")
    path = tmp_path / "model.safetensors"
    nn.save(nn.Linear(3, 4, seed=0), path)
    data = bytearray(path.read_bytes())
    length = int.from_bytes(data[:8], "little")
    assert data[8 + length - 1 : 8 + length] == b" "  # padded
    data[8 + length - 1] = ord("!")
    path.write_bytes(data)
    with pytest.raises(ValueError, match=r"its header is not JSON: Extra data"):
        nn.load(nn.Linear(3, 4, seed=0), path)
    path.write_bytes((1000).to_bytes(8, "little") + b"{}" + bytes(100))
    with pytest.raises(ValueError, match=r"it is cut short: its header declares 1,000 bytes, but only 102 follow"):
        nn.load(nn.Linear(3, 4, seed=0), path)


SHORT = {  # a short or odd file named .safetensors, and what the refusal says of it
    "5 bytes of text": (b"hello", r"it is text, beginning 'hello', not a file nn.save writes"),  # was 'cut short'
    "7 bytes of UTF-16": ("abc".encode("utf-16")[:7], r"it is text, UTF-16 after a byte-order mark, beginning 'ab'"),
    "4 bytes of UTF-8": ("\ufeffa".encode(), r"it is text, UTF-8 after a byte-order mark, beginning 'a'"),
    "8 bytes of text": (b"12345678", r"it is text, beginning '12345678'"),  # was 'the field is corrupt'
    "UTF-16 without a byte-order mark": (
        "hello world".encode("utf-16-le"),
        r"it is text, UTF-16 \(no byte-order mark\), beginning 'hello world'",
    ),
    "UTF-16BE without a byte-order mark": (
        "hello world".encode("utf-16-be"),
        r"it is text, UTF-16 \(no byte-order mark\), beginning 'hello world'",
    ),
    "float16 ones": (  # 0x3C00 each: was 'text (a web page: ...), UTF-16 (no byte-order mark), beginning <<<<'
        np.ones(8, np.float16).tobytes(),
        r"its first bytes, b'\\x00<\\x00<.*', begin no file",
    ),
    "big-endian uint16 65 to 72": (np.arange(65, 73, dtype=">u2").tobytes(), r"its first bytes, b'\\x00A\\x00B"),
    "8 zero bytes": (bytes(8), r"its first bytes, b'\\x00(\\x00){7}', begin no file"),  # was 'header is not JSON'
    "16 zero bytes": (bytes(16), r"its first bytes, b'\\x00(\\x00){15}', begin no file"),
    "7 zero bytes": (bytes(7), r"its first bytes, b'\\x00(\\x00){6}', begin no file"),  # was 'cut short'
    "7 bytes of a length": ((400).to_bytes(8, "little")[:7], r"it is cut short: it has 7 bytes, too few for the 8"),
    "no bytes": (b"", r"it is cut short: it has 0 bytes, too few for the 8"),
}


@pytest.mark.parametrize("kind", SHORT)
def test_a_short_safetensors_file_is_called_cut_short_only_where_it_may_be(tmp_path, kind):
    """A .safetensors file shorter than its 8 bytes of header length was 'cut short' whatever they were: so it may
    be where they begin a length a header may have (2 to 100,000,000); text's 4th byte makes it longer, and zeros up
    to it shorter. A file of 8 bytes of text was said to have a length field that is corrupt, and one of zeros a
    header that is not JSON."""
    pytest.importorskip("safetensors.numpy")
    data, said = SHORT[kind]
    path = tmp_path / "model.safetensors"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=rf"model\.safetensors is not a model saved by nn.save \(.*\): .*{said}"):
        nn.load(model(), path)


def test_a_npz_of_text_is_not_called_readable_and_no_zip_in_one_breath(tmp_path):
    """'(a readable .npz file): it is not a zip file, as a .npz is' read as a contradiction, as the .safetensors
    reader's '(a readable .safetensors file): it is not a .safetensors file' did: it says what a .npz begins with."""
    path = tmp_path / "model.npz"
    path.write_bytes(b"hello, this is a text file\n")
    with pytest.raises(ValueError) as refusal:
        nn.load(model(), path)
    said = str(refusal.value)
    assert "it is not a zip file" not in said
    assert "it does not begin as a .npz file does (a zip file's b'PK\\x03\\x04'): it is text, beginning 'hello" in said

"""What a file given to nn.load that is not of its suffix's format looks like, by its first bytes, and the fix: a
pickle or PyTorch's torch.save file, the other format under the wrong suffix, an .npy, an HDF5 or gzip file, a Git
LFS pointer, text (a web page a download saved in the file's place; after a byte-order mark too, UTF-8's or
UTF-16's). zipfile said only "File is not a zip file", and a .safetensors reader only that the 8 bytes of its
header's length declared a number of bytes."""

from __future__ import annotations

import codecs
import json
import zipfile
from typing import BinaryIO

HEAD = 512  # bytes read of a file's start: every signature below, and a zip's first entry's name
PICKLES = (
    "which nn.load never runs (a pickle runs code): in PyTorch, save the model's state_dict() with "
    "safetensors.torch.save_file, read that with safetensors.torch.load_file, and load it with "
    "nn.export.from_torch_state_dict(model, arrays)"
)
NPY = ("an .npy file, a single array, not named parameters", "np.load it and set the parameter to it")
_PROTOCOLS = (2, 3, 4, 5)  # pickle's protocols that begin with the PROTO opcode, b"\x80" and the protocol's number
_SIGNATURES = (  # first bytes, what a file beginning so is, and the fix
    (b"\x93NUMPY", *NPY),
    (
        b"\x89HDF\r\n\x1a\n",
        "an HDF5 file (Keras' .h5, h5py's)",
        "read its arrays with h5py, and load them by name with model.load_state_dict",
    ),
    (b"\x1f\x8b", "gzip-compressed", "decompress it first (gunzip, or Python's gzip module)"),
    (b"version https://git-lfs", "a Git LFS pointer, the file's stand-in, not the file", "fetch it: git lfs pull"),
)

_MARKS = (  # byte-order marks, the codec that reads and skips each, its encoding; UTF-32's little-endian one first
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),  # (it begins with UTF-16's)
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def head(f: BinaryIO) -> bytes:
    """The file's first HEAD bytes (fewer in a shorter file), read from its start."""
    f.seek(0)
    return f.read(HEAD)


def foreign(start: bytes, suffix: str) -> str | None:
    """What a file beginning with the bytes `start` is, with the fix, where those bytes name a kind that is not a
    file of `suffix` (".npz" or ".safetensors") nn.save wrote; None where they do not (a file of that format, or
    bytes of no kind here: text is `unknown`'s)."""
    for signature, kind, fix in _SIGNATURES:
        if start.startswith(signature):
            return f"it is {kind}: {fix}"
    if len(start) > 1 and start[0] == 0x80 and start[1] in _PROTOCOLS:
        return f"it is a Python pickle (torch.save's older files are), {PICKLES}"
    if start.startswith(zipfile.stringFileHeader):
        first = _first_entry(start)
        if first.endswith("data.pkl") or first.endswith("/version"):
            return f"it is a PyTorch file (torch.save's, a zip of pickles: its first entry is {first!r}), {PICKLES}"
        if suffix != ".npz":
            return f"it is a zip file, as a .npz is (its first entry is {first!r}): if nn.save wrote it, name it .npz"
    if suffix != ".safetensors" and safetensors_start(start):
        return "it is a .safetensors file (its header's length, then '{'): name it .safetensors"
    return None


def unknown(start: bytes) -> str:
    """What to say of first bytes of no kind `foreign` knows: text (a web page, an error message a download saved in
    the file's place) or bytes of some other kind."""
    read = _text(start)
    if read is None:
        return f"its first bytes, {start[:16]!r}, begin no file nn.save writes: get an intact copy of the file"
    text, encoding = read
    page = " (a web page: a download that saved an error page in the file's place?)" if text.lstrip()[:1] == "<" else ""
    shown = f"{encoding}, beginning {text[:16]!r}" if encoding else f"beginning {text[:16]!r}"
    return f"it is text{page}, {shown}, not a file nn.save writes: get the file again"


def safetensors_start(start: bytes) -> bool:
    """Whether `start` begins as a .safetensors file does: 8 bytes of its header's length, then a JSON object. Not
    text's 8 bytes (a JSON text's 9th byte may be '{': '{"data":{'), which would declare more than any header's."""
    return (
        len(start) > 8 and start[8:9] == b"{" and int.from_bytes(start[:8], "little") > 1 and _text(start[:8]) is None
    )


def _text(start: bytes) -> tuple[str, str] | None:
    """`start` as text, where it is (printable characters, tabs and line ends, maybe cut in a character at its end by
    the bytes read), and the encoding a byte-order mark it begins with names ("" without one: UTF-8, read as it is);
    None where not text."""
    marked = ((codec, f"{name} after a byte-order mark") for mark, codec, name in _MARKS if start.startswith(mark))
    codec, encoding = next(marked, None) or _unmarked(start)
    try:  # a character cut by the bytes read is held back, not an error (final=False)
        text = codecs.getincrementaldecoder(codec)().decode(start, final=False)
    except UnicodeDecodeError:
        return None
    return (text, encoding) if _printable(text) else None


def _unmarked(start: bytes) -> tuple[str, str]:
    """The codec and encoding of text without a byte-order mark: UTF-16 where every other byte of `start` is zero and
    those between are ASCII text's, a letter and a space or line end among them (ASCII characters written as UTF-16,
    which Windows tools save; not float16 ones, 0x3C00 each, read as '<<<<'), else UTF-8 ("")."""
    for codec, zeros, letters in (("utf-16-le", start[1::2], start[0::2]), ("utf-16-be", start[0::2], start[1::2])):
        read = letters.decode("latin-1")
        if len(start) >= 4 and not any(zeros) and _words(read):
            return codec, "UTF-16 (no byte-order mark)"
    return "utf-8", ""


def _words(read: str) -> bool:
    """Whether `read` looks like ASCII text: printable ASCII, tabs and line ends only, a letter and a space or line
    end among them."""
    return read.isascii() and _printable(read) and any(c.isalpha() for c in read) and any(c in " \t\r\n" for c in read)


def _printable(text: str) -> bool:
    """Whether `text` is printable characters, tabs and line ends only, as text is."""
    return all(c.isprintable() or c in "\t\r\n" for c in text)


def _first_entry(start: bytes) -> str:
    """The name of the zip entry whose local header `start` begins with (as far as `start` holds it)."""
    length = int.from_bytes(start[26:28], "little")  # the name's length: bytes 26 and 27 of a local header
    return start[zipfile.sizeFileHeader : zipfile.sizeFileHeader + length].decode("utf-8", "replace")


def whole_header(data: bytes) -> int | None:
    """Where the JSON object `data` begins with ends, if it ends within `data` and more than padding (spaces) follows
    it: a .safetensors header whose length field declares more is followed by its data, so the field may be corrupt,
    not the file cut short (a header cut short is no whole object). Latin-1 reads each byte as one character: the
    position is in bytes, and UTF-8's bytes beyond ASCII are never JSON's quotes or braces."""
    try:
        _, end = json.JSONDecoder().raw_decode(data.decode("latin-1"))
    except (json.JSONDecodeError, RecursionError):
        return None
    return end if data[end:].strip(b" ") else None

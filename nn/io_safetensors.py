"""The .safetensors format of nn.save and nn.load (the `safetensors` package's numpy API).

A file is an 8-byte little-endian header length, a JSON header giving each tensor's dtype, shape
and byte offsets, then the tensors' bytes. The library sizes what it reads by that header, so the
header is read and checked here first, within limits set by the model: its length, its JSON, each
entry's dtype, shape and offsets (which must tile the data exactly, without gaps or overlaps, up
to the end of the file), then the entries' shapes and dtypes against the model. Only then is the
file, whose size is now that of the model's parameters, read, its checksum verified, and given to
the library.

The format has no checksum of its own (a flipped bit in the data loads as a changed weight), so
nn.save writes io_checksum's into the header's "__metadata__", under its CHECKSUM name, and
nn.load verifies it when it is there."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from types import ModuleType
from typing import Any, BinaryIO, NamedTuple

import numpy as np

from autograd import missing_extra, type_name

from .io_checksum import CHECKSUM, appended, cut_short, joined, stamped, verify
from .io_kinds import foreign, head, safetensors_start, unknown, whole_header
from .state_checks import Layout

DESCRIPTION = "a readable .safetensors file"
BROKEN = (ValueError, OSError)

# safetensors' dtypes that numpy holds (bfloat16 and the 8-bit floats it has not), as numpy spells
# them: nn.load reads the floats and refuses the rest by name, as for .npz
DTYPES = {
    "F16": "<f2", "F32": "<f4", "F64": "<f8", "C64": "<c8", "BOOL": "?",
    "I8": "i1", "U8": "u1", "I16": "<i2", "U16": "<u2", "I32": "<i4", "U32": "<u4", "I64": "<i8", "U64": "<u8",
}  # fmt: skip
_WRITTEN = {np.dtype(numpy_dtype) for numpy_dtype in DTYPES.values()}  # what nn.save writes: what it reads
# bfloat16 is refused, not converted (exact as that would be: its 16 bits are a float32's top half): the
# safetensors numpy API that reads the file has no bfloat16, as numpy has none, and a second reader of the
# data beside the library's is not worth it when such files come from PyTorch models, whose names need
# nn.export anyway, and nn.export reads bfloat16 through torch.
_HOW_ELSE = {
    "BF16": "; BF16 is bfloat16, which numpy lacks: read the file with safetensors.torch.load_file and load that "
    "with nn.export.from_torch_state_dict(model, ...), which reads bfloat16 (exactly, as float32)"
}
_LENGTH = 8  # bytes of the header length
_HEADER_MOST = 100_000_000  # bytes of the longest header the safetensors library reads (its MAX_HEADER_SIZE)
_METADATA_MOST = 16 * 1024  # a header's "__metadata__" (free text) and padding
_ENTRY_MOST = 96  # {"dtype":"F64","shape":[],"data_offsets":[A,B]}, 20 digits each, besides the name and shape
_DIMENSION_MOST = 21  # a dimension in the shape: up to 20 digits and a comma


class _Entry(NamedTuple):
    shape: tuple[int, ...]
    dtype: np.dtype
    begin: int
    end: int


def write(f: BinaryIO, state: dict[str, np.ndarray]) -> None:
    """The library writes each array's memory as it lies, so in stamped's layout: what the checksum covers."""
    arrays, written = stamped(state)
    f.write(_library().numpy.save(arrays, metadata={CHECKSUM: written}))


def check_entry(name: str, dtype: np.dtype) -> None:
    """ValueError for a name the format cannot hold (that of the header's metadata), or a dtype it has
    none for (float128, numpy's longdouble; complex128): the library's own refusal would come mid-save,
    as a SafetensorError naming no entry and no fix."""
    if dtype.newbyteorder("<") not in _WRITTEN:
        raise ValueError(
            f"{name!r} is an array of {dtype}, which the .safetensors format has no dtype for (it holds "
            f"{', '.join(sorted(map(str, _WRITTEN)))}): save as .npz, which holds it exactly, or cast it first "
            "(.astype(np.float64), rounding what float64 cannot hold)"
        )
    if name == "__metadata__":
        raise ValueError(
            "the name '__metadata__' is the .safetensors header's own key (the file's metadata), so it cannot name "
            "an entry: rename the attribute, or save as .npz"
        )


def read(f: BinaryIO, own: Layout, check: Callable[[Layout], None]) -> dict[str, np.ndarray]:
    """The arrays in the open .safetensors `f`, after its header has been checked (see the module's
    docstring) and `check` has accepted every entry's shape and dtype; no data is read before."""
    library = _library()
    size = os.fstat(f.fileno()).st_size
    start = head(f)
    if size < _LENGTH and _length_may_be(start):
        many = f"{size} byte{'s' * (size != 1)}"
        raise ValueError(cut_short(f"it has {many}, too few for the {_LENGTH} that give its header's length"))
    length = int.from_bytes(start[:_LENGTH], "little")
    most = _METADATA_MOST + sum(_ENTRY_MOST + 4 * len(n) + _DIMENSION_MOST * len(s) for n, (s, _) in own.items())
    opens = safetensors_start(start)  # a length, then a header's '{'
    kind = None if opens else foreign(start, ".safetensors")  # not before: a length's bytes may read as a signature
    if kind is not None:
        raise ValueError(kind)
    beyond = length > min(most, size - _LENGTH)
    if not opens and (beyond and size > _LENGTH or not _length_may_be(start)):
        # no header after a length beyond the file's, or no length a header may have (text's, zeros); a file of 8
        # bytes declaring a length a header may have is cut short (_check_length)
        raise ValueError(
            "it does not begin as a .safetensors file does (8 bytes of its header's length, then the header's '{'): "
            + unknown(start)
        )
    if beyond:
        _check_length(f, length, size, most)
    f.seek(_LENGTH)
    header = f.read(length)
    try:
        entries, written = _header(header)
    except ValueError:
        true = _true_length(header, size)  # a whole header and its data before the length's end: the field is corrupt
        if true is None:
            raise
        raise ValueError(_corrupt_length(length, true)) from None
    ends_at = _LENGTH + length + _tiled(entries)
    if ends_at < size:
        raise ValueError(_after(f, ends_at, size, most))
    if ends_at > size:
        data, accounted = size - _LENGTH - length, ends_at - _LENGTH - length
        raise ValueError(cut_short(f"its data has {data:,} bytes, but its header accounts for {accounted:,}"))
    check({name: (entry.shape, entry.dtype) for name, entry in entries.items()})
    f.seek(0)
    raw = f.read(size + 1)
    if len(raw) != size:
        raise ValueError(f"it changed while it was read: {size:,} bytes, then {len(raw):,}")
    if written is not None:
        data = memoryview(raw)[_LENGTH + length :]
        verify(written, ((name, e.dtype, e.shape, data[e.begin : e.end]) for name, e in entries.items()))
    try:
        return library.numpy.load(raw)
    except library.SafetensorError as e:
        raise ValueError(f"the safetensors library refuses it: {e}") from None


def _length_may_be(start: bytes) -> bool:
    """Whether `start`, a file's first bytes (fewer than 8 in a file cut short), may begin a header's length, 2 ('{}')
    to _HEADER_MOST bytes, whatever bytes of it are missing: not where its 4th byte is text's (a printable character
    there declares 150,994,944 bytes or more), nor where 4 or more of its bytes are there and declare 0 or 1."""
    least = int.from_bytes(start[:_LENGTH], "little")  # the bytes missing of it are 0
    return 2 <= least <= _HEADER_MOST or (least < 2 and len(start) < 4)  # 256**3 and more, with one missing byte 1


def _check_length(f: BinaryIO, length: int, size: int, most: int) -> None:
    """ValueError for a header length beyond the bytes that follow it or beyond `most`: a length field that is corrupt
    (a whole header and its data follow it, within `most` bytes: `_true_length`), one beyond any header's, or a file
    cut short (a header cut short), or a header larger than these parameters' takes."""
    f.seek(_LENGTH)
    true = _true_length(f.read(min(most, size - _LENGTH)), size)
    if true is not None:
        raise ValueError(_corrupt_length(length, true))
    if length > _HEADER_MOST:
        raise ValueError(
            f"its header's length field declares {length:,} bytes, more than any .safetensors header may take "
            f"({_HEADER_MOST:,}, the safetensors library's bound): the field is corrupt: load an intact copy"
        )
    if length > most:
        raise ValueError(f"its header declares {length:,} bytes, more than one for these parameters takes ({most:,})")
    raise ValueError(cut_short(f"its header declares {length:,} bytes, but only {size - _LENGTH:,} follow"))


def _true_length(after: bytes, size: int) -> int | None:
    """The header's length where the field declares another: `after`, the bytes after the field, begins with a whole
    header, a JSON object and its padding (`whole_header`), whose entries' data fill the rest of the file's `size`
    bytes exactly. None where not: a header corrupt itself (a padding byte flipped), or cut short."""
    ends = whole_header(after)
    if ends is None:
        return None
    length = len(after) - len(after[ends:].lstrip(b" "))
    try:
        data = _tiled(_header(after[:length])[0])
    except ValueError:
        return None
    return length if _LENGTH + length + data == size else None


def _corrupt_length(length: int, true: int) -> str:
    """What to say of a length field declaring `length` bytes before a whole header of `true` bytes and its data."""
    return (
        f"its header's length field is corrupt: it declares {length:,} bytes, but the header is a JSON object of "
        f"{true:,} bytes (with its padding), and its entries' data fill the rest of the file: load an intact copy, or "
        "save the model again"
    )


def _library() -> ModuleType:
    """The safetensors package with its numpy API, or ImportError naming the extra that brings it."""
    try:
        import safetensors.numpy
    except ImportError:
        raise missing_extra(".safetensors files", "safetensors", "safetensors") from None
    return safetensors


def _header(header: bytes) -> tuple[dict[str, _Entry], str | None]:
    """Each entry of a header, checked alone: a known dtype, a shape and offsets of natural numbers
    whose span is the entry's size; and the checksum nn.save wrote, if any. "__metadata__", text by
    name, is checked and left out."""
    try:
        parsed = json.loads(header.decode("utf-8"), object_pairs_hook=_unique)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise ValueError(f"its header is not JSON: {e}") from None
    if not isinstance(parsed, dict):
        raise ValueError(f"its header is a JSON {type_name(parsed)}, not an object of named tensors")
    metadata = parsed.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise ValueError("its __metadata__ is not an object of strings")
    return {name: _entry(name, spec) for name, spec in parsed.items()}, metadata.get(CHECKSUM)


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict, refusing a name given twice (json would keep the last silently)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"its header names {key!r} twice")
        found[key] = value
    return found


def _entry(name: str, spec: Any) -> _Entry:
    if not isinstance(spec, dict) or spec.keys() != {"dtype", "shape", "data_offsets"}:
        raise ValueError(f"entry {name!r} is not an object of dtype, shape and data_offsets")
    dtype, shape, offsets = spec["dtype"], spec["shape"], spec["data_offsets"]
    if not isinstance(dtype, str) or dtype not in DTYPES:
        how_else = _HOW_ELSE.get(dtype, "") if isinstance(dtype, str) else ""
        raise ValueError(
            f"entry {name!r} has dtype {dtype!r}, none of those nn.load reads ({', '.join(DTYPES)}){how_else}"
        )
    if not _naturals(shape) or not _naturals(offsets) or len(offsets) != 2:
        raise ValueError(f"entry {name!r} needs a shape and two data_offsets, as lists of natural numbers")
    begin, end = offsets
    numpy_dtype = np.dtype(DTYPES[dtype])
    size = math.prod(shape) * numpy_dtype.itemsize
    if end - begin != size:
        raise ValueError(f"entry {name!r} spans bytes {begin:,} to {end:,}, but its dtype and shape take {size:,}")
    return _Entry(tuple(shape), numpy_dtype, begin, end)


def _naturals(value: Any) -> bool:
    return isinstance(value, list) and all(type(n) is int and n >= 0 for n in value)


def _tiled(entries: dict[str, _Entry]) -> int:
    """The bytes of data the entries' offsets tile from the data's first byte, ValueError for a gap or an overlap."""
    end = 0
    for name, entry in sorted(entries.items(), key=lambda item: (item[1].begin, item[1].end)):
        if entry.begin != end:
            what = "overlapping the entry before it" if entry.begin < end else f"after a gap from byte {end:,}"
            raise ValueError(f"entry {name!r} starts at byte {entry.begin:,} of the data, {what}")
        end = entry.end
    return end


def _after(f: BinaryIO, ends_at: int, size: int, most: int) -> str:
    """What to say of bytes after the byte `ends_at` where the file's data ends: another .safetensors file, whose
    header's entries tile the bytes after it (files run together, `joined`), or bytes nn.save never writes
    (`appended`). Its header is read as the first's, within `most` bytes: a hostile one costs no more."""
    f.seek(ends_at)
    length = int.from_bytes(f.read(_LENGTH), "little")
    if size - ends_at >= _LENGTH and length <= min(most, size - ends_at - _LENGTH):
        try:
            second = _LENGTH + length + _tiled(_header(f.read(length))[0])
        except ValueError:  # no header of this format: bytes appended
            return appended(size - ends_at, ends_at)
        if ends_at + second <= size:
            return joined(ends_at, second, size)
    return appended(size - ends_at, ends_at)

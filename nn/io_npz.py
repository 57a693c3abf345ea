"""The .npz format of nn.save and nn.load: a zip of .npy arrays, read without pickle and without
ever reading more than the model's own size, whatever the file declares.

Zip's CRCs cover each entry's data, not the list of entries: one flipped bit in the zip's central
directory (an entry's comment length) hides the entries after it, and a file short of an
optimizer's moments loaded as a fresh optimizer. So nn.save writes io_checksum's checksum over
every entry as the zip's comment, "chainrule.crc32 XXXXXXXX", and nn.load verifies it when there
is one (np.savez's files have none and load unchecked); an entry with a comment, which no .npz
writer gives, is refused in any file. Neither covers bytes before the first entry or after the end
record and its comment, which zipfile skips: a file holding any is refused (io_zip_ends, `_check_starts`)."""

from __future__ import annotations

import math
import os
import re
import struct
import tokenize
import zipfile
import zlib
from collections.abc import Callable
from typing import BinaryIO

import numpy as np
from numpy.lib import format as npy

from .io_checksum import CHECKSUM, stamped, verify
from .io_kinds import foreign, head, unknown
from .io_zip_ends import check_ends, prefixed
from .state_checks import Layout

DESCRIPTION = "a readable .npz file"
BROKEN = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error, NotImplementedError)

_HEADER_MAX = 1024  # bytes of an .npy header (nn.save writes 128)
_NAME_MOST = 0xFFFF  # bytes of a zip entry's name (a 16-bit length)
_MEMBER_OVERHEAD = 2048  # an entry's zip headers and .npy header, its name aside
_ARCHIVE_OVERHEAD = 1 << 17  # the zip's end records and a comment of up to 64 KiB
_COMMENT = re.compile(re.escape(CHECKSUM.encode()) + rb" ([0-9a-f]{8})")  # the zip comment nn.save writes


def write(f: BinaryIO, state: dict[str, np.ndarray]) -> None:
    """The arrays as np.savez writes them (uncompressed .npy entries), written here because
    np.savez takes names as keywords (a parameter called `file` would collide with its own), and
    with their checksum as the zip's comment."""
    arrays, written = stamped(state)
    with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        # 24 bytes: no one flipped bit of the comment's length hides it (makes it 0), as none of 24's does
        archive.comment = f"{CHECKSUM} {written}".encode()
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as entry:
                npy.write_array(entry, array, allow_pickle=False)


def check_entry(name: str, dtype: np.dtype) -> None:
    """ValueError for a name the format cannot hold: zip cuts a name at a NUL, and gives it 64 KiB. Every
    dtype nn.save is given (floats of every width, integers) .npy holds as it is."""
    if "\0" in name:
        raise ValueError(
            f"the name {name!r} holds a NUL character, where zip cuts an entry's name: rename that key or "
            "attribute, or save as .safetensors"
        )
    if len(f"{name}.npy".encode()) > _NAME_MOST:
        raise ValueError(f"the name {name[:60]!r}... takes more than the {_NAME_MOST:,} bytes of a zip entry's name")


def read(f: BinaryIO, own: Layout, check: Callable[[Layout], None]) -> dict[str, np.ndarray]:
    """The arrays in the open .npz `f`, after `check` has accepted every entry's shape and dtype
    (read from its .npy header); no entry's data is read before, and none is returned before the
    checksum, if the file has one, is verified. `own` (the model's layout) bounds the file's size."""
    size = os.fstat(f.fileno()).st_size
    start = head(f)
    kind = foreign(start, ".npz")
    if kind is not None:
        raise ValueError(kind)
    most = _ARCHIVE_OVERHEAD + sum(16 * math.prod(s) + _MEMBER_OVERHEAD + 2 * len(n) for n, (s, _) in own.items())
    check_ends(f, size, most)
    if not start.startswith((zipfile.stringFileHeader, zipfile.stringEndArchive)):  # no zip at all (an empty one ends)
        raise ValueError(
            f"it does not begin as a .npz file does (a zip file's {zipfile.stringFileHeader!r}): {unknown(start)}"
        )
    if size > most:
        raise ValueError(f"it has {size:,} bytes, more than a file of these parameters takes ({most:,})")
    with zipfile.ZipFile(f) as archive:
        _check_starts(archive)
        written = _written(archive.comment)
        members = {}
        for member in archive.infolist():
            name = member.filename.removesuffix(".npy")
            if name == member.filename or name in members:
                raise ValueError(f"entry {member.filename!r} is not a named .npy array, or comes twice")
            if member.comment:
                raise ValueError(
                    f"entry {member.filename!r} has a comment, which no .npz writer gives: its zip directory is "
                    "corrupted (a comment's length that grew hides the entries after it); load an intact copy"
                )
            members[name] = member
        headers = {name: _header(archive, member) for name, member in members.items()}
        check({name: (shape, dtype) for name, (shape, _, dtype, _) in headers.items()})
        raw = {name: _data(archive, members[name], *headers[name]) for name in members}
    if written is not None:
        verify(written, ((name, dtype, shape, raw[name]) for name, (shape, _, dtype, _) in headers.items()))
    return {name: _array(raw[name], *headers[name][:3]) for name in members}


def _check_starts(archive: zipfile.ZipFile) -> None:
    """ValueError for a zip whose first entry does not start at the file's first byte, where bytes before the zip are
    refused already (io_zip_ends): bytes its own offsets count, which zipfile skips (a self-extracting archive's
    program) and no checksum covers. Cut off, the rest loads: zipfile places the zip by where its directory ends."""
    first = min((member.header_offset for member in archive.infolist()), default=0)
    if first:
        raise ValueError(prefixed(first))


def _written(comment: bytes) -> str | None:
    """The checksum nn.save wrote as the zip's comment, None for a file without a comment (np.savez's),
    ValueError for any other comment (one of nn.save's, corrupted)."""
    if not comment:
        return None
    match = _COMMENT.fullmatch(comment)
    if match is None:
        raise ValueError(
            f"its zip comment {comment[:40]!r} is not the checksum nn.save writes ({CHECKSUM} and 8 hex digits): "
            "it is corrupted, or not nn.save's"
        )
    return match[1].decode()


def _header(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> tuple[tuple[int, ...], bool, np.dtype, int]:
    """Shape, Fortran order, dtype and header length of the .npy entry `member`, read from at most
    _HEADER_MAX bytes of it; its declared size must be the header's plus the data's."""
    if member.flag_bits & 0x1:
        raise ValueError(f"entry {member.filename!r} is encrypted")
    if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        method = member.compress_type  # bzip2 and lzma inflate without a bound: refused
        raise ValueError(f"entry {member.filename!r} is compressed by method {method}, not stored or deflated")
    with archive.open(member) as stream:
        bounded = _Bounded(stream, _HEADER_MAX)
        try:
            version = npy.read_magic(bounded)
            if version not in ((1, 0), (2, 0)):
                raise ValueError(f".npy version {version} is not one nn.save writes")
            read_header = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
            shape, fortran, dtype = read_header(bounded, max_header_size=_HEADER_MAX)
        except (ValueError, SyntaxError, RecursionError, tokenize.TokenError) as e:
            raise ValueError(f"entry {member.filename!r} has a bad .npy header: {e}") from None
    if dtype.hasobject:
        raise ValueError(f"entry {member.filename!r} holds Python objects, which nn.load never unpickles")
    declared = bounded.count + math.prod(shape) * dtype.itemsize
    if member.file_size != declared:
        raise ValueError(
            f"entry {member.filename!r} is {member.file_size:,} bytes by its zip header, {declared:,} by its own"
        )
    return shape, fortran, dtype, bounded.count


def _data(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, shape: tuple[int, ...], fortran: bool, dtype: np.dtype, skip: int
) -> bytes:
    """The data of a checked entry: exactly its declared bytes are read, then one more to be sure
    there are no more (reaching the end makes zipfile check the CRC)."""
    size = math.prod(shape) * dtype.itemsize
    with archive.open(member) as stream:
        stream.read(skip)
        raw = stream.read(size)
        if len(raw) != size or stream.read(1):
            raise ValueError(f"entry {member.filename!r} does not hold the {size:,} bytes its header declares")
    return raw


def _array(raw: bytes, shape: tuple[int, ...], fortran: bool, dtype: np.dtype) -> np.ndarray:
    array = np.frombuffer(raw, dtype)
    return array.reshape(shape[::-1]).T if fortran else array.reshape(shape)


class _Bounded:
    """A read-only stream that refuses to give more than `limit` bytes, whatever is asked of it."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self.stream, self.left, self.count = stream, limit, 0

    def read(self, size: int) -> bytes:
        if size > self.left:
            raise ValueError(f"it asks to read past the {self.count + self.left:,} bytes allowed here")
        data = self.stream.read(size)
        self.left -= len(data)
        self.count += len(data)
        return data

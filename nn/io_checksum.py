"""The checksum nn.save writes into both formats and nn.load verifies (neither format covers the
whole file: .safetensors has no checksum, and a .npz's zip CRCs cover each entry's data but not
the list of entries, so a corrupted zip directory can hide entries): a CRC-32 of each entry's
name, dtype, shape and bytes, in the order of the names, so that the names and layouts are
covered with the data, whatever the order in the file. Files of other tools have none, and load
unchecked. Bytes no checksum covers, beyond what a file's format accounts for, are named here too, with the cut
that removes them (`appended`, `joined`), and a file that ends before its format does is said to be cut short, with
the fix (`cut_short`)."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from typing import Any

import numpy as np

# The checksum's name in a file. zlib's CRC-32, not a cryptographic hash: it is the fastest check in the
# standard library (2.2 GB/s here, sha256 1.3), it catches every error of up to 32 bits in a row (every
# flipped bit) for certain, and it guards against corruption, not tampering, which no checksum in the file
# can (whoever edits the file rewrites the checksum).
CHECKSUM = "chainrule.crc32"

Entry = tuple[str, np.dtype, tuple[int, ...], Any]  # name, dtype, shape, and the data as any buffer


def appended(extra: int, ends_at: int) -> str:
    """What to say of a file holding `extra` bytes after the byte `ends_at` where its format ends it: nn.save writes
    none, and neither checksum covers them, so they would load unseen (a file appended to, or two run together)."""
    return (
        f"it has {extra:,} byte{'s' * (extra != 1)} after the {ends_at:,} its format accounts for, which nn.save "
        f"never writes (the file was appended to, or corrupted): load an intact copy, or, if its first {ends_at:,} "
        f"bytes are what nn.save wrote, cut it to them (os.truncate(path, {ends_at}))"
    )


def joined(split: int, second: int, size: int) -> str:
    """What to say of a file of `size` bytes whose first `split` end as a file of its format does and the `second`
    after them are laid out as another (a save appended to another, or files joined by cat): which one was meant
    is the user's to say, so the cut that keeps each is named."""
    more = size - split - second
    after = f", then {more:,} byte{'s' * (more != 1)} more" if more else ""
    return (
        f"it is files run together (a save appended to another, or files joined by cat), where nn.save writes one: "
        f"its first {split:,} bytes end as such a file does, and the {second:,} after them are laid out as one{after}."
        f" Keep the one you meant: the first with os.truncate(path, {split}), or the second with "
        f"{kept(split, split + second if more else None)}"
    )


def cut_short(detail: str) -> str:
    """What to say of a file that ends before its format does (`detail` naming where, in bytes): nn.save writes a
    file whole or not at all (io_write), so the rest was lost after it wrote the file."""
    return (
        f"it is cut short: {detail}. nn.save writes whole files, so it lost its end after (an interrupted copy or "
        "download, a full disk): get the file again, or save the model again"
    )


def kept(begin: int, end: int | None = None) -> str:
    """The statement that cuts the file at `path` down to its bytes from `begin` to `end` (to its end: None)."""
    return f"data = open(path, 'rb').read(); open(path, 'wb').write(data[{begin}:{'' if end is None else end}])"


class Corrupted(ValueError):
    """A file whose content does not match the checksum written in it."""


def stamped(state: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], str]:
    """The arrays as both formats write them, in C order and little-endian (safetensors' byte order;
    the bytes the checksum covers are those in the file), and their checksum."""
    arrays = {name: np.asarray(a, a.dtype.newbyteorder("<"), order="C") for name, a in state.items()}
    return arrays, checksum((name, a.dtype, a.shape, a) for name, a in arrays.items())


def checksum(entries: Iterable[Entry]) -> str:
    """CRC-32 of (name, dtype, shape, data) entries in the order of their names, as 8 hex digits. Each
    entry's JSON [name, dtype, shape] goes before its data, whose length it fixes: no two states give
    one stream. `data` is any buffer: the arrays saved, or slices of the file read, hashed in place."""
    crc = 0
    for name, dtype, shape, data in sorted(entries, key=lambda entry: entry[0]):
        crc = zlib.crc32(json.dumps([name, dtype.str, list(shape)]).encode(), crc)
        crc = zlib.crc32(data, crc)
    return f"{crc:08x}"


def verify(written: str, entries: Iterable[Entry]) -> None:
    """Corrupted unless the checksum of `entries` (as read from the file) is the one `written` in it."""
    found = checksum(entries)
    if found != written:
        raise Corrupted(
            f"its data does not match the checksum nn.save wrote in it ({CHECKSUM} {written!r}, its data's "
            f"{found!r}), so some of its bytes have changed since: load an intact copy"
        )

"""Where a .npz's zip ends and begins, by its end record (the last in the file's last 64 KiB and 22 bytes, as
zipfile finds it). zipfile skips bytes after the record and its comment and bytes before the zip's first byte, and
no checksum covers them: a file holding any is refused (`check_ends`), naming the bytes and the cut that removes
them, and a file that is two zips run together (a save appended to another, `cat a.npz b.npz > c.npz`) is said to
be, with the cut that keeps each."""

from __future__ import annotations

import struct
import zipfile
from typing import BinaryIO

from .io_checksum import appended, cut_short, joined, kept

_END = struct.calcsize(zipfile.structEndArchive)  # an end record's bytes, its comment aside
_LOCATOR = struct.calcsize(zipfile.structEndArchive64Locator)
_END64 = struct.calcsize(zipfile.structEndArchive64)
_SEARCHED = 1 << 16  # bytes before a zip's last 22 where zipfile looks for its end record (a comment's most + 1)
_CHUNK = 1 << 20  # bytes read at a time when the end record is looked for further back (`_earlier_end`)
_CANDIDATES = 1024  # end-record signatures `_earlier_end` checks: more is a file of false ones, slow to check

EndRecord = tuple[int, tuple[int, ...]]  # where a zip end record starts, and its fields (structEndArchive's)


def check_ends(f: BinaryIO, size: int, most: int) -> None:
    """ValueError for a file that does not end where its zip end record says (its last 22 bytes and the comment's
    length it declares): bytes after it, which zipfile skips and neither the zip's CRCs nor nn.save's checksum
    cover, or a comment cut short (cut at its first byte, zipfile read it as empty, as in np.savez's files, and the
    file loaded unchecked). With no end record there, one in the file's first `most` bytes (as many as a file of the
    model takes) that its central directory ends at is looked for too (`_earlier_end`): more than 64 KiB appended
    was "File is not a zip file", or, past `most`, "more than a file of these parameters takes", neither saying what
    was wrong nor how to cut it off; so too where the comment is cut short and a whole zip ends before it (a save
    appended to another and cut, which was only "cut short"). Then ValueError for a zip that does not begin at the
    file's first byte (`_before`): another zip before it, or other bytes."""
    found = _last_end(f, size)
    ends_at = size + 1 if found is None else _ends_at(found)
    if ends_at > size:  # no end record there, or its comment cut short: a whole zip before it?
        whole = _earlier_end(f, size, min(size, most))
        if whole is not None:
            raise ValueError(appended(size - whole, whole))
        if found is None:
            cut = _cut_record(f, size)
            if cut is not None:
                raise ValueError(cut_short(cut))
            return  # no end record, nor the start of one or of a zip: zipfile says it is no zip file
        declared = found[1][-1]
        if not _is_end(f, found):
            raise ValueError(_false_end(found, size, min(size, most)))
        raise ValueError(
            cut_short(
                f"its zip end record declares a comment of {declared} bytes, {size - ends_at + declared} of which "
                "follow"
            )
        )
    if ends_at < size:
        raise ValueError(appended(size - ends_at, ends_at))
    start = _start(f, found)
    if start > 0:
        raise ValueError(_before(f, start, size))


def prefixed(count: int) -> str:
    """What to say of `count` bytes before a zip's first entry (a self-extracting archive's program, junk)."""
    return (
        f"it has {count:,} byte{'s' * (count != 1)} before its first entry, which nn.save never writes (the file was "
        f"prefixed, or corrupted): load an intact copy, or, if the rest is what nn.save wrote, cut those bytes off "
        f"({kept(count)})"
    )


def _before(f: BinaryIO, start: int, size: int) -> str:
    """What to say of a zip that begins at byte `start`: the bytes before it end as a zip does (an end record ending
    at `start`, whose zip begins within them), so that the file is zips run together (`joined`), or they are others
    (`prefixed`). One end record is read, as for the file's end: a hostile prefix costs no more."""
    found = _last_end(f, start)
    if found is not None and _ends_at(found) == start and 0 <= _start(f, found) < start:
        return joined(start, size - start, size)
    return prefixed(start)


def _last_end(f: BinaryIO, stop: int) -> EndRecord | None:
    """The last end record starting in the 64 KiB and 22 bytes before byte `stop`, where zipfile looks in a file
    that ends there (whole: its 22 bytes before `stop`), or None."""
    tail_size = min(stop, _END + _SEARCHED)
    f.seek(stop - tail_size)
    tail = f.read(tail_size)
    whole = max(0, tail_size - _END + len(zipfile.stringEndArchive))  # where an end record may start, whole
    at = tail.rfind(zipfile.stringEndArchive, 0, whole)
    if at < 0:
        return None
    return stop - tail_size + at, struct.unpack(zipfile.structEndArchive, tail[at : at + _END])


def _ends_at(found: EndRecord) -> int:
    """The byte after an end record and the comment it declares."""
    position, fields = found
    return position + _END + fields[-1]


def _start(f: BinaryIO, found: EndRecord) -> int:
    """The byte where the zip of the end record `found` begins, as zipfile places it (its "concat"): its central
    directory's offset counts from there, and the directory ends at the record, or at zip64's records, whose size
    and offset zipfile reads instead where both lie just before it (a file past 4 GiB, or of 65,536 entries)."""
    position, fields = found
    directory_size, offset = fields[5], fields[6]
    if position >= _END64 + _LOCATOR:
        f.seek(position - _LOCATOR - _END64)
        records = f.read(_END64 + _LOCATOR)
        if records.startswith(zipfile.stringEndArchive64) and records.startswith(
            zipfile.stringEndArchive64Locator, _END64
        ):
            *_, directory_size, offset = struct.unpack(zipfile.structEndArchive64, records[:_END64])
            return position - _LOCATOR - _END64 - directory_size - offset
    return position - directory_size - offset


def _earlier_end(f: BinaryIO, size: int, limit: int) -> int | None:
    """Where the zip whose end record starts last in the first `limit` bytes ends (the record and its whole comment),
    read _CHUNK bytes at a time from the back (the memory of one chunk, whatever the file's size); None if there is
    no such record. A record counts only where its central directory ends just before it (or zip64's locator lies
    there: a file past 4 GiB, or of more than 65,535 entries) and its comment fits in the file: the signature alone
    (four bytes of appended junk) is no end. ValueError after _CANDIDATES signatures that are no end, saying so
    (2 MB of false records took 1.5 s, 100 times 2 MB of zeros; a file ending in 4 KB of them was said to be cut
    short)."""
    stop, left, position = limit, _CANDIDATES, limit
    while stop > 0 and left > 0:
        start = max(0, stop - _CHUNK)
        before = min(start, _LOCATOR)  # read too: a locator just before a record at the chunk's start
        f.seek(start - before)
        chunk = f.read(before + stop - start + _END - 1)  # a record starting before `stop`, whole
        ahead = len(zipfile.stringEndArchive) - 1  # rfind's end bounds a match's end: one starting before `stop`
        at = chunk.rfind(zipfile.stringEndArchive, before, before + stop - start + ahead)
        while at >= 0 and left > 0:
            left, position = left - 1, start - before + at
            record = chunk[at : at + _END]
            if len(record) == _END:
                fields = struct.unpack(zipfile.structEndArchive, record)
                zip64 = at >= _LOCATOR and chunk.startswith(zipfile.stringEndArchive64Locator, at - _LOCATOR)
                if _closes_directory(fields, position, zip64) and position + _END + fields[-1] <= size:
                    return position + _END + fields[-1]
            at = chunk.rfind(zipfile.stringEndArchive, before, at)
        stop = start if at < 0 else start - before + at + 1  # where the signatures not yet checked end
    if left == 0 and stop > 0:  # `position`: the last checked, where the false ones begin (not the next, unchecked)
        raise ValueError(
            f"from byte {position:,} on it holds {_CANDIDATES:,} zip end-record signatures (PK\\x05\\x06) that end no "
            "zip and more, more than nn.load looks through for where a zip ends: they are junk (after the file, or a "
            "file of another kind), which nn.save never writes: load an intact copy"
        )
    return None


def _closes_directory(fields: tuple[int, ...], position: int, zip64: bool) -> bool:
    """Whether the end record `fields` at byte `position` ends a zip of one disk: its central directory ends just
    before it (or zip64's locator lies there, `zip64`), which four bytes of junk that read as its signature do not."""
    _, disk, disk_of_directory, here, entries, directory_size, offset, _ = fields
    return disk == disk_of_directory == 0 and here == entries and (zip64 or offset + directory_size == position)


def _is_end(f: BinaryIO, found: EndRecord) -> bool:
    """Whether the end record `found` ends a zip (`_closes_directory`), the bytes before it read from `f`."""
    position, fields = found
    f.seek(max(0, position - _LOCATOR))
    return _closes_directory(fields, position, f.read(_LOCATOR).startswith(zipfile.stringEndArchive64Locator))


def _false_end(found: EndRecord, size: int, limit: int) -> str:
    """What to say of a file ending in an end record's signature that ends no zip, with none in its first `limit`
    bytes that does: bytes of another kind, or corrupted."""
    return (
        f"it has no zip end record: the signature of one at byte {found[0]:,} ends no zip (no central directory ends "
        f"before it, and its comment of {found[1][-1]:,} bytes would run past the file's {size:,}), nor does any in "
        f"its first {limit:,} bytes: it is no file nn.save wrote, or a corrupted one: load an intact copy"
    )


_RECORDS = (  # the records that end a zip, with the bytes from each one's start to the end of the last
    ("zip end record", zipfile.stringEndArchive, _END),
    ("zip64 end locator", zipfile.stringEndArchive64Locator, _LOCATOR + _END),
    ("zip64 end record", zipfile.stringEndArchive64, _END64 + _LOCATOR + _END),
)


def _cut_record(f: BinaryIO, size: int) -> str | None:
    """Where a file without a whole end record is cut (for `cut_short`): in one of the records that end a zip, or
    after an entry's start; None for bytes that begin no zip."""
    reach = _END64 + _LOCATOR + _END
    f.seek(max(0, size - reach))
    tail = f.read(reach)
    cuts = [(tail.rfind(signature), name, need) for name, signature, need in _RECORDS]
    at, name, need = max(((at, name, need) for at, name, need in cuts if len(tail) - need < at), default=(-1, "", 0))
    if at >= 0:
        position = size - len(tail) + at
        return (
            f"it ends {size - position} bytes into its {name} (at byte {position:,}), {need - size + position} "
            "bytes before a zip's end"
        )
    if size == 0:
        return "it has 0 bytes"
    f.seek(0)
    head = f.read(len(zipfile.stringFileHeader))
    if head == zipfile.stringFileHeader[: len(head)]:
        return f"its {size:,} bytes begin as a zip's do (its first entry's signature) but hold no zip end record"
    return None

"""Save and load a module's parameters as .npz: no pickle, never half-written, and loading reads
no more than the model's own size, whatever a file declares."""

from __future__ import annotations

import math
import os
import re
import secrets
import stat
import struct
import tokenize
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.lib import format as npy

from .module import Module

_HEADER_MAX = 1024  # bytes of an .npy header (nn.save writes 128)
_MEMBER_OVERHEAD = 2048  # an entry's zip headers and .npy header, its name aside
_ARCHIVE_OVERHEAD = 1 << 17  # the zip's end records and a comment of up to 64 KiB
_BROKEN = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error, NotImplementedError)


def save(module: Module, path: str | os.PathLike) -> None:
    """Write the parameters to `path`, an .npz of named float arrays (no pickle). It is written
    beside its destination as `.NAME.PID.XXXXXXXX.tmp` and renamed into place, so a crash leaves the
    old file or the new one, never a torn one. The temporary files of killed saves to the same
    name (whose process is gone) are removed first. A file replaced keeps its permissions;
    a new one gets the umask's. An OSError (a missing or read-only folder, a full disk) names `path`."""
    path = Path(path)
    state = module.state_dict()
    tmp = None
    try:
        _remove_stale(path)
        name = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as to any new file
        tmp = name
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **state)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
        os.replace(tmp, path)
    except BaseException as e:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        if isinstance(e, OSError) and e.errno is not None:
            raise OSError(e.errno, f"cannot save the model: {e.strerror}", str(path)) from None
        raise


def _remove_stale(path: Path) -> None:
    """Delete what killed saves to `path` left: files named as `save` names its temporary files
    whose writing process is gone (a save under way, in this process or another, keeps its own)."""
    ours = re.compile(rf"\.{re.escape(path.name)}\.(\d+)\.[0-9a-f]{{8}}\.tmp")
    try:
        with os.scandir(path.parent) as entries:
            for entry in entries:
                match = ours.fullmatch(entry.name)
                if match and entry.is_file(follow_symlinks=False) and not _alive(int(match[1])):
                    os.unlink(entry.path)
    except OSError:
        pass  # best effort: a folder we cannot list or clean is reported by the save itself


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # sends nothing: asks whether the process exists
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or no way to tell: leave its file alone
    return True


def load(module: Module, path: str | os.PathLike) -> Module:
    """Set the module's parameters from a file written by `save`; nothing changes unless every
    entry is good. Raises FileNotFoundError when there is no such file, OSError when it cannot
    be opened, and ValueError naming the file, the entry and the problem for anything in it: not
    a zip of .npy arrays, names or shapes that do not fit, dtypes other than floating point,
    NaN or infinite values (see `Module.load_state_dict`). Each entry's declared size, header,
    shape and dtype are checked before its data is read, and no more than that is read, so a
    crafted file (a huge declared array, a zip bomb, thousands of entries) costs no more memory
    than the model itself."""
    path = Path(path)
    kind = type(module).__name__
    if not stat.S_ISREG(path.stat().st_mode):  # before opening: opening a FIFO would wait for a writer
        raise ValueError(f"{path} is not a model saved by nn.save: it is not a regular file")
    with open(path, "rb") as f:
        try:
            state = _read(f, module)
        except _Unfit as e:
            raise ValueError(f"{path} does not fit this {kind}: {e.args[0]}") from None
        except _BROKEN as e:
            raise ValueError(f"{path} is not a model saved by nn.save (a readable .npz file): {e}") from None
    try:
        module.load_state_dict(state)
    except (KeyError, ValueError) as e:
        raise ValueError(f"{path}: {e.args[0]}") from None
    return module


class _Unfit(ValueError):
    """A well-formed file whose entries do not fit the module."""


def _read(f: BinaryIO, module: Module) -> dict[str, np.ndarray]:
    """The arrays in the open .npz `f`, each checked against `module` before its data is read."""
    size = os.fstat(f.fileno()).st_size
    if f.read(len(npy.MAGIC_PREFIX)) == npy.MAGIC_PREFIX:
        raise ValueError("it holds a single array, not named parameters")
    own = dict(module.named_parameters())
    most = _ARCHIVE_OVERHEAD + sum(16 * np.size(p.data) + _MEMBER_OVERHEAD + 2 * len(n) for n, p in own.items())
    if size > most:
        raise ValueError(f"it has {size:,} bytes, more than a file of these parameters takes ({most:,})")
    with zipfile.ZipFile(f) as archive:
        members = {}
        for member in archive.infolist():
            name = member.filename.removesuffix(".npy")
            if name == member.filename or name in members:
                raise ValueError(f"entry {member.filename!r} is not a named .npy array, or comes twice")
            members[name] = member
        headers = {name: _header(archive, member) for name, member in members.items()}
        try:
            module.check_state({name: (shape, dtype) for name, (shape, _, dtype, _) in headers.items()})
        except (KeyError, ValueError) as e:
            raise _Unfit(e.args[0]) from None
        return {name: _data(archive, members[name], *headers[name]) for name in members}


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
) -> np.ndarray:
    """The array of a checked entry: exactly its declared bytes are read, then one more to be sure
    there are no more (reaching the end makes zipfile check the CRC)."""
    size = math.prod(shape) * dtype.itemsize
    with archive.open(member) as stream:
        stream.read(skip)
        raw = stream.read(size)
        if len(raw) != size or stream.read(1):
            raise ValueError(f"entry {member.filename!r} does not hold the {size:,} bytes its header declares")
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

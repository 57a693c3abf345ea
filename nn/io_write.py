"""How nn.save writes a file: never half-written. The bytes go to a temporary file beside the destination,
`.NAME.PID.XXXXXXXX.tmp`, flushed to the disk and renamed into place, so that a crash leaves the old file or the
new one, never a torn one; a file replaced keeps its permissions; the temporary files of killed saves to the same
name (whose process is gone) are removed first."""

from __future__ import annotations

import os
import re
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_replacing(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """`write` the file at `path` through a temporary file renamed into place; an OSError (a missing or read-only
    folder, a full disk) names `path`, and any error removes the temporary file."""
    tmp = None
    try:
        _remove_stale(path)
        name = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as to any new file
        tmp = name
        with os.fdopen(fd, "wb") as f:
            write(f)
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
    """Whether process `pid` may still be running (True where that cannot be told)."""
    try:
        os.kill(pid, 0)  # sends nothing: asks whether the process exists
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or no way to tell: leave its file alone
    return True

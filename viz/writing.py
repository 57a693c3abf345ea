"""Writing a drawing or a page to a file: the folder checked first, the file written whole."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def require_folder(path: Path) -> None:
    """Refuse a path whose folder does not exist, or that is a folder itself, naming the path and the
    folder (not the temporary file `write_atomically` would create there first)."""
    if path.is_dir():  # the rename over it would fail after the drawing, naming the temporary file
        raise IsADirectoryError(f"cannot write {str(path)!r}: it is a folder; give a file's path inside it")
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"cannot write {str(path)!r}: {str(folder)!r} is a file, not a folder")
    if not folder.is_dir():
        raise FileNotFoundError(
            f"cannot write {str(path)!r}: the folder {str(folder)!r} does not exist; create it first"
        )


def write_atomically(path: Path, content: bytes) -> None:
    """Write beside the destination and rename, so a reader never sees half a file."""
    require_folder(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; a new file is normally not
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

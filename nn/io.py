"""Save and load a module's parameters as .npz: no pickle, never half-written."""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from .module import Module


def save(module: Module, path: str | os.PathLike) -> None:
    """Write the parameters to `path` (an .npz of named arrays). The file is written beside its
    destination under a temporary name and renamed into place, so a crash leaves the old file
    or the new one, never a torn one."""
    path = Path(path)
    state = module.state_dict()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **state)
            f.flush()
            os.fsync(f.fileno())
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes it private; a saved model normally is not
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(module: Module, path: str | os.PathLike) -> Module:
    """Set the module's parameters from a file written by `save`. Every name and shape is
    checked before anything changes; a file that is not such a model is named as such."""
    path = Path(path)
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError("it holds a single array, not named parameters")
        with archive:
            state = {name: archive[name] for name in archive.files}
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as e:
        raise ValueError(f"{path} is not a model saved by nn.save (a readable .npz file): {e}") from None
    try:
        module.load_state_dict(state)
    except (KeyError, ValueError) as e:
        raise ValueError(f"{path} does not fit this {type(module).__name__}: {e.args[0]}") from None
    return module

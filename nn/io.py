"""Save and load a module's parameters, as .npz or .safetensors by the file's suffix: no pickle,
never half-written (io_write), and every entry checked before any parameter changes (one path for both
formats: each reader checks the entries' shapes and dtypes against the model's state_dict, its class's
own where it overrides it (io_state), before it reads their data, then the values are checked).
With `optimizer=`, the optimizer's state dict is saved and loaded beside the parameters, its names
under OPTIMIZER_PREFIX, so that training resumes where it stopped."""

from __future__ import annotations

import copy
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, Protocol

import numpy as np

from autograd import type_name

from . import io_checksum, io_npz, io_params, io_safetensors, io_schedules, io_state
from .io_kinds import NPY, PICKLES
from .io_write import write_replacing
from .module import Module
from .module_state import entry_kind, layout
from .optim_base import Optimizer
from .state_checks import Layout, check_entries
from .structure import OPTIMIZER_ATTRIBUTE


class FileFormat(Protocol):
    """What nn.save and nn.load need of a format (io_npz and io_safetensors are two)."""

    DESCRIPTION: str  # what a good file is, for messages: "a readable .npz file"
    BROKEN: tuple[type[BaseException], ...]  # what reading a malformed file raises

    def check_entry(self, name: str, dtype: np.dtype) -> None:
        """ValueError naming the entry `name` and the fix, if the format cannot hold its name or its dtype
        (save asks of every entry before writing anything)."""

    def write(self, f: BinaryIO, state: dict[str, np.ndarray]) -> None: ...

    def read(self, f: BinaryIO, own: Layout, check: Callable[[Layout], None]) -> dict[str, np.ndarray]:
        """The file's arrays by name; `check` is given every entry's (shape, dtype) before any data
        is read, and the model's layout `own` bounds what may be read."""


FORMATS: dict[str, FileFormat] = {".npz": io_npz, ".safetensors": io_safetensors}
# The optimizer's entries in a file: under a name no module's member may take (structure.check_attribute).
OPTIMIZER_PREFIX = OPTIMIZER_ATTRIBUTE + "."
PARTS = (io_schedules.SCHEDULE, io_params.PARAM)  # what else an optimizer's entries in a file hold, after the prefix
# Files people reach for that are not models nn.save writes, by suffix, and what to say of them: nn.load reading one
# in the words it uses for such a file's bytes (io_kinds), nn.save asked for one what it is, and for PyTorch's file
# how to make it.
_PYTORCH_SUFFIXES = (".pt", ".pth")
_PYTORCH = f"PyTorch's {' and '.join(_PYTORCH_SUFFIXES)} files are pickles, "
_LOAD_ELSEWHERE = {".npy": f"{NPY[0]}: {NPY[1]}"} | dict.fromkeys(_PYTORCH_SUFFIXES, _PYTORCH + PICKLES)
_SAVE_ELSEWHERE = {".npy": NPY[0]} | dict.fromkeys(
    _PYTORCH_SUFFIXES,
    _PYTORCH + "which nn.save never writes: torch.save(nn.export.to_torch_state_dict(model, as_tensors=True), path)",
)
# How PyTorch's parameter and buffer names end (chainrule's Linear says W and b): unexpected names ending so
# are likely a PyTorch model's, whose names and layouts nn.export reads. Likely, not sure (chainrule's Conv2d
# says weight too), so the message says what to do if they are.
_TORCH_ENDINGS = ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")


def save(module: Module, path: str | os.PathLike | None = None, optimizer: Optimizer | None = None) -> None:
    """Write the parameters to `path` as named float arrays (no pickle), in the format its suffix
    names: .npz (numpy's) or .safetensors (needs the `safetensors` extra; PyTorch and others read
    it), with a checksum over every entry that `load` verifies (io_checksum). Any other suffix is a
    ValueError. It is written beside its destination as `.NAME.PID.XXXXXXXX.tmp` and renamed into
    place, so a crash leaves the old file or the new one, never a torn one. The temporary files
    of killed saves to the same name (whose process is gone) are removed first. A file replaced
    keeps its permissions; a new one gets the umask's.
    An OSError (a missing or read-only folder, a full disk) names `path`. With `optimizer`, its
    `state_dict()` is written too, the state and settings of the schedulers chained on it (io_schedules),
    and which of the model's parameters each of its own is (io_params: an optimizer holding none of them
    is a ValueError), each name prefixed by OPTIMIZER_PREFIX: load it back with
    `load(module, path, optimizer=...)` to resume training. What `load` would refuse (NaN or
    infinite values, of a diverged run say) is a ValueError naming the entry, and the file at
    `path` is left as it was."""
    path = _check_arguments("save", module, path, optimizer)
    fmt = _format(path, "save writes", _SAVE_ELSEWHERE)
    try:  # the checks of load, so that no save replaces a good file with one that cannot be loaded
        state = io_state.saved_state(module)
        if optimizer is not None:
            # checked by loading it into a shallow copy: the optimizer's own check, and the optimizer unchanged
            optimizer_state = optimizer.state_dict()
            copy.copy(optimizer).load_state_dict(optimizer_state)
            optimizer_state |= io_schedules.entries(optimizer)  # its schedulers' epochs, so that they go on too
            optimizer_state |= io_params.entries(module, optimizer)  # whose state is whose: refused if any is not
            state |= {OPTIMIZER_PREFIX + name: array for name, array in optimizer_state.items()}
        for name, array in state.items():  # both write names as UTF-8; each has names and dtypes it cannot hold
            _check_utf8(name)
            fmt.check_entry(name, np.asarray(array).dtype)
    except ValueError as e:
        raise ValueError(f"{path}: nn.save did not write it, since nn.load would refuse it: {e.args[0]}") from None
    write_replacing(path, lambda f: fmt.write(f, state))


def _check_utf8(name: str) -> None:
    """ValueError for a name that is not text UTF-8 can write (a lone surrogate, as os.fsdecode gives)."""
    try:
        name.encode()
    except UnicodeEncodeError as e:
        raise ValueError(
            f"the name {name!r} holds {name[e.start]!r}, a lone surrogate, which no file's UTF-8 names can hold: "
            "rename that key or attribute"
        ) from None


def _format(path: Path, does: str, elsewhere: dict[str, str]) -> FileFormat:
    """The format `path`'s suffix names, or ValueError saying what nn.save or nn.load `does` ("save writes") and
    listing the suffixes there are, and what `elsewhere` says of a file of its suffix (one of another tool's)."""
    suffix = path.suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    why = f" ({elsewhere[suffix]})" if suffix in elsewhere else ""
    raise ValueError(f"{path}: nn.{does} {' and '.join(FORMATS)} files, chosen by the suffix{why}")


def load(module: Module, path: str | os.PathLike | None = None, optimizer: Optimizer | None = None) -> Module:
    """Set the module's parameters from a file written by `save` (.npz or .safetensors, by its
    suffix; .safetensors files from elsewhere too, if their names fit); nothing changes unless
    every entry is good. Raises FileNotFoundError when there is no such file, OSError when it
    cannot be opened, ImportError for a .safetensors file without the `safetensors` extra, and
    ValueError naming the file, the entry and the problem for anything in it: not a well-formed
    file of its format (a file of another kind is named by its first bytes, with the fix: io_kinds),
    names or shapes that do not fit, dtypes other than floating point, NaN or infinite values (see
    `Module.load_state_dict`), entries that do not match the checksum
    `save` writes (a corrupted file; those of other tools have none, and load unchecked). Each
    entry's header (size, shape, dtype) is checked before its data is read, and no more than that
    is read, so a crafted file (a huge declared array, a zip bomb, thousands of
    entries, offsets that lie) costs no more memory than the model itself.

    A file saved with `optimizer=` is loaded with `optimizer=` (of the kind saved, over the same
    parameters of the model in the same order, with settings that keep the same slots: momentum or
    none): its state (moments, step counts, lr and every other setting, which replace the optimizer's)
    and its schedulers' (their epochs: make the same schedulers, with the same settings, on it first)
    are checked like the parameters, and set only if everything in the file is good. An error about
    the optimizer's entries names the optimizer and the entries as the file does (`_optimizer.lr`).
    A class overriding state_dict and load_state_dict (to save more) is saved and loaded through them,
    every entry checked against what its state_dict() gives now before its load_state_dict runs (io_state)."""
    path = _check_arguments("load", module, path, optimizer)
    model_layout = io_state.file_layout(module)
    own = dict(model_layout)
    if optimizer is not None:
        own |= {OPTIMIZER_PREFIX + name: entry for name, entry in optimizer.state_layout().items()}
        own |= io_schedules.layout(optimizer, OPTIMIZER_PREFIX)
        own |= io_params.layout(module, optimizer, OPTIMIZER_PREFIX)
    if not stat.S_ISREG(path.stat().st_mode):  # before opening: opening a FIFO would wait for a writer
        raise ValueError(f"{path} is not a model saved by nn.save: it is not a regular file")
    fmt = _format(path, "load reads", _LOAD_ELSEWHERE)
    with open(path, "rb") as f:
        try:
            state = fmt.read(f, own, _checker(module, model_layout, optimizer))
        except _Unfit as e:
            raise ValueError(f"{path} does not fit {e.args[0]}") from None
        except io_checksum.Corrupted as e:
            raise ValueError(f"{path} is corrupted: {e}") from None
        except fmt.BROKEN as e:
            raise ValueError(f"{path} is not a model saved by nn.save ({fmt.DESCRIPTION}): {e}") from None
    model_state, optimizer_state = _split(state)
    try:
        if optimizer is not None or io_state.loads_its_own(module):
            model_state = io_state.checked(module, model_state, model_layout)  # cast, before anything changes
        if optimizer is not None:
            optimizer_state, schedules, params = _split_optimizer(optimizer_state)
            io_params.check_values(params)
            lr = optimizer_state.get(OPTIMIZER_PREFIX + "lr")
            # the file's lr, or each param group's where the optimizer has several ("group.K.lr")
            heads = [f"{OPTIMIZER_PREFIX}group.{k}.lr" for k in range(len(optimizer.groups))]
            lrs = [float(optimizer_state[h]) for h in heads if h in optimizer_state] if lr is None else []
            given = float(lr) if lr is not None else (lrs if len(lrs) > 1 else 0.0)
            resume = io_schedules.resumer(optimizer, schedules, OPTIMIZER_PREFIX, given)
            # checked on a shallow copy (the optimizer unchanged), so that the model, whose class may load
            # its own state (and fail), loads before the optimizer changes
            copy.copy(optimizer).load_state_dict(optimizer_state, prefix=OPTIMIZER_PREFIX)
        io_state.load_into(module, model_state)
        if optimizer is not None:
            optimizer.load_state_dict(optimizer_state, prefix=OPTIMIZER_PREFIX)
            resume()  # checked above, it cannot fail: the schedulers go on from the saved epochs
    except (KeyError, ValueError) as e:
        raise ValueError(f"{path}: {e.args[0]}") from None
    return module


def _check_arguments(does: str, module: object, path: object, optimizer: object) -> Path:
    """`path` as a Path; TypeError naming the fix for a module, a path or an optimizer that is not one
    (arguments swapped, say), or no path (None: the default only so that one argument is told this)."""
    if path is None:  # nn.load(path) as torch.load(path): a file holds parameters, no model to load them into
        got = f"only the path {os.fspath(module)!r}" if isinstance(module, str | os.PathLike) else "no path"
        fix = "make the model as it was saved, then nn.load(model, path)" if does == "load" else "nn.save(model, path)"
        raise TypeError(
            f"nn.{does}: path must be a file name (a str or a pathlib.Path): nn.{does}(module, path, optimizer=None) "
            f"takes the model and the file's path, got {got}: {fix}"
        )
    if not isinstance(module, Module):
        raise TypeError(
            f"nn.{does}(module, path, optimizer=None) takes a Module (the model) first, got {type_name(module)} "
            f"{module!r:.60}"
        )
    if optimizer is not None and not isinstance(optimizer, Optimizer):
        raise TypeError(f"nn.{does}: optimizer must be an Optimizer (nn.SGD, nn.Adam, ...), got {optimizer!r}")
    if not isinstance(path, str | os.PathLike):  # pathlib's own message does not say which argument
        raise TypeError(f"nn.{does}: path must be a file name (a str or a pathlib.Path), got {type_name(path)}")
    return Path(path)


def _split_optimizer(entries: dict) -> tuple[dict, dict, dict]:
    """An optimizer's entries in a file as (its own, its schedulers', the names of its parameters in the
    model), each keeping its name in the file."""
    schedules, params = ({n: x for n, x in entries.items() if n.startswith(OPTIMIZER_PREFIX + part)} for part in PARTS)
    return {n: x for n, x in entries.items() if n not in schedules and n not in params}, schedules, params


def _split(entries: dict) -> tuple[dict, dict]:
    """A file's entries as (the model's, the optimizer's), each keeping its name in the file."""
    model = {name: x for name, x in entries.items() if not name.startswith(OPTIMIZER_PREFIX)}
    return model, {name: x for name, x in entries.items() if name not in model}


class _Unfit(ValueError):
    """A well-formed file whose entries do not fit the module or the optimizer: its message says
    which ("this Linear: ...", "the optimizer Adam: ...")."""


def _checker(module: Module, model_layout: Layout, optimizer: Optimizer | None) -> Callable[[Layout], None]:
    """The model's entries against `model_layout` (io_state.file_layout), and `optimizer.check_state` on
    the optimizer's entries, raising
    _Unfit, so that load tells a file that does not fit this model from one that is malformed,
    and names the one it does not fit."""
    model_is, optimizer_is = f"this {type_name(module)}", f"the optimizer {type_name(optimizer)}"

    def check(entries: Layout) -> None:
        model_entries, optimizer_entries = _split(dict(entries))
        if optimizer_entries and optimizer is None:
            raise _Unfit(
                f"{model_is}: it holds an optimizer's state too ({len(optimizer_entries)} entries named "
                f"{OPTIMIZER_PREFIX}*); load it with nn.load(model, path, optimizer=...), giving an optimizer like "
                "the one saved"
            )
        if optimizer is not None and not optimizer_entries:
            raise _Unfit(
                f"{optimizer_is}: it holds no optimizer's state (it was saved without optimizer=); load it without "
                "optimizer="
            )
        try:
            check_entries(model_layout, model_entries, entry_kind(module))
        except (KeyError, ValueError) as e:
            raise _Unfit(f"{model_is}: {e.args[0]}{_from_torch(module, model_entries)}") from None
        if optimizer is not None:
            own, schedules, params = _split_optimizer(optimizer_entries)
            try:
                io_params.check(module, optimizer, params, OPTIMIZER_PREFIX)
                optimizer.check_state(own, prefix=OPTIMIZER_PREFIX)
                io_schedules.check(optimizer, schedules, OPTIMIZER_PREFIX)
            except (KeyError, ValueError) as e:
                raise _Unfit(f"{optimizer_is}: {e.args[0]}") from None

    return check


def _from_torch(module: Module, entries: Layout) -> str:
    """What to say of unexpected names that are likely PyTorch's: the way to load them (nn.export)."""
    torch_names = sorted(name for name in entries.keys() - layout(module).keys() if name.endswith(_TORCH_ENDINGS))
    if not torch_names:
        return ""
    return (
        f"; names such as {torch_names[0]!r} look like PyTorch's: if the file was saved from a PyTorch model, read its "
        "arrays (safetensors.torch.load_file, or dict(numpy.load(path)) for .npz) and load them with "
        "nn.export.from_torch_state_dict(model, arrays), which reads PyTorch's names and layouts"
    )

"""The checks of the public functions' arguments, in one place: each wrong one refused up front, before
any graph is read or drawn, with one error of the right type that names it and says what it takes."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path
from typing import Any

import graphviz
import numpy as np

from autograd import Node, repr_of, type_name

RANKDIRS = ("LR", "TB", "RL", "BT")  # graphviz's directions: it draws any other word as TB without a word


def require_root(root: Any, caller: str, accepted: tuple[type, ...] = (Node,), also: str = "") -> None:
    """Refuse a root that is not a graph's node (None, a number, an array): a TypeError naming what
    `caller` takes, not an AttributeError from deep inside."""
    if not isinstance(root, accepted):
        raise TypeError(
            f"{caller} takes the Value or Tensor whose graph to draw (the loss, an output){also}, got {type_name(root)}"
        )


# Each check names `caller`, the public function whose argument it refuses (a notebook cell calls several).


def require_format(caller: str, format: Any) -> None:
    """Refuse a `format` graphviz does not write (None: the Digraph's own, svg)."""
    if format is not None and (not isinstance(format, str) or format not in graphviz.FORMATS):
        raise (ValueError if isinstance(format, str) else TypeError)(
            f"{caller}: format {repr_of(format)} is not one graphviz writes; use 'svg', 'png' or 'pdf' "
            "(graphviz.FORMATS)"
        )


def require_rankdir(caller: str, rankdir: Any) -> None:
    if not isinstance(rankdir, str) or rankdir not in RANKDIRS:
        raise (ValueError if isinstance(rankdir, str) else TypeError)(
            f"{caller}: rankdir must be one of {', '.join(map(repr, RANKDIRS))} (left to right, top to bottom, right "
            f"to left, bottom to top), got {repr_of(rankdir)}"
        )


def require_flags(caller: str, **flags: Any) -> None:
    """Refuse a flag that is not True or False: "no", None and 0.0 would each be read silently as one."""
    for name, value in flags.items():
        if not isinstance(value, bool | np.bool_):
            raise TypeError(f"{caller}: {name} must be True or False, got {type_name(value)} {repr_of(value)}")


def require_count(
    caller: str, name: str, value: Any, takes: str, low: int, high: int | None = None, optional: bool = False
) -> None:
    """Refuse an int argument that is not an int (a TypeError; None is one where `optional`) or is outside
    `low` to `high` (a ValueError); `takes` says what it must be ("an int of at least 1"). True is an int to
    Python and numpy's timedelta64 an np.integer to numpy: neither is a count."""
    if optional and value is None:
        return
    if isinstance(value, bool | np.timedelta64) or not isinstance(value, int | np.integer):
        raise TypeError(f"{caller}: {name} must be {takes}, got {type_name(value)} {repr_of(value)}")
    if value < low or high is not None and value > high:
        raise ValueError(f"{caller}: {name} must be {takes}, got {value}")


def require_max_nodes(caller: str, max_nodes: Any) -> None:
    require_count(caller, "max_nodes", max_nodes, "an int of at least 1 (or None: no limit)", 1, optional=True)


def require_modules(caller: str, modules: Any) -> None:
    """Refuse `modules=` that is not a model: it is read for its modules' calls and its parameters' names."""
    if modules is not None and not all(callable(getattr(modules, a, None)) for a in _MODEL):
        raise TypeError(
            f"{caller}: modules must be the model whose modules computed the graph (an nn.Module, as nn.MLP), or "
            f"None, got {type_name(modules)} {repr_of(modules)}"
        )


_MODEL = ("named_modules", "named_parameters")


def require_text(caller: str, name: str, value: Any) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{caller}: {name} must be a str, got {type_name(value)} {repr_of(value)}")


def as_path(path: Any, caller: str) -> Path:
    """The path a caller writes to, as a Path; anything but a str or an os.PathLike is refused, naming it."""
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"{caller} writes to a path, a str or a pathlib.Path, got {type_name(path)} {path!r}")
    return Path(path)


def page_path(path: Any, caller: str) -> Path:
    """The path an HTML page is written to (`as_path`), refused unless it ends in .html or .htm: a page
    under a drawing's name (.svg) would not open as one."""
    path = as_path(path, caller)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"{caller} writes an HTML page, not {path.name!r}: give it a .html suffix (render: .svg)")
    return path


def require_known(caller: str, options: dict[str, Any], known: Collection[str], elsewhere: str) -> None:
    """Refuse options `caller` does not take, naming the ones it does and where the others are
    (`elsewhere`), instead of Python's error about a function inside viz."""
    unknown = [name for name in options if name not in known]
    if unknown:
        raise TypeError(f"{caller} takes the options {', '.join(known)}, not {', '.join(unknown)}: {elsewhere}")

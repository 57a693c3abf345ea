"""The dicts, lists, sets, deques and arrays a compiled step's names hold (compile_settings.Contents), watched while
it is recorded for changes that its own Python makes (`COUNT[0] += 1`, `history.append(x)`, `queue.popleft()`):
a replay runs none of that Python, so the container would stay as recorded, and what the step reads from it (a
size for autograd.rand, a branch) would be stale. Changes made by code that a replay runs again are the replay's:
an optimizer's step and other `@replayed` methods, autograd.validate's checks, autograd.drawn's draws. The
recording marks those spans (`replayed_code`), and only changes made between them are the step's."""

from __future__ import annotations

import contextlib
import itertools
import reprlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from .compile_calls import unfollowed
from .compile_guards import settled, unchanged


class Changes:
    """The containers watched (Contents), their snapshots as the step's own code last found them, and the
    problems found: one per container the step's own code changed."""

    def __init__(self, watched: list[Any]) -> None:
        self.watched = watched
        self.snapshots = [settled(c.held) for c in watched]
        self.depth = 0  # replayed code running now
        self.problems: list[str] = []
        self._changed: set[int] = set()

    def look(self) -> None:
        """Note each container changed since its snapshot (by the step's own code), once."""
        for i, (contents, snapshot) in enumerate(zip(self.watched, self.snapshots)):
            if i not in self._changed and not unchanged(contents, "held", snapshot):
                self._changed.add(i)
                self.problems.append(changed_in_place(contents))

    @contextmanager
    def replayed_code(self) -> Iterator[None]:
        """A span of code that a replay runs again: what changes there is the replay's."""
        if self.depth == 0:
            self.look()
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
            if self.depth == 0:  # those the span changed taken anew; the others compared only (in C), not copied
                self.snapshots = [
                    snapshot if unchanged(c, "held", snapshot) else settled(c.held)
                    for c, snapshot in zip(self.watched, self.snapshots)
                ]


def changed_in_place(contents: Any) -> str:
    """Why a step that changed a container its names hold (compile_settings.Contents) runs eagerly."""
    held = contents.held
    return (
        f"the step changed {_named(contents.name)} in place ({_a(type(held).__name__)}: {_preview(held)}; a counter it "
        "increments, a history it appends to, a queue it pops), which a replay would not do: the container would "
        "stay as recorded, and what the step reads from it (a size, a branch) would be stale. Keep such state "
        "outside the compiled step (update it from what the step returns), or pass the number as an argument"
    )


def _named(where: str) -> str:
    """Where the step's names hold a container, in code quotes, at most NAME_SHOWN characters of it."""
    shown = where if len(where) <= NAME_SHOWN else where[: NAME_SHOWN - 3] + "..."
    item = "an item of "
    return f"{item}`{shown[len(item) :]}`" if shown.startswith(item) else f"`{shown}`"


NAME_SHOWN = 80


def _a(kind: str) -> str:
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def _preview(held: Any) -> str:
    """A short description of a container: its size and first keys or items (at most 60 characters of them, each
    shortened before it is written: the repr of a list of 300,000 numbers took 13 ms)."""
    if isinstance(held, np.ndarray | memoryview):  # a memoryview of 2 or more dimensions iterates no items
        return f"shape {held.shape}"
    items = list(itertools.islice(held, 3))
    more = ", ..." if len(held) > 3 else ""
    what = "keys " if isinstance(held, dict) else ""
    shown = ", ".join(map(reprlib.repr, items))[:60]
    return f"{len(held)} {'item' if len(held) == 1 else 'items'}, {what}{shown}{more}"


@contextmanager
def replayed_code(rec: Any, *running: Any) -> Iterator[None]:
    """A span of code that a replay runs again, in the recording `rec`: `Changes.replayed_code` where it watches
    changes, and not followed where `running` (the function called there, its object) is not the user's
    (compile_calls.unfollowed)."""
    changes = getattr(rec, "changes", None)
    with unfollowed(*running), contextlib.nullcontext() if changes is None else changes.replayed_code():
        yield

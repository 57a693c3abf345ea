"""The global random generators a compiled step must not draw from outside `autograd.drawn`: Python's
`random` module and numpy's legacy one (`np.random.rand`, `np.random.shuffle`). A replay runs none of
the step's Python, so a branch on `random.random()` (an augmentation taken or not) goes on as it went
when recorded, and numbers drawn as data stay the recorded ones. A draw made by `autograd.drawn` is
made again by each replay, in its order: what it takes from these generators is its own."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

DREW_OUTSIDE = (
    "the step drew from Python's random module or numpy's global generator (random.random(), np.random.rand) "
    "outside autograd.drawn: a replay runs none of the step's Python, so a branch on such a draw would go "
    "as recorded, and numbers drawn as data would stay the recorded ones. Draw inside autograd.drawn (or "
    "with autograd.rand), or run the step eagerly"
)


def global_states() -> tuple[Any, ...]:
    """Where Python's and numpy's global generators stand: equal to an earlier reading where nothing drew."""
    kind, keys, position, *rest = np.random.get_state()
    return random.getstate(), kind, keys.tobytes(), position, *rest


class Spans:
    """A recording's readings of the global generators: at its start, around each `autograd.drawn`
    draw, and at its end. They chain (each reading equal to the one before it, a draw's own span
    aside) exactly when nothing but the draws moved the generators."""

    def __init__(self) -> None:
        self.readings = [global_states()]

    @contextmanager
    def drawing(self) -> Iterator[None]:
        self.readings.append(global_states())
        yield
        self.readings.append(global_states())

    def moved_outside_draws(self) -> bool:
        readings = [*self.readings, global_states()]
        return any(before != after for before, after in zip(readings[::2], readings[1::2]))


def draw_in(spans: Spans | None, draw: Callable[[], Any]) -> Any:
    """`draw()`, its span noted while a step is recorded (`spans`)."""
    if spans is None:
        return draw()
    with spans.drawing():
        return draw()

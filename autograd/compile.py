"""`autograd.compile`: record a training step once, replay it without building a graph."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def compile(fn: Callable[..., Any]) -> Callable[..., Any]:  # noqa: A001 (autograd.compile, as torch.compile)
    raise NotImplementedError("autograd.compile is being written")

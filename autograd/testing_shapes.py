"""Steps of `autograd.testing.tensor_expressions` through the shapes ops: name -> (template, apply,
accepts), as `testing._Kind` takes them; each keeps a 2-d operand's shape (rows, columns)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

KINDS: dict[str, tuple[str, Callable[..., Any], tuple[Callable[[Any], bool], ...]]] = {}

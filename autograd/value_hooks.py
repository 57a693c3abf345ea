"""Value's gradient hooks (a mixin of Value): PyTorch's register_hook on the scalar engine, its pass's
float gradients given to the hook and taken back (autograd/hooks.py keeps the table and runs them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .graph import Node
from .hooks import RemovableHandle, register_hook
from .modes import is_real
from .type_names import type_name


def handed_out(g: Any) -> Any:
    """A Value's gradient as it is handed out (a hook's argument, `gradients`' result): a numpy scalar (the sums
    numpy `.data` makes: np.float32(1.5)) as a plain float, as `.grad` holds it; a float, a Value (create_graph's)
    or a transform's array of them as it is."""
    return float(g) if isinstance(g, np.generic) else g


class ValueHooks:
    """`v.register_hook(fn)`, and what Value's backward pass asks of a hook's gradient."""

    __slots__ = ()

    def register_hook(self, hook: Callable[[Any], Any]) -> RemovableHandle:
        """`hook(grad)` is called when a backward pass has summed this Value's gradient (a float; a Value
        under create_graph), and may return a number to use in its place, downstream and in `.grad`.
        Returns a handle whose `remove()` takes the hook off. A number an operator lifted (the 2 of
        `x * 2`) takes none: nobody reads its gradient."""
        if self.is_constant:
            raise RuntimeError(
                "register_hook on a constant (a number an operator lifted into the graph): its gradient is never "
                "kept; register the hook on a Value of your own"
            )
        return register_hook(self, hook)

    @staticmethod
    def _hook_argument(g: Any) -> Any:
        # a float, which the hook cannot change in place; a Value under create_graph
        return handed_out(g)

    def _hook_result(self, result: Any, create_graph: bool, name: str) -> Any:
        if isinstance(result, type(self)):
            return result if create_graph else result.data
        if isinstance(result, Node) or not is_real(result):
            raise TypeError(
                f"the gradient hook {name!r} returned {type_name(result)}: a Value's hook returns None (the "
                "gradient unchanged) or a number (a Value under create_graph)"
            )
        return self._as_node(self, float(result)) if create_graph else float(result)

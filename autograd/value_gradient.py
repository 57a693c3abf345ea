"""Value's gradient, as the graph core asks of a node kind: `.grad` before a backward reaches it
(NOT_COMPUTED, a 0.0 told apart from a gradient that is 0), where a gradient sum starts, and the pass
a backward runs (scalar_backward's: no sorting, the hottest rules written out). A mixin, so that value.py
keeps the operator methods and how a Value is made."""

from __future__ import annotations

from typing import Any

from . import compile_record
from .graph import Node
from .scalar_backward import scalar_order, scalar_pass
from .value_hooks import handed_out


class _NotComputed(float):
    """The type of NOT_COMPUTED: a 0.0 in every way, but a distinct object."""

    __slots__ = ()


# A Value's .grad before any backward reaches it: equal to 0.0 and computing as 0.0, but
# told apart from a gradient that is 0 (see grad_computed). The first gradient added to it
# gives a plain float.
NOT_COMPUTED = _NotComputed(0.0)


class ValueGradient:
    """Value's answers to the graph core about gradients (its `_seed`, which makes Values, stays with it)."""

    __slots__ = ()
    _grad_zero = NOT_COMPUTED
    _grad_sum_start = 0.0

    @staticmethod
    def _zero_like(x: Any) -> float:
        return 0.0

    @staticmethod
    def _check_graph(order: list[Any]) -> Any:
        """No version counters for Values: they would cost every scalar op (see Tensor for them)."""
        return {}

    @property
    def grad_computed(self) -> bool:
        """Whether a backward has reached this Value since it was made or zeroed (`.grad` is 0.0 either way)."""
        return self.grad is not NOT_COMPUTED  # type: ignore[attr-defined]

    @staticmethod
    def _backward_pass(root: Any, grad: Any, create_graph: bool, accumulate: bool) -> Any:
        """Value's own pass (scalar_backward): no sorting, the hottest rules written out, every `.grad`
        as it was if the pass raises."""
        compile_record.scalar_backward()
        return scalar_pass(root, root._seed(grad, create_graph), create_graph, accumulate)

    @staticmethod
    def _handed_out(grads: list[Any]) -> list[Any]:
        """`gradients`' results as `.grad` holds them (value_hooks.handed_out)."""
        return [handed_out(g) for g in grads]

    @staticmethod
    def _backward_order(root: Any) -> list[Node]:
        return scalar_order(root)

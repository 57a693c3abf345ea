"""A Value pass's check of the numbers its rules read, where user code runs in it (a gradient hook, the rule of an op
of yours, a node built by hand): a Value has no version count, so its `.data` set by such code after the forward gave
the gradient of the changed numbers. The numbers are noted once, before the first user code runs, and each node taken
after it is refused where its own or a parent's number changed since; a pass with no user code notes nothing."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .graph_order import MANY
from .hooks import run_hooks


class Watch:
    """What a Value pass (`order`, its nodes) notes of their numbers once user code is about to run (`runs`), and its
    check of what a rule reads (`check`, which the pass calls on each node taken after that, where a number is not the
    object noted). Called on a node, it runs the node's gradient hooks (`hooks`), then `finished` (the pass's own step,
    if any): it stands in for `finished` in a pass with hooks."""

    __slots__ = ("order", "finished", "hooks", "create_graph", "start", "numbers", "who")

    def __init__(
        self, order: list[Any], finished: Callable[[Any], None] | None, hooks: Any, create_graph: bool, start: Any
    ) -> None:
        self.order, self.finished, self.hooks = order, finished, hooks
        self.create_graph, self.start = create_graph, start
        self.numbers: dict[int, Any] = {}  # each node's number by id, noted before the first user code ran
        self.who: dict[str, None] = {}  # the user code that ran since, in order: what may have changed a number

    def runs(self, who: str) -> None:
        """Note that user code (`who`: "a gradient hook", "the rule of op 'f'") is about to run."""
        if not self.numbers:
            self.numbers = {id(n): n.data for n in self.order}
        self.who[who] = None

    def __call__(self, node: Any) -> None:
        """Take `node` (the pass's `finished`)."""
        if self.hooks is not None and id(node) in self.hooks and node._grad_sum is not self.start:  # reached
            self.runs("a gradient hook")
            node._grad_sum = run_hooks(node, node._grad_sum, self.create_graph)
        if self.finished is not None:
            self.finished(node)

    def taken(self, node: Any) -> None:
        """`check` node where a number it reads is not the object noted."""
        numbers, a, b = self.numbers, node._a, node._b
        if (
            b is MANY
            or numbers.get(id(node)) is not node.data
            or numbers.get(id(a)) is not a.data
            or (b is not None and numbers.get(id(b)) is not b.data)
        ):
            self.check(node)

    def check(self, node: Any) -> None:
        """Refuse node's rule where the number of node or of a parent, which it reads, is no longer the one noted."""
        for v, used in ((node, "made it"), *((p, "used it") for p in node.parents)):
            then, now = self.numbers.get(id(v), v.data), v.data
            if not _same_number(now, then):
                name = repr(v.label) if v.label else f"holding {then!r}"
                raise RuntimeError(
                    f"Value {name} was changed during backward (its .data set to {now!r} by {' or '.join(self.who)}) "
                    f"after {node._made_by.name} {used}, and a rule still to run reads it, so backward would give "
                    "wrong gradients: change it after backward returns"
                )


def _same_number(now: Any, then: Any) -> bool:
    """Whether a Value's number `now` is `then` as a rule reads it: NaN as it was is no change, but -0.0 for 0.0 is
    one (copysign(a, b)'s gradient in a is 1 at b = 0.0, -1 at -0.0; 1/x's is -inf at both, x/b's inf and -inf)."""
    if now is then or (now != now and then != then):
        return True
    return now == then and (now != 0 or math.copysign(1.0, now) == math.copysign(1.0, then))

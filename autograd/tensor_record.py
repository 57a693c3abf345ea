"""`Record`: what a tensor node keeps of the op that made it, and how its rule is called."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .op import Op
from .tensor_ops import ShapeError


class Record:
    """What a tensor node records of the op that made it: the op, its keyword arguments, and
    which inputs want a gradient. Its `vjp` runs the op's rule and checks every gradient's shape."""

    __slots__ = ("op", "params", "needs")

    def __init__(self, op: Op, params: dict[str, Any], needs: list[bool]) -> None:
        self.op, self.params, self.needs = op, params, needs

    @property
    def name(self) -> str:
        return self.op.name

    def show(self, args: Sequence[Any]) -> str:
        return self.op.show(args)

    def vjp(self, g: Any, out: Any, *inputs: Any) -> Sequence[Any]:
        return self.conform(self.rule(g, out, *inputs), inputs)

    def rule(self, g: Any, out: Any, *inputs: Any) -> Sequence[Any]:
        """The op's rule with its keyword arguments, None for each input that needs no gradient."""
        op, needs = self.op, self.needs
        if op.takes_needs:
            return op.vjp(g, out, *inputs, **self.params, needs=needs)
        grads = op.vjp(g, out, *inputs, **self.params)
        if len(grads) == len(needs):
            grads = [gx if wanted else None for gx, wanted in zip(grads, needs)]
        return grads

    def conform(self, grads: Sequence[Any], inputs: Sequence[Any]) -> Sequence[Any]:
        """`grads` checked against the inputs' shapes, and cast to their dtypes."""
        if len(grads) == len(inputs):  # a wrong count is the core's to name
            for i, gx in enumerate(grads):
                if gx is None:
                    continue
                if np.shape(gx) != np.shape(inputs[i]):
                    raise ShapeError(
                        f"the derivative rule of op {self.op.name!r} gave a gradient of shape {np.shape(gx)} "
                        f"for input {i} of shape {np.shape(inputs[i])}; it must have the input's shape"
                    )
                dtype = np.result_type(inputs[i])
                if np.result_type(gx) != dtype:
                    # an input's gradient has its dtype (as PyTorch), whatever a rule's constants promoted it to
                    grads = list(grads)
                    grads[i] = gx.astype(dtype)
        return grads

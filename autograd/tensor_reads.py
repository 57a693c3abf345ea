"""What a Tensor gives out of the graph: its numbers (`item`, `numpy`), a leaf of the same data (`detach`),
and its repr. Each is a read a compiled step notes, since a replay runs none of the step's Python."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import compile_read_hooks, compile_record
from .compile_record import RECORDING
from .graph_order import refuse_number_of_lifted
from .tensor_versions import shares_count


class NotOneElementError(ValueError, RuntimeError, TypeError):
    """A tensor of other than one element read as one number (.item(), float(), int(), complex(), bool()).
    PyTorch raises a ValueError for float(), int() and complex() and a RuntimeError for .item() and bool();
    numpy a TypeError for float(), int() and complex() (as chainrule did) and a ValueError for .item() and
    bool(): this is all three, so that code written for either catches it."""


def not_one_element(what: str, shape: tuple[int, ...]) -> NotOneElementError:
    """Reading a tensor of `shape` as one number (`what`: .item(), float(), int()): an unreduced loss."""
    return NotOneElementError(
        f"{what} of a tensor of shape {shape}: only one element converts to a number; "
        "reduce it first (t.sum(), t.mean()) or read every element with t.tolist()"
    )


class Reads:
    """Tensor's reads of its numbers (a mixin: Tensor's slots hold the data)."""

    __slots__ = ()

    def item(self) -> Any:
        refuse_number_of_lifted(self, "a number (float(), int(), .item())")
        data = self._data if self._data.__class__ is np.ndarray else np.asarray(self._data)  # a lifted number's too
        if data.size != 1:  # in words that give the fix
            raise not_one_element(".item()", self.shape)
        value = data.item()
        return compile_record.read(self, value) if RECORDING else value  # a step being compiled notes the read

    def numpy(self) -> np.ndarray:
        refuse_number_of_lifted(self, ".numpy()")  # inside grad its term would be lost (torch.func refuses it too)
        if RECORDING:
            compile_read_hooks.read_data(self, into_python=True)
        return np.asarray(self._data)

    def detach(self) -> Any:
        """The same data as a new leaf outside any graph (sharing the version count: a change made
        through it is a change of this tensor). Of a computed tensor, while a step is compiled, it is
        data made from the graph's numbers (which parameters this step does not train may change)."""
        detached = shares_count(type(self)(self._data, dtype=self.dtype), self)
        if RECORDING:
            if self._made_by is not None:
                compile_record.made_from_graph(detached)
            compile_record.constant_from_inputs(detached, [self])
        return detached

    def __repr__(self) -> str:
        body = np.array2string(np.asarray(self._data), separator=", ", prefix="Tensor(", threshold=20)
        extra = [f"dtype={self.dtype}"]
        if self._made_by is not None:
            extra.append(f"op={self._made_by.op.name!r}")
        elif self.requires_grad:
            extra.append("requires_grad=True")
        if self.label:
            extra.append(f"label={self.label!r}")
        return f"Tensor({body}, {', '.join(extra)})"

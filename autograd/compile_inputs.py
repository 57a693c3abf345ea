"""The call's inputs as a recorded tape finds them in the graph (compile_tape): an array or a
Tensor by its identity, a copy an op kept of one, or a view of all of a StepInput (np.asarray of
one, of the base class)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .compile_recording import StepInput, input_array
from .tensor import Tensor


class Inputs:
    """The call's inputs as a tape finds them in the graph: by their arrays' ids (an op's keyword
    argument fed by one, a leaf over one, or the copy an op kept of one) and, for Tensors, by their
    own; each gives the input's index."""

    def __init__(self, inputs: list[Any], copies: list[tuple[Any, Any]]) -> None:
        self.arrays = {id(input_array(x)): k for k, x in enumerate(inputs)}
        self.tensors = {id(x): k for k, x in enumerate(inputs) if isinstance(x, Tensor)}
        # a StepInput by the memory it views: np.asarray of it is a view of another class, as another object
        self.views = {_geometry(x): k for k, x in enumerate(inputs) if isinstance(x, StepInput)}
        for original, copy in copies:  # what an op kept of an input (labels, an index) is that input
            k = self.of_array(original)
            if k is not None:
                self.arrays[id(copy)] = k

    def of_array(self, data: Any) -> int | None:
        """The index of the input whose array `data` is: itself, a copy an op kept of it, or a view of
        all of it (np.asarray of a StepInput is one, of the base class)."""
        k = self.arrays.get(id(data))
        if k is None and isinstance(data, np.ndarray):
            k = self.views.get(_geometry(data))
        return k


def _geometry(a: np.ndarray) -> tuple[Any, ...]:
    """Where an array's numbers are and how it reads them: two arrays alike in this are views of the same numbers."""
    return a.__array_interface__["data"][0], a.shape, a.strides, a.dtype.str

"""ParameterList and ParameterDict, PyTorch's containers of parameters. chainrule's Module finds parameters in
lists and dicts already (named `ws.0`, `scales.a`, as torch names a ParameterList's and ParameterDict's), so these
are a list and a dict that make each tensor added a parameter, as PyTorch's do: ported code that builds them runs,
and its state dict maps to torch's one to one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, SupportsIndex

import numpy as np

from autograd import Tensor, type_name

from .parameter import Parameter


def _parameter(owner: str, value: Any) -> Tensor:
    """`value` as a parameter: itself if it is one (frozen ones too), else nn.Parameter(value), as PyTorch wraps a
    plain tensor; anything but a Tensor or an array is a TypeError naming it."""
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor | np.ndarray):
        return Parameter(value)
    raise TypeError(f"{owner} holds parameters (Tensors, made parameters as they are added), got {type_name(value)}")


class ParameterList(list):
    """A list of parameters; a Tensor or array added (given, appended, inserted, assigned) is made one."""

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__(_parameter("ParameterList", v) for v in (values if values is not None else ()))

    def append(self, value: Any) -> ParameterList:  # type: ignore[override]  # PyTorch's returns the list
        super().append(_parameter("ParameterList", value))
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:  # type: ignore[override]
        super().extend([_parameter("ParameterList", v) for v in values])
        return self

    def insert(self, index: SupportsIndex, value: Any) -> None:
        super().insert(index, _parameter("ParameterList", value))

    def __setitem__(self, index: Any, value: Any) -> None:
        made = (
            [_parameter("ParameterList", v) for v in value]
            if isinstance(index, slice)
            else _parameter("ParameterList", value)
        )
        super().__setitem__(index, made)

    def __iadd__(self, values: Iterable[Any]) -> ParameterList:  # type: ignore[override]
        return self.extend(values)


class ParameterDict(dict):
    """A dict of parameters by name; a Tensor or array set (given, assigned, updated) is made one."""

    def __init__(self, parameters: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None) -> None:
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, _parameter("ParameterDict", value))

    def update(self, other: Any = (), /, **more: Any) -> None:  # type: ignore[override]
        items = list(other.items() if isinstance(other, Mapping) else other) + list(more.items())
        made = {key: _parameter("ParameterDict", value) for key, value in items}  # all checked before any is set
        super().update(made)

    def setdefault(self, key: str, default: Any = None) -> Tensor:  # type: ignore[override]
        if key not in self:
            self[key] = default
        return self[key]

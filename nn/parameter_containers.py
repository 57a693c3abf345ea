"""ParameterList and ParameterDict, as torch.nn's: a variable number of parameters held by a module (mixture
weights, a scale per head), registered so that parameters(), named_parameters() (named "0", "1", or by
key, as torch names them), state_dict, nn.save, optimizers, zero_grad, nn.functional_call and
autograd.compile find them. The list and dict themselves are nn.containers' ItemList and ItemDict.

What they hold is a parameter: a leaf Tensor that requires grad or is frozen, or a leaf Value, kept as it
is (the same object); a Tensor that is none (a computed one, or one not requiring grad) or a numpy array
is made one by nn.Parameter (over the same array, as torch's Parameter(tensor) shares its storage).
Anything else is refused (TypeError): torch keeps other objects there as plain attributes, which no
optimizer, state dict or save would see."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from autograd import Node, Tensor, Value, type_name

from .arguments import as_sequence, shown
from .containers import ItemDict, ItemList
from .parameter import Parameter
from .structure import is_parameter


def as_parameter(owner: str, value: Any) -> Node:
    """`value` as a parameter (see the module's docstring), or TypeError naming the fix."""
    if is_parameter(value):
        return value
    if isinstance(value, Tensor | np.ndarray):
        try:
            return Parameter(value)  # a computed Tensor's values, detached: torch's Parameter(t) keeps t's data
        except TypeError as e:  # an integer or boolean array
            raise TypeError(f"{owner}: {e}") from None
    if isinstance(value, Value):
        raise TypeError(f"{owner} holds parameters, got a computed Value: hold a leaf, autograd.Value({value.data!r})")
    raise TypeError(
        f"{owner} holds parameters (Tensors or numpy arrays of floats, made nn.Parameters; or leaf Values), got "
        f"{type_name(value)} {shown(value)}: give nn.Parameter(autograd.tensor(x)), or keep other objects in a "
        "plain attribute"
    )


def _checked(owner: str, name: str, values: Iterable[Any]) -> list[Node]:
    """`values` as a list of parameters, every one converted before any is added (no half-made change)."""
    items = as_sequence(owner, name, values, "a list of parameters")
    return [as_parameter(owner, value) for value in items]


def _described(value: Node) -> str:
    """A held parameter as torch's repr shows it: `Parameter containing: [float32 of size 2x3]`."""
    if isinstance(value, Value):
        return f"Value parameter: {value.data!r}"
    frozen = "" if value.requires_grad else " (frozen)"
    return f"Parameter containing: [{value.dtype} of size {'x'.join(map(str, value.shape))}]{frozen}"


def _repr(container: Any, items: Iterable[tuple[Any, Node]]) -> str:
    lines = [f"  ({key}): {_described(value)}" for key, value in items]
    if not lines:
        return f"{type(container).__name__}()"
    return "\n".join([f"{type(container).__name__}(", *lines, f")  # {container.count_parameters():,} parameters"])


class ParameterList(ItemList):
    """Parameters in order, named "0", "1", ... as torch's: indexing (a slice is a ParameterList of the same
    parameters), iteration, `in` (by identity), `len`, `append`, `extend` (`+=`), `insert`, `pop`, assignment
    and `del`. Tensors and arrays given are made parameters (see the module's docstring). Not called: read
    its parameters in the owning module's forward."""

    _holds = "parameters"

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        """`values` to hold, in order (None: none, PyTorch's default)."""
        super().__init__(values)

    def _checked(self, values: Iterable[Any]) -> list[Any]:
        return _checked("ParameterList", "values", values)

    def __repr__(self) -> str:
        return _repr(self, enumerate(self))


class ParameterDict(ItemDict):
    """Parameters by name, as torch's: `d[key]`, `in`, `len`, iteration over the keys, `keys`, `values`,
    `items`, `get`, `setdefault`, `update`, `pop`, `popitem`, `clear`, `copy`, `fromkeys`, `|` and `|=`,
    assignment and `del`, in insertion order, named by key in named_parameters() and the state dict. As
    torch's, a plain dict given to the constructor or `update` is taken in the order of its sorted keys (an
    OrderedDict, a ParameterDict or pairs in their own order). Keys as ModuleDict's (nn.containers.ItemDict).
    Not called: read its parameters in the owning module's forward."""

    _holds = ("parameter", "parameters")
    _wanted = "a dict of parameters by name, or (name, parameter) pairs"

    def __init__(self, parameters: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None) -> None:
        """`parameters` to hold by name, a mapping or (name, value) pairs (None: none, PyTorch's default)."""
        super().__init__(parameters)

    def _is_item(self, value: Any) -> bool:
        return is_parameter(value)

    def _checked(self, values: Iterable[Any]) -> list[Any]:
        return _checked("ParameterDict", "parameters", values)

    def _pairs(self, items: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> list[tuple[Any, Any]]:
        pairs = super()._pairs(items)
        if isinstance(items, Mapping) and not isinstance(items, OrderedDict):
            pairs.sort(key=lambda pair: pair[0])  # torch's order for a plain dict
        return pairs

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default

    def setdefault(self, key: str, default: Any = None) -> Any:
        """The parameter under `key`; where there is none, `default` (made a parameter) set there first."""
        if key not in self:
            self[key] = default
        return self[key]

    def popitem(self) -> tuple[str, Any]:
        """The last (key, parameter) added, removed."""
        keys = self.keys()
        if not keys:
            raise KeyError("popitem(): ParameterDict is empty")
        return keys[-1], self.pop(keys[-1])

    def copy(self) -> ParameterDict:
        """A new ParameterDict holding the same parameters, in the same order."""
        return ParameterDict(OrderedDict(self.items()))

    def fromkeys(self, keys: Iterable[str], default: Any = None) -> ParameterDict:
        """A new ParameterDict with `default` (made a parameter) under each of `keys`, as torch's."""
        return ParameterDict([(key, default) for key in keys])

    def __reversed__(self) -> Iterator[str]:
        return reversed(self.keys())

    def __or__(self, other: Mapping[str, Any] | ParameterDict) -> ParameterDict:
        made = self.copy()
        made.update(other)
        return made

    def __ror__(self, other: Mapping[str, Any]) -> ParameterDict:
        made = ParameterDict(other)
        made.update(self)
        return made

    def __ior__(self, other: Mapping[str, Any] | ParameterDict) -> ParameterDict:
        self.update(other)
        return self

    def __repr__(self) -> str:
        return _repr(self, self.items())

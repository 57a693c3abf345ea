"""Containers, as PyTorch's: ModuleList and ModuleDict (their modules' parameters and buffers are found
by Module and named `blocks.0.weight`, `heads.cls.weight`, as torch.nn names them), and Identity, the
layer that does nothing (a residual block's plain shortcut). ItemList and ItemDict are the list and the
dict behind them and behind nn.ParameterList and nn.ParameterDict (nn/parameter_containers.py): what
each holds is the subclass's to check (`_checked`, `_is_item`), the rest is theirs.

Each container keeps its items as its own attributes, named by index or key, because that is where
Module looks for submodules and parameters (the names Module itself sets, `training` and private ones,
are refused as keys)."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar

from autograd import type_name

from .arguments import as_sequence
from .module import Module, check_not_holding
from .structure import OPTIMIZER_ATTRIBUTE, OWN_ATTRIBUTES, STRUCTURE


class Identity(Module):
    """Returns its input as it is."""

    def forward(self, x: Any) -> Any:
        return x


def given_for_a_module(value: Any) -> str:
    """What was given where a Module goes, with the fix where it is a Module's class (nn.ReLU for nn.ReLU())."""
    if isinstance(value, type) and issubclass(value, Module):
        return f"the class {value.__name__}, not a {value.__name__}: make one, {value.__name__}()"
    return type_name(value)


def _not_holding(container: Module, items: list[Any]) -> list[Any]:
    """`items`, none of which is or holds `container` (ValueError, as for an attribute: the model would hold
    itself, `model.blocks.append(model)`)."""
    for item in items:
        check_not_holding(container, "item", item, f"an item of {type(container).__name__}")
    return items


def _modules(owner: str, values: Iterable[Any]) -> list[Module]:
    """`values` as a list, each checked to be a Module before any is added (no half-made change)."""
    values = as_sequence(owner, "modules", values, "a list of Modules")
    for value in values:
        if not isinstance(value, Module):
            raise TypeError(f"{owner} holds Modules, got {given_for_a_module(value)}")
    return values


class ItemList(Module):
    """Items in order under the attributes "0", "1", ...: found by index (`blocks[0]`, `blocks[-1]`; a slice
    gives a container of the same class holding the same items), iterated, `in` (by identity), and changed by
    `append`, `extend` (`+=`), `insert`, `pop`, assignment and `del`, indices kept contiguous. It has no forward."""

    _holds: ClassVar[str] = "items"  # what the messages call its items

    def __init__(self, items: Iterable[Any] | None = None) -> None:
        # a new list changes no model a compiled step read: a slice taken in a step must not make it record again
        self._set_items(self._checked(() if items is None else items), changed=False)

    def _checked(self, values: Iterable[Any]) -> list[Any]:
        """`values` as a list of what this container holds (each checked, or converted, before any is added)."""
        raise NotImplementedError

    def _items(self) -> list[Any]:
        return [self.__dict__[str(i)] for i in range(len(self))]

    def _set_items(self, items: list[Any], changed: bool = True) -> None:
        """Hold exactly `items`, under the indices 0, 1, ... in order."""
        for i in range(len(self)):
            del self.__dict__[str(i)]
        for i, item in enumerate(items):
            self.__dict__[str(i)] = item
        if changed:
            STRUCTURE.changed()

    def _index(self, i: int) -> int:
        """`i` counted from 0: an integer (Python's, numpy's, a bool, as a list takes them) within the length;
        any other (1.0, "1") a TypeError, as its text would name an attribute beside the items ("1.0")."""
        name, n = type(self).__name__, len(self)
        try:
            i = operator.index(i)
        except TypeError:
            raise TypeError(f"{name} indices must be integers or slices, got {type_name(i)} {i!r}") from None
        if not -n <= i < n:
            raise IndexError(f"{name} index {i} is out of range for {n} {self._holds}")
        return i % n

    def append(self, item: Any) -> ItemList:
        return self.extend([item])

    def extend(self, items: Iterable[Any]) -> ItemList:
        self._set_items(self._items() + _not_holding(self, self._checked(items)))
        return self

    def __iadd__(self, items: Iterable[Any]) -> ItemList:
        return self.extend(items)

    def insert(self, index: int, item: Any) -> None:
        items = self._items()
        items.insert(index, *_not_holding(self, self._checked([item])))
        self._set_items(items)

    def pop(self, index: int = -1) -> Any:
        item = self[index]
        del self[index]
        return item

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return type(self)(self._items()[i])
        return self.__dict__[str(self._index(i))]

    def __setitem__(self, i: int, item: Any) -> None:
        if isinstance(i, slice):  # as torch's: a slice's items are set by del and insert, or the list made anew
            raise TypeError(f"{type(self).__name__} takes one item at an integer index, got {i!r}")
        index = self._index(i)
        (item,) = _not_holding(self, self._checked([item]))
        self.__dict__[str(index)] = item
        STRUCTURE.changed()

    def __delitem__(self, i: int | slice) -> None:
        items = self._items()
        del items[i if isinstance(i, slice) else self._index(i)]
        self._set_items(items)

    def __len__(self) -> int:
        return sum(key.isdigit() for key in self.__dict__)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items())

    def __contains__(self, item: object) -> bool:
        return any(x is item for x in self._items())  # by identity: a Tensor's == is elementwise

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"a {type(self).__name__} is not called: use its {self._holds}")


class ModuleList(ItemList):
    """Modules in order (see ItemList: indexing, slices, append, extend, insert, pop, del; and `+`, a new
    ModuleList). It has no forward: call its modules."""

    _holds = "modules"

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        """`modules` to hold, in order (None: none, PyTorch's default)."""
        super().__init__(modules)

    def _checked(self, values: Iterable[Any]) -> list[Any]:
        return _modules("ModuleList", values)

    def __add__(self, modules: Iterable[Module]) -> ModuleList:
        """A new ModuleList of these modules then `modules` (the same modules, not copies), as torch's `a + b`."""
        return ModuleList([*self, *self._checked(modules)])

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a ModuleList is not called: call its modules (for layer in blocks: x = layer(x))")


class ItemDict(Module):
    """Items by name, as a dict (`d[name]`, `in`, `keys`, `values`, `items`, `update`, `pop`, `clear`,
    assignment and `del`), in insertion order, each under the attribute of its name. A name must be a string
    that is not empty, has no '.', is not one of the container's attributes (`keys`, `training`, ...) nor a
    name nn keeps for itself (structure.OWN_ATTRIBUTES, `_optimizer`); `_head` is a name as any other, as in
    PyTorch. It has no forward."""

    _holds: ClassVar[tuple[str, str]] = ("item", "items")  # what the messages call one item, and several
    _wanted: ClassVar[str] = "a dict of items by name, or (name, item) pairs"  # what the constructor takes

    def __init__(self, items: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None) -> None:
        self._update(() if items is None else items, changed=False)  # a new dict changes no model a step read

    def _is_item(self, value: Any) -> bool:
        """Whether an attribute's value is one of the items (not the container's own state)."""
        raise NotImplementedError

    def _checked(self, values: Iterable[Any]) -> list[Any]:
        """`values` as a list of what this container holds (each checked, or converted, before any is set)."""
        raise NotImplementedError

    def _pairs(self, items: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> list[tuple[Any, Any]]:
        """(key, item) pairs of a mapping, or of an iterable of pairs, in their order; TypeError for a key that is
        no string."""
        name = type(self).__name__
        if isinstance(items, Mapping | ItemDict):  # another ModuleDict too, as torch's takes it
            pairs = list(items.items())
        else:
            pairs = as_sequence(name, self._holds[1], items, self._wanted)
            for j, pair in enumerate(pairs):
                if not isinstance(pair, tuple | list) or len(pair) != 2:
                    raise TypeError(
                        f"{name}: element {j} of the pairs given must be a (name, value) pair, got {pair!r}"
                    )
        for key, _ in pairs:
            if not isinstance(key, str):
                raise TypeError(f"{name}'s keys are strings, got {type_name(key)} {key!r}")
        return [tuple(pair) for pair in pairs]  # type: ignore[misc]

    def __setitem__(self, key: str, item: Any) -> None:
        self._update([(key, item)])

    def _update(self, items: Mapping[str, Any] | Iterable[tuple[str, Any]], changed: bool = True) -> None:
        """Add or replace `items` (a mapping or pairs), every key and item checked before any is set."""
        name, (one, _) = type(self).__name__, self._holds
        pairs = self._pairs(items)
        for key, _ in pairs:
            if key not in self:
                if not key or "." in key or key in OWN_ATTRIBUTES or key == OPTIMIZER_ATTRIBUTE or hasattr(self, key):
                    raise ValueError(
                        f"{name} cannot hold a {one} named {key!r}: names must be non-empty, without '.', not "
                        "one of its attributes (keys, items, training, ...) nor a name nn keeps for itself "
                        f"({', '.join([*OWN_ATTRIBUTES, OPTIMIZER_ATTRIBUTE])}); rename it"
                    )
        for (key, _), item in zip(pairs, _not_holding(self, self._checked([item for _, item in pairs])), strict=True):
            self.__dict__[key] = item
        if changed and pairs:
            STRUCTURE.changed()

    def __getitem__(self, key: str) -> Any:
        if key not in self:
            raise KeyError(f"{type(self).__name__} has no {self._holds[0]} named {key!r}; it has {self.keys()}")
        return self.__dict__[key]

    def __delitem__(self, key: str) -> None:
        self.pop(key)

    def pop(self, key: str) -> Any:
        item = self[key]
        del self.__dict__[key]
        STRUCTURE.changed()
        return item

    def clear(self) -> None:
        for key in self.keys():
            del self.__dict__[key]
        STRUCTURE.changed()

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self.__dict__ and self._is_item(self.__dict__[key])

    def keys(self) -> list[str]:
        return [key for key, value in self.__dict__.items() if self._is_item(value)]

    def values(self) -> list[Any]:
        return [self.__dict__[key] for key in self.keys()]

    def items(self) -> list[tuple[str, Any]]:
        return [(key, self.__dict__[key]) for key in self.keys()]

    def update(self, items: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        self._update(items)

    def __len__(self) -> int:
        return len(self.keys())

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"a {type(self).__name__} is not called: use its {self._holds[1]} by name")


class ModuleDict(ItemDict):
    """Modules by name, as a dict (see ItemDict for the names it takes). It has no forward: call its modules."""

    _holds = ("module", "modules")
    _wanted = "a dict of Modules by name, or (name, module) pairs"

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None) -> None:
        """`modules` to hold by name, a mapping or (name, module) pairs (None: none, PyTorch's default)."""
        super().__init__(modules)

    def _is_item(self, value: Any) -> bool:
        return isinstance(value, Module)

    def _checked(self, values: Iterable[Any]) -> list[Any]:
        return _modules("ModuleDict", values)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a ModuleDict is not called: call its modules (heads[name](x))")

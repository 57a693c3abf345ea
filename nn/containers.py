"""Containers of modules, as PyTorch's: ModuleList and ModuleDict (their modules' parameters and
buffers are found by Module and named `blocks.0.weight`, `heads.cls.weight`, as torch.nn names
them), and Identity, the layer that does nothing (a residual block's plain shortcut).

Each container keeps its modules as its own attributes, named by index or key, because that is
where Module looks for submodules (the names Module itself sets, `training` and private ones, are
refused as keys)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from autograd import type_name

from .arguments import as_sequence
from .module import Module
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


def _modules(owner: str, values: Iterable[Any]) -> list[Module]:
    """`values` as a list, each checked to be a Module before any is added (no half-made change)."""
    values = as_sequence(owner, "modules", values, "a list of Modules")
    for value in values:
        if not isinstance(value, Module):
            raise TypeError(f"{owner} holds Modules, got {given_for_a_module(value)}")
    return values


class ModuleList(Module):
    """Modules in order, found by index (`blocks[0]`, `blocks[-1]`, slices give a ModuleList),
    iterated, and changed by `append`, `extend`, `insert`, assignment and `del`. It has no
    forward: call its modules."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        """`modules` to hold, in order (None: none, PyTorch's default)."""
        # a new list changes no model a compiled step read: a slice taken in a step must not make it record again
        self._set_items(_modules("ModuleList", () if modules is None else modules), changed=False)

    def _items(self) -> list[Module]:
        return [self.__dict__[str(i)] for i in range(len(self))]

    def _set_items(self, modules: list[Module], changed: bool = True) -> None:
        """Hold exactly `modules`, under the indices 0, 1, ... in order."""
        for i in range(len(self)):
            del self.__dict__[str(i)]
        for i, module in enumerate(modules):
            self.__dict__[str(i)] = module
        if changed:
            STRUCTURE.changed()

    def _index(self, i: int) -> int:
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"ModuleList index {i} is out of range for {n} modules")
        return i % n

    def append(self, module: Module) -> ModuleList:
        return self.extend([module])

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        self._set_items(self._items() + _modules("ModuleList", modules))
        return self

    def insert(self, index: int, module: Module) -> None:
        items = self._items()
        items.insert(index, *_modules("ModuleList", [module]))
        self._set_items(items)

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return ModuleList(self._items()[i])
        return self.__dict__[str(self._index(i))]

    def __setitem__(self, i: int, module: Module) -> None:
        (module,) = _modules("ModuleList", [module])
        self.__dict__[str(self._index(i))] = module
        STRUCTURE.changed()

    def __delitem__(self, i: int | slice) -> None:
        items = self._items()
        del items[i if isinstance(i, slice) else self._index(i)]
        self._set_items(items)

    def __len__(self) -> int:
        return sum(key.isdigit() for key in self.__dict__)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._items())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a ModuleList is not called: call its modules (for layer in blocks: x = layer(x))")


class ModuleDict(Module):
    """Modules by name, as a dict (`heads["cls"]`, `in`, `keys`, `values`, `items`, `update`, `pop`,
    assignment and `del`), in insertion order. A name must be a string that is not empty, has no
    '.', is not one of ModuleDict's attributes (`keys`, `training`, ...) nor a name nn keeps for itself
    (structure.OWN_ATTRIBUTES, `_optimizer`); `_head` is a name as any other, as in PyTorch.
    It has no forward: call its modules."""

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None) -> None:
        """`modules` to hold by name, a mapping or (name, module) pairs (None: none, PyTorch's default)."""
        self._update(
            () if modules is None else modules, changed=False
        )  # a new dict changes no model a compiled step read

    def __setitem__(self, key: str, module: Module) -> None:
        self._update([(key, module)])

    def _update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]], changed: bool = True) -> None:
        """Add or replace `modules` (a mapping or pairs), every key and module checked before any is set."""
        wanted = "a dict of Modules by name, or (name, module) pairs"
        pairs = (
            list(modules.items())
            if isinstance(modules, Mapping)
            else as_sequence("ModuleDict", "modules", modules, wanted)
        )
        for key, _ in pairs:
            if key not in self:
                if not isinstance(key, str):
                    raise TypeError(f"ModuleDict's keys are strings, got {type_name(key)} {key!r}")
                if not key or "." in key or key in OWN_ATTRIBUTES or key == OPTIMIZER_ATTRIBUTE or hasattr(self, key):
                    raise ValueError(
                        f"ModuleDict cannot hold a module named {key!r}: names must be non-empty, without '.', not "
                        "one of its attributes (keys, items, training, ...) nor a name nn keeps for itself "
                        f"({', '.join([*OWN_ATTRIBUTES, OPTIMIZER_ATTRIBUTE])}); rename it"
                    )
        for (key, _), module in zip(pairs, _modules("ModuleDict", [m for _, m in pairs])):
            self.__dict__[key] = module
        if changed and pairs:
            STRUCTURE.changed()

    def __getitem__(self, key: str) -> Module:
        if key not in self:
            raise KeyError(f"ModuleDict has no module named {key!r}; it has {self.keys()}")
        return self.__dict__[key]

    def __delitem__(self, key: str) -> None:
        self.pop(key)

    def pop(self, key: str) -> Module:
        module = self[key]
        del self.__dict__[key]
        STRUCTURE.changed()
        return module

    def __contains__(self, key: object) -> bool:
        return isinstance(self.__dict__.get(key), Module)  # type: ignore[call-overload]

    def keys(self) -> list[str]:
        return [key for key, value in self.__dict__.items() if isinstance(value, Module)]

    def values(self) -> list[Module]:
        return [self.__dict__[key] for key in self.keys()]

    def items(self) -> list[tuple[str, Module]]:
        return [(key, self.__dict__[key]) for key in self.keys()]

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        self._update(modules)

    def __len__(self) -> int:
        return len(self.keys())

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a ModuleDict is not called: call its modules (heads[name](x))")

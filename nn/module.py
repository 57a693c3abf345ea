"""`Module`: parameters found from attributes, buffers registered by name, train/eval, state dicts
(checked by nn/state_checks.py before they are loaded or saved), a readable repr."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

import numpy as np

from autograd import Node, Tensor, replayed, repr_of, type_name, zero_grad

from .arguments import check_flag
from .module_calls import CallRecords
from .module_state import ModuleState, buffer_slots
from .module_torch import ModuleSpellings
from .state_checks import checked_flag, loaded_flag
from .structure import STRUCTURE, check_attribute, check_key, check_replacement, is_parameter


def _constant(value: Any) -> bool:
    """A constant Tensor leaf (a mask, a fixed table): a compiled step reads its array, so one replaced
    between calls makes the step record again."""
    return isinstance(value, Tensor) and value.op is None and not value.requires_grad


def holds_members(value: Any) -> bool:
    """Whether `value` is, or holds in its lists, tuples and dicts, a Module or a parameter: what a
    module's graph reads from its attributes. Walked without recursion: a list nested 3000 deep given as an
    option (output_size) was RecursionError here, before the option's own check could refuse it."""
    pending, seen = [value], set()
    while pending:
        item = pending.pop()
        if isinstance(item, Module) or is_parameter(item):
            return True
        if isinstance(item, list | tuple | dict) and id(item) not in seen:  # seen: a list holding itself
            seen.add(id(item))
            pending.extend(item.values() if isinstance(item, dict) else item)
    return False


class Module(ModuleState, CallRecords, ModuleSpellings):
    """Base of every layer and model. Its parameters are the leaf Values and the leaf Tensors that
    require grad (or are frozen) found in its attributes, in lists, tuples and dicts among them, and
    in its submodules. Its buffers are arrays it registers by name (`register_buffer`): state that
    is saved with the parameters but is not trained, such as BatchNorm's running statistics."""

    training = True
    _buffer_names: tuple[str, ...] = ()
    # The closed range [low, high] of each buffer's values that has one, by the buffer's name:
    # load_state_dict refuses values outside, and nn.save does not write them (a variance or a count
    # below 0 cannot come from training, and would make the output NaN or a division by zero).
    buffer_ranges: ClassVar[Mapping[str, tuple[float, float]]] = {}
    # Each setting's check by name (eps, momentum, a kernel size), run on every assignment, the
    # constructor's and any later one, so that `bn.eps = 0` is refused as BatchNorm1d(3, eps=0) is;
    # what it returns (the value as the layer keeps it: an int, a tuple) is what is set.
    setting_checks: ClassVar[Mapping[str, Callable[[Any, Any], Any]]] = {}
    # PyTorch's names of what this layer keeps under others (Linear's weight and bias are W and b), each
    # with what to write instead: assigning or deleting one raises it, and reading one where the class takes
    # `__getattr__ = ported_read` (NotImplementedError, which hasattr does not swallow, so that a torch-style
    # init probing hasattr(m, "weight") cannot skip the layer).
    ported_names: ClassVar[Mapping[str, str]] = {}
    # The attributes that hold a parameter or None (a bias=False layer's b): into None there, as over a
    # parameter, a plain Tensor or array is refused (check_replacement), as torch.nn refuses it.
    parameter_slots: ClassVar[frozenset[str]] = frozenset()

    def __setattr__(self, name: str, value: Any) -> None:
        if self._is_ported(name):
            raise self._ported(name)
        if name == "training":  # set by hand as torch.nn takes it (1 or 0 too): kept as the bool the layers read
            value = checked_flag(self, name, loaded_flag(self, name, value))
        slot = name in self.__dict__ and name in self.parameter_slots  # set once: None there is an empty slot
        check_replacement(type(self).__name__, name, self.__dict__.get(name), value, slot)
        check = self.setting_checks.get(name)
        if check is not None:
            value = check(self, value)
        holds = holds_members(value)
        check_attribute(type(self).__name__, name, holds)
        if holds:
            check_not_holding(self, name, value, f"{type(self).__name__}.{name}")
        # a member or buffer given, replaced or removed changes what a recorded step reads (forward may
        # read one with getattr, or reach it through a module it never calls)
        old = self.__dict__.get(name)
        if holds or holds_members(old) or name in self._buffer_names or _constant(old):
            STRUCTURE.changed()
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if self._is_ported(name):
            raise self._ported(name)
        if holds_members(self.__dict__.get(name)) or name in self._buffer_names:  # `del model.aux`
            STRUCTURE.changed()
        object.__delattr__(self, name)

    def _is_ported(self, name: str) -> bool:
        """Whether `name` is one of `ported_names` that this class does not define itself (a subclass's own
        `weight` property, PyTorch's view of W, is the subclass's to read, set and delete)."""
        return name in self.ported_names and not hasattr(type(self), name)

    def _ported(self, name: str) -> NotImplementedError:
        return NotImplementedError(f"{type(self).__name__} has no {name!r} (PyTorch's name): {self.ported_names[name]}")

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Node]]:
        """(dotted name, parameter) pairs in attribute order; a shared parameter appears once, under
        the first name met. ValueError for keys that would make a name ambiguous (see `_members`)."""
        seen: set[int] = set()
        for name, p in _parameters(self, prefix):
            if id(p) not in seen:
                seen.add(id(p))
                yield name, p

    def parameters(self) -> list[Node]:
        return [p for _, p in self.named_parameters()]

    def register_buffer(self, name: str, value: Any) -> None:
        """Keep a copy of `value` as the array attribute `name`, saved in the state dict beside the
        parameters (nn.save, nn.export too) but not one of them: no gradient, no optimizer step.
        Assign the attribute or write into it to change it. TypeError for a value that is not an
        array of real numbers: nn.save could not write it (strings, objects), or nn.load not read it
        back (bools, complex numbers)."""
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise ValueError(f"a buffer's name must be an identifier not starting with '_', got {repr_of(name)}")
        if name not in self._buffer_names and hasattr(self, name):
            raise ValueError(f"{type(self).__name__} already has an attribute {name!r}; give the buffer another name")
        array = np.array(value)
        if array.dtype.kind not in "fiu":
            raise TypeError(
                f"buffer {name!r} must hold real numbers (floats, or integers for a count), got {array.dtype} "
                f"from {type_name(value)}, which nn.save could not write or nn.load read back; convert it "
                "(flags to 0 and 1)"
            )
        setattr(self, name, array)
        if name not in self._buffer_names:
            self.__dict__["_buffer_names"] = (*self._buffer_names, name)  # nn's own: past __setattr__'s refusal

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, np.ndarray]]:
        """(dotted name, array) for each buffer of this module and, with `recurse`, of its submodules
        (a shared submodule's once)."""
        for name, module, attribute in buffer_slots(self, prefix, recurse):
            yield name, getattr(module, attribute)

    def buffers(self) -> list[np.ndarray]:
        return [b for _, b in self.named_buffers()]

    def named_children(self, remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """(name, module) for each module held directly by this one: an attribute (`fc1`) or an
        item, however deep, of list, tuple and dict attributes (`layers.0`, `blocks.0.1`), in
        attribute order: where parameters are looked for, so buffers and train() reach them too. A module
        held twice (`self.b = self.a`) is one child, under its first name, as in PyTorch; with
        `remove_duplicate=False`, under each (PyTorch's state_dict and repr name it so)."""
        seen: set[int] = set()
        for name, m in _members(vars(self), ""):
            if isinstance(m, Module) and not (remove_duplicate and id(m) in seen):
                seen.add(id(m))
                yield name, m

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """(dotted path, module) for this module ("" or prefix) and every module inside it, each once
        (a shared one under the first path met, as PyTorch's)."""
        return self._walk(prefix, children_first=False)

    def _walk(self, prefix: str = "", children_first: bool = False) -> Iterator[tuple[str, Module]]:
        """(dotted path, module) for this module and every module inside it, each once: each before its
        children (named_modules' order) or, with `children_first`, after them (apply's)."""
        seen: set[int] = set()

        def visit(module: Module, path: str) -> Iterator[tuple[str, Module]]:
            if id(module) in seen:
                return
            seen.add(id(module))
            if not children_first:
                yield path, module
            for name, child in module.named_children():
                yield from visit(child, f"{path}.{name}" if path else name)
            if children_first:
                yield path, module

        return visit(self, prefix)

    def modules(self) -> Iterator[Module]:
        """This module and every module inside it."""
        return (m for _, m in self.named_modules())

    @replayed  # autograd.compile: a compiled step makes this call again on each replay, as an optimizer's
    def zero_grad(self, set_to_none: bool = True) -> None:
        zero_grad(self.parameters(), set_to_none)

    def train(self, mode: bool = True) -> Module:
        """Training mode (Dropout drops); `eval()` switches it off. Returns self. ValueError, no mode
        changed, unless `mode` is True or False (as PyTorch's): "False" or None would be read by truth."""
        mode = check_flag(f"{type(self).__name__}.train", "mode", mode, ValueError)
        for m in self.modules():
            m.training = mode
        return self

    def eval(self) -> Module:
        return self.train(False)

    def count_parameters(self) -> int:
        return sum(p.size if isinstance(p, Tensor) else 1 for p in self.parameters())  # shapes only, no numbers read

    def extra_repr(self) -> str:
        """What this module shows in its repr besides its submodules."""
        return ""

    def __repr__(self) -> str:
        children = list(self.named_children(remove_duplicate=False))
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not children:
            return head + ")"
        lines = [head]
        for name, child in children:
            lines.append(f"  ({name}): " + repr(child).replace("\n", "\n  "))
        lines.append(f")  # {self.count_parameters():,} parameters")
        return "\n".join(lines)


def ported_read(module: Module, name: str) -> Any:
    """`__getattr__` of a layer with `ported_names` (called only for a name it lacks): one of them raises
    what to use instead; another, Python's AttributeError. Not every Module's: there a property's own
    AttributeError would give way to this one's."""
    if module._is_ported(name):
        raise module._ported(name)
    raise AttributeError(f"{type(module).__name__!r} object has no attribute {name!r}", name=name, obj=module)


def check_not_holding(module: Module, name: str, value: Any, where: str) -> None:
    """Refuse (ValueError) `value`, to be held by `module` under `name` (shown as `where`), where it is or holds
    `module`: the model would hold itself. An attribute's check, and a container's for its items."""
    if any(m is module for _, held in _members(value, name) for _, m in _walk_of(held)):
        raise ValueError(
            f"{where} would hold a module that holds this one, and the model itself (parameters(), "
            "state_dict(), repr would never end): keep such a reference as weakref.ref(module)"
        )


def _walk_of(held: Any) -> Iterator[tuple[str, Any]]:
    """A module's walk (itself and every module inside it, each once); nothing for a parameter."""
    return held._walk() if isinstance(held, Module) else iter(())


def _members(obj: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    """(dotted name, item) for each Module and parameter in `obj` (a module's attributes, as a dict)
    and in the lists, tuples and dicts among them, not looking into the modules found. Every name
    counts, "_backbone" as "head" (PyTorch registers what is assigned whatever its name); nn's own
    private state holds no module or parameter (structure.OWN_ATTRIBUTES). Each name must be one
    thing's only: a key that holds any of them must be non-empty, without '.', and differ as a
    string from its neighbours."""
    if isinstance(obj, Module) or is_parameter(obj):
        yield prefix, obj
    elif isinstance(obj, dict):
        keys: dict[str, Any] = {}  # the keys that hold something, by the name they give
        for key, value in obj.items():
            text = str(key)
            found = _members(value, f"{prefix}.{text}" if prefix else text)
            first = next(found, None)
            if first is not None:  # a key holding no module or parameter names nothing: any key will do
                check_key(prefix, key, keys)
                yield first
                yield from found
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            yield from _members(value, f"{prefix}.{i}" if prefix else str(i))


def _parameters(module: Module, prefix: str) -> Iterator[tuple[str, Node]]:
    """(dotted name, parameter) for each parameter of `module` and its submodules, a shared one each time it is met."""
    for name, item in _members(vars(module), prefix):
        if isinstance(item, Module):
            yield from _parameters(item, name)
        else:
            yield name, item

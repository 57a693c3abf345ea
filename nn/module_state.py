"""A Module's state: every parameter and buffer by dotted name (`state_dict`), and loading one
(`load_state_dict`), each entry checked (nn/state_checks.py) before anything is set."""

from __future__ import annotations

import itertools
from collections.abc import Container, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd import Node, Tensor, Value, type_name

from .arguments import check_flag
from .export_read import read_value
from .module_torch import IncompatibleKeys
from .state_checks import Describe, Layout, check_entries, conform, unique
from .state_shares import refuse_differing_shares, writes_in_place
from .structure import STRUCTURE

if TYPE_CHECKING:
    from .module import Module


class ModuleState:
    """Module's state dict methods (a mixin: Module holds what they walk)."""

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter, then of every buffer, as a numpy array, by dotted name."""
        return {name: np.array(x.data if isinstance(x, Node) else x) for name, x in _named_state(self)}

    def check_state(self, entries: Layout) -> None:
        """Refuse a state from its entries' (shape, dtype) alone, before any data is read: KeyError
        for missing or unexpected names, ValueError for a wrong shape or a dtype of the wrong kind:
        parameters take real floating point (ints, bools, complex, strings and objects are refused,
        not cast), integer buffers (counters) take integers."""
        check_entries(layout(self), entries, entry_kind(self))

    def checked_state(self, state: Mapping[str, Any], strict: bool = True) -> dict[str, np.ndarray]:
        """`state`'s arrays as `load_state_dict` would set them (copies, cast to each entry's dtype),
        every entry checked, nothing changed (with strict=False, the entries under the model's names only).
        nn.save checks what it writes with it, so that it never writes what nn.load would refuse."""
        kind = type(self).__name__
        if not isinstance(state, Mapping):  # as Optimizer.load_state_dict says it
            raise TypeError(f"{kind}.load_state_dict takes a dict of arrays (state_dict()), got {type_name(state)}")
        own = layout(self)
        if not strict:  # PyTorch's partial load: the names both have, each checked as in a strict one
            own, state = {n: e for n, e in own.items() if n in state}, {n: v for n, v in state.items() if n in own}
        return conformed(self, own, state)

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Set every parameter and buffer from `state` (arrays by dotted name), cast to its dtype, written into the
        array it holds (PyTorch's `copy_` under no_grad): its identity, memory and layout stay, so whatever views it
        (a user's `w = p.data`, a buffer assigned a row of it, a loss built on a buffer, `weight=self.cw`) sees them;
        a parameter's version count moves, so a graph that used it refuses to backward, as PyTorch's does.
        Every entry is checked first (`check_state`, then the values), so a bad one changes nothing:
        NaN and infinite values are refused, also where the cast overflows: no trained model holds
        them, so they mean a diverged run or a corrupt file; so are integers that the cast would
        change, buffers outside their ranges (`buffer_ranges`), and two entries over shared memory (one array
        under two names, or a view of another) given values that differ there, bitwise. Values are read as
        `nn.export.from_torch_state_dict` reads them (torch tensors too: bfloat16 as float32; chainrule's own Tensors,
        as `dict(model.named_parameters())` gives them, detached). Raises TypeError (`state` is not a dict, a value
        that holds no numbers, such as a str or None, or a torch tensor numpy cannot read), KeyError or ValueError.
        strict=False (PyTorch's) loads the entries under the model's names alone, checked alike. Returns PyTorch's
        (missing_keys, unexpected_keys)."""
        new = self.checked_state(state, check_flag(f"{type(self).__name__}.load_state_dict", "strict", strict))
        params = [(name, p) for name, p in self.named_parameters() if name in new]
        slots = [(name, module, attribute) for name, module, attribute in buffer_slots(self, "", True) if name in new]
        try:
            refuse_differing_shares([(name, array, new[name]) for name, array in held_arrays(self, new)])
        except ValueError as e:
            raise ValueError(f"cannot load this state into {type(self).__name__}: {e.args[0]}") from None
        for name, p in params:
            write_into(p, new[name])
        for name, module, attribute in slots:
            write_held(module, attribute, new[name])
        STRUCTURE.changed()  # frozen weights a compiled step holds as constants (their reshape, say) changed too
        return self._incompatible_keys(state)

    def _incompatible_keys(self, state: Mapping[str, Any]) -> IncompatibleKeys:
        """The names in which `state` (a dict, checked) and this model's state dict (`layout`) differ."""
        own = layout(self)
        return IncompatibleKeys([n for n in own if n not in state], [n for n in state if n not in own])


def conformed(module: Module, own: Layout, state: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """`state`'s values under `own`'s names read as every load reads them (`read_value`: torch's and chainrule's
    tensors too), checked against `own` and `module`'s buffer ranges and cast (`conform`), nothing changed: the
    one check of Module's load and of a class loading its own (nn.io_state); the error says that the state cannot
    be loaded into `module`. KeyError, TypeError or ValueError."""
    ranges = {
        name: owner.buffer_ranges[attribute]
        for name, owner, attribute in buffer_slots(module, "", True)
        if attribute in owner.buffer_ranges and name in own
    }
    try:
        read = {n: read_value(n, v) if n in own else v for n, v in state.items()}
        return conform(own, read, ranges, what=entry_kind(module))
    except (KeyError, TypeError, ValueError) as e:
        raise type(e)(f"cannot load this state into {type(module).__name__}: {e.args[0]}") from None


def entry_kind(module: Module) -> Describe:
    """What an entry of `module`'s state is, by its dotted name, for messages: a parameter, a buffer, or (where its
    class overrides state_dict) an entry of its state_dict()."""
    parameters = {name for name, _ in module.named_parameters()}
    buffers = {name for name, _ in module.named_buffers()}

    def what(name: str) -> str:
        if name in parameters:
            return "a parameter"
        return "a buffer" if name in buffers else f"an entry of {type_name(module)}.state_dict()"

    return what


def held_arrays(module: Module, names: Container[str]) -> list[tuple[str, np.ndarray | None]]:
    """(dotted name, the array it holds, None for a Value) of each parameter, then buffer, of `module` among `names`,
    in the order a load writes them: what `refuse_differing_shares` checks a state against before anything is set."""
    held = [(name, None if isinstance(p, Value) else p.data) for name, p in module.named_parameters() if name in names]
    slots = buffer_slots(module, "", True)
    return held + [(name, getattr(owner, attribute)) for name, owner, attribute in slots if name in names]


def write_into(p: Node, values: np.ndarray) -> None:
    """PyTorch's `p.copy_(values)` under no_grad: the values written into the array p holds, counted as a change of p
    (a graph that used it refuses to backward); a Value takes the number, a read-only array is replaced."""
    if isinstance(p, Value):
        p.data = float(values)
        return
    held = p.data
    if writes_in_place(held, values):
        held[...] = values
        p.data = held  # the same array: counted as a change made in place
    else:
        p.data = values


def write_held(owner: Any, attribute: str, values: np.ndarray) -> None:
    """PyTorch's copy_ into a buffer (a module's, or a loss's class weights): the array `owner` holds takes the values,
    so that whatever else holds it (a loss built on the model's own class weights, `CrossEntropyLoss(weight=self.cw)`)
    weighs by them; a new array in its place where it cannot (a read-only view, a list)."""
    held = getattr(owner, attribute)
    if writes_in_place(held, values):
        held[...] = values
    else:
        setattr(owner, attribute, values)


def buffer_slots(module: Module, prefix: str, recurse: bool) -> Iterator[tuple[str, Module, str]]:
    """(dotted name, owning module, attribute) of each buffer; a module held twice counts once (named_modules)."""
    for path, owner in module.named_modules(prefix) if recurse else [(prefix, module)]:
        for attribute in owner._buffer_names:
            yield (f"{path}.{attribute}" if path else attribute), owner, attribute


def _named_state(module: Module) -> Iterator[tuple[str, Node | np.ndarray]]:
    """(dotted name, parameter or buffer) for everything a state dict of `module` holds, each name
    once (ValueError otherwise: an attribute both a parameter and a registered buffer)."""
    return unique(itertools.chain(module.named_parameters(), module.named_buffers()))


def layout(module: Module) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """(shape, dtype) of each parameter and buffer by dotted name: what a state for `module` must
    match. A Value is a 0-d float64."""
    return {name: _shape_and_dtype(x) for name, x in _named_state(module)}


def _shape_and_dtype(x: Node | np.ndarray) -> tuple[tuple[int, ...], np.dtype]:
    if isinstance(x, Value):
        return (), np.dtype(np.float64)
    data = np.asarray(x.data if isinstance(x, Tensor) else x)
    return data.shape, data.dtype

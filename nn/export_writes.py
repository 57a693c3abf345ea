"""What from_torch_state_dict writes, and its checks before it writes anything: the values by chainrule's names of
entries PyTorch names twice (a module shared under two names, one loss under two names) where they agree, bitwise;
then one check of the model's arrays and the losses' class weights together for shared memory (a loss weight that
views a parameter, or one Tensor weighing two losses) given values that differ there; then the losses' weights
written into what they hold (torch's copy_ into its loss's buffer: a user's array or Tensor takes the values)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from autograd import Node, Tensor

from .loss_modules import Loss
from .module import Module
from .module_state import held_arrays, write_held, write_into
from .state_shares import differ, refuse_differing_shares

if TYPE_CHECKING:
    from .export import _Entry


class Option(NamedTuple):
    """A loss's class weight, an option of chainrule's loss (set as given: an array, a Tensor, a list) and a
    buffer of PyTorch's."""

    loss: Loss
    name: str

    @property
    def data(self) -> np.ndarray:
        """The weights as an array of the dtype a load keeps: that of the array or Tensor the loss holds them in
        (torch's copy_ casts into its buffer's dtype: integers stay integers; they were made float64, and a Tensor
        of them became one); float64 for a list of ints or bools, which holds no dtype and is replaced (as torch's
        class weights, floats: its losses refuse ints)."""
        value = getattr(self.loss, self.name)
        array = np.asarray(value.data if isinstance(value, Node) else value)
        kept = array.dtype.kind == "f" or (array.dtype.kind in "iu" and self.held() is not None)
        return array if kept else array.astype(np.float64)

    def held(self) -> np.ndarray | None:
        """The array a load writes into (a Tensor's own), or None where it is replaced (a list)."""
        value = getattr(self.loss, self.name)
        return value.data if isinstance(value, Tensor) else value if isinstance(value, np.ndarray) else None


Source = Node | np.ndarray | Option  # what an entry comes from: parameters, a buffer, or a loss's weights


def is_option(entry: _Entry) -> bool:
    """Whether `entry` is a loss's class weight (an option of chainrule's loss), not a parameter or buffer."""
    return isinstance(entry.sources[0], Option)


def checked_writes(
    model: Module, entries: list[_Entry], arrays: dict[str, np.ndarray]
) -> tuple[dict[str, Any], dict[tuple[int, str], tuple[_Entry, np.ndarray]]]:
    """The values of `model`'s state dict by chainrule's names, and each loss weight's (entry, values) by (loss,
    name), from the entries' checked `arrays`; ValueError naming two keys that would undo each other's values."""
    options = {(id(e.sources[0].loss), e.sources[0].name): (e, arrays[e.name]) for e in entries if is_option(e)}
    values, keys = _by_source(model, [e for e in entries if not is_option(e)], arrays)
    _check_tied_options(entries, arrays)
    writes = [(keys[name], held, values[name]) for name, held in held_arrays(model, values)]
    writes += [(entry.name, entry.sources[0].held(), array) for entry, array in options.values()]
    refuse_differing_shares(writes)  # the order they are written in: the model's, then the losses' weights
    return values, options


def write_options(options: dict[tuple[int, str], tuple[_Entry, np.ndarray]]) -> None:
    """Each loss weight's values written into the array or Tensor the loss holds (PyTorch's copy_ into its loss's
    buffer: the user's array or Tensor takes the values); set in its place where it cannot be (a list, read-only)."""
    for entry, array in options.values():
        loss, name = entry.sources[0].loss, entry.sources[0].name
        kept = getattr(loss, name)
        if isinstance(kept, Tensor):
            write_into(kept, array)
        else:
            write_held(loss, name, array)


def _check_tied_options(entries: list[_Entry], arrays: dict[str, np.ndarray]) -> None:
    """ValueError naming the two keys of one loss's weight held under two names (a shared loss) where they differ."""
    first: dict[tuple[int, str], str] = {}
    for entry in filter(is_option, entries):
        option = entry.sources[0]
        key = first.setdefault((id(option.loss), option.name), entry.name)
        if differ(arrays[key], arrays[entry.name]):
            raise ValueError(f"{key!r} and {entry.name!r} differ (bitwise), but are one loss's {option.name} here")


def _by_source(
    model: Module, entries: list[_Entry], arrays: dict[str, np.ndarray]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The values of `model`'s state dict, by chainrule's names, from the entries' checked `arrays`, and the key each
    came from. A module shared under two names (tied weights) has two entries, as in PyTorch: ValueError naming both
    where they differ (bitwise), which would otherwise leave one of them silently unread."""
    names = {id(source): name for name, source in sources(model)}
    values: dict[str, Any] = {}
    key_of: dict[str, str] = {}
    for entry in entries:
        for source, part in entry.parts(arrays[entry.name]):
            name = names[id(source)]
            if name in values and differ(values[name], part):
                raise ValueError(
                    f"{key_of[name]!r} and {entry.name!r} differ, but are one shared tensor here ({name}: a module "
                    "tied under two names, or a loss's weight that is the model's): give both its value (a state "
                    "dict of a model tied the same way)"
                )
            values.setdefault(name, part)
            key_of.setdefault(name, entry.name)
    return values, key_of


def sources(model: Module) -> Iterator[tuple[str, Source]]:
    """(chainrule's dotted name, source) for every parameter and buffer of `model`."""
    yield from model.named_parameters()
    yield from model.named_buffers()

"""Which of the model's parameters each of an optimizer's is, in a file beside its state (nn.save and
nn.load with `optimizer=`): a marker (1) "param.I.NAME" per parameter, I its place in the optimizer
and NAME its name in the model's state dict ("layers.0.W"). An optimizer keeps its state by place,
so without them a file's moments landed, silently, on whatever parameters an optimizer built in
another order (or on another model) held at those places. In the names, not the values, so that
nn.load checks them from the file's headers, before any data is read. A file written before them
has none, and loads unchecked, as it did."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from autograd import type_name

from .module import Module
from .optim_base import Optimizer
from .optim_state import COUNT, MARKER
from .state_checks import Layout, _few, check_entries, check_marker

PARAM = "param."  # the markers' names start so, after the optimizer's prefix in a file
# the name of a parameter that is not the model's (a loss's temperature): no state dict name is "*"
OTHER = "*"


def entries(module: Module, optimizer: Optimizer) -> dict[str, np.ndarray]:
    """A marker per parameter of `optimizer`, naming it in `module` (OTHER for one that is not the model's:
    a loss's temperature); ValueError for an optimizer holding none of the model's (nn.fit refuses it too)."""
    return {f"{PARAM}{i}.{name}": np.array(1, COUNT) for i, name in enumerate(_names(module, optimizer))}


def layout(module: Module, optimizer: Optimizer, prefix: str) -> Layout:
    """(shape, dtype) of the markers a file saved from `module` and `optimizer` holds, named after `prefix`."""
    return _layout(_names(module, optimizer), prefix)


def _layout(names: list[str], prefix: str) -> Layout:
    return {f"{prefix}{PARAM}{i}.{name}": ((), COUNT) for i, name in enumerate(names)}


def check(module: Module, optimizer: Optimizer, found: Layout, prefix: str) -> None:
    """Refuse a file whose markers (`found`, named after `prefix`) do not name, place by place, the model's
    parameters that `optimizer` holds: ValueError naming the first place that differs, and the fix. A file
    without any (written before them) passes."""
    saved = _saved(found, prefix)
    if not saved:
        return
    names = _names(module, optimizer)
    order = f"({_few([saved.get(i, '?').replace(OTHER, 'its own') for i in range(len(saved))])})"
    fix = f"build the {type_name(optimizer)} on the parameters the saved one held, in the same order {order}"
    for i in range(max(len(names), len(saved))):
        mine, theirs = names[i] if i < len(names) else None, saved.get(i)
        if mine is None or theirs is None:
            raise ValueError(
                f"the file's optimizer held {len(saved)} parameters and this one holds {len(names)}, so the state "
                f"saved of each would land on another: {fix}"
            )
        if mine != theirs:
            raise ValueError(
                f"{prefix}{PARAM}{i}: the optimizer's parameter {i} is {_whose(mine)}, and the file's state at "
                f"that place is of {_whose(theirs)}, so it would land on another parameter: {fix}"
            )
    check_entries(_layout(names, prefix), found, lambda name: MARKER)


def check_values(arrays: Mapping[str, np.ndarray]) -> None:
    """Refuse a marker (checked by `check` from its header) whose value is not the 1 nn.save writes."""
    for name, value in arrays.items():
        check_marker(name, value)


def _names(module: Module, optimizer: Optimizer) -> list[str]:
    """Each of the optimizer's parameters' name in the module's state dict, OTHER for one not the module's;
    ValueError when none is the module's (built on another model's, or on a copy's: no state would be its)."""
    of = {id(p): name for name, p in module.named_parameters()}
    names = [of.get(id(p), OTHER) for p in optimizer.params]
    if names and all(name == OTHER for name in names):
        raise ValueError(
            f"the {type_name(optimizer)} holds none of this model's parameters (it was built on another model's, "
            f"or on a copy's): build it on this model's, e.g. nn.{type_name(optimizer)}(model.parameters())"
        )
    return names


def _whose(name: str) -> str:
    return "not the model's (a parameter of its own)" if name == OTHER else f"the model's {name!r}"


def _saved(found: Layout, prefix: str) -> dict[int, str]:
    """The model's name of each place's parameter, by place, as the file's markers say; ValueError for a marker
    nn.save does not write (a place that is no number, or one named twice)."""
    saved: dict[int, str] = {}
    for key in found:
        place, _, name = key.removeprefix(prefix + PARAM).partition(".")
        if not (place.isdigit() and place.isascii() and name) or int(place) in saved:
            raise ValueError(f"{key} is not a marker nn.save writes: the file was edited or corrupted")
        saved[int(place)] = name
    return saved

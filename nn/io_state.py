"""What nn.save writes of a model and what nn.load checks a file against: the model's state_dict(), as
PyTorch users save it (torch.save(model.state_dict())) and load it back (model.load_state_dict(...)).
A class may override state_dict to save more (an array kept as a plain attribute, say) and
load_state_dict to take it back, as in PyTorch: the file then holds what its state_dict() gives, and
nn.load checks it against what state_dict() gives now (names, shapes, dtypes, then values) before
calling its load_state_dict (and, should that raise, loads back what state_dict() gave). A state whose
names load_state_dict cannot take (Module's own, given a name that is no parameter or buffer) is
refused by nn.save before it writes anything, and so is a submodule overriding state_dict."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from autograd import type_name

from .export_read import read_value
from .module import Module
from .module_state import ModuleState, conformed, layout
from .state_checks import Layout


def file_layout(module: Module) -> Layout:
    """(shape, dtype) by name of what a file saved from `module` holds: its parameters and buffers, or
    what its own state_dict() gives where its class overrides it; TypeError for an entry there that is
    no array of floats or integers (an attribute still None, say), which no file could fit."""
    _check_submodules(module)
    if not _overrides(module, "state_dict"):
        return layout(module)
    own = _layout_of(_arrays(module, module.state_dict()))
    for name, (shape, dtype) in own.items():
        if dtype.kind not in "fiu":
            raise TypeError(
                f"nn.load checks a file against what {type_name(module)}.state_dict() gives now, and its "
                f"{name!r} is an array of {dtype} of shape {shape}, not of floats or integers: give it an array "
                "of the shape and dtype saved before loading"
            )
    return own


def loads_its_own(module: Module) -> bool:
    """Whether `module`'s class overrides load_state_dict: a load that may fail after nn.load's checks."""
    return _overrides(module, "load_state_dict")


def saved_state(module: Module) -> dict[str, np.ndarray]:
    """What nn.save writes of `module`: its state_dict(), checked as nn.load will check it (`checked`);
    ValueError naming what it could not load back."""
    _check_submodules(module)
    state = module.state_dict()
    if not _overrides(module, "state_dict"):
        return checked(module, state, layout(module))
    state = _arrays(module, state)
    if not _overrides(module, "load_state_dict"):
        _check_names(module, state)
    return checked(module, state, _layout_of(state))


def _check_names(module: Module, state: Mapping[str, np.ndarray]) -> None:
    """ValueError where an overridden state_dict() adds or drops names that Module's load_state_dict,
    which loads the parameters and buffers alone, would refuse."""
    own = layout(module)
    added, dropped = sorted(state.keys() - own.keys()), sorted(own.keys() - state.keys())
    if not (added or dropped):
        return
    kind = type(module).__name__
    changes = "; ".join(
        f"{does} {', '.join(map(repr, names))}" for does, names in (("adds", added), ("drops", dropped)) if names
    )
    raise ValueError(
        f"{kind}.state_dict() {changes}, and {kind}.load_state_dict is Module's, which loads the parameters and "
        "buffers alone, so nn.load could not load it back: override load_state_dict to take what state_dict adds "
        "(then pass the rest to super().load_state_dict), or register the array as a buffer "
        "(self.register_buffer(name, array)) and drop the override"
    )


def load_into(module: Module, state: Mapping[str, np.ndarray]) -> None:
    """module.load_state_dict(state), checked (`checked`); where its class's own raises, after changing
    part of the model (its parameters, say), what state_dict() gave before is loaded back through it."""
    if not loads_its_own(module):
        module.load_state_dict(state)  # Module's: it checks everything before it changes anything
        return
    before = {name: a.copy() for name, a in _arrays(module, module.state_dict()).items()}  # not the model's own
    try:
        module.load_state_dict(state)
    except BaseException:
        module.load_state_dict(before)
        raise


def _check_submodules(module: Module) -> None:
    """ValueError for a submodule whose class overrides state_dict: Module's state_dict, which nn.save
    writes, gives its parameters and buffers, never what that state_dict adds."""
    for path, sub in module.named_modules():
        if path and _overrides(sub, "state_dict"):
            kind = type(module).__name__
            raise ValueError(
                f"{type_name(sub)} at {path!r} overrides state_dict, which {kind}'s state_dict does not call "
                f"(it gives each submodule's parameters and buffers), so what it adds would not be saved: override "
                f"state_dict and load_state_dict on {kind} instead (naming the entry {path}.NAME), or register the "
                "array as a buffer (self.register_buffer(name, array))"
            )


def checked(module: Module, state: Mapping[str, Any], own: Layout) -> dict[str, np.ndarray]:
    """`state`'s arrays, cast as they are loaded, every entry checked against `own` (`file_layout`) and
    its value (finite, integers that fit, buffers within their ranges), nothing changed: Module's own
    check where load_state_dict is Module's, the same checks on every entry where the class loads its
    own. KeyError or ValueError."""
    if not _overrides(module, "load_state_dict"):
        return module.checked_state(state)
    return conformed(module, own, state)


def _overrides(module: Module, method: str) -> bool:
    """Whether `module`'s class has its own `method` (state_dict or load_state_dict), not Module's."""
    return getattr(type(module), method) is not getattr(ModuleState, method)


def _layout_of(state: Mapping[str, np.ndarray]) -> Layout:
    return {name: (a.shape, a.dtype) for name, a in state.items()}


def _arrays(module: Module, state: Any) -> dict[str, np.ndarray]:
    """What `module`'s own state_dict() gives, as arrays by name, each read as every load reads a value
    (`read_value`: a Tensor's or a Value's numbers, a torch tensor's, a masked array refused), named
    "Kind.state_dict()['name']"; TypeError for anything else than a dict of names."""
    kind = type(module).__name__
    if not isinstance(state, Mapping) or not all(isinstance(name, str) for name in state):
        raise TypeError(f"{kind}.state_dict() must give a dict of arrays by name (str), got {type_name(state)}")
    return {name: np.asarray(read_value(f"{kind}.state_dict()[{name!r}]", x)) for name, x in state.items()}

"""A setting assigned to one of nn's optimizers that it does not have (`adam.momentum = 0.9`, `opt.weight_deacy`):
refused, where it would be kept as an attribute that changes nothing."""

from __future__ import annotations

import difflib
from typing import Any

from .optim_options import OPTIONS

# the names settings_elsewhere found, by the root class it read them under; forgotten whenever a class is made
# under it (OptimizerSettings.__init_subclass__), so that a scheduler's assignment (opt.scheduled_lr) reads no class
_FOUND: dict[type, frozenset[str]] = {}


def forget() -> None:
    """Forget the names found: a class of optimizer was made, which may have settings of its own."""
    _FOUND.clear()


def settings_elsewhere(optimizer: Any) -> frozenset[str]:
    """The settings of nn's optimizers (every kind: numbers, integers, flags, choices, fixed ones) and PyTorch's
    options of theirs (all of nn.optim_options's), read from the classes themselves: the subclasses, in nn, of the
    root of `optimizer`'s class (the last of its bases that declares settings), so that an optimizer added to nn
    adds its own (it was a list written out by hand, which LBFGS's max_iter would have been missing from)."""
    root = next(c for c in reversed(type(optimizer).__mro__) if "hyperparameters" in vars(c))
    found = _FOUND.get(root)
    if found is None:
        found = _FOUND[root] = _read(root)
    return found


def _read(root: type) -> frozenset[str]:
    """Every setting of the classes in nn under `root` (itself included), and PyTorch's options."""
    found, classes = set(OPTIONS), [root]
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        if cls.__module__.startswith("nn."):
            for kind in ("hyperparameters", "integers", "flags", "choices", "fixed_settings", "torch_options"):
                found.update(getattr(cls, kind, ()))
    return frozenset(found)


def lacking(optimizer: Any, name: str, group: bool = False) -> str | None:
    """Why `name` is refused as a setting of one of nn's own optimizers, or None where it is the caller's own
    name: a setting another optimizer has (nn's or PyTorch's: `adam.momentum = 0.9`, `adam.amsgrad = True`) or a
    misspelling of one of its own of five letters or more (`opt.weight_deacy`), which, kept, would change
    nothing, silently. Any other name is the caller's own, and kept (an attribute; a param group's key, as
    PyTorch keeps a group's "name"); so is every name on a subclass of one's own, which may read it. A param
    group's key (`group`), where one's own are fewer than an object's attributes, is refused from 3 letters and
    in any case too (`"LR"`, `"lrr"`): the group would train at the constructor's lr, silently."""
    if not type(optimizer).__module__.startswith("nn.") or name.startswith("_"):
        return None
    own, kind = optimizer.setting_names, type(optimizer).__name__
    if name in settings_elsewhere(optimizer):
        return f"{kind} has no setting {name!r}, and would ignore it; its settings are {', '.join(own)}"
    if group:  # any case ("LR"), and from 3 letters ("lrr"); as closely as an attribute's from 5
        cutoff = 0.85 if len(name) >= 5 else 0.8
        near = [s for s in own if s == name.lower()] or difflib.get_close_matches(name.lower(), own, 1, cutoff)
        near = near if len(name) >= 3 or name.lower() in own else []
    else:
        near = difflib.get_close_matches(name, own, n=1, cutoff=0.85) if len(name) >= 5 else []
    if near:
        return f"{kind} has no setting {name!r}, and would ignore it: did you mean {near[0]!r}?"
    return None


def refuse_a_setting_it_lacks(optimizer: Any, name: str) -> None:
    """AttributeError for an attribute `name` that `lacking` refuses (`adam.momentum = 0.9`)."""
    why = lacking(optimizer, name)
    if why is not None:
        raise AttributeError(why)

"""The rules of a param group's keys, written once for both ways a key reaches a group: in a group given to the
constructor or to add_param_group, and by `opt.param_groups[k][key] = value`. Which keys a group has (its
parameters and their names, the optimizer's settings, PyTorch's options, fixed settings, a scheduler's
"initial_lr"), which are refused (another optimizer's setting, a misspelling of one of its own, a setting torch
reads only from the constructor given another value) and which are the user's own (kept, as PyTorch keeps a
group's "name")."""

from __future__ import annotations

from typing import Any

from autograd import Node, type_name

from .optim_lacking import lacking
from .optim_options import check_torch_options

PARAMS = "params"
NAMES_KEY = "param_names"
INITIAL_LR = "initial_lr"  # a scheduler's base lr for the group: torch's schedulers keep one given, or set it


def group_key(optimizer: Any, k: int, key: str, value: Any, current: dict[str, Any]) -> tuple[str, Any]:
    """What `key` is in `optimizer`'s param group `k`, with `value` checked as far as it can be alone: ("setting",
    value) (the caller checks it with the group's others, as the constructor does), ("torch", the option as kept),
    ("fixed", value), ("initial_lr", value: the caller checks it as an lr) or ("own", value). `current`: the
    group's settings as they are (the constructor's, for a group being given). Refused: ValueError for a value
    of PyTorch's option computed otherwise, another value of a fixed setting, or another value of a setting
    torch reads only from the constructor; KeyError for another optimizer's setting or a misspelling of one's
    own (nn.optim_lacking). "params" and "param_names" are the caller's: they are no keys to set."""
    name = type(optimizer).__name__
    if not isinstance(key, str):  # no setting's name: the user's own, as torch keeps it (a state dict refuses it)
        return "own", value
    if key in optimizer.setting_names:
        if key in optimizer.constructors_only and value != current[key]:
            raise ValueError(
                f"{name}: param group {k}'s {key} would be {value!r}, the constructor's is {current[key]!r}: "
                f"torch.optim.{name} reads only the constructor's (a group's is kept and ignored); give it to the "
                f"constructor, or make one {name} per value"
            )
        return "setting", value
    if key in optimizer.torch_settings:
        check_torch_options(name, optimizer.torch_options, {key: value})  # ValueError for a value computed otherwise
        return "torch", None if value is None else bool(value)
    if key in optimizer.fixed_settings:
        if value is not optimizer.fixed_settings[key]:
            raise ValueError(
                f"{name}'s {key} is {optimizer.fixed_settings[key]}, its own: {optimizer.fixed_settings_why}"
            )
        return "fixed", value
    if key == INITIAL_LR:
        return "initial_lr", value
    if key in (PARAMS, NAMES_KEY):
        raise KeyError(
            f"{name}'s parameters are fixed when it is made, and their names: add others with add_param_group"
        )
    why = lacking(optimizer, key, group=True)
    if why is not None:
        raise KeyError(f"{name}: param group {k}: {why}")
    return "own", value


def named_by_key(name: str, k: int, raw: list[Any], labels: Any) -> list[Any]:
    """Group `k`'s parameters `raw` named by its "param_names" key `labels`, as (name, parameter) pairs, as
    torch 2.13 takes them; ValueError where there are not as many names as parameters (torch keeps them, naming
    the wrong ones), or the parameters come named otherwise."""
    if not isinstance(labels, list | tuple):
        raise TypeError(
            f"{name}: param group {k}'s 'param_names' is {type_name(labels)}, not a list of names (one str per "
            "parameter)"
        )
    labels = list(labels)
    named = [item[0] for item in raw if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Node)]
    if named:
        if named != labels:
            raise ValueError(
                f"{name}: param group {k} gives its parameters as (name, parameter) pairs and a 'param_names' of "
                f"other names ({labels} for {named}): give the names once"
            )
        return raw
    if len(labels) != len(raw):
        raise ValueError(
            f"{name}: param group {k}'s 'param_names' gives {len(labels)} names for its {len(raw)} parameters: give "
            "one name per parameter, in order"
        )
    return list(zip(labels, raw))

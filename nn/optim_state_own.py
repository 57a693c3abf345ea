"""A param group's own keys (`{"params": head, "name": "head"}`, kept as PyTorch keeps them) in an optimizer's state
dict, which holds arrays only (nn.save writes no pickle): each as "own.K.KEY" (K its group), its value as the UTF-8
bytes (a uint8 array) of its JSON text, tuples marked as such, so that str, int, float, bool, None and lists and
tuples of them load back equal and of their type. Any other value is refused when the state dict is made, naming
the group and the key: it would be lost without a word."""

from __future__ import annotations

import json
import math
import reprlib
from typing import Any

import numpy as np

from autograd import type_name

from .optim_group_keys import group_key

OWN = "own."
BYTES = np.dtype(np.uint8)
_TUPLE = "tuple"  # {"tuple": [...]} in the JSON text: a tuple (a dict is no value kept, so none is misread)
# A state's own entries in all, whatever the groups loading it hold: nn.load reads no more of a file for them
OWN_MOST = 1 << 16  # bytes of their keys (UTF-8) and their JSON text
OWN_KEYS_MOST = 256  # entries


_KEPT = (str, bool, int, float, type(None))  # exactly: a subclass (np.float64, an IntEnum) would load as its base


def storable(value: Any) -> bool:
    """Whether `value` is one a state dict keeps: str, int, float, bool, None, or a list or tuple of those."""
    if type(value) in _KEPT:
        return True
    return type(value) in (list, tuple) and all(storable(v) for v in value)


def _text(value: Any) -> np.ndarray | None:
    """`value` encoded, or None where no state dict keeps it: not storable, or no JSON text of it can be written
    (a list nested past Python's stack or holding itself, an int past Python's int-to-str limit)."""
    try:
        return encoded(value) if storable(value) else None
    except (RecursionError, ValueError):
        return None


def _too_long(size: int, count: int, where: str) -> ValueError | None:
    """The error for `count` own entries of `size` bytes (keys and JSON text); None where a state keeps them."""
    if size <= OWN_MOST and count <= OWN_KEYS_MOST:
        return None
    return ValueError(
        f"{where}: the param groups' {count} own keys take {size:,} bytes (their names and JSON text), more than a "
        f"state dict holds ({OWN_KEYS_MOST} keys, {OWN_MOST:,} bytes: nn.load reads no more of a file for them): keep "
        "long values elsewhere, a group's key naming them"
    )


def _tagged(value: Any) -> Any:
    if isinstance(value, tuple):
        return {_TUPLE: [_tagged(v) for v in value]}
    if isinstance(value, list):
        return [_tagged(v) for v in value]
    return value


def _untagged(value: Any) -> Any:
    if isinstance(value, dict):
        if value.keys() != {_TUPLE} or not isinstance(value[_TUPLE], list):  # no mark _tagged writes: edited
            raise TypeError(f"{value!r} is no tuple's mark")
        return tuple(_untagged(v) for v in value[_TUPLE])
    if isinstance(value, list):
        return [_untagged(v) for v in value]
    return value


def encoded(value: Any) -> np.ndarray:
    """`value` (storable) as the uint8 array of its JSON text."""
    return np.frombuffer(json.dumps(_tagged(value), allow_nan=True).encode(), BYTES).copy()


_BRIEF = reprlib.Repr()
_BRIEF.maxlist = _BRIEF.maxtuple = 4
_BRIEF.maxstring = _BRIEF.maxother = 60


def _brief(value: Any) -> str:
    """`value`'s repr cut short (a list of a million items is a message of four)."""
    try:
        return _BRIEF.repr(value)
    except ValueError:  # an int past Python's int-to-str limit
        return "(too long to show)"


def _unkept(value: Any) -> str:
    """What a message says of `value`, no state dict keeps: its type and brief repr, and the first item (in lists and
    tuples, depth first) of no kept type, where it holds one."""
    stack, seen = [value], 0
    while stack and seen < 100_000:  # a list holding itself, or nested deeper, ends it
        item, seen = stack.pop(), seen + 1
        if type(item) in (list, tuple):
            stack.extend(reversed(item))
        elif type(item) not in _KEPT:
            where = "" if item is value else f", whose item {_brief(item)} ({type_name(item)}) is of no type kept"
            return f"holds {type_name(value)} {_brief(value)}{where}"
    why = "nested too deep, holding itself, or an int past Python's int-to-str limit: JSON cannot write it"
    return f"holds {type_name(value)} {_brief(value)} ({why})"


def own_entries(optimizer: Any) -> dict[str, np.ndarray]:
    """The state dict's entries of every group's own keys; TypeError naming the group and key of a key or a value
    that none can hold."""
    entries, size = {}, 0
    for k, group in enumerate(optimizer.groups):
        for key, value in group.own.items():
            text = _text(value) if isinstance(key, str) else None
            if text is None:
                what = _unkept(value) if isinstance(key, str) else f"is a {type_name(key)}"
                raise TypeError(
                    f"{type(optimizer).__name__}.state_dict: param group {k}'s key {key!r} {what}, which a state dict "
                    "cannot keep (it holds arrays, and nn.save writes no pickle): a group's own keys are kept as str "
                    "keys of str, int, float, bool, None, or lists and tuples of them; set it to one of those "
                    "(str(value), or None), or delete it (del optimizer.param_groups[k][key]), before saving"
                )
            entries[f"{OWN}{k}.{key}"] = text
            size += len(key.encode(errors="surrogatepass")) + len(text)  # a lone surrogate: refused by nn.save
    error = _too_long(size, len(entries), f"{type(optimizer).__name__}.state_dict")
    if error is not None:
        raise error
    return entries


def own_layout() -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """The most the own entries of any state take, as entries for nn.load's bounds on a file (whatever the groups of
    the optimizer loading it hold): OWN_KEYS_MOST entries, each of an equal share of OWN_MOST in its data and 1.5
    times that in its name (a .safetensors header may write a name's byte as 6, "\\u0001", where its bound counts 4)."""
    share = OWN_MOST // OWN_KEYS_MOST
    return {f"{OWN}{i}.{'_' * (3 * share // 2)}": ((share,), BYTES) for i in range(OWN_KEYS_MOST)}


def given_own_layout(names: dict[str, tuple[tuple[int, ...], np.dtype]], groups: int, prefix: str) -> dict:
    """What a state's own entries (`names`, after `prefix`, by their (shape, dtype)) must be: 1-d uint8 arrays, of
    one of the `groups` groups, OWN_MOST bytes in all; ValueError for an entry of no group, or too long (refused
    from the entries' headers: nn.load reads none of their data)."""
    expected, size = {}, 0
    for key, (shape, _) in names.items():
        if key.startswith(OWN):
            place, dot, _ = key.removeprefix(OWN).partition(".")  # the key itself may be "" (torch keeps one)
            if not (place.isascii() and place.isdigit() and place == str(int(place)) and dot and int(place) < groups):
                raise ValueError(
                    f"{prefix}{key} is not an entry state_dict() writes (a group's own key): it was edited"
                )
            expected[key] = ((shape[0] if len(shape) == 1 else 0,), BYTES)
            size += len(key.encode(errors="surrogatepass")) - len(f"{OWN}{place}.") + math.prod(shape)
    error = _too_long(size, len(expected), f"{prefix}{OWN}*")
    if error is not None:
        raise error
    return expected


def loaded_own(optimizer: Any, arrays: dict[str, np.ndarray], prefix: str) -> list[dict[str, Any]]:
    """Each of `optimizer`'s groups' own keys, from a state's entries (checked by `given_own_layout`); ValueError for
    one whose bytes are no value state_dict writes, or named as no key of a group's own (a setting, the parameters,
    another optimizer's setting: nn.optim_group_keys), which state_dict never writes."""
    own: list[dict[str, Any]] = [{} for _ in optimizer.groups]
    settings = optimizer.group_settings()
    for key, array in arrays.items():
        if key.startswith(OWN):
            place, _, label = key.removeprefix(OWN).partition(".")
            try:
                value = _untagged(json.loads(array.tobytes().decode()))
            except (UnicodeDecodeError, ValueError, KeyError, TypeError, RecursionError):
                raise ValueError(f"{prefix}{key} holds no value state_dict() writes: it was edited") from None
            if not storable(value):
                raise ValueError(f"{prefix}{key} holds no value state_dict() writes: it was edited")
            k = int(place)
            try:
                kind, _ = group_key(optimizer, k, label, value, settings[k])
            except (KeyError, ValueError):
                kind = None
            if kind != "own":
                raise ValueError(
                    f"{prefix}{key} names no key of a group's own ({label!r} is the optimizer's, or one a group "
                    "refuses), which state_dict() never writes: it was edited"
                )
            own[k][label] = value
    return own

"""What a compiled step guards of nn's models: the count of their changes (STRUCTURE), what
counts as a model's parameter (`is_parameter`), frozen ones included, and the attribute names nn
keeps for itself (`check_attribute`)."""

from __future__ import annotations

import itertools
from typing import Any

from autograd import Tensor, Value


class _Structure:
    """How many times a module was given another submodule, parameter or buffer (an attribute set or
    deleted, a ModuleList or ModuleDict item, a Sequential's add), had its state loaded
    (load_state_dict, nn.load) or its buffers updated (BatchNorm's statistics): every module's call
    guards it (autograd.guard), so a compiled step records again after a model changed (a new head,
    a checkpoint loaded into frozen layers or BatchNorm's statistics, which a recording holds as
    constants). One count for all models: a change anywhere costs a recording, a replay one comparison.

    `version` is that count, and while nn.functional_call runs, the count with the calls running (each a number
    of its own, `standing`): a step recorded inside such a call (a compiled function its module calls) reads
    other tensors in the parameters' places, and replays only inside it. A step that makes the call itself
    reads the version before it (functional_call guards it first), and replays: what it put in place are
    the step's own tensors, which its tape reads as it reads any (inputs, parameters, computed ones)."""

    count = 0
    what = "a model's layers, parameters, buffers or tensors (or loaded their state)"  # for compile's messages

    def __init__(self) -> None:
        self.standing: list[int] = []
        self._numbers = itertools.count(1)  # next() is one step under the GIL: two threads never get one number

    def entered(self) -> int:
        """A functional_call's number, standing until `left(number)`: calls in two threads may end in any order."""
        number = next(self._numbers)
        self.standing.append(number)
        return number

    def left(self, number: int) -> None:
        self.standing.remove(number)  # its own, not the last: that may be another thread's call, still running

    @property
    def version(self) -> int | tuple[int, tuple[int, ...]]:
        return (self.count, tuple(self.standing)) if self.standing else self.count

    def changed(self) -> None:
        self.count += 1


STRUCTURE = _Structure()


# id -> [the tensor or Value, how many calls hold it]: what nn.functional_call put in parameters' places, a parameter
# while the call runs (computed or not), so that forward's self.parameters() and a call inside it find it by its name
STANDING_IN: dict[int, list[Any]] = {}


def is_parameter(value: Any) -> bool:
    """A leaf Value, or a leaf Tensor that requires grad or is frozen (its requires_grad switched off
    after being on: still the model's, saved and loaded, as PyTorch keeps a frozen Parameter), or what
    functional_call put in a parameter's place (STANDING_IN). A computed node kept as an attribute (a
    layer's last output) is none."""
    if isinstance(value, Tensor):
        return value.op is None and (value.requires_grad or value.frozen) or id(value) in STANDING_IN
    return isinstance(value, Value) and (value.op is None or id(value) in STANDING_IN)


# The attribute under which nn.save's files hold an optimizer's state beside a model's (nn.io's
# OPTIMIZER_PREFIX is it and a "."): a submodule or parameter named so would be taken for the optimizer's.
OPTIMIZER_ATTRIBUTE = "_optimizer"
# What nn keeps for itself in every module's attributes (written past Module.__setattr__): any value of
# a user's there would replace nn's own; a submodule there would also become a member.
OWN_ATTRIBUTES = {
    "_calls": "the record of its calls that drawings group nodes with",
    "_buffer_names": "the names of its buffers",
}


def check_attribute(owner: str, name: str, holds_members: bool) -> None:
    """Refuse, before it is set, an attribute of a module of class `owner` that would take the place of
    nn's own state (AttributeError); `holds_members`: whether the value is or holds modules or parameters."""
    if name in OWN_ATTRIBUTES:
        raise AttributeError(
            f"{owner}.{name} is where nn.Module keeps {OWN_ATTRIBUTES[name]}; give your attribute another name"
        )
    if name == OPTIMIZER_ATTRIBUTE and holds_members:
        raise AttributeError(
            f"{owner}.{name} cannot hold modules or parameters: nn.save writes an optimizer's state under "
            f"'{name}.', where their entries would be taken for the optimizer's; give the attribute another name"
        )


def check_key(prefix: str, key: Any, keys: dict[str, Any]) -> None:
    """Refuse a key whose dotted name could be another's (torch.nn refuses such names too); else note it in `keys`."""
    text, where = str(key), f"{prefix!r}" if prefix else "the module's attributes"
    if not text or "." in text:
        raise ValueError(
            f"{where} holds modules or parameters under the key {key!r}, which would make their dotted names "
            "ambiguous; use keys that are non-empty and have no '.'"
        )
    if text in keys:
        raise ValueError(
            f"{where} holds modules or parameters under the keys {keys[text]!r} and {key!r}, which both name them "
            f"{(prefix + '.' if prefix else '') + text!r}; use keys that differ as strings"
        )
    keys[text] = key


def check_replacement(owner: str, name: str, old: Any, value: Any, slot: bool = False) -> None:
    """Refuse (TypeError, as torch.nn does) a value other than a parameter or None over a module's parameter:
    a plain Tensor or array there would leave parameters(), the state dict and nn.save untrained and
    unsaved while an optimizer made before went on stepping the old tensor, which forward no longer reads.
    `slot`: the attribute is one of the layer's parameter_slots, whose None (no bias) is a parameter's place."""
    if (is_parameter(old) or (slot and old is None)) and value is not None and not is_parameter(value):
        what = type(value).__name__
        if isinstance(value, Tensor | Value) and value.op is not None:
            what = f"a computed {what}"
        elif isinstance(value, Tensor):
            what = "a Tensor that does not require grad"
        fix = (  # the scalar engine's parameter is a leaf Value, its number .data
            f"give autograd.Value(value), or set its number: module.{name}.data = value"
            if isinstance(old, Value)
            else "give nn.Parameter(value) (nn.Parameter(value, requires_grad=False) for a frozen one), or write "
            f"into the parameter in place (with autograd.no_grad(): module.{name}.copy_(value))"
        )
        raise TypeError(
            f"cannot assign {what} as parameter {owner}.{name} (a parameter or None expected): it would be a "
            f"constant, neither trained nor saved; {fix}"
        )

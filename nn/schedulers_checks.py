"""The checks of nn.schedulers' arguments and loaded states: a scheduler's state (its epoch, base lr and whether
that base carries a hand-set lr), its counts of epochs, and its numbers >= 0."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from autograd import type_name

from .arguments import check_at_least_zero, check_number, is_int, is_real

STATE_KEYS = ("last_epoch", "base_lr")
ADDED_LATER = {"hand_set": None}  # a state saved before it was written: not known
INT64 = np.iinfo(np.int64)  # nn.save writes a schedule's integers (last_epoch, step sizes, milestones) as int64
EPOCH_MOST = int(INT64.max)  # so the latest last_epoch a checkpoint holds


def _checked_state(owner: Any, state: Any) -> tuple[int, float, bool]:
    name = type(owner).__name__
    if not isinstance(state, Mapping):
        raise TypeError(f"{name}.load_state_dict takes a dict (state_dict()), got {type_name(state)}")
    if not set(STATE_KEYS) <= set(state) <= {*STATE_KEYS, *ADDED_LATER}:
        keys = sorted({*STATE_KEYS, *ADDED_LATER})
        raise KeyError(f"{name}.load_state_dict: needs the keys {keys}, got {sorted(state, key=str)}")
    hand_set = state.get("hand_set", ADDED_LATER["hand_set"])
    if hand_set is not None and not isinstance(hand_set, bool | np.bool_):  # np.array([1]) == 1 would pass
        raise ValueError(f"{name}.load_state_dict: hand_set must be True, False or None, got {hand_set!r}")
    epoch, lr = state["last_epoch"], state["base_lr"]
    if not is_int(epoch) or not 0 <= epoch <= EPOCH_MOST:
        raise ValueError(
            f"{name}.load_state_dict: last_epoch must be an integer >= 0 and at most 2**63 - 1 (what a "
            f"checkpoint's int64 holds), got {epoch!r}"
        )
    below = owner.base_below_zero  # a cosine's with an eta_min, cut by hand below it
    if not is_real(lr) or not (-math.inf if below else 0) <= lr < math.inf:
        least = "" if below else " >= 0"
        raise ValueError(f"{name}.load_state_dict: base_lr must be a finite number{least}, got {lr!r}")
    return int(epoch), float(lr), None if hand_set is None else bool(hand_set)


def _count(owner: Any, name: str, value: Any, least: int = 1, whole_floats: bool = True) -> int:
    """A period or count of epochs: an int of at least `least`, or a float holding a whole number, which torch takes
    (its language-modeling tutorial's `StepLR(optimizer, 1.0, gamma=0.95)`), unless `whole_floats` is False, where
    torch refuses floats too (T_0, total_steps); 1.5 is refused (torch's StepLR(1.5) cuts after epochs 2, 5, 8)."""
    if whole_floats and is_real(value) and not is_int(value) and float(value).is_integer():
        value = int(value)
    return check_number(type(owner).__name__, name, value, f"an integer >= {least}", lambda n: n >= least, integer=True)


def _at_least_zero(owner: Any, name: str, value: Any) -> float:
    return check_at_least_zero(type(owner).__name__, name, value)

"""Loading an optimizer's state (a mixin of Optimizer): load_state_dict with every entry checked (the kind, names,
shapes, dtypes, settings, slots in their ranges) before anything changes, and check_state, nn.load's check of a
file's entries from their headers alone. The state's layout is nn.optim_state's."""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from autograd import type_name

from .export_read import read_values
from .optim_settings import loaded_setting
from .optim_state import ADDED_FLAGS, COUNT, GROUP, KIND, MARKER, NAMES
from .optim_state_own import OWN, given_own_layout, loaded_own
from .state_checks import Describe, Layout, check_entries, check_kind, check_marker, conform, loaded_flag


class StateLoading:
    """The state methods of Optimizer that load it, over nn.optim_state's (state_layout, the slots, the heads)."""

    def check_state(self, entries: Layout, *, prefix: str = "") -> None:
        """Refuse a state dict from its entries' (shape, dtype) alone: ValueError for another kind of
        optimizer's state, KeyError for missing or unexpected names (a parameter's state is all there
        or not at all), ValueError for a wrong shape or dtype. The names start with `prefix` (nn.load's
        OPTIMIZER_PREFIX, in a file), and the messages give them whole."""
        self._slots_fit(lambda: check_entries(self._expected(entries, prefix), entries, _entry_kind(prefix)))

    def _slots_fit(self, check: Any) -> Any:
        """`check()`, its KeyError about a parameter's state given the likely cause: other settings."""
        try:
            return check()
        except KeyError as e:
            if "state." not in e.args[0]:
                raise
            raise KeyError(
                f"{e.args[0]}; the arrays a state holds follow the settings (momentum's buffer, centered's "
                f"grad_avg): make the {type(self).__name__} with the settings the state was saved with"
            ) from None

    def load_state_dict(self, state: Mapping[str, Any], *, prefix: str = "") -> None:
        """Set the settings and the per-parameter state from `state` (as `state_dict` gives, each name
        after `prefix`), and each group's own keys where it holds any (in place of the group's, as torch's).
        Everything is checked first (the kind, names, shapes, dtypes, finite values, the settings as the
        constructor checks them, slots in their ranges: counts and second moments >= 0), so a bad state
        changes nothing. Values are read as Module.load_state_dict reads them (chainrule's and torch's tensors too).
        Raises KeyError, ValueError, or TypeError (a value holding no numbers: a str, None)."""
        name = type(self).__name__
        if not isinstance(state, Mapping):
            raise TypeError(f"{name}.load_state_dict takes a dict of arrays (state_dict()), got {type_name(state)}")
        if not isinstance(prefix, str):  # was str.startswith's "first arg must be str or a tuple of str"
            raise TypeError(
                f"{name}.load_state_dict: prefix must be a str (where the names start), got {type_name(prefix)}"
            )
        if {"state", "param_groups"} <= state.keys():  # torch.optim's layout: nested dicts, keyed by parameter ids
            raise ValueError(
                f"cannot load this state into {name}: it is a PyTorch optimizer's state_dict ('state' and "
                "'param_groups'), whose moments are keyed by PyTorch's parameter numbers and held in torch tensors; "
                f"{name}.load_state_dict takes what a chainrule optimizer's state_dict() gives (or nn.load's file): "
                "make the optimizer with the settings of its param_groups and train on from fresh moments"
            )
        try:
            settings, names, kept, own = self._checked(state, prefix)
        except (KeyError, TypeError, ValueError) as e:
            why = e.args[0].removeprefix(f"{name}: ")  # a setting's error names the optimizer already
            raise type(e)(f"cannot load this state into {name}: {why}") from None
        self.set_group_settings(settings)
        if names is not None:
            self.rename(names)
        # each group's own keys the state's, as torch's load gives the saved groups' keys, where it holds any; a state
        # of none (saved before they were kept, say) leaves them as they are. New Groups: a shallow copy (nn.load
        # checks on one) keeps its own
        if any(own):
            self.groups = [replace(g, own=loaded) for g, loaded in zip(self.groups, own)]
        self.state, self._state_shapes = kept, {}

    def _loaded_names(self, names: list[str], prefix: str) -> list[str] | None:
        """The parameters' names a state's entries `names` (after `prefix`) hold, by place, or None if it has none;
        ValueError unless they name each of this optimizer's places once (a state of another optimizer's)."""
        places: dict[int, str] = {}
        for key in names:
            if key.startswith(NAMES):
                place, _, label = key.removeprefix(NAMES).partition(".")
                if not (place.isascii() and place.isdigit() and label) or int(place) in places:
                    raise ValueError(f"{prefix}{key} is not an entry state_dict() writes: the state was edited")
                places[int(place)] = label
        if places and sorted(places) != list(range(len(self.params))):
            raise ValueError(
                f"its {prefix}{NAMES}* name {len(places)} parameters, and this {type(self).__name__} holds "
                f"{len(self.params)}: load a state saved from an optimizer over the same parameters"
            )
        return [places[i] for i in range(len(places))] if places else None

    def _checked(self, state: Mapping[str, Any], prefix: str) -> tuple[Any, ...]:
        """The settings, the parameters' names, the per-parameter state (by slot) and each group's own keys that
        `state` holds, all checked."""
        arrays, unread = read_values(state)
        entries = {key: (a.shape, a.dtype) for key, a in arrays.items()}
        squares = {n for n, (_, high) in self.slot_ranges.items() if high == math.inf}  # may overflow to +inf

        tops = {**self.up_to, **{n: high for n, (_, high) in self.ranges.items()}}
        endless = {prefix + h + n for h in self._heads() for n, top in tops.items() if top == math.inf}
        optional = {prefix + h + n for h in self._heads() for n in self.first_optional}

        def unbounded(key: str) -> bool:  # an overflowed square, or a setting that may be +inf (ASGD's t0)
            return key in endless or (key.startswith(prefix + "state.") and key.rsplit(".", 1)[-1] in squares)

        expected = self._expected(entries, prefix)
        taken = next((error for key, error in unread.items() if key in expected), None)
        if taken is not None:  # a key it takes; the others are named as unexpected keys, as Module's
            raise taken
        what = _entry_kind(prefix)
        fitted = self._slots_fit(
            lambda: conform(expected, arrays, unbounded=unbounded, unset=optional.__contains__, what=what)
        )
        new = {key.removeprefix(prefix): a for key, a in fitted.items()}
        check_marker(prefix + KIND + type(self).__name__, new[KIND + type(self).__name__])
        settings = []
        for head, group in zip(self._heads(), self.groups):
            given = {
                s: loaded_setting(new[head + s], s in self.first_optional)
                for s in (*self.hyperparameters, *self.integers)
            }
            given |= {s: _chosen(self, prefix + head + s, int(new[head + s]), a) for s, a in self.choices.items()}
            # saved as 1 or 0; an added flag a state saved before lacks is off
            given |= {
                s: loaded_flag(self, prefix + head + s, loaded_setting(new[head + s])) if head + s in new else False
                for s in self.flags
            }
            settings.append(self.checked_settings(given, prefix + head))
            if head and int(new[head + "params"]) != len(group.params):
                raise ValueError(
                    f"{prefix}{head}params: the state's param group holds {int(new[head + 'params'])} parameters and "
                    f"this {type(self).__name__}'s {len(group.params)}: load a state saved from an optimizer with the "
                    "same groups"
                )
        for key in new:
            if key.startswith(NAMES):
                check_marker(prefix + key, new[key])
        names = self._loaded_names(list(new), prefix)
        # the settings loaded may change which slots a step keeps (momentum's buffer, centered's grad_avg):
        # the state must fit them too, as a shallow copy that takes them sees it (self is left as it is)
        loaded = copy.copy(self)
        loaded.groups = [copy.copy(g) for g in self.groups]
        loaded.set_group_settings(settings)
        check_entries(loaded._expected(entries, prefix), entries, what)
        kept: dict[Any, dict[str, Any]] = {}
        for key, array in new.items():
            if key.startswith("state."):
                _, slot, entry = key.split(".")
                kept.setdefault(int(slot) if slot.isdigit() else slot, {})[entry] = array
        for slot, arrays in kept.items():
            with loaded.acting_as(loaded.group_of_slot(slot)):
                loaded.check_loaded_slot(arrays, f"{prefix}state.{slot}.")
            arrays.update({k: int(a) for k, a in arrays.items() if a.dtype == COUNT})  # a count is kept as an int
        return settings, names, kept, loaded_own(loaded, new, prefix)

    def check_loaded_slot(self, kept: dict[str, np.ndarray], where: str) -> None:
        """Refuse one parameter's loaded state (its arrays by name, named after `where`: "state.0.") if a
        value is outside its `slot_ranges`, or a count of steps is below 1: a parameter's state is made by
        its first step, which counts it, and Adam's next bias correction would take a state with history
        for a first step's (10 times its first moment). A subclass adds checks across its arrays. Only
        what would make the next step NaN, or a state no step makes, is refused."""
        for name, array in kept.items():
            low, high = (1, math.inf) if array.dtype == COUNT else self.slot_ranges.get(name, (-math.inf, math.inf))
            outside = np.count_nonzero((array < low) | (array > high))
            if outside:
                what = (
                    "a count of steps (from the step that made it)"
                    if array.dtype == COUNT
                    else f"{type(self).__name__}'s {name!r}"
                )
                bounds = f">= {low:g}" if high == math.inf else f"in [{low:g}, {high:g}]"
                raise ValueError(
                    f"{where}{name} holds {outside} value(s) out of range (the least {array.min().item()!r}); "
                    f"{what} is {bounds}, else the next step would make the parameters NaN"
                )

    def _expected(self, entries: Layout, prefix: str) -> Layout:
        """The layout `entries` (named after `prefix`) must match: the marker, the settings, and the whole
        state of every slot that `entries` holds any of; the names of no slot are left in, to be refused
        as unexpected, nor the ADDED_FLAGS it lacks. Another kind's marker, or none, is refused first: its
        names could fit this one's. A key that is no str is no name of it, left to be refused as unexpected."""
        entries = {key: entry for key, entry in entries.items() if isinstance(key, str)}
        names = [key.removeprefix(prefix) for key in entries if key.startswith(prefix)]
        check_kind(names, KIND, type(self).__name__, prefix)
        everything = {key: entry for key, entry in self.state_layout().items() if not key.startswith((NAMES, OWN))}
        self._loaded_names(names, prefix)  # names of its own, as many as its parameters, each place once
        everything |= {key: ((), COUNT) for key in names if key.startswith(NAMES)}
        held = 1 if "lr" in names else len({key.split(".")[1] for key in names if key.startswith(GROUP)})
        if held and held != len(self.groups):  # before the own keys: those of a group it lacks are no edit
            raise ValueError(
                f"the state holds {held} param group(s) and this {type(self).__name__} has {len(self.groups)}: load "
                "a state saved from an optimizer with the same param groups"
            )
        given = {key.removeprefix(prefix): entry for key, entry in entries.items() if key.startswith(prefix)}
        everything |= given_own_layout(given, len(self.groups), prefix)  # the groups' own keys the state holds
        for head in self._heads():
            for flag in ADDED_FLAGS.intersection(self.flags):
                if head + flag not in names:
                    del everything[head + flag]
        given = {name.split(".")[1] for name in names if name.startswith("state.") and name in everything}
        return {
            prefix + key: entry
            for key, entry in everything.items()
            if not key.startswith("state.") or key.split(".")[1] in given
        }


def _entry_kind(prefix: str) -> Describe:
    """What an entry of an optimizer's state (named after `prefix`) is, by how its name starts, for messages."""
    kinds = {"state.": "the optimizer's state of a parameter", OWN: "a group's own key", KIND: MARKER, NAMES: MARKER}
    return lambda name: next(
        (what for start, what in kinds.items() if name.removeprefix(prefix).startswith(start)), "an optimizer setting"
    )


def _chosen(owner: Any, name: str, place: int, among: tuple[Any, ...]) -> Any:
    """The choice a state's entry `name` holds by its `place` among `among`; ValueError for another place."""
    if not 0 <= place < len(among):
        listed = ", ".join(f"{k} for {c!r}" for k, c in enumerate(among))
        raise ValueError(f"{type(owner).__name__}: {name} holds {place}, not the place of a choice ({listed})")
    return among[place]

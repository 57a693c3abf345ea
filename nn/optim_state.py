"""An optimizer's state as named arrays (a mixin of Optimizer): state_dict, and load_state_dict with
every entry checked (the kind, names, shapes, dtypes, settings, slots in their ranges) before anything
changes; state_layout for nn.load, which reads no more than it. Settings are 0-d arrays: numbers float64,
integers and flags int64, a choice its place among its values (int64)."""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from autograd import type_name

from .export_read import read_values
from .optim_param_groups import values_slot
from .optim_settings import loaded_setting, saved_setting
from .optim_state_own import OWN, given_own_layout, loaded_own, own_entries, own_layout
from .state_checks import Describe, Layout, check_entries, check_kind, check_marker, conform, loaded_flag

COUNT = np.dtype(np.int64)  # the dtype of a step counter, and of a flag, in a state dict
# A state dict's marker, "kind.AdamW": the class that saved it. In the name, not the value, so that the check of
# a file's headers (nn.load's, before any data is read) sees it: Adam's and AdamW's other names are the same.
KIND = "kind."
MARKER = "a marker (1)"  # what an entry check_marker checks is (the kind, a parameter's name), for messages
# Flags added after states were first saved: a state without one (saved before) loads with it off, PyTorch's
# default and what every optimizer did before it had the flag (SGD, Adam, AdamW, RMSprop and Adagrad had no
# maximize, Adam and AdamW no amsgrad, Adam no decoupled_weight_decay).
ADDED_FLAGS = frozenset({"maximize", "amsgrad", "decoupled_weight_decay"})
# torch.optim 2.13's key for the names of an optimizer given named parameters: a marker (1) "param_names.I.NAME" per
# parameter, I its place, in the name (text is no array nn.save writes) so that nn.load checks it from the headers.
# A state without them (unnamed, or saved before) loads keeping the optimizer's own names; one with them gives its
# names to the optimizer, as torch's load_state_dict does.
NAMES = "param_names."
# where each param group's settings are, with several groups: "group.K.lr", and "group.K.params" (its size)
GROUP = "group."


class OptimizerState:
    """The state methods of Optimizer, over its settings, `state`, `tensors`, `values` and `slot_layout`."""

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of the state as named arrays: the marker KIND + the class's name (1); the hyperparameters
        (0-d float64 arrays, a pair as a 1-d one) and flags (0-d integers, 1 or 0) by name; each
        parameter's state as "state.SLOT.NAME", SLOT being the Tensor's position among the Tensor
        parameters or "values" (the Values, packed in one array); given named parameters, a marker
        "param_names.I.NAME" (1) per parameter, I its place; each group's own keys as "own.K.KEY"
        (nn.optim_state_own). Arrays only: nn.save writes it."""
        state = {KIND + type(self).__name__: np.array(1, COUNT)}
        state |= {name: np.array(1, COUNT) for name in self._name_markers()}
        for head, settings, group in zip(self._heads(), self.group_settings(), self.groups):
            state |= {head + name: saved_setting(settings[name]) for name in self.hyperparameters}
            state |= {head + name: np.array(settings[name], dtype=COUNT) for name in (*self.integers, *self.flags)}
            state |= {head + name: np.array(among.index(settings[name]), COUNT) for name, among in self.choices.items()}
            if head:  # several groups: each one's size, which a state loaded must match
                state[head + "params"] = np.array(len(group.params), COUNT)
        for slot, (shape, dtype) in self._slots().items():
            kept = self.saved_slot(slot)
            with self.acting_as(self.group_of_slot(slot)):  # the slots its group's settings keep
                layout = self.slot_layout(shape, dtype)
            for name, (size, kind) in layout.items():
                if name in kept:
                    state[f"state.{slot}.{name}"] = np.array(kept[name], dtype=kind)
                elif kept and name in self.zero_started:  # a setting switched on since this slot's last step
                    state[f"state.{slot}.{name}"] = np.zeros(size, dtype=kind)
        return state | own_entries(self)  # each group's own keys ("name"): TypeError for one no array holds

    def _heads(self) -> list[str]:
        """Where each param group's settings are named in a state dict: "" for one group (the names as they always
        were: "lr"), "group.K." for group K of several ("group.1.lr")."""
        return [""] if len(self.groups) == 1 else [f"{GROUP}{k}." for k in range(len(self.groups))]

    def state_layout(self) -> Layout:
        """(shape, dtype) of every entry a state dict of this optimizer may hold (a parameter that
        no step has reached yet has no state), the groups' own keys as the most any state's take (entries
        of no real names: nn.optim_state_own.own_layout): nn.load reads no more than this."""
        own = {KIND + type(self).__name__: ((), COUNT)}
        own |= {name: ((), COUNT) for name in self._name_markers()}
        for head in self._heads():
            own |= {head + n: ((2,) if n in self.pairs else (), np.dtype(np.float64)) for n in self.hyperparameters}
            own |= {
                head + n: ((), COUNT)
                for n in (*self.integers, *self.flags, *self.choices, *(("params",) if head else ()))
            }
        for slot, (shape, dtype) in self._slots().items():
            with self.acting_as(self.group_of_slot(slot)):
                own |= {f"state.{slot}.{name}": entry for name, entry in self.slot_layout(shape, dtype).items()}
        return own | own_layout()  # what any state's own keys may take

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

    def _name_markers(self) -> list[str]:
        """The entries "param_names.I.NAME" naming its parameters by place (none if it was given no names)."""
        return [f"{NAMES}{i}.{name}" for i, name in enumerate(self.param_names or ())]

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

    def saved_slot(self, slot: Any) -> dict[str, Any]:
        """The state of `slot` as named arrays, as `slot_layout` lays them out, for the state dict (a subclass
        that keeps it otherwise, LBFGS's history as lists, lays it out here)."""
        return self.state.get(slot, {})

    def _slots(self) -> dict[Any, tuple[tuple[int, ...], np.dtype]]:
        """(shape, dtype) of each slot of state: each Tensor's, and the Values' packed array."""
        slots: dict[Any, tuple[tuple[int, ...], np.dtype]] = {i: (t.shape, t.dtype) for i, t in enumerate(self.tensors)}
        for k, values in enumerate(self._group_values):  # each group's Values, packed: "values", "values1", ...
            if values:
                slots[values_slot(k)] = ((len(values),), np.dtype(np.float64))
        return slots

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

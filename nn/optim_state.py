"""An optimizer's state as named arrays (a mixin of Optimizer): state_dict, and state_layout for nn.load, which
reads no more than it; loading one back, checked, is nn.optim_state_load's. Settings are 0-d arrays: numbers
float64, integers and flags int64, a choice its place among its values (int64)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .optim_param_groups import values_slot
from .optim_settings import saved_setting
from .optim_state_own import own_entries, own_layout
from .state_checks import Layout

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
    """The state methods of Optimizer that write it, over its settings, `state`, `tensors`, `values` and
    `slot_layout`."""

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

    def _name_markers(self) -> list[str]:
        """The entries "param_names.I.NAME" naming its parameters by place (none if it was given no names)."""
        return [f"{NAMES}{i}.{name}" for i, name in enumerate(self.param_names or ())]

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

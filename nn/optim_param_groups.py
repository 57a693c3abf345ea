"""PyTorch's parameter groups (a mixin of Optimizer): `SGD([{"params": body}, {"params": head, "lr": 1e-3}],
lr=1e-2)`, each group's settings its own (the constructor's where it gives none), checked as the constructor checks
them, and `add_param_group`. One group keeps its settings as the optimizer's attributes, as always (`opt.lr`); with
several, each group keeps its own, the optimizer's attributes read them where every group agrees and refuse where
they differ (naming param_groups), and a step, a state dict and a slot's layout take each group's settings in turn
(`acting_as`): the updates themselves read `self.lr` as they always did."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from autograd import Node, Tensor, Value, eager_only, guard, type_name

from .optim_group_keys import NAMES_KEY, PARAMS, group_key, named_by_key
from .optim_groups import GroupSettings, ReadOnlyDict, checked_params, refuse_shared_memory


@dataclass
class Group:
    """One parameter group: its parameters (and their names, or None), its settings where the optimizer has
    several groups (None where it has one: they are the optimizer's attributes), PyTorch's options it was given,
    and the keys of the user's own it carries (torch keeps them: a group's "name" for logging)."""

    params: list[Node]
    names: list[str] | None
    settings: dict[str, Any] | None
    torch: dict[str, Any] = field(default_factory=dict)
    own: dict[str, Any] = field(default_factory=dict)
    initial_lr: float | None = None  # a scheduler's, per group where there are several (nn.schedulers_groups)
    scheduled_lr: float | None = None


def given_groups(params: Any) -> list[Any] | None:
    """`params` as PyTorch's list of parameter groups (dicts), or None where it is a list of parameters."""
    if isinstance(params, list | tuple) and params and all(isinstance(g, Mapping) for g in params):
        return list(params)
    return None


def values_slot(k: int) -> str:
    """The state's key of group `k`'s Values, packed in one array: "values" (the first group's, as always)."""
    return "values" if k == 0 else f"values{k}"


class ParamGroups:
    """The group methods of Optimizer, over `groups` (a list of Group), `params`, `tensors` and `values`."""

    groups: list[Group]

    def _take_groups(self, groups: list[Any], defaults: dict[str, Any]) -> None:
        """Each group checked (`_checked_group`) against the ones before it, then all kept: nothing is kept where
        one is refused."""
        made: list[Group] = []
        for k, given in enumerate(groups):
            made.append(self._checked_group(given, defaults, made, k))
        if not any(g.params for g in made):
            raise ValueError(f"{type(self).__name__} got no parameters in any of its {len(made)} param groups")
        self._keep_groups(made)

    def _checked_group(self, given: Any, defaults: dict[str, Any], before: list[Group], k: int) -> Group:
        """Group `given` (a dict) as PyTorch's add_param_group takes it: TypeError for no dict, KeyError for no
        "params", ValueError for a parameter already in a group, or named where the others are not (or not named
        where they are); its settings, the `defaults` where it gives none, checked as the constructor checks them
        (TypeError, ValueError); a key that is another optimizer's setting or a misspelling of one of its own
        refused (KeyError), any other kept as the user's own, as PyTorch keeps it."""
        name = type(self).__name__
        if not isinstance(given, Mapping):
            raise TypeError(f"{name}: a param group must be a dict with 'params' and settings, got {type_name(given)}")
        if PARAMS not in given:
            raise KeyError(f"{name}: param group {k} has no 'params' (a dict {{'params': [...], 'lr': ...}})")
        raw = given[PARAMS]
        if isinstance(raw, set | frozenset):
            raise TypeError(
                f"{name}: param group {k}'s params are a set, whose order changes between runs (and a state "
                "loaded would land on other parameters): give a list"
            )
        raw = [raw] if isinstance(raw, Node) else list(raw)
        if NAMES_KEY in given:  # torch's names of the group's parameters, given beside them (a state's param_groups)
            raw = named_by_key(name, k, raw, given[NAMES_KEY])
        params, names = checked_params(name, raw) if raw else ([], None)
        if raw and before and any(g.params for g in before):
            named_before = next(g.names is not None for g in before if g.params)
            if named_before != (names is not None):
                raise ValueError(
                    f"{name}: param group {k}'s parameters are {'' if names else 'not '}named, the groups' before it "
                    f"are{'' if named_before else ' not'}: give every group (name, parameter) pairs "
                    "(model.named_parameters()) or none"
                )
        taken = {n for g in before for n in g.names or ()}
        twice = next((n for n in names or () if n in taken), None)
        if twice is not None:  # which parameter would a message or a file name by it?
            raise ValueError(f"{name}: param group {k} names a parameter {twice!r}, a name a group before it gives")
        seen = {id(p) for g in before for p in g.params}
        if any(id(p) in seen for p in params):
            raise ValueError(f"{name}: some parameters appear in more than one parameter group (group {k} repeats one)")
        everything = [p for g in before for p in g.params] + params
        refuse_shared_memory(name, everything, None)
        settings, torch, own, initial = dict(defaults), {}, {}, None
        for key, value in given.items():
            if key in (PARAMS, NAMES_KEY):
                continue
            kind, value = group_key(self, k, key, value, defaults)  # the one table of a group's keys
            if kind == "setting":
                settings[key] = value
            elif kind == "torch":
                torch[key] = value
            elif kind == "initial_lr":
                initial = value
            elif kind == "own":
                own[key] = value
        try:
            checked = self.checked_settings(settings)
            if initial is not None:  # checked as an lr, as a param group's "initial_lr" set later is
                initial = self.checked_settings({**checked, "lr": initial})["lr"]
        except (TypeError, ValueError) as e:
            raise type(e)(f"param group {k}: {e.args[0]}") from None
        return Group(params, names, checked, torch, own, initial_lr=initial)

    def _keep_groups(self, groups: list[Group]) -> None:
        """Keep `groups` (checked): the optimizer's parameters are theirs, in order; one group's settings become
        the optimizer's attributes."""
        self.groups = groups
        self.params = [p for g in groups for p in g.params]
        named = [g.names for g in groups if g.params]
        self.param_names = None if named[0] is None else [n for names in named for n in names]
        self.tensors = [p for p in self.params if isinstance(p, Tensor)]
        self.values = [p for p in self.params if isinstance(p, Value)]
        # per Tensor (by its place among the Tensors), its group; per group, its Values
        self._tensor_group = [k for k, g in enumerate(groups) for p in g.params if isinstance(p, Tensor)]
        self._group_values = [[p for p in g.params if isinstance(p, Value)] for g in groups]
        if len(groups) == 1:
            vars(self).update(groups[0].settings or {})
            groups[0].settings = None
            if groups[0].initial_lr is not None:  # given with the group: the optimizer's, as one group's settings
                self.initial_lr = groups[0].initial_lr

    def add_param_group(self, param_group: Mapping[str, Any]) -> None:
        """PyTorch's: a group of further parameters (layers unfrozen to fine-tune), with settings of its own, the
        constructor's where it gives none; checked in full first (a group refused leaves the optimizer as it
        was). LBFGS refuses it: it steps every parameter as one vector, as PyTorch's refuses several groups."""
        if not self.many_groups_taken:
            raise ValueError(f"{type(self).__name__} doesn't support per-parameter options (parameter groups)")
        eager_only(f"{type(self).__name__}.add_param_group was called inside the step: call it outside the function")
        if self.schedulers or self.plateaus:  # PyTorch's differ: a StepLR scales it too, a LambdaLR's step raises
            raise ValueError(
                f"{type(self).__name__}.add_param_group: schedulers are made on this optimizer, each keeping a base lr "
                "per group, and none for a group added now: add every group first, then make the schedulers (or "
                "make the optimizer and its schedulers again with the new group)"
            )
        defaults = self.defaults
        group = self._checked_group(param_group, defaults, self.groups, len(self.groups))
        groups = [*self.groups, group]
        if len(self.groups) == 1:  # the one group's settings (and initial lr) leave the optimizer's attributes
            groups[0].settings = {s: vars(self).pop(s) for s in self.setting_names}
            groups[0].initial_lr = vars(self).pop("initial_lr", None)
            groups[0].scheduled_lr = vars(self).pop("scheduled_lr", None)
        self._keep_groups(groups)

    many_groups_taken = True  # LBFGS: False
    # settings torch reads only from the constructor (its defaults), whatever a group says: a group's other is refused
    constructors_only: tuple[str, ...] = ()

    @property
    def defaults(self) -> dict[str, Any]:
        """The settings the constructor was given (its defaults where none): a group added takes them where it
        gives none, as PyTorch's `optimizer.defaults`; read-only (a change would be lost: ReadOnlyDict)."""
        return ReadOnlyDict(self._defaults)

    def rename(self, names: list[str]) -> None:
        """Give the parameters the names `names` (a loaded state's, by place), each group its share."""
        self.param_names, start, groups = list(names), 0, []
        for g in self.groups:  # new Groups: a shallow copy of the optimizer (nn.load checks on one) keeps its own
            groups.append(replace(g, names=list(names[start : start + len(g.params)])))
            start += len(g.params)
        self.groups = groups

    def group_settings(self) -> list[dict[str, Any]]:
        """Each group's settings, by name (one group's: the optimizer's attributes)."""
        if len(self.groups) == 1:
            return [{s: getattr(self, s) for s in self.setting_names}]
        return [dict(g.settings or {}) for g in self.groups]

    def set_group_settings(self, settings: list[dict[str, Any]]) -> None:
        """Give each group the settings of `settings` (checked by the caller), one per group."""
        if len(self.groups) == 1:
            vars(self).update(settings[0])
        else:  # new Groups: a shallow copy of the optimizer (nn.load checks on one) keeps its own
            self.groups = [replace(g, settings=dict(s)) for g, s in zip(self.groups, settings)]

    def set_in_group(self, k: int, name: str, value: Any) -> None:
        """Group `k`'s setting `name` set to `value`, checked with the group's others as the constructor checks."""
        if len(self.groups) == 1:
            setattr(self, name, value)
            return
        settings = self.groups[k].settings
        checked = self.checked_settings({**settings, name: value})[name]
        eager_only(
            f"{type(self).__name__}'s param group {k}'s {name} was set inside the step, which a replay would not do "
            "again: set it outside the compiled function"
        )
        settings[name] = checked

    def agreed(self, name: str) -> Any:
        """Setting `name` where several groups all hold one value; ValueError naming param_groups where not. Each
        read through autograd.guard: a compiled step that reads `opt.lr` replays only while it is as recorded."""
        values = [guard(GroupSettings.of(self, k), name) for k in range(len(self.groups))]
        if any(v != values[0] for v in values[1:]):
            raise ValueError(
                f"{type(self).__name__} has {len(values)} param groups whose {name} differ ({values}): which one "
                f"would `optimizer.{name}` mean? Read or set each group's: optimizer.param_groups[k][{name!r}]"
            )
        return values[0]

    def set_everywhere(self, name: str, value: Any) -> None:
        """`optimizer.name = value` with several groups: set in every group where they all agree now (checked in
        each first), else ValueError naming param_groups."""
        self.agreed(name)
        checked = [self.checked_settings({**g.settings, name: value})[name] for g in self.groups]
        eager_only(
            f"{type(self).__name__}.{name} was assigned inside the step, which a replay would not do again: set it "
            "outside the compiled function"
        )
        for g, v in zip(self.groups, checked):
            g.settings[name] = v

    @contextmanager
    def acting_as(self, k: int) -> Iterator[None]:
        """Group `k`'s settings as the optimizer's attributes while inside (none with one group: they are)."""
        if len(self.groups) == 1:
            yield
            return
        vars(self).update(self.groups[k].settings)
        try:
            yield
        finally:
            for s in self.setting_names:
                vars(self).pop(s, None)

    def group_of_slot(self, slot: Any) -> int:
        """The group whose settings lay out the state `slot` (a Tensor's place, or a group's Values' key)."""
        if isinstance(slot, int):
            return self._tensor_group[slot]
        rest = slot.removeprefix("values") if slot.startswith("values") else ""
        return int(rest) if rest.isdigit() else 0  # "values": the first group's; LBFGS's "flat": its one group's

    def _grouped_step(self, moving: list[Any], grads: list[Any]) -> None:
        """The step of several groups: each group's Tensors of `moving` and its Values (their gradients `grads`,
        as self.values orders them), with its settings."""
        per_group: list[list[Any]] = [[] for _ in self.groups]
        for item in moving:
            per_group[self._tensor_group[item[0]]].append(item)
        grad_of = dict(zip(map(id, self.values), grads))
        for k, items in enumerate(per_group):
            values = self._group_values[k]
            if not items and not values:
                continue
            with self.acting_as(k):
                for i, t, data, g in items:
                    state = self.state.get(i) or self.state.setdefault(i, {})
                    self.update(state, data, g)
                    self._flush_when_due(i, state)
                    t.data = data
                if values:
                    slot = values_slot(k)
                    data = np.fromiter((v.data for v in values), float, len(values))
                    grad = np.fromiter((grad_of[id(v)] for v in values), float, len(values))
                    self.update(state := self.state.setdefault(slot, {}), data, grad)
                    self._flush_when_due(slot, state)
                    for v, x in zip(values, data.tolist()):
                        v.data = x

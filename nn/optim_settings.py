"""An optimizer's settings (a mixin of Optimizer): their kinds, declared by each class (numbers, pairs of
numbers, integers, flags, choices among a few values), checked in one place for the constructor, for an
assignment (`opt.lr = 0.01`, a scheduler's, a param group's) and for a loaded state alike."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from autograd import eager_only

from .arguments import check_number
from .optim_group_keys import group_key
from .optim_lacking import forget, refuse_a_setting_it_lacks
from .state_checks import checked, checked_choice, checked_flag, checked_int, checked_pair


class OptimizerSettings:
    """The settings of an optimizer, as attributes, by kind."""

    hyperparameters: tuple[str, ...] = ("lr",)  # numbers, saved as 0-d float64 arrays (pairs as 1-d ones)
    # the hyperparameters that are pairs of numbers, with what the two are, for messages (Adam's betas)
    pairs: dict[str, str] = {}
    # whole numbers >= 1 (LBFGS's max_iter, history_size), saved as 0-d integer arrays
    integers: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()  # settings on or off (SGD's nesterov), saved as 0-d integer arrays, 1 or 0
    # settings that take one of a few values (LBFGS's line_search_fn: None or "strong_wolfe"), saved as their place
    # among them, a 0-d integer array (nn.save writes arrays only)
    choices: dict[str, tuple[Any, ...]] = {}
    # hyperparameters that must stay below a bound (betas below 1), wherever they come from
    limits: dict[str, float] = {}
    # hyperparameters that may reach their bound, in [0, bound] (Adadelta's rho: 1 keeps its averages as they are;
    # ASGD's t0 and, of a pair its second, Rprop's largest step size, +inf, as torch takes them, saved and loaded)
    up_to: dict[str, float] = {}
    # hyperparameters of a closed range of their own in place of [0, ...) (Adafactor's beta2_decay, at most 0, and its
    # d, at least 1); finite, but for an infinite upper end, which is taken (saved so, and loaded)
    ranges: dict[str, tuple[float, float]] = {}
    # pairs whose first number may be None (Adafactor's eps: eps1 None is the parameter dtype's machine epsilon), kept
    # as NaN in a state dict (a number no setting holds)
    first_optional: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        forget()  # its settings join those other optimizers refuse as theirs (nn.optim_lacking)

    @property
    def setting_names(self) -> tuple[str, ...]:
        """The names of its settings: the hyperparameters, the integers, the flags, then the choices."""
        return (*self.hyperparameters, *self.integers, *self.flags, *self.choices)

    def __setattr__(self, name: str, value: Any) -> None:
        """A setting assigned (`opt.lr = 0.01`, a scheduler's too) is checked as the constructor checks it.
        Assigned inside a compiled step (outside a replayed method: a scheduler's step is one), the step
        runs eagerly: a replay would not assign it again, even where the value was the same on the
        recorded calls (`opt.lr = config["lr"]`, the config changed later)."""
        names = self.setting_names
        if name in getattr(self, "constructors_only", ()) and "groups" in self.__dict__:
            for k, settings in enumerate(self.group_settings()):  # refused in each group as a group's key is
                group_key(self, k, name, value, settings)
        if name not in names:
            refuse_a_setting_it_lacks(self, name)
        elif name not in self.__dict__ and len(self.__dict__.get("groups", ())) > 1:
            self.set_everywhere(
                name, value
            )  # several param groups: each set, where they all agree (optim_param_groups)
            return
        else:
            current = {s: getattr(self, s) for s in names}
            value = self.checked_settings({**current, name: value})[name]
            if name in self.__dict__:  # not the constructor's first assignment
                eager_only(
                    f"{type(self).__name__}.{name} was assigned inside the step, which a replay would not do again: "
                    "set it outside the compiled function, or with a scheduler (its step is replayed)"
                )
        object.__setattr__(self, name, value)

    def checked_settings(self, settings: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
        """Every setting of `settings` checked, each and together (`refuse_conflicts`), as Python floats,
        tuples of them, ints, bools and the choices' own values: the one check of the constructor's
        arguments, of an assignment and of a loaded state's. Messages name them after `prefix` (a file's
        names). Raises TypeError or ValueError."""
        checked_ = {}
        for name in self.hyperparameters:
            below, value = self.limits.get(name, math.inf), settings[name]
            if name in self.ranges:
                checked_[name] = _in_range(self, prefix + name, value, *self.ranges[name])
            elif (
                name in self.first_optional and isinstance(value, tuple | list) and len(value) == 2 and value[0] is None
            ):
                checked_[name] = (None, checked(self, prefix + name, value[1], below))
            elif name in self.pairs:
                pair, top = self.pairs[name], self.up_to.get(name)  # a pair's up_to bounds its second (Rprop's max)
                checked_[name] = checked_pair(self, prefix + name, settings[name], below, pair, top)
            else:
                checked_[name] = checked(self, prefix + name, settings[name], below, self.up_to.get(name))
        checked_ |= {name: checked_int(self, prefix + name, settings[name]) for name in self.integers}
        checked_ |= {name: checked_flag(self, prefix + name, settings[name]) for name in self.flags}
        checked_ |= {
            name: checked_choice(self, prefix + name, settings[name], among) for name, among in self.choices.items()
        }
        self.refuse_conflicts(checked_)
        return checked_

    def refuse_conflicts(self, settings: dict[str, Any]) -> None:
        """ValueError for checked `settings` that are each right but not together (SGD: Nesterov without
        momentum); none here."""


def _in_range(owner: Any, name: str, value: Any, low: float, high: float) -> float:
    """`value` as a float in [low, high], finite but where high is +inf (a hyperparameter of `ranges`)."""
    if low == -math.inf:
        wanted = f"a finite number <= {high:g}"
    else:
        wanted = f"a number >= {low:g}" if high == math.inf else f"in [{low:g}, {high:g}]"
    return check_number(
        type(owner).__name__, name, value, wanted, lambda x: low <= x <= high and (math.isfinite(x) or x == high)
    )


def loaded_setting(array: np.ndarray, first_optional: bool = False) -> Any:
    """A loaded setting's array as the constructor takes it: a number (a Python one), or a pair as a tuple, its
    first number None where NaN holds it (`saved_setting`) for a pair of `first_optional`; another NaN stays (and
    is refused)."""
    if not array.ndim:
        return array.item()
    first, *rest = array.tolist()
    return (None if first_optional and first != first else first, *rest)


def saved_setting(setting: Any) -> np.ndarray:
    """A hyperparameter as a state dict holds it: a float64 array, 0-d, or 1-d for a pair, None in one as NaN
    (Adafactor's eps1, OptimizerSettings.first_optional)."""
    if isinstance(setting, tuple):
        return np.array([np.nan if x is None else x for x in setting], dtype=np.float64)
    return np.array(setting, dtype=np.float64)

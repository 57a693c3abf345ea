"""What the cycling schedulers (OneCycleLR, CyclicLR) share: PyTorch's numbers given one per parameter group, and
the momentum they move against the lr (cycle_momentum, `MomentumCycle`): SGD's and RMSprop's `momentum`, or the Adam
family's beta1, each value checked by the optimizer before anything changes."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from autograd import type_name

from .arguments import check_flag, check_number
from .optim_base import Optimizer
from .schedulers_base import LRScheduler
from .schedulers_groups import over_lanes, per_group


def numbers_per_group(
    owner: str, name: str, value: Any, wanted: str, fits: Callable[[float], bool], optimizer: Any
) -> list[float]:
    """A number per param group of `optimizer`: PyTorch's list of one per group, or one number for all, each
    checked."""
    return [check_number(owner, name, v, wanted, fits) for v in per_group(owner, name, value, optimizer, "number")]


def momentum_name(owner: str, optimizer: Any) -> str:
    """The setting cycle_momentum moves: `betas` (its first) or `momentum`; ValueError for an optimizer
    with neither, as PyTorch's."""
    names = getattr(optimizer, "setting_names", ())
    if "betas" in names or "momentum" in names:
        return "betas" if "betas" in names else "momentum"
    raise ValueError(
        f"{owner}: cycle_momentum=True moves a momentum, and {type_name(optimizer)} has none (SGD's and "
        "RMSprop's momentum, the Adam family's betas[0] have one): give cycle_momentum=False"
    )


def check_momentum(owner: str, optimizer: Optimizer, name: str, values: tuple[float, ...]) -> None:
    """The optimizer's error (ValueError) where one of `values` is not a momentum it takes (nesterov's > 0),
    before anything changes: the cycle moves between them."""
    current = {s: getattr(optimizer, s) for s in optimizer.setting_names}
    for value in values:
        given = (value, *optimizer.betas[1:]) if name == "betas" else value
        try:
            optimizer.checked_settings({**current, name: given})
        except ValueError as error:
            raise ValueError(f"{owner}: the cycle would set the momentum {value!r}, and {error}") from None


def set_momentum(optimizer: Optimizer, name: str, value: float) -> None:
    """Set the momentum `name` (momentum_name's) of `optimizer` to `value` (checked by check_momentum)."""
    if name == "betas":
        optimizer.betas = (value, *optimizer.betas[1:])
    else:
        optimizer.momentum = value


class MomentumCycle(LRScheduler):
    """A schedule that moves the optimizer's momentum against its lr, where cycle_momentum is True: `_momentum(epoch)`
    is step `epoch`'s, checked by the optimizer before a step changes anything and set with the step's lr."""

    _momentum_name: str | None = None  # the optimizer's setting it moves (momentum_name's), None where it moves none

    def take_momentum(
        self, optimizer: Any, cycle_momentum: Any, base_momentum: Any, max_momentum: Any
    ) -> dict[str, list[float]]:
        """Its momentum arguments, checked (both ends by each param group's settings), before LRScheduler's
        constructor: base_momentum and max_momentum, one per group (PyTorch's list, or one for all), for
        start_lanes."""
        owner = type(self).__name__
        self.cycle_momentum = check_flag(owner, "cycle_momentum", cycle_momentum)
        bases = numbers_per_group(owner, "base_momentum", base_momentum, "a finite number", math.isfinite, optimizer)
        tops = numbers_per_group(owner, "max_momentum", max_momentum, "a finite number", math.isfinite, optimizer)
        if self.cycle_momentum and isinstance(optimizer, Optimizer):  # else the base's TypeError
            name = self._momentum_name = momentum_name(owner, optimizer)
            over_lanes(optimizer, self, lambda k: check_momentum(owner, optimizer, name, (bases[k], tops[k])))
        return {"base_momentum": bases, "max_momentum": tops}

    def _momentum(self, epoch: int) -> float:
        """Step `epoch`'s momentum."""
        raise NotImplementedError

    def check_momentum_at(self, epoch: int) -> None:
        """The optimizer's ValueError where step `epoch`'s momentum is none it takes (`schedule` asks, so that a step
        refused changes nothing)."""
        if self._momentum_name is not None:
            check_momentum(type(self).__name__, self.optimizer, self._momentum_name, (self._momentum(epoch),))

    def _set(self, factor: float, lr: float) -> None:
        super()._set(factor, lr)
        if self._momentum_name is not None:
            set_momentum(self.optimizer, self._momentum_name, self._momentum(self.last_epoch))

"""Learning-rate schedulers, as torch.optim.lr_scheduler's: each sets its optimizer's `lr` from
the number of epochs done, `step()` once per epoch (after the optimizer's steps of that epoch).

Each is a closed form of the epoch, `base_lr * factor(epoch)`, base_lr being the optimizer's lr
when the first scheduler was attached (`optimizer.initial_lr`): PyTorch's schedules, computed
anew each epoch instead of by multiplying the last lr, so they agree with PyTorch's to rounding.

Schedulers made on one optimizer chain as PyTorch's do: the factors of those PyTorch makes chainable
multiply. Those that set the lr outright in PyTorch (SETS_OUTRIGHT, each class's `sets_outright`; and a
CosineAnnealingLR with an eta_min, or past its T_max; a SequentialLR, which starts each schedule afresh at
its milestone) give, chained, an lr that is no schedule's, so here
one of them refuses to step beside another scheduler: put schedules one after another with SequentialLR,
which takes over the schedulers given to it. An lr set by hand between steps (`opt.lr = ...`,
`param_groups`) carries on as in PyTorch, whose chainable schedules go on from the lr as it is: the
chain's base becomes the one whose closed form gives that lr now; those that set it outright override
it, in PyTorch too. Where PyTorch's form cannot be followed so (a SequentialLR, a cosine past its
T_max, factors at 0), a step after an lr set by hand is refused, changing nothing. Every lr a scheduler
sets is checked (finite, >= 0) before anything changes.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence

from autograd import repr_of, type_name

from .arguments import as_sequence, check_number, one_number
from .optim_base import Optimizer
from .schedulers_base import LRScheduler, _at_least_zero, _count
from .schedulers_chained import ChainedScheduler
from .schedulers_cyclic import CyclicLR
from .schedulers_groups import per_group, start_lanes
from .schedulers_more import (
    ConstantLR,
    ExponentialLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    check_epochs,
    warn_if_held,
)
from .schedulers_one_cycle import OneCycleLR
from .schedulers_plateau import ReduceLROnPlateau
from .schedulers_restarts import CosineAnnealingWarmRestarts

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "SETS_OUTRIGHT",
    "StepLR",
]


class LambdaLR(LRScheduler):
    """lr = base_lr * lr_lambda(epoch); given a list of functions, one per param group, each group's its own."""

    setting_names = ()  # lr_lambda is a function, which no file can hold nor compare: not checked on load
    per_group = ("lr_lambda",)

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        lambdas = per_group("LambdaLR", "lr_lambda", lr_lambda, optimizer)
        for f in lambdas:
            if not callable(f):
                raise TypeError(f"LambdaLR: lr_lambda must be a function of the epoch, got {repr_of(f)}")
        start_lanes(self, optimizer, lr_lambda=lambdas)
        super().__init__(optimizer, last_epoch)

    def factor_at(self, epoch: int) -> float:
        given = self.lr_lambda(epoch)
        factor = one_number(given)  # a 0-d array or tensor too, as PyTorch's multiplies by one
        if factor is None:
            raise TypeError(f"LambdaLR: lr_lambda({epoch}) gave {type_name(given)} {given!r}; it must give a number")
        if not math.isfinite(factor):
            raise ValueError(f"LambdaLR: lr_lambda({epoch}) gave {given!r}; it must give a finite number")
        return factor

    sets_outright = True  # PyTorch's sets base_lr * lr_lambda(epoch), whatever other schedulers did


class StepLR(LRScheduler):
    """lr = base_lr * gamma ** (epoch // step_size): multiplied by gamma every step_size epochs."""

    setting_names = ("step_size", "gamma")

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1) -> None:
        self.step_size = _count(self, "step_size", step_size)
        self.gamma = _at_least_zero(self, "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def factor_at(self, epoch: int) -> float:
        return self.gamma ** (epoch // self.step_size)


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) (1 + cos(pi epoch / T_max)) / 2: from base_lr down to eta_min
    over T_max epochs along half a cosine (and, past T_max, back up, as PyTorch's)."""

    setting_names = ("T_max", "eta_min")

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1) -> None:
        self.T_max = _count(self, "T_max", T_max)
        self.eta_min = _at_least_zero(self, "eta_min", eta_min)
        self.base_below_zero = self.eta_min > 0
        super().__init__(optimizer, last_epoch)

    def factor_at(self, epoch: int) -> float:
        return (1 + math.cos(math.pi * epoch / self.T_max)) / 2

    def schedule(self, epoch: int, base_lr: float) -> tuple[float, float]:
        if epoch > self.T_max and self.hand_set is not False:  # None: resumed from a state that did not say
            which = (
                "an lr set by hand earlier"
                if self.hand_set
                else "an lr that may have been set by hand (this scheduler was resumed from a state saved before "
                "chainrule recorded whether it was)"
            )
            raise ValueError(
                f"CosineAnnealingLR: epoch {epoch} is past T_max={self.T_max}, where PyTorch's cosine adds a term of "
                f"its first base lr to {which}, which this schedule does not follow: make the scheduler again (or "
                "give it a T_max as long as the training)"
            )
        factor = self.factor_at(epoch)
        return factor, self.eta_min + (base_lr - self.eta_min) * factor

    def composes_at(self, epoch: int) -> bool:
        # PyTorch's chained form moves the lr toward eta_min (not a factor), and the epoch after T_max
        # adds a term of base_lr to it, dropping the other schedulers' factors
        return self.eta_min == 0 and epoch <= self.T_max

    def base_giving(self, lr: float) -> float | None:
        # PyTorch's form eta_min + (lr - eta_min) r(epoch) carries an lr set by hand up to T_max
        if self.last_epoch > self.T_max or not self._factor:
            return None
        return self.eta_min + (lr - self.eta_min) / self._factor


class LinearLR(LRScheduler):
    """lr = base_lr * factor, the factor going in a straight line from start_factor to end_factor over
    total_iters epochs, then staying: a warmup with the defaults (a third of the lr, up to it in 5 epochs)."""

    setting_names = ("start_factor", "end_factor", "total_iters")

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        self.start_factor = check_number("LinearLR", "start_factor", start_factor, "in (0, 1]", lambda f: 0 < f <= 1)
        self.end_factor = check_number("LinearLR", "end_factor", end_factor, "in [0, 1]", lambda f: 0 <= f <= 1)
        self.total_iters = check_epochs(self, "total_iters", total_iters)
        warn_if_held(self, self.start_factor, self.end_factor)
        super().__init__(optimizer, last_epoch)

    def factor_at(self, epoch: int) -> float:
        if self.total_iters == 0:
            return self.start_factor  # PyTorch's multiplies by it at epoch 0 and never again (warn_if_held)
        done = min(epoch, self.total_iters) / self.total_iters
        return self.start_factor + (self.end_factor - self.start_factor) * done


class SequentialLR(LRScheduler):
    """The schedulers one after another: schedulers[i] from epoch milestones[i - 1] on, counting its
    epochs from 0 there (a LinearLR warmup, then a CosineAnnealingLR, say). It takes them over: they
    leave the optimizer's chain, and it sets the lr from the initial one (as PyTorch's)."""

    setting_names = ("milestones",)  # and its schedulers, each with its own (io_schedules)

    def __init__(
        self,
        optimizer: Optimizer,
        schedulers: Sequence[LRScheduler],
        milestones: Sequence[int],
        last_epoch: int = -1,
    ) -> None:
        schedulers = as_sequence("SequentialLR", "schedulers", schedulers, "a list of schedulers of this optimizer")
        milestones = as_sequence("SequentialLR", "milestones", milestones, "a list of epochs")
        if not schedulers or any(not isinstance(s, LRScheduler) or s.optimizer is not optimizer for s in schedulers):
            raise ValueError("SequentialLR: schedulers must be one or more schedulers of this optimizer")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                f"SequentialLR: {len(schedulers)} schedulers need {len(schedulers) - 1} milestones (the epochs where "
                f"the next one starts), got {len(milestones)}"
            )
        for i, s in enumerate(schedulers[1:], 1):
            if not s.starts_afresh:
                raise ValueError(
                    f"SequentialLR: schedulers[{i}] is a {type_name(s)}, which PyTorch's SequentialLR, at its "
                    "milestone, does not start afresh: it multiplies the lr the schedule before it left by its "
                    "factor of epoch 0, an lr of neither schedule. Put it first, or use a LambdaLR (its closed form)"
                )
        milestones = [_count(self, "milestones", m) for m in milestones]  # 2.0 as 2, as MultiStepLR keeps them
        if milestones != sorted(set(milestones)):
            raise ValueError(f"SequentialLR: milestones must increase, got {milestones}")
        self.schedulers, self.milestones = schedulers, milestones
        super().__init__(optimizer, last_epoch)
        taken = {id(s) for s in schedulers}
        optimizer.schedulers[:] = [s for s in optimizer.schedulers if id(s) not in taken]

    def schedule(self, epoch: int, base_lr: float) -> tuple[float, float]:
        i = bisect.bisect_right(self.milestones, epoch)
        return self.schedulers[i].schedule(epoch - self._start(i), base_lr)

    def composes_at(self, epoch: int) -> bool:
        return False  # at a milestone PyTorch's restarts the next schedule from the initial lr

    def base_giving(self, lr: float) -> float | None:
        return None  # PyTorch's goes on from an lr set by hand until the next milestone only

    def _set(self, factor: float, lr: float) -> None:
        super()._set(factor, lr)
        i = bisect.bisect_right(self.milestones, self.last_epoch)
        current = self.schedulers[i]  # the one in charge now knows its own epoch and lr too, and sets what
        current.last_epoch = self.last_epoch - self._start(i)  # else it sets (a OneCycleLR's momentum)
        current._set(factor, lr)

    def _start(self, i: int) -> int:
        """The epoch schedulers[i] starts at."""
        return self.milestones[i - 1] if i else 0


# the schedulers that set the lr outright in PyTorch, from each class's `sets_outright`: the one list the docs cite
SETS_OUTRIGHT = tuple(name for name in __all__ if getattr(globals().get(name), "sets_outright", False))

"""Learning-rate schedulers, as torch.optim.lr_scheduler's: each sets its optimizer's `lr` from
the number of epochs done, `step()` once per epoch (after the optimizer's steps of that epoch).

Each is a closed form of the epoch, `base_lr * factor(epoch)`, base_lr being the optimizer's lr
when the first scheduler was attached (`optimizer.initial_lr`): PyTorch's schedules, computed
anew each epoch instead of by multiplying the last lr, so they agree with PyTorch's to rounding.
An lr set by hand between steps (`opt.lr = ...`, `param_groups`) carries on as in PyTorch, whose
chainable schedules scale the lr as it is: the chain's base is scaled so that its closed form
gives that lr now. Where PyTorch sets the lr outright (LambdaLR, SequentialLR, a cosine with an
eta_min), the next step sets it outright here too.

Schedulers made on one optimizer chain as PyTorch's do: the factors of StepLR, LinearLR and
CosineAnnealingLR (with eta_min 0, up to T_max) multiply. The others (LambdaLR, SequentialLR, a
CosineAnnealingLR with an eta_min) set the lr outright in PyTorch, where a chain of them gives an
lr that is no schedule's, so here one of them refuses to step beside another scheduler: put
schedules one after another with SequentialLR, which takes over the schedulers given to it.
Every lr a scheduler sets is checked (finite, >= 0) before anything changes.
"""

from __future__ import annotations

import bisect
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from autograd import replayed

from .optim_base import Optimizer


class LRScheduler:
    """Base of the schedulers: `last_epoch` counts the `step()`s; `schedule(e, base_lr)` is epoch e's
    factor and lr. Making one joins the optimizer's chain and sets its lr to that of epoch 0."""

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__} takes an optimizer (nn.SGD, nn.Adam, ...), got {optimizer!r}")
        self.optimizer = optimizer
        self.base_lr = optimizer.lr if optimizer.initial_lr is None else optimizer.initial_lr
        self.last_epoch = 0
        factor, lr = self._scheduled(0, self.base_lr)
        # PyTorch's first step: a factor multiplies the lr as it is (other schedules' in it); the others set theirs
        lr = self._settable(0, factor, optimizer.lr * factor if self.composes_at(0) else lr)
        # everything is computed: from here nothing can fail
        if optimizer.initial_lr is None:
            optimizer.initial_lr = self.base_lr
        optimizer.schedulers.append(self)
        self._set(factor, lr)

    def schedule(self, epoch: int, base_lr: float) -> tuple[float, float]:
        """Epoch `epoch`'s factor and the lr it gives from `base_lr` (this schedule alone)."""
        factor = self.factor_at(epoch)
        return factor, base_lr * factor

    def factor_at(self, epoch: int) -> float:
        """The factor of base_lr after `epoch` steps."""
        raise NotImplementedError

    def composes_at(self, epoch: int) -> bool:
        """Whether, at `epoch`, this schedule is a factor that multiplies with other schedulers' as
        PyTorch's chainable form does (StepLR's and LinearLR's always are)."""
        return True

    def lr_at(self, epoch: int) -> float:
        """The learning rate after `epoch` steps, of this schedule alone."""
        return self.schedule(epoch, self.base_lr)[1]

    @replayed  # autograd.compile: a step that steps its scheduler does so on each replay too
    def step(self) -> None:
        """One epoch done: set the optimizer's lr to the next epoch's (ValueError, changing nothing,
        if that lr is not one an optimizer takes or this schedule cannot chain with the others)."""
        scale = self._hand_set_scale()
        factor, lr = self._planned(self.last_epoch + 1, self.base_lr * scale)
        if scale != 1:  # everything is computed: from here nothing can fail
            self.optimizer.initial_lr *= scale
            for s in self.optimizer.schedulers:
                s.base_lr *= scale
        self.last_epoch += 1
        self._set(factor, lr)

    def _hand_set_scale(self) -> float:
        """How much the optimizer's lr was scaled by hand since a scheduler last set it (1: it was not),
        where the chain's schedules all scale the lr as it is in PyTorch (their factors multiply)."""
        opt = self.optimizer
        last = opt.scheduled_lr
        if last is None or opt.lr == last or not all(s.composes_at(s.last_epoch + (s is self)) for s in opt.schedulers):
            return 1.0
        if last == 0:
            raise ValueError(
                f"{type(self).__name__}: the lr was set by hand to {opt.lr} after the schedule had brought it to 0, "
                "so no scaling of the schedule gives it: make the scheduler again to start a new schedule"
            )
        return opt.lr / last

    def get_last_lr(self) -> list[float]:
        """The lr this scheduler set last, as a list (PyTorch's: one per parameter group; here one)."""
        return [self._last_lr]

    def state_dict(self) -> dict[str, Any]:
        """What resuming needs: the epochs done and the base lr (numbers only)."""
        return {"last_epoch": self.last_epoch, "base_lr": self.base_lr}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Resume from `state_dict()`'s: the optimizer's lr becomes that of the loaded epoch. A state
        of other keys, of a negative epoch or lr, or giving an lr no optimizer takes, is refused
        (KeyError, ValueError) and changes nothing."""
        last_epoch, base_lr = _checked_state(self, state, self.state_dict().keys())
        factor, lr = self._planned(last_epoch, base_lr)
        self.last_epoch, self.base_lr = last_epoch, base_lr
        self._set(factor, lr)

    def resumer(self, state: Mapping[str, Any], lr: float) -> Callable[[], None]:
        """What sets this scheduler to `state` (state_dict()'s) in a chain whose lr is `lr` (a loaded
        optimizer's, which the chain set then), checked as load_state_dict checks it: nothing changes
        until it is called. nn.load resumes the schedulers of an optimizer it loads with it."""
        last_epoch, base_lr = _checked_state(self, state, self.state_dict().keys())
        factor, _ = self._scheduled(last_epoch, base_lr)

        def resume() -> None:
            self.last_epoch, self.base_lr = last_epoch, base_lr
            self._set(factor, lr)

        return resume

    def _planned(self, epoch: int, base_lr: float) -> tuple[float, float]:
        """The factor and lr of `epoch` with the chain's other factors multiplied in, checked; changes nothing."""
        others = [s for s in self.optimizer.schedulers if s is not self]
        alone = [s for s in [self, *others] if not s.composes_at(epoch if s is self else s.last_epoch)]
        if others and alone:
            raise ValueError(
                f"{type(self).__name__}: this {type(self.optimizer).__name__} is scheduled by "
                f"{_names(others)} too, and {_names(alone)} sets the lr outright (a LambdaLR, a SequentialLR, a "
                "CosineAnnealingLR with an eta_min or past its T_max), so chained as PyTorch does it would give an lr "
                "that no schedule meant. Put schedules one after another with nn.schedulers.SequentialLR(optimizer, "
                "[first, second], milestones=[...]); to start a schedule afresh, make the optimizer again first"
            )
        factor, lr = self._scheduled(epoch, base_lr)
        return factor, self._settable(epoch, factor, math.prod((lr, *(s._factor for s in others))))

    def _scheduled(self, epoch: int, base_lr: float) -> tuple[float, float]:
        """`schedule(epoch, base_lr)`, a factor that overflows or is not a finite number refused."""
        try:
            factor, lr = self.schedule(epoch, base_lr)
        except OverflowError:
            raise ValueError(
                f"{type(self).__name__}: the factor of epoch {epoch} overflows a float; no lr can come of it"
            ) from None
        if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not math.isfinite(factor):
            raise ValueError(f"{type(self).__name__}: epoch {epoch} gives the factor {factor!r}; it must be finite")
        return factor, lr

    def _settable(self, epoch: int, factor: float, lr: float) -> float:
        """`lr` as a float, if the optimizer's constructor would take it (finite, >= 0), else ValueError."""
        if not 0 <= lr < math.inf:  # NaN too
            raise ValueError(
                f"{type(self).__name__}: epoch {epoch} gives the factor {factor!r}, so the lr {lr!r}; an optimizer's "
                "lr must be a finite number >= 0 (check the schedule's arguments)"
            )
        return float(lr)

    def _set(self, factor: float, lr: float) -> None:
        self._factor = factor
        self.optimizer.lr = self.optimizer.scheduled_lr = self._last_lr = lr


class LambdaLR(LRScheduler):
    """lr = base_lr * lr_lambda(epoch)."""

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float]) -> None:
        if not callable(lr_lambda):
            raise TypeError(f"LambdaLR: lr_lambda must be a function of the epoch, got {lr_lambda!r}")
        self.lr_lambda = lr_lambda
        super().__init__(optimizer)

    def factor_at(self, epoch: int) -> float:
        factor = self.lr_lambda(epoch)
        if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not math.isfinite(factor):
            raise ValueError(f"LambdaLR: lr_lambda({epoch}) gave {factor!r}; it must give a finite number")
        return factor

    def composes_at(self, epoch: int) -> bool:
        return False  # PyTorch's sets base_lr * lr_lambda(epoch), whatever other schedulers did


class StepLR(LRScheduler):
    """lr = base_lr * gamma ** (epoch // step_size): multiplied by gamma every step_size epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = _count(self, "step_size", step_size)
        self.gamma = _at_least_zero(self, "gamma", gamma)
        super().__init__(optimizer)

    def factor_at(self, epoch: int) -> float:
        return self.gamma ** (epoch // self.step_size)


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) (1 + cos(pi epoch / T_max)) / 2: from base_lr down to eta_min
    over T_max epochs along half a cosine (and, past T_max, back up, as PyTorch's)."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        self.T_max = _count(self, "T_max", T_max)
        self.eta_min = _at_least_zero(self, "eta_min", eta_min)
        super().__init__(optimizer)

    def factor_at(self, epoch: int) -> float:
        return (1 + math.cos(math.pi * epoch / self.T_max)) / 2

    def schedule(self, epoch: int, base_lr: float) -> tuple[float, float]:
        factor = self.factor_at(epoch)
        return factor, self.eta_min + (base_lr - self.eta_min) * factor

    def composes_at(self, epoch: int) -> bool:
        # PyTorch's chained form moves the lr toward eta_min (not a factor), and the epoch after T_max
        # adds a term of base_lr to it, dropping the other schedulers' factors
        return self.eta_min == 0 and epoch <= self.T_max


class LinearLR(LRScheduler):
    """lr = base_lr * factor, the factor going in a straight line from start_factor to end_factor over
    total_iters epochs, then staying: a warmup with the defaults (a third of the lr, up to it in 5 epochs)."""

    def __init__(
        self, optimizer: Optimizer, start_factor: float = 1 / 3, end_factor: float = 1.0, total_iters: int = 5
    ) -> None:
        _require_real(self, "start_factor", start_factor)
        _require_real(self, "end_factor", end_factor)
        if not 0 < start_factor <= 1:
            raise ValueError(f"LinearLR: start_factor must be in (0, 1], got {start_factor!r}")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: end_factor must be in [0, 1], got {end_factor!r}")
        self.start_factor, self.end_factor = start_factor, end_factor
        self.total_iters = _count(self, "total_iters", total_iters)
        super().__init__(optimizer)

    def factor_at(self, epoch: int) -> float:
        done = min(epoch, self.total_iters) / self.total_iters
        return self.start_factor + (self.end_factor - self.start_factor) * done


class SequentialLR(LRScheduler):
    """The schedulers one after another: schedulers[i] from epoch milestones[i - 1] on, counting its
    epochs from 0 there (a LinearLR warmup, then a CosineAnnealingLR, say). It takes them over: they
    leave the optimizer's chain, and it sets the lr from the initial one (as PyTorch's)."""

    def __init__(self, optimizer: Optimizer, schedulers: Sequence[LRScheduler], milestones: Sequence[int]) -> None:
        schedulers, milestones = list(schedulers), list(milestones)
        if not schedulers or any(not isinstance(s, LRScheduler) or s.optimizer is not optimizer for s in schedulers):
            raise ValueError("SequentialLR: schedulers must be one or more schedulers of this optimizer")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                f"SequentialLR: {len(schedulers)} schedulers need {len(schedulers) - 1} milestones (the epochs where "
                f"the next one starts), got {len(milestones)}"
            )
        for m in milestones:
            _count(self, "milestones", m)
        if milestones != sorted(set(milestones)):
            raise ValueError(f"SequentialLR: milestones must increase, got {milestones}")
        self.schedulers, self.milestones = schedulers, milestones
        super().__init__(optimizer)
        taken = {id(s) for s in schedulers}
        optimizer.schedulers[:] = [s for s in optimizer.schedulers if id(s) not in taken]

    def schedule(self, epoch: int, base_lr: float) -> tuple[float, float]:
        i = bisect.bisect_right(self.milestones, epoch)
        return self.schedulers[i].schedule(epoch - self._start(i), base_lr)

    def composes_at(self, epoch: int) -> bool:
        return False  # at a milestone PyTorch's restarts the next schedule from the initial lr

    def _set(self, factor: float, lr: float) -> None:
        super()._set(factor, lr)
        i = bisect.bisect_right(self.milestones, self.last_epoch)
        current = self.schedulers[i]  # the one in charge now knows its own epoch and lr too
        current.last_epoch = self.last_epoch - self._start(i)
        current._last_lr = self._last_lr

    def _start(self, i: int) -> int:
        """The epoch schedulers[i] starts at."""
        return self.milestones[i - 1] if i else 0


def _names(schedulers: Sequence[LRScheduler]) -> str:
    return " and ".join(type(s).__name__ for s in schedulers)


def _checked_state(owner: LRScheduler, state: Any, keys: Any) -> tuple[int, float]:
    name = type(owner).__name__
    if not isinstance(state, Mapping):
        raise TypeError(f"{name}.load_state_dict takes a dict (state_dict()), got {type(state).__name__}")
    if set(state) != set(keys):
        raise KeyError(f"{name}.load_state_dict: needs the keys {sorted(keys)}, got {sorted(state)}")
    epoch, lr = state["last_epoch"], state["base_lr"]
    if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral) or epoch < 0:
        raise ValueError(f"{name}.load_state_dict: last_epoch must be an integer >= 0, got {epoch!r}")
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 <= lr < math.inf:
        raise ValueError(f"{name}.load_state_dict: base_lr must be a finite number >= 0, got {lr!r}")
    return int(epoch), float(lr)


def _count(owner: Any, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{type(owner).__name__}: {name} must be an integer >= 1, got {value!r}")
    return int(value)


def _at_least_zero(owner: Any, name: str, value: Any) -> float:
    _require_real(owner, name, value)
    if not 0 <= value < math.inf:
        raise ValueError(f"{type(owner).__name__}: {name} must be a finite number >= 0, got {value!r}")
    return float(value)


def _require_real(owner: Any, name: str, value: Any) -> None:
    """Refuse what is no real number, and a bool (True would pass for 1), as the optimizers' checks do."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{type(owner).__name__}: {name} must be a number, got {type(value).__name__} {value!r}")

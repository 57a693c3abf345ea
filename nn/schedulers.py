"""Learning-rate schedulers, as torch.optim.lr_scheduler's: each sets its optimizer's `lr` from
the number of epochs done, `step()` once per epoch (after the optimizer's steps of that epoch).

Each is a closed form of the epoch, `base_lr * factor(epoch)`, base_lr being the optimizer's lr
when the first scheduler was attached (`optimizer.initial_lr`): PyTorch's schedules, computed
anew each epoch instead of by multiplying the last lr, so they agree with PyTorch's to rounding.
An lr set by hand between steps (`opt.lr = ...`, `param_groups`) carries on as in PyTorch, whose
chainable schedules go on from the lr as it is: the chain's base becomes the one whose closed form
gives that lr now (StepLR, LinearLR, CosineAnnealingLR up to T_max, and chains of them). A LambdaLR
sets the lr outright, in PyTorch too. Where PyTorch's form cannot be followed so (a SequentialLR,
a cosine past its T_max, factors at 0), a step after an lr set by hand is refused, changing nothing.

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

    hand_set = False  # its base was changed to carry on an lr set by hand

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__} takes an optimizer (nn.SGD, nn.Adam, ...), got {optimizer!r}")
        self.optimizer = optimizer
        self.last_epoch = 0
        others = list(optimizer.schedulers)  # a chain that cannot step is refused at its first step, since
        # SequentialLR's own schedulers are made on the optimizer first (a warmup and a cosine with eta_min)
        rebased = _hand_set_base(self, others)  # an lr set by hand before this scheduler joins the chain
        self.base_lr = optimizer.lr if optimizer.initial_lr is None else optimizer.initial_lr
        if rebased is not None:
            self.base_lr = rebased
        factor, lr = self._scheduled(0, self.base_lr)
        # PyTorch's first step: a factor multiplies the lr as it is (other schedules' in it); the others set theirs
        lr = self._settable(0, factor, optimizer.lr * factor if self.composes_at(0) else lr)
        # everything is computed: from here nothing can fail
        if rebased is not None:
            _rebase(optimizer, others, rebased)
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
        rebased, factor, lr = self.next_step()
        if rebased is not None:  # everything is computed: from here nothing can fail
            _rebase(self.optimizer, self.optimizer.schedulers, rebased)
        self.last_epoch += 1
        self._set(factor, lr)

    def next_step(self) -> tuple[float | None, float, float]:
        """What `step` would do, computed and checked, changing nothing (nn.fit asks before training):
        the chain's new base for an lr set by hand (None: none), the factor and the lr."""
        rebased = _hand_set_base(self, self.optimizer.schedulers)
        return rebased, *self._planned(self.last_epoch + 1, self.base_lr if rebased is None else rebased)

    def base_giving(self, lr: float) -> float | None:
        """The base_lr whose schedule gives `lr` at this scheduler's epoch, alone (None: no base does,
        its factor there being 0)."""
        return lr / self._factor if self._factor else None

    def get_last_lr(self) -> list[float]:
        """The lr this scheduler set last, as a list (PyTorch's: one per parameter group; here one)."""
        return [self._last_lr]

    def state_dict(self) -> dict[str, Any]:
        """What resuming needs: the epochs done and the base lr (numbers only)."""
        return {"last_epoch": self.last_epoch, "base_lr": self.base_lr}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Resume from `state_dict()`'s. An optimizer whose lr is the one the schedulers set (a fresh
        one) gets the loaded epoch's; one that holds another (its own state loaded first, as PyTorch's
        examples do, perhaps with an lr set by hand) keeps it, and the next step goes on from it. A
        state of other keys, of a negative epoch, or giving an lr no optimizer takes, is refused
        (KeyError, ValueError) and changes nothing."""
        last_epoch, base_lr = _checked_state(self, state, self.state_dict().keys())
        factor, lr = self._planned(last_epoch, base_lr)
        opt = self.optimizer
        kept = opt.lr if opt.scheduled_lr is not None and opt.lr != opt.scheduled_lr else None
        self.last_epoch, self.base_lr = last_epoch, base_lr
        opt.initial_lr = base_lr
        self._set(factor, lr)
        if kept is not None:
            opt.lr = kept  # scheduled_lr stays the loaded epoch's: the next step carries `kept` on

    def resumer(self, state: Mapping[str, Any], lr: float) -> Callable[[], None]:
        """What sets this scheduler to `state` (state_dict()'s) in a chain whose lr is `lr` (a loaded
        optimizer's, which the chain set then), checked as load_state_dict checks it: nothing changes
        until it is called. nn.load resumes the schedulers of an optimizer it loads with it."""
        last_epoch, base_lr = _checked_state(self, state, self.state_dict().keys())
        factor, scheduled = self._scheduled(last_epoch, base_lr)

        def resume() -> None:
            self.last_epoch, self.base_lr = last_epoch, base_lr
            self.optimizer.initial_lr = base_lr  # a scheduler made later starts from it, as in the run saved
            self._set(factor, lr)
            # the file's lr may have been set by hand after the schedule's: the next step carries it on
            others = [s._factor for s in self.optimizer.schedulers if s is not self]
            self.optimizer.scheduled_lr = math.prod((scheduled, *others))

        return resume

    def _planned(self, epoch: int, base_lr: float) -> tuple[float, float]:
        """The factor and lr of `epoch` with the chain's other factors multiplied in, checked; changes nothing."""
        others = [s for s in self.optimizer.schedulers if s is not self]
        _refuse_chain(
            self, others, [s for s in [self, *others] if not s.composes_at(epoch if s is self else s.last_epoch)]
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
        if epoch > self.T_max and self.hand_set:
            raise ValueError(
                f"CosineAnnealingLR: epoch {epoch} is past T_max={self.T_max}, where PyTorch's cosine adds a term of "
                "its first base lr to an lr set by hand earlier, which this schedule does not follow: make the "
                "scheduler again (or give it a T_max as long as the training)"
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

    def base_giving(self, lr: float) -> float | None:
        return None  # PyTorch's goes on from an lr set by hand until the next milestone only

    def _set(self, factor: float, lr: float) -> None:
        super()._set(factor, lr)
        i = bisect.bisect_right(self.milestones, self.last_epoch)
        current = self.schedulers[i]  # the one in charge now knows its own epoch and lr too
        current.last_epoch = self.last_epoch - self._start(i)
        current._last_lr = self._last_lr

    def _start(self, i: int) -> int:
        """The epoch schedulers[i] starts at."""
        return self.milestones[i - 1] if i else 0


def _refuse_chain(scheduler: LRScheduler, others: Sequence[LRScheduler], alone: Sequence[LRScheduler]) -> None:
    """ValueError where `scheduler` chained with `others` would not give PyTorch's lr: one of them
    (`alone`) sets the lr outright."""
    others = [s for s in others if s not in getattr(scheduler, "schedulers", ())]  # a SequentialLR takes them over
    if others and alone:
        raise ValueError(
            f"{type(scheduler).__name__}: this {type(scheduler.optimizer).__name__} is scheduled by "
            f"{_names(others)} too, and {_names(alone)} sets the lr outright (a LambdaLR, a SequentialLR, a "
            "CosineAnnealingLR with an eta_min or past its T_max), so chained as PyTorch does it would give an lr "
            "that no schedule meant. Put schedules one after another with nn.schedulers.SequentialLR(optimizer, "
            "[first, second], milestones=[...]); to start a schedule afresh, make the optimizer again first"
        )


def _hand_set_base(scheduler: LRScheduler, chain: Sequence[LRScheduler]) -> float | None:
    """The base_lr the `chain` goes on from, where the optimizer's lr was set by hand since a scheduler
    last set it, as PyTorch's chainable forms go on from the lr as it is; None where it was not, or
    where PyTorch sets the lr outright too (LambdaLR). ValueError, changing nothing, where no base
    gives that lr (a factor at 0, a SequentialLR, a cosine past T_max)."""
    opt = scheduler.optimizer
    chain = [s for s in chain if s not in getattr(scheduler, "schedulers", ())]
    if opt.scheduled_lr is None or opt.lr == opt.scheduled_lr or not chain:
        return None
    if all(isinstance(s, LambdaLR) for s in chain):
        return None
    if len(chain) == 1:
        base = chain[0].base_giving(opt.lr)
    else:  # composing factors (the chain was checked): lr = base * their product
        product = math.prod(s._factor for s in chain)
        base = opt.lr / product if product else None
    if base is None or not math.isfinite(base):  # below 0 too: a cosine cut below its eta_min
        raise ValueError(
            f"{type(scheduler).__name__}: the lr was set by hand to {opt.lr} (the schedule had set "
            f"{opt.scheduled_lr}), and {_names(chain)} cannot go on from it as PyTorch's would (a factor at 0, "
            "a SequentialLR, a cosine past its T_max): set opt.lr back, or make the optimizer and its "
            "schedulers again from the lr you want"
        )
    return base


def _rebase(optimizer: Optimizer, chain: Sequence[LRScheduler], base: float) -> None:
    """The chain's schedules, from here on, of base `base` (a new initial lr too)."""
    for s in chain:
        s.base_lr, s.hand_set = base, True
    optimizer.initial_lr = base


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
    below = isinstance(owner, CosineAnnealingLR) and owner.eta_min > 0  # cut by hand below its eta_min
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not (-math.inf if below else 0) <= lr < math.inf:
        least = "" if below else " >= 0"
        raise ValueError(f"{name}.load_state_dict: base_lr must be a finite number{least}, got {lr!r}")
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

"""`LRScheduler`, what nn.schedulers' schedules share: joining an optimizer's chain, stepping it (an
lr set by hand between steps carried on as PyTorch's chainable forms carry it, or refused where
they cannot be followed), its state, and the checks of its arguments and of loaded states."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from autograd import replayed, repr_of, type_name

from .arguments import one_number
from .optim_base import Optimizer
from .schedulers_checks import EPOCH_MOST, INT64, _at_least_zero, _checked_state, _count
from .schedulers_epochs import check_fresh, refuse_epoch
from .schedulers_groups import lane, lane_attribute_error, lane_states, lane_values, many, over_lanes, start_lanes


class LRScheduler:
    """Base of the schedulers: `last_epoch` counts the `step()`s; `schedule(e, base_lr)` is epoch e's
    factor and lr. Making one joins the optimizer's chain and sets its lr to that of epoch 0."""

    hand_set: bool | None = False  # its base was changed to carry on an lr set by hand (None: not known)
    # PyTorch's sets its lr outright (LambdaLR's base_lr * factor): no factor of a chain (composes_at), and it
    # overrides an lr set by hand; nn.schedulers.SETS_OUTRIGHT lists those that do
    sets_outright = False
    base_below_zero = False  # a base below 0 can be its (a cosine with an eta_min, cut by hand below it)
    starts_afresh = True  # at a SequentialLR's milestone PyTorch's starts from the initial lr (its closed form)
    # the attributes that fix its schedule (numbers, or lists of integers), set by the constructor: nn.save
    # writes them and nn.load refuses a scheduler with others (io_schedules)
    setting_names: tuple[str, ...] = ()
    # its attributes of one value per param group besides base_lr and the like (nn.schedulers_groups's LANE):
    # LambdaLR's lr_lambda; kept in a lane per group where the optimizer has several
    per_group: tuple[str, ...] = ()

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__} takes an optimizer (nn.SGD, nn.Adam, ...), got {repr_of(optimizer)}"
            )
        check_fresh(type(self).__name__, last_epoch)
        self.optimizer = optimizer
        self.last_epoch = 0
        if many(optimizer) and "_lanes" not in vars(self):
            start_lanes(self, optimizer)  # a lane per param group (nn.schedulers_groups)
        others = list(optimizer.schedulers)  # a chain that cannot step is refused at its first step, since
        # SequentialLR's own schedulers are made on the optimizer first (a warmup and a cosine with eta_min)
        plans = over_lanes(optimizer, self, lambda k: self._first(others))  # every group's, checked
        # everything is computed: from here nothing can fail
        for k, (rebased, factor, lr) in enumerate(plans):
            with lane(optimizer, k, self):
                if rebased is not None:
                    _rebase(optimizer, others, rebased)
                if optimizer.initial_lr is None:
                    optimizer.initial_lr = self.base_lr
                self._set(factor, lr)
        optimizer.schedulers.append(self)

    def _first(self, others: list[LRScheduler]) -> tuple[float | None, float, float]:
        """The chain's new base for an lr set by hand (None: none), the factor and the lr of epoch 0, in the lane of
        the group being planned; sets base_lr (the scheduler is not in the chain yet)."""
        optimizer = self.optimizer
        rebased = _hand_set_base(self, others)  # an lr set by hand before this scheduler joins the chain
        self.base_lr = optimizer.lr if optimizer.initial_lr is None else optimizer.initial_lr
        if rebased is not None:
            self.base_lr = rebased
        factor, lr = self._scheduled(0, self.base_lr)
        # PyTorch's first step: a factor multiplies the lr as it is (other schedules' in it); the others set theirs
        return rebased, factor, self._settable(0, factor, optimizer.lr * factor if self.composes_at(0) else lr)

    def schedule(self, epoch: int, base_lr: float) -> tuple[float, float]:
        """Epoch `epoch`'s factor and the lr it gives from `base_lr` (this schedule alone)."""
        factor = self._number(epoch, self.factor_at(epoch))
        return factor, base_lr * factor

    def factor_at(self, epoch: int) -> float:
        """The factor of base_lr after `epoch` steps."""
        raise NotImplementedError

    def composes_at(self, epoch: int) -> bool:
        """Whether, at `epoch`, this schedule is a factor that multiplies with other schedulers' as
        PyTorch's chainable form does (StepLR's and LinearLR's always are; one that sets the lr outright never)."""
        return not self.sets_outright

    def lr_at(self, epoch: int) -> float | list[float]:
        """The learning rate after `epoch` steps, of this schedule alone (each param group's, a list, where the
        optimizer has several)."""
        lrs = over_lanes(self.optimizer, self, lambda k: self.schedule(epoch, self.base_lr)[1])
        return lrs if many(self.optimizer) else lrs[0]

    def __getattr__(self, name: str) -> Any:
        raise lane_attribute_error(self, name)  # base_lr read with several param groups: says where each is

    @property
    def base_lrs(self) -> list[float]:
        """PyTorch's attribute: the base lr of each param group (`base_lr`, one group's)."""
        return lane_values(self, "base_lr")

    @replayed  # autograd.compile: a step that steps its scheduler does so on each replay too
    def step(self, epoch: None = None) -> None:
        """One epoch done: set the optimizer's lr to the next epoch's (ValueError, changing nothing,
        if that lr is not one an optimizer takes or this schedule cannot chain with the others).
        PyTorch's deprecated `epoch` argument is refused (refuse_epoch)."""
        refuse_epoch(type(self).__name__, epoch)
        plans = self._next_steps()
        self.last_epoch += 1  # everything is computed: from here nothing can fail
        for k, (rebased, factor, lr) in enumerate(plans):
            with lane(self.optimizer, k, self):
                if rebased is not None:
                    _rebase(self.optimizer, self.optimizer.schedulers, rebased)
                self._set(factor, lr)

    def next_step(self) -> tuple[float | None, float, float]:
        """What `step` would do, computed and checked in every param group, changing nothing (nn.fit asks before
        training): the chain's new base for an lr set by hand (None: none), the factor and the lr (the first
        group's)."""
        return self._next_steps()[0]

    def _next_steps(self) -> list[tuple[float | None, float, float]]:
        def one(_: int) -> tuple[float | None, float, float]:
            rebased = _hand_set_base(self, self.optimizer.schedulers)
            return rebased, *self._planned(self.last_epoch + 1, self.base_lr if rebased is None else rebased)

        return over_lanes(self.optimizer, self, one)

    def moves_within(self, epochs: int) -> bool:
        """Whether stepping this schedule over the next `epochs` epochs would change its factor (a warmup
        that has finished would not; nn.fit asks of one it is not given); a step that would be refused
        counts as moving. Changes nothing."""

        def moves(_: int) -> bool:
            try:
                ahead = {self._scheduled(self.last_epoch + k, self.base_lr)[0] for k in range(1, epochs + 1)}
            except (ValueError, ArithmeticError):
                return True
            return ahead != {self._factor}

        return any(over_lanes(self.optimizer, self, moves))

    def base_giving(self, lr: float) -> float | None:
        """The base_lr whose schedule gives `lr` at this scheduler's epoch, alone (None: no base does,
        its factor there being 0)."""
        return lr / self._factor if self._factor else None

    def get_last_lr(self) -> list[float]:
        """The lr this scheduler set last, as PyTorch's list of one per param group (every group's: it schedules
        one lr)."""
        return lane_values(self, "_last_lr", guarded=True)

    def state_dict(self) -> dict[str, Any]:
        """What resuming needs: the epochs done, the base lr, and whether that base carries on an lr set
        by hand (a cosine refuses to go past T_max then). Numbers and a bool only; with several param groups,
        base_lr and hand_set are lists, one per group (PyTorch's base_lrs)."""
        bases, hand = lane_values(self, "base_lr"), lane_values(self, "hand_set")
        if not many(self.optimizer):
            bases, hand = bases[0], hand[0]
        return {"last_epoch": self.last_epoch, "base_lr": bases, "hand_set": hand}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Resume from `state_dict()`'s. An optimizer whose lr is the one the schedulers set (a fresh
        one) gets the loaded epoch's; one that holds another (its own state loaded first, as PyTorch's
        examples do, perhaps with an lr set by hand) keeps it, and the next step goes on from it. A
        state of other keys, of an epoch below 0 or past int64's (nn.save's), or giving an lr no
        optimizer takes, is refused (KeyError, ValueError) and changes nothing."""
        checked = [_checked_state(self, one) for one in lane_states(self, state)]
        plans = over_lanes(self.optimizer, self, lambda k: self._planned(*checked[k][:2]))
        opt = self.optimizer
        self.last_epoch = checked[0][0]
        for k, ((_, base_lr, hand_set), (factor, lr)) in enumerate(zip(checked, plans)):
            with lane(opt, k, self):
                kept = opt.lr if opt.scheduled_lr is not None and opt.lr != opt.scheduled_lr else None
                self.base_lr, self.hand_set = base_lr, hand_set
                opt.initial_lr = base_lr
                self._set(factor, lr)
                if kept is not None:
                    opt.lr = kept  # scheduled_lr stays the loaded epoch's: the next step carries `kept` on

    def resumer(self, state: Mapping[str, Any], lr: float | list[float]) -> Callable[[], None]:
        """What sets this scheduler to `state` (state_dict()'s) in a chain whose lr is `lr` (a loaded
        optimizer's, which the chain set then; a list, one per param group, where there are several),
        checked as load_state_dict checks it: nothing changes until it is called. nn.load resumes the
        schedulers of an optimizer it loads with it."""
        checked = [_checked_state(self, one) for one in lane_states(self, state)]
        lrs = lr if isinstance(lr, list) else [lr]
        plans = over_lanes(self.optimizer, self, lambda k: self._scheduled(*checked[k][:2]))

        def resume() -> None:
            self.last_epoch = checked[0][0]
            for k, ((_, base_lr, hand_set), (factor, scheduled)) in enumerate(zip(checked, plans)):
                with lane(self.optimizer, k, self):
                    self.base_lr, self.hand_set = base_lr, hand_set
                    self.optimizer.initial_lr = base_lr  # a scheduler made later starts from it, as in the run saved
                    self._set(factor, lrs[k])
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
        return self._number(epoch, factor), lr

    def _number(self, epoch: int, factor: Any) -> float:
        """Epoch `epoch`'s factor as a float, if it is one finite number (a schedule of the user's may give a
        0-d array); else TypeError (text, None) or ValueError (NaN, infinite)."""
        number = one_number(factor)
        if number is None or not math.isfinite(number):
            raise (TypeError if number is None else ValueError)(
                f"{type(self).__name__}: epoch {epoch} gives the factor {factor!r}; it must be a finite number"
            )
        return number

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


def _refuse_chain(scheduler: LRScheduler, others: Sequence[LRScheduler], alone: Sequence[LRScheduler]) -> None:
    """ValueError where `scheduler` chained with `others` would not give PyTorch's lr: one of them
    (`alone`) sets the lr outright."""
    others = _chained_with(scheduler, others)
    if others and alone:
        raise ValueError(
            f"{type_name(scheduler)}: this {type_name(scheduler.optimizer)} is scheduled by "
            f"{_names(others)} too, and {_names(alone)} sets the lr outright in PyTorch (its form is no factor of "
            "the others', as a CosineAnnealingLR's is not with an eta_min or past its T_max), so chained as PyTorch "
            "does it would give an lr that no schedule meant. Put schedules one after another with "
            "nn.schedulers.SequentialLR(optimizer, [first, second], milestones=[...]); to start a schedule afresh, "
            "make the optimizer again first"
        )


def _hand_set_base(scheduler: LRScheduler, chain: Sequence[LRScheduler]) -> float | None:
    """The base_lr the `chain` goes on from, where the optimizer's lr was set by hand since a scheduler
    last set it, as PyTorch's chainable forms go on from the lr as it is; None where it was not, or
    where PyTorch sets the lr outright too (LambdaLR). ValueError, changing nothing, where no base
    gives that lr (a factor at 0, a SequentialLR, a cosine past T_max)."""
    opt = scheduler.optimizer
    chain = _chained_with(scheduler, chain)
    if opt.scheduled_lr is None or opt.lr == opt.scheduled_lr or not chain:
        return None
    if all(s.sets_outright for s in chain):
        return None
    if len(chain) == 1:
        base = chain[0].base_giving(opt.lr)
    else:  # composing factors (the chain was checked): lr = base * their product
        product = math.prod(s._factor for s in chain)
        base = opt.lr / product if product else None
    if base is None or not math.isfinite(base):  # below 0 too: a cosine cut below its eta_min
        raise ValueError(
            f"{type_name(scheduler)}: the lr was set by hand to {opt.lr} (the schedule had set "
            f"{opt.scheduled_lr}), and {_names(chain)} cannot go on from it as PyTorch's would (a factor at 0, "
            "a SequentialLR, a cosine past its T_max): set opt.lr back, or make the optimizer and its "
            "schedulers again from the lr you want"
        )
    return base


def _chained_with(scheduler: LRScheduler, schedulers: Sequence[LRScheduler]) -> list[LRScheduler]:
    """The schedulers `scheduler` chains with: all but those it takes over (a SequentialLR's own)."""
    return [s for s in schedulers if s not in getattr(scheduler, "schedulers", ())]


def _rebase(optimizer: Optimizer, chain: Sequence[LRScheduler], base: float) -> None:
    """The chain's schedules, from here on, of base `base` (a new initial lr too)."""
    for s in chain:
        s.base_lr, s.hand_set = base, True
    optimizer.initial_lr = base


def _names(schedulers: Sequence[LRScheduler]) -> str:
    return " and ".join(type(s).__name__ for s in schedulers)


__all__ = ["EPOCH_MOST", "INT64", "LRScheduler", "_at_least_zero", "_count"]  # the checks imported from here too

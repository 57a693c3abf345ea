"""`ChainedScheduler`, torch.optim.lr_scheduler's: the schedulers of one optimizer stepped together, in their order,
by one `step()` (they chain as any schedulers made on one optimizer do: their factors multiply, and one that
sets the lr outright refuses to step beside another). All of them step, or none: a step refused by one puts
back what the ones before it changed, so that the chain is never left half stepped."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from autograd import replayed, type_name

from .arguments import as_sequence
from .optim_base import Optimizer
from .schedulers_base import LRScheduler
from .schedulers_epochs import refuse_epoch
from .schedulers_plateau import ReduceLROnPlateau
from .step_undo import kept_attributes, put_back


class ChainedScheduler:
    """Steps `schedulers` (of `optimizer`, or of the first one's) one after another with each `step()`."""

    def __init__(self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None) -> None:
        schedulers = as_sequence("ChainedScheduler", "schedulers", schedulers, "a list of schedulers")
        if not schedulers:
            raise ValueError("ChainedScheduler: give one or more schedulers to chain, got none")
        for i, s in enumerate(schedulers):
            if isinstance(s, ReduceLROnPlateau):  # as PyTorch's: its step takes the metric
                raise ValueError(
                    f"ChainedScheduler: schedulers[{i}] is a ReduceLROnPlateau, whose step takes the metric: "
                    "step it on its own, plateau.step(metric)"
                )
            if not isinstance(s, LRScheduler):
                raise TypeError(f"ChainedScheduler: schedulers[{i}] is {type_name(s)}, not a scheduler")
        optimizer = schedulers[0].optimizer if optimizer is None else optimizer
        for i, s in enumerate(schedulers):
            if s.optimizer is not optimizer:
                raise ValueError(f"ChainedScheduler: schedulers[{i}] schedules another optimizer than {optimizer!r}")
            if not any(s is chained for chained in optimizer.schedulers):
                raise ValueError(
                    f"ChainedScheduler: schedulers[{i}], a {type_name(s)}, is run by a SequentialLR: give the "
                    "SequentialLR instead"
                )
        self.schedulers, self.optimizer = schedulers, optimizer

    @replayed  # autograd.compile: a step that steps the chain does so on each replay too
    def step(self, epoch: None = None) -> None:
        """Step each scheduler, in order; where one refuses (a ValueError), what the others did is put back."""
        refuse_epoch("ChainedScheduler", epoch)
        all_or_none(self.optimizer, lambda: [s.step() for s in self.schedulers])

    def get_last_lr(self) -> list[float]:
        """The lr the last step set, as a list (one per parameter group): its last scheduler's, which
        sets the lr last."""
        return self.schedulers[-1].get_last_lr()

    def state_dict(self) -> dict[str, Any]:
        """Each scheduler's state_dict(), in order (as PyTorch's, under its own key)."""
        return {"schedulers": [s.state_dict() for s in self.schedulers], "last_lr": self.get_last_lr()[0]}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Resume each scheduler from its state in `state` (state_dict()'s); a state refused by one (KeyError,
        ValueError, TypeError) leaves them all as they were."""
        if not isinstance(state, Mapping) or set(state) != {"schedulers", "last_lr"}:
            raise KeyError(f"ChainedScheduler.load_state_dict takes state_dict()'s dict, got {state!r}")
        states = list(state["schedulers"])
        if len(states) != len(self.schedulers):
            raise ValueError(
                f"ChainedScheduler.load_state_dict: the state holds {len(states)} schedulers' states, and this chain "
                f"has {len(self.schedulers)}"
            )
        all_or_none(self.optimizer, lambda: [s.load_state_dict(one) for s, one in zip(self.schedulers, states)])


def all_or_none(opt: Optimizer, change: Callable[[], object]) -> None:
    """`change()`; where it raises (a refusal, or a Ctrl-C mid-step), the optimizer's schedulers (those a SequentialLR
    runs too, and its ReduceLROnPlateaus) and its lr and settings put back as they were before, then the error
    raised: a chain's step, and nn.fit's of the schedulers it is given. Each scheduler's attributes are kept to
    their contents (step_undo.kept_attributes): a list or an array a step changes in place is put back too."""
    every = [*_every(opt.schedulers), *opt.plateaus]
    shared = {id(x): x for x in (opt, *opt.groups, *every)}  # kept as they are: put back on their own, or not ours
    kept = [kept_attributes(every, shared)]
    groups = [(g, dict(g.settings or {}), g.initial_lr, g.scheduled_lr) for g in opt.groups]
    names = ("scheduled_lr", "initial_lr", *opt.setting_names)
    settings = {n: getattr(opt, n) for n in names} if len(opt.groups) == 1 else {}  # several: kept in `groups`
    try:
        change()
    except BaseException:
        put_back(kept)
        for g, own, initial, scheduled in groups:  # several param groups: each one's settings and lrs
            g.settings, g.initial_lr, g.scheduled_lr = own or None, initial, scheduled
        for name, value in settings.items():
            object.__setattr__(opt, name, value)
        raise


def _every(schedulers: Sequence[Any]) -> Iterator[Any]:
    for s in schedulers:
        yield s
        yield from _every(getattr(s, "schedulers", ()))

"""`ReduceLROnPlateau`: cut the lr by `factor` once a metric (a validation loss) has stopped improving
for more than `patience` epochs, as torch.optim.lr_scheduler's.

It is not a schedule of the epoch but a hand on the lr: it multiplies the optimizer's lr as it is,
so any schedulers chained on the optimizer carry the cut on, as they carry on an lr set by hand
(nn.schedulers), and it does not join their chain: it is kept in the optimizer's `plateaus`, so
that nn.save writes its state (the best metric, the epochs without improvement, the cooldown) and
settings beside the optimizer's, and nn.load resumes it (io_schedules)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from autograd import eager_only, repr_of, type_name

from .arguments import check_choice, check_number, one_number
from .optim_base import Optimizer
from .schedulers_base import _at_least_zero
from .schedulers_epochs import refuse_epoch
from .schedulers_groups import lane_attribute_error, lane_values, over_lanes, per_group, start_lanes
from .schedulers_more import check_epochs

MODES = ("min", "max")
THRESHOLD_MODES = ("rel", "abs")
STATE_KEYS = ("best", "num_bad_epochs", "cooldown_counter", "last_epoch")


class ReduceLROnPlateau:
    """`step(metric)` once per epoch. An epoch improves on the best metric so far when it is lower
    (mode "min") by more than `threshold` (relative to the best with threshold_mode "rel", absolute
    with "abs"), or higher for mode "max". After more than `patience` epochs without improvement the
    lr becomes max(lr * factor, min_lr) (a change smaller than `eps` is skipped), then `cooldown`
    epochs pass before bad epochs count again."""

    # the settings that fix what it does, as nn.save writes them: numbers, and choices by their place in `choices`
    setting_names = ("factor", "patience", "threshold", "cooldown", "min_lr", "eps")
    per_group = ("min_lr",)  # PyTorch's one per param group: kept in a lane per group (nn.schedulers_groups)
    choices = {"mode": MODES, "threshold_mode": THRESHOLD_MODES}

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0.0,
        eps: float = 1e-8,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"ReduceLROnPlateau takes an optimizer (nn.SGD, nn.Adam, ...), got {repr_of(optimizer)}")
        check_choice("ReduceLROnPlateau", "mode", mode, MODES)
        check_choice("ReduceLROnPlateau", "threshold_mode", threshold_mode, THRESHOLD_MODES)
        factor = check_number("ReduceLROnPlateau", "factor", factor, "in [0, 1) (it cuts the lr)", lambda f: 0 <= f < 1)
        # PyTorch's form: one per parameter group, or one for all
        mins = [
            _at_least_zero(self, "min_lr", m) for m in per_group("ReduceLROnPlateau", "min_lr", min_lr, optimizer, "lr")
        ]
        self.optimizer, self.mode, self.threshold_mode = optimizer, mode, threshold_mode
        self.factor = factor
        self.patience = check_epochs(self, "patience", patience)
        self.cooldown = check_epochs(self, "cooldown", cooldown)
        self.threshold = _at_least_zero(self, "threshold", threshold)
        self.eps = _at_least_zero(self, "eps", eps)
        self.best = self.best_at_start()
        self.num_bad_epochs = self.cooldown_counter = self.last_epoch = 0
        start_lanes(self, optimizer, min_lr=mins)  # a lane per param group (nn.schedulers_groups)
        over_lanes(optimizer, self, lambda _: setattr(self, "_last_lr", optimizer.lr))
        optimizer.plateaus.append(self)  # everything is checked: nn.save finds it there

    def __getattr__(self, name: str) -> Any:
        raise lane_attribute_error(self, name)  # min_lr read with several param groups: says where each is

    def best_at_start(self) -> float:
        """The best metric before any: inf for mode "min", -inf for "max"."""
        return math.inf if self.mode == "min" else -math.inf

    def is_better(self, metric: float, best: float) -> bool:
        """Whether `metric` improves on `best` by more than the threshold (PyTorch's test, to the letter: with
        a relative threshold of 1 or more the first metric is no improvement, inf · 0 being no bound)."""
        lower = self.mode == "min"
        if self.threshold_mode == "rel":
            bound = best * (1 - self.threshold) if lower else best * (1 + self.threshold)
        else:
            bound = best - self.threshold if lower else best + self.threshold
        return bool(metric < bound if lower else metric > bound)

    def step(self, metrics: Any, epoch: None = None) -> None:
        """One epoch done with `metrics` (a number: the epoch's validation loss, say). ValueError,
        changing nothing, for one that is not finite: it says nothing about a plateau. Inside a step
        being compiled it makes that step run eagerly: a replay would step it on the recorded metric.
        PyTorch's deprecated `epoch` is refused (refuse_epoch)."""
        refuse_epoch("ReduceLROnPlateau", epoch, "step(metrics)")
        eager_only(
            "ReduceLROnPlateau.step(metric) is called inside the step, where a replay would step it on the "
            "recorded metric: step it after the compiled step, on the loss it returns"
        )
        current = one_number(metrics)  # not text ("0.5"), nor a bool
        if current is None:
            raise TypeError(
                f"ReduceLROnPlateau.step: metrics must be a number (the epoch's loss), got {type_name(metrics)} "
                f"{repr_of(metrics)}"
            )
        if not math.isfinite(current):
            raise ValueError(
                f"ReduceLROnPlateau.step: the metric is {current}, which says nothing about a plateau (the run "
                "diverged?); step it with a finite one"
            )
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:  # bad epochs do not count while cooling down after a cut
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            over_lanes(self.optimizer, self, lambda _: self._cut())  # each param group's lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        over_lanes(self.optimizer, self, lambda _: setattr(self, "_last_lr", self.optimizer.lr))

    def _cut(self) -> None:
        """lr = max(lr * factor, min_lr), unless that changes it by eps or less (in a group's lane)."""
        old = self.optimizer.lr
        new = max(old * self.factor, self.min_lr)
        if old - new > self.eps:
            self.optimizer.lr = new

    def get_last_lr(self) -> list[float]:
        """The lr after the last step, as PyTorch's list of one per parameter group."""
        return lane_values(self, "_last_lr")

    def state_dict(self) -> dict[str, Any]:
        """What resuming needs: the best metric, the epochs without improvement, the cooldown left, the epochs."""
        return {key: getattr(self, key) for key in STATE_KEYS}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Resume from `state_dict()`'s; KeyError, TypeError (a count that is no integer) or ValueError,
        changing nothing, for another state."""
        self.resumer(state)()

    def resumer(self, state: Mapping[str, Any]) -> Callable[[], None]:
        """What sets this to `state` (state_dict()'s), checked as load_state_dict checks it: nothing changes
        until it is called, and then the lr it reports is the optimizer's then (nn.load loads that first)."""
        if not isinstance(state, Mapping) or set(state) != set(STATE_KEYS):
            got = sorted(state, key=str) if isinstance(state, Mapping) else type_name(state)
            raise KeyError(f"ReduceLROnPlateau.load_state_dict: needs the keys {sorted(STATE_KEYS)}, got {got}")
        start = self.best_at_start()  # the only infinite best there can be: no finite metric has beaten it yet
        wanted = f"a finite number, or {start} (the start of mode {self.mode!r})"
        best = check_number("ReduceLROnPlateau.load_state_dict", "best", state["best"], wanted, _best_or(start))
        counts = {key: check_epochs(self, key, state[key]) for key in STATE_KEYS[1:]}

        def resume() -> None:
            self.best = best
            for key, count in counts.items():
                setattr(self, key, count)
            # the lr the run resumes with (loaded with the optimizer's state), each group's
            over_lanes(self.optimizer, self, lambda _: setattr(self, "_last_lr", self.optimizer.lr))

        return resume


def _best_or(start: float) -> Callable[[float], bool]:
    return lambda best: math.isfinite(best) or best == start

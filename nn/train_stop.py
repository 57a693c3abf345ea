"""Ending nn.fit early from a callback: `StopTraining`, and `EarlyStopping`, Keras's callback of that
name, which raises it once the monitored number has stopped improving."""

from __future__ import annotations

import math

import numpy as np

from .arguments import check_choice, check_count, check_flag, is_real
from .module import Module
from .train_history import History

MONITORED = ("val_loss", "loss", "val_accuracy", "accuracy")  # the History's lists; accuracy: the metric's


class StopTraining(Exception):  # noqa: N818 (Keras's and fastai's sense: a request, not an error)
    """Raised by a callback of nn.fit to end training after the epoch it was called for: fit returns
    the History of the epochs trained, its `stopped` the reason given (the callbacks after the one that
    raised do not run for that epoch; the scheduler has stepped)."""


class EarlyStopping:
    """A callback for nn.fit: stop once `monitor` has not improved by more than `min_delta` for
    `patience` epochs, as Keras's EarlyStopping. `monitor` None follows "val_loss" where fit has
    val_data and "loss" where not; the losses improve by falling, the metric's numbers ("accuracy",
    "val_accuracy") by rising. `restore_best_weights` puts the parameters and buffers of the best epoch
    back when it stops (a run that is not stopped keeps its last epoch's, as Keras's). Its count starts
    again at each fit's first epoch, so one can serve several fits."""

    def __init__(
        self, patience: int = 5, min_delta: float = 0.0, monitor: str | None = None, restore_best_weights: bool = False
    ) -> None:
        if not is_real(min_delta):
            kind = type(min_delta).__name__
            raise TypeError(f"EarlyStopping: min_delta must be a number >= 0, got {kind} {min_delta!r}")
        if not 0 <= min_delta < math.inf:
            raise ValueError(f"EarlyStopping: min_delta must be a finite number >= 0, got {min_delta}")
        self.patience, self.min_delta = check_count("EarlyStopping", "patience", patience), float(min_delta)
        self.monitor = None if monitor is None else check_choice("EarlyStopping", "monitor", monitor, MONITORED, "None")
        self.restore_best_weights = check_flag("EarlyStopping", "restore_best_weights", restore_best_weights)
        self.best, self.best_epoch, self.waited, self.best_state = math.nan, 0, 0, None

    def refuse_unrecorded(self, validated: bool, scored: bool) -> None:
        """ValueError, before fit trains, if it will not record what this monitors (fit calls it): a
        validation number without val_data, the metric's with metric=None."""
        recorded = [n for n in MONITORED if (validated or not n.startswith("val_")) and (scored or "loss" in n)]
        if self.monitor is not None and self.monitor not in recorded:
            raise ValueError(
                f"EarlyStopping monitors {self.monitor}, which this fit does not record (no val_data, or "
                f"metric=None): give fit what makes it, or monitor one of {', '.join(recorded)} (None: the loss)"
            )

    def __call__(self, epoch: int, model: Module, history: History) -> None:
        name = self.monitor or ("val_loss" if history.val_loss else "loss")
        numbers = getattr(history, name)
        self.refuse_unrecorded(bool(history.val_loss), bool(history.accuracy))
        if epoch == 1:  # a new fit
            self.best, self.best_epoch, self.waited, self.best_state = math.nan, 0, 0, None
        now, rising = numbers[-1], name.endswith("accuracy")
        gain = (now - self.best) if rising else (self.best - now)
        if math.isnan(self.best) or gain > self.min_delta:
            self.best, self.best_epoch, self.waited = now, epoch, 0
            if self.restore_best_weights:
                self.best_state = {key: np.array(value, copy=True) for key, value in model.state_dict().items()}
            return
        self.waited += 1
        if self.waited < self.patience:
            return
        if self.best_state is not None:
            model.load_state_dict(self.best_state)
        kept = f"; the weights of epoch {self.best_epoch} put back" if self.best_state is not None else ""
        raise StopTraining(
            f"{name} has not improved on epoch {self.best_epoch}'s {self.best:.6g} by more than {self.min_delta:g} "
            f"for {self.patience} epochs{kept}"
        )

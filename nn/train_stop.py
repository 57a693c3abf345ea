"""Ending nn.fit early from a callback: `StopTraining`, and `EarlyStopping`, Keras's callback of that
name, which raises it once the monitored number has stopped improving."""

from __future__ import annotations

import math

import numpy as np

from .arguments import check_at_least_zero, check_choice, check_count, check_flag
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
    val_data and "loss" where not; "accuracy" and "val_accuracy" are the numbers of fit's metric.
    `mode` "min" or "max" says which way is better; "auto" takes the losses to fall and accuracy (fit's
    default metric) to rise, and refuses, before training, a metric of one's own, whose way it cannot
    know (Keras guesses by its name). `restore_best_weights` puts the parameters and buffers of the best
    epoch back when it stops (a run that is not stopped keeps its last epoch's, as Keras's). Its count
    starts again at each fit's first epoch, so one can serve several fits."""

    def __init__(
        self,
        patience: int = 5,
        min_delta: float = 0.0,
        monitor: str | None = None,
        mode: str = "auto",
        restore_best_weights: bool = False,
    ) -> None:
        self.patience = check_count("EarlyStopping", "patience", patience)
        self.min_delta = check_at_least_zero("EarlyStopping", "min_delta", min_delta)
        self.monitor = None if monitor is None else check_choice("EarlyStopping", "monitor", monitor, MONITORED, "None")
        self.mode = check_choice("EarlyStopping", "mode", mode, ("auto", "min", "max"))
        self.restore_best_weights = check_flag("EarlyStopping", "restore_best_weights", restore_best_weights)
        self.best, self.best_epoch, self.waited, self.best_state = math.nan, 0, 0, None

    def refuse_before_training(self, validated: bool, metric: str | None) -> None:
        """ValueError, before fit trains (fit calls it), if fit will not record what this monitors (a
        validation number without val_data, the metric's with metric=None), or if mode "auto" cannot
        tell which way the metric `metric` (its name; None: none) improves."""
        recorded = [n for n in MONITORED if (validated or not n.startswith("val_")) and (metric or "loss" in n)]
        if self.monitor is not None and self.monitor not in recorded:
            raise ValueError(
                f"EarlyStopping monitors {self.monitor}, which this fit does not record (no val_data, or "
                f"metric=None): give fit what makes it, or monitor one of {', '.join(recorded)} (None: the loss)"
            )
        if self.mode == "auto" and (self.monitor or "").endswith("accuracy") and metric != "accuracy":
            raise ValueError(
                f"EarlyStopping monitors {self.monitor}, the numbers of the metric {metric}, which may improve by "
                "rising or by falling: give mode='max' or mode='min'"
            )

    def __call__(self, epoch: int, model: Module, history: History) -> None:
        name = self.monitor or ("val_loss" if history.val_loss else "loss")
        numbers = getattr(history, name)
        self.refuse_before_training(bool(history.val_loss), history.metric if history.accuracy else None)
        if epoch == 1:  # a new fit
            self.best, self.best_epoch, self.waited, self.best_state = math.nan, 0, 0, None
        now, rising = numbers[-1], self.mode == "max" or (self.mode == "auto" and name.endswith("accuracy"))
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

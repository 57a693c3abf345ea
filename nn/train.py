"""`fit`: train a model on minibatches, with validation, a history, a progress bar, and a
clean stop on Ctrl-C."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd import Tensor, Value, no_grad

from .data import Batches
from .functional import accuracy
from .module import Module
from .optim import Optimizer

Loss = Callable[[Any, Any], Any]
Metric = Callable[[Any, Any], float]


@dataclass
class History:
    """Per epoch: training loss and metric (averaged over the epoch's batches), the same on the
    validation data when given, and seconds taken. `interrupted` is True after a Ctrl-C."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    interrupted: bool = False

    def last(self) -> str:
        parts = [f"loss {self.loss[-1]:.4f}"]
        if self.accuracy:
            parts.append(f"accuracy {self.accuracy[-1]:.4f}")
        if self.val_loss:
            parts.append(f"val_loss {self.val_loss[-1]:.4f}")
        if self.val_accuracy:
            parts.append(f"val_accuracy {self.val_accuracy[-1]:.4f}")
        return ", ".join(parts)


def forward(model: Module, X: np.ndarray) -> Any:
    """The model on a batch: a Tensor model gets the batch as a Tensor; a Value model (micrograd's
    MLP) gets one row at a time, and gives a list of Values."""
    if _is_scalar(model):
        return [model(list(row)) for row in np.asarray(X).tolist()]
    return model(Tensor(X))


def predict(model: Module, X: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """The model's outputs as an array, in eval mode, without recording a graph."""
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            parts = [_data(forward(model, X[i : i + batch_size])) for i in range(0, len(X), batch_size)]
    finally:
        model.train(was_training)
    return np.concatenate(parts)


def evaluate(model: Module, loss: Loss, X: np.ndarray, y: np.ndarray, metric: Metric | None = accuracy) -> tuple:
    """(loss, metric) over all of X, y, in eval mode and without a graph."""
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            out = forward(model, X)
            return _item(loss(out, y)), (metric(out, y) if metric else None)
    finally:
        model.train(was_training)


def fit(
    model: Module,
    loss: Loss,
    optimizer: Optimizer,
    data: tuple[np.ndarray, np.ndarray] | Batches,
    epochs: int = 1,
    batch_size: int = 32,
    val_data: tuple[np.ndarray, np.ndarray] | None = None,
    metric: Metric | None = accuracy,
    seed: int | None = 0,
    progress: bool | None = None,
    verbose: bool = True,
    callbacks: Sequence[Callable[[int, Module, History], None]] = (),
) -> History:
    """Train for `epochs` passes over `data` ((X, y), shuffled into batches of `batch_size`, or
    Batches), calling `loss(outputs, labels)` and `optimizer` each batch.

    Returns the History. `progress` shows a tqdm bar per epoch (by default when there are 200
    or more batches an epoch and tqdm is installed); `verbose` prints a line per epoch;
    `callbacks` run after each epoch as f(epoch, model, history). Ctrl-C ends training after
    the current step, keeping the model as it is then; a second Ctrl-C stops at once.
    """
    batches = data if isinstance(data, Batches) else Batches(*data, batch_size=batch_size, shuffle=True, seed=seed)
    bar = _progress_bar(progress, len(batches))
    history = History()
    model.train()
    with _stop_on_interrupt() as stop:
        for epoch in range(1, epochs + 1):
            start, losses, scores = time.perf_counter(), [], []
            for xb, yb in bar(batches, f"epoch {epoch}/{epochs}"):
                out = forward(model, xb)
                value = loss(out, yb)
                optimizer.zero_grad()
                value.backward()
                optimizer.step()
                losses.append(_item(value))
                if metric:
                    scores.append(metric(out, yb))
                if stop.is_set():
                    break
            if not losses:
                break
            history.loss.append(float(np.mean(losses)))
            if metric:
                history.accuracy.append(float(np.mean(scores)))
            if val_data is not None:
                val_loss, val_score = evaluate(model, loss, *val_data, metric=metric)
                history.val_loss.append(val_loss)
                if metric:
                    history.val_accuracy.append(val_score)
            history.seconds.append(time.perf_counter() - start)
            for callback in callbacks:
                callback(epoch, model, history)
            if verbose:
                print(f"epoch {epoch}/{epochs}: {history.last()} ({history.seconds[-1]:.1f} s)", flush=True)
            if stop.is_set():
                history.interrupted = True
                print(f"stopped by Ctrl-C in epoch {epoch}; the model keeps the weights of its last step", flush=True)
                break
    return history


class _stop_on_interrupt:
    """Within this block the first SIGINT sets an event instead of raising; the second raises."""

    def __enter__(self) -> threading.Event:
        self.event = threading.Event()
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self.event

    def _handle(self, signum: int, frame: Any) -> None:
        if self.event.is_set():
            raise KeyboardInterrupt
        self.event.set()

    def __exit__(self, *exc: Any) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def _progress_bar(progress: bool | None, per_epoch: int) -> Callable[[Batches, str], Any]:
    if progress is False or (progress is None and per_epoch < 200):
        return lambda batches, label: batches
    try:
        from tqdm.auto import tqdm
    except ImportError:
        if progress:
            raise ImportError("fit(progress=True) needs tqdm: pip install chainrule[progress]") from None
        return lambda batches, label: batches
    hide = None if progress is None else False  # by default only on a terminal (tqdm's own test)
    return lambda batches, label: tqdm(batches, desc=label, leave=False, unit="batch", disable=hide)


def _is_scalar(model: Module) -> bool:
    params = model.parameters()
    return bool(params) and isinstance(params[0], Value)


def _data(out: Any) -> np.ndarray:
    if isinstance(out, list):
        return np.array([[v.data for v in o] if isinstance(o, list) else o.data for o in out])
    return np.asarray(out.data)


def _item(x: Any) -> float:
    return float(x.data) if isinstance(x, (Value, Tensor)) else float(x)

"""`fit`: train a model on minibatches, with validation, a history, a progress bar, and a
clean stop on Ctrl-C. predict and evaluate are in nn.train_evaluate (imported here too)."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from autograd import missing_extra

from .arguments import check_flag
from .data import Batches
from .metrics import accuracy, loss_reduction
from .module import Module
from .optim import Optimizer
from .schedulers import LRScheduler, ReduceLROnPlateau
from .schedulers_chained import all_or_none
from .train_checks import check_fit, check_schedulers, data_as_one
from .train_evaluate import EVALUATED_ROWS, evaluate, evaluated, predict, scoring  # noqa: F401 (nn.train's names)
from .train_examples import check_examples
from .train_history import History, epoch_loss, epoch_lr, metric_name, record_epoch
from .train_steps import (  # noqa: F401 (forward: nn.train's name, nn.check's import)
    Loss,
    Metric,
    forward,
    is_scalar,
    modes_restored,
    train_epoch,
    training_step,
)
from .train_stop import EarlyStopping, StopTraining


@data_as_one
def fit(
    model: Module,
    loss: Loss,
    optimizer: Optimizer,
    data: tuple[np.ndarray, np.ndarray] | Batches,
    epochs: int = 1,
    batch_size: int | None = None,
    val_data: tuple[np.ndarray, np.ndarray] | None = None,
    metric: Metric | None = accuracy,
    seed: int | None = 0,
    progress: bool | None = None,
    verbose: bool = True,
    callbacks: Sequence[Callable[[int, Module, History], None]] = (),
    scheduler: LRScheduler | ReduceLROnPlateau | Sequence[LRScheduler | ReduceLROnPlateau] | None = None,
    compile: bool = False,  # noqa: A002 (as torch.compile's name)
) -> History:
    """Train for `epochs` passes over `data` ((X, y), shuffled into batches of `batch_size`, 32 unless
    given, by `seed`; or Batches, which batch and shuffle as they were made, so that a batch_size or a
    seed given beside them is refused), calling `loss(outputs, labels)` and `optimizer` each batch.

    Returns the History. `progress` shows a tqdm bar per epoch (by default when there are 200
    or more batches an epoch and tqdm is installed); `verbose` prints a line per epoch;
    `callbacks` run after each epoch as f(epoch, model, history). `scheduler` (of `optimizer`;
    or a list of them, stepped in that order, all or none: one's refusal puts back what those before it changed)
    steps once after each epoch, before the callbacks (a
    ReduceLROnPlateau, of mode "min", on the epoch's validation loss, or its training loss without
    val_data); a scheduler chained on the optimizer that fit is not given, and that would move, is named
    in a warning where nothing else could step it (check_schedulers).
    History.lr holds the lr each epoch trained with (with several param groups, a list of each group's in every
    epoch: a group added by a callback makes the epochs before it lists of one).
    An epoch enters the History whole once it is trained and validated, before the scheduler and
    the callbacks: an error in its validation leaves it out of every list. fit trains in training
    mode, and gives each module its own mode back when it returns or raises.

    Ctrl-C ends training after the current step and returns the History with `interrupted` set. The
    steps made stay made, as PyTorch's loop would leave them: the model has the last step's weights
    and the optimizer its state after that step. An epoch cut short is not validated nor in the
    History, and the scheduler does not step nor the callbacks run for it. A second Ctrl-C stops at
    once, though never inside `optimizer.step()` (that step finishes first, so no parameter is left
    half-updated): it raises KeyboardInterrupt, whose `.history` is the History of the epochs
    finished so far. A loss that is not finite raises FloatingPointError before its backward and
    step, with `.history` too; the buffers that step's forward changed (BatchNorm's running
    statistics) and the rows Embedding's max_norm scaled in place are put back, and the message
    names a parameter an earlier step made non-finite, if one did. A finite loss whose gradient
    holds NaN or an infinity is refused by the optimizer before it moves anything:
    FloatingPointError naming the parameter, the buffers and rows put back likewise.
    Any other exception out of training (a callback's, a metric's, validation's) has the
    `.history` too, and a note saying how many steps of the unfinished epoch were made (they stay made).

    Refused before training: an optimizer holding none of the model's parameters; data or
    val_data without examples; val_data whose examples and labels differ in number, or whose
    labels are not integers where the training labels are; X or float labels holding a value
    that is not finite; examples the model or the loss refuse, found by running the model on a
    few of each set in eval mode (`check_examples`: the loss runs on validation's, and on
    training's only when their labels are not all classes of the model's outputs; the metric on
    both, so that accuracy on a regression's targets stops fit before its first step, and its result
    must be one finite number); labels that are not numbers; a batch of one example (the last) that
    the model's BatchNorm layers would refuse in training mode. X and y given as two arguments are
    refused (data is the one pair (X, y)).
    The default metric, accuracy, takes its threshold for one score per example from the loss where
    it says what a score is (0 for binary_cross_entropy_with_logits's logits, 0.5 for
    binary_cross_entropy's probabilities, as function, partial or module), else from all the training
    labels (`scoring`); nn.evaluate scores with the same rule.

    `compile=True` runs the training step through `autograd.compile` (Tensor models only): each
    batch shape is recorded on its first two steps and replayed after, with the same numbers;
    the last, smaller batch of an epoch gets a recording of its own; dropout draws fresh masks on
    every replay. A model whose steps a replay would not reproduce (one with buffers, such as
    BatchNorm's running statistics) trains eagerly, with a CompileWarning.
    """
    # the flags first, as bools: judged by truth, "no" would compile and an array fail after an epoch
    verbose, compile = check_flag("fit", "verbose", verbose), check_flag("fit", "compile", compile)
    progress = None if progress is None else check_flag("fit", "progress (or None)", progress)
    epochs, batches, callbacks, val_data = check_fit(
        model, loss, optimizer, data, epochs, batch_size, val_data, metric, callbacks, seed
    )
    # from all the labels: a batch of them may be all 1, which cannot say
    given_metric, metric = metric, scoring(metric, loss, batches.y)
    summed = loss_reduction(loss) == "sum"  # the epoch's loss: its batches' added, not averaged
    if compile and is_scalar(model):
        raise TypeError(
            "fit(compile=True) compiles steps of Tensor models; this model's parameters are Values (a scalar "
            "graph, micrograd's MLP), which autograd.compile cannot replay: train it with compile=False"
        )
    step = training_step(model, loss, optimizer, compile)
    schedulers = check_schedulers(scheduler, optimizer, epochs, callbacks)
    for callback in callbacks:  # what an EarlyStopping watches must be recorded: refused before training
        if isinstance(callback, EarlyStopping):
            callback.refuse_before_training(val_data is not None, metric_name(given_metric) if metric else None)
    check_examples(model, loss, batches, val_data, metric)
    bar = _progress_bar(progress, len(batches))
    history = History(metric=metric_name(given_metric))
    with modes_restored(model), _Interrupts() as ctrl_c:
        model.train()
        try:
            for epoch in range(1, epochs + 1):
                start = time.perf_counter()
                lr = epoch_lr(optimizer)  # the epoch's, before the scheduler changes it
                steps = bar(batches, f"epoch {epoch}/{epochs}")
                losses, scores, sizes = train_epoch(step, steps, metric, ctrl_c, epoch)
                if len(losses) < len(batches):  # cut short by Ctrl-C: its steps stay made, but it is no epoch
                    if verbose and losses:
                        print(
                            f"epoch {epoch}/{epochs}: loss {epoch_loss(losses, sizes, summed):.4f} over the "
                            f"{len(losses)} of {len(batches)} batches trained, not in the History",
                            flush=True,
                        )
                else:  # whole (a Ctrl-C in its last step too): validated, recorded, then the scheduler and callbacks
                    validated = None if val_data is None else evaluated(model, loss, *val_data, metric)
                    trained = (losses, scores, sizes, summed)
                    record_epoch(history, trained, validated, lr, time.perf_counter() - start)
                    _step_schedulers(schedulers, optimizer, (history.val_loss or history.loss)[-1])
                    try:
                        for callback in callbacks:
                            callback(epoch, model, history)
                    except StopTraining as stop:  # a callback's request (EarlyStopping): this epoch is the last
                        history.stopped = str(stop) or f"a callback stopped training after epoch {epoch}"
                    if verbose:
                        print(f"epoch {epoch}/{epochs}: {history.last()} ({_took(history.seconds[-1])})", flush=True)
                        if history.stopped:
                            print(f"stopped after epoch {epoch}: {history.stopped}", flush=True)
                    if history.stopped:
                        break
                if ctrl_c.stop:
                    history.interrupted = True
                    print(f"stopped by Ctrl-C in epoch {epoch}; the model keeps its last step's weights", flush=True)
                    break
        except BaseException as e:  # any error (a callback's, a metric's) keeps the epochs done, as Ctrl-C's
            history.interrupted = ctrl_c.stop or isinstance(e, KeyboardInterrupt)
            e.history = history
            raise
    return history


def _step_schedulers(schedulers: list[Any], optimizer: Optimizer, loss: float) -> None:
    """Each scheduler stepped, in order, a ReduceLROnPlateau on the epoch's `loss`; all or none (as a
    ChainedScheduler's): one's refusal (a plateau's of a NaN validation loss, a schedule's NaN factor) put back
    what those before it changed, which stepped one by one left stepped (the lr halved by a StepLR, whose next
    scheduler refused)."""
    all_or_none(
        optimizer,
        lambda: [each.step(loss) if isinstance(each, ReduceLROnPlateau) else each.step() for each in schedulers],
    )


class _Interrupts:
    """Within this block the first SIGINT sets `stop` instead of raising; the second raises
    KeyboardInterrupt, at once or, inside `held()`, when that block ends."""

    def __enter__(self) -> _Interrupts:
        self.stop = self.holding = self.pending = False
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        if not self.stop:
            self.stop = True
        elif self.holding:
            self.pending = True
        else:
            raise KeyboardInterrupt

    @contextmanager
    def held(self) -> Iterator[None]:
        """Run the block whole: a second SIGINT within it raises only when it is done (its KeyboardInterrupt
        `after_step`: the step it held is made, for train_epoch's count)."""
        self.holding = True
        try:
            yield
        finally:
            self.holding = False
        if self.pending:
            interrupt = KeyboardInterrupt()
            interrupt.after_step = True
            raise interrupt

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
            raise missing_extra("fit(progress=True)", "tqdm", "progress") from None
        return lambda batches, label: batches
    hide = None if progress is None else False  # by default only on a terminal (tqdm's own test)
    return lambda batches, label: tqdm(batches, desc=label, leave=False, unit="batch", disable=hide)


def _took(seconds: float) -> str:
    """A duration as an epoch's line says it: to 0.1 s, and below a second in milliseconds to three figures
    (34.2 ms, not 0.0 s; 996 ms, not 1 s)."""
    return f"{seconds:.1f} s" if seconds >= 0.9995 else f"{seconds * 1000:.3g} ms"

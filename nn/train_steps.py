"""`fit`'s training step, eager or compiled (`autograd.compile`), and an epoch of them; the loss's and a metric's
numbers are checked in nn.train_numbers."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

import autograd
from autograd import CompileWarning, Tensor, Value, gc_paused

from .arguments import as_input
from .module import Module
from .optim import Optimizer
from .step_undo import buffer_copies, buffer_slots, undone_if_raises
from .train_numbers import Metric, finite_loss, metric_number, number_of

Loss = Callable[[Any, Any], Any]
Step = Callable[[np.ndarray, np.ndarray, Any, int, int], tuple[float, Any]]


def forward(model: Module, X: np.ndarray) -> Any:
    """The model on a batch: a Tensor model gets the batch as a Tensor; a Value model (micrograd's
    MLP) gets one row at a time, and gives a list of Values."""
    if is_scalar(model):
        return [model(list(row)) for row in np.asarray(X).tolist()]
    return model(as_input(X, copy=False))  # fit's batch, or evaluate's data: nothing writes it before backward


@contextmanager
def modes_restored(model: Module) -> Iterator[None]:
    """Within this block the model's modes may change; after it, each module has its own mode back
    (model.train(was) would give every submodule the root's: a BatchNorm kept in eval inside a
    training model would come back training)."""
    modes = [(m, m.training) for m in model.modules()]
    try:
        yield
    finally:
        for m, training in modes:
            m.training = training


def training_step(model: Module, loss: Loss, optimizer: Optimizer, compile: bool) -> Step:  # noqa: A002
    """step(xb, yb, ctrl_c, epoch, batch) -> (loss, outputs): forward, loss (checked finite before
    anything changes), zero_grad, backward, optimizer step (whole, whatever Ctrl-C does). A step
    that fails before its optimizer step puts the buffers its forward changed back (BatchNorm's
    running statistics) and the rows Embedding's max_norm scaled (nn.step_undo), so the model is the
    one of the step before. Compiled, the step is recorded per batch shape (the last, smaller batch
    of an epoch too) and replayed."""
    slots = buffer_slots(model)
    from .train_closure import closure_step  # it imports this module's step parts

    if optimizer.needs_closure:  # LBFGS: its step evaluates the loss itself (nn.train_closure)
        if compile:
            warnings.warn(
                f"fit(compile=True): {type(optimizer).__name__}'s step evaluates the loss itself, several times a step "
                "(a closure), which a replay would not run again: training eagerly",
                CompileWarning,
                stacklevel=4,  # training_step, fit, data_as_one's wrapper, the caller
            )
        return closure_step(model, loss, optimizer, slots)
    if compile and slots:
        warnings.warn(
            "fit(compile=True): the model has buffers (BatchNorm's running statistics, or registered buffers of "
            "your own), which a step may update outside the graph, where a replay would not: training eagerly",
            CompileWarning,
            stacklevel=4,  # training_step, fit, data_as_one's wrapper, the caller
        )
    elif compile:
        return _compiled_step(model, loss, optimizer)

    def step(xb: np.ndarray, yb: np.ndarray, ctrl_c: Any, epoch: int, batch: int) -> tuple[float, Any]:
        with gc_paused():  # the step's graph has no cycles: the collector would only rescan it
            saved = buffer_copies(slots)  # [] for a model without buffers: nothing copied, every step
            with undone_if_raises(saved):  # and the rows max_norm scales, as it scales them (a loss's look-ups too)
                out = forward(model, xb)
                value = loss(out, yb)
                number = finite_loss(value, model, epoch, batch)
                optimizer.zero_grad()
                value.backward()
            # a second Ctrl-C raises when the step is whole, outside the put-back; nn's optimizers move nothing when
            # their step fails: nor does the forward then
            with ctrl_c.held(), undone_if_raises(saved), _gradients_named(model, epoch, batch):
                optimizer.step()
        return number, out

    return step


@contextmanager
def _gradients_named(model: Module, epoch: int, batch: int) -> Iterator[None]:
    """The optimizer's refusal of a gradient that is not finite (nn.optim_finite: nothing moved), said again naming
    the parameter as the model names it and the epoch and batch; the steps put back what their forward changed
    around it, as for a loss that is not finite: the model is the one of the step before."""
    try:
        yield
    except FloatingPointError as e:
        parameter, held = getattr(e, "parameter", None), getattr(e, "held", None)
        if held is None:  # not the optimizer's refusal of a gradient
            raise
        name = next((n for n, p in model.named_parameters() if p is parameter), None)
        given = getattr(e, "parameter_name", None)  # the name the optimizer was given it under, if any
        whose = (
            f"the parameter {name!r}"
            if name
            else f"the optimizer's parameter {given!r}, which the model does not hold"
            if given
            else "a parameter the model does not hold"
        )
        raise FloatingPointError(
            f"fit: in epoch {epoch}, batch {batch} the loss is finite but the gradient of {whose} holds {held}; the "
            "model keeps the weights of the step before. Find the op with autograd.detect_anomaly(), or lower the "
            "learning rate"
        ) from e


@autograd.unguarded
class _At:
    """The epoch and batch of the step being taken, for a non-finite loss's message only: unguarded, since
    they change on every call and compile would record the step again each time (a replay's check reads them
    anew)."""

    __slots__ = ("epoch", "batch")

    def __init__(self) -> None:
        self.epoch = self.batch = 0

    @property
    def where(self) -> tuple[int, int]:
        return self.epoch, self.batch


def _compiled_step(model: Module, loss: Loss, optimizer: Optimizer) -> Step:
    at = _At()

    def recorded(x: Tensor, y: np.ndarray) -> tuple[Any, Any]:
        out = model(x)
        value = loss(out, y)
        finite_loss(value, model, *at.where)
        optimizer.zero_grad()
        value.backward()
        optimizer.step()
        return value, out

    compiled = autograd.compile(recorded, check=lambda result: finite_loss(result[0], model, *at.where))

    def step(xb: np.ndarray, yb: np.ndarray, ctrl_c: Any, epoch: int, batch: int) -> tuple[float, Any]:
        at.epoch, at.batch = epoch, batch
        saved: list[Any] = []  # the rows max_norm scales (its steps run eagerly): put back if the step fails
        with gc_paused(), ctrl_c.held(), undone_if_raises(saved), _gradients_named(model, epoch, batch):
            value, out = compiled(as_input(xb, copy=False), yb)
        return number_of(value, "fit"), out

    return step


def train_epoch(
    step: Step, steps: Any, metric: Metric | None, ctrl_c: Any, epoch: int
) -> tuple[list[float], list[float], list[int]]:
    """One pass over the batches, cut short by a Ctrl-C: the loss and the metric of each step, and
    each batch's size (the epoch's means weigh each batch by it: a short last batch counts as its
    examples, not as a whole batch)."""
    losses, scores, sizes = [], [], []
    try:
        for xb, yb in steps:
            number, out = step(xb, yb, ctrl_c, epoch, len(losses) + 1)
            losses.append(number)
            sizes.append(len(xb))
            if metric:
                scores.append(metric_number("fit", metric, metric(out, yb), f"epoch {epoch}, batch {len(losses)}"))
            if ctrl_c.stop:
                break
    except BaseException as e:  # a step raises before it changes anything (but a second Ctrl-C held till it is whole)
        if made := len(losses) + getattr(e, "after_step", False):
            e.add_note(
                f"fit: {made} step(s) of epoch {epoch} were made before this; they stay made (the model has "
                "their weights, the optimizer its state after them), and the epoch is not in the History"
            )
        raise
    return losses, scores, sizes


def is_scalar(model: Module) -> bool:
    params = model.parameters()
    return bool(params) and isinstance(params[0], Value)

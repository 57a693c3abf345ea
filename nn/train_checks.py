"""`fit`'s arguments checked before training begins, so that a bad one is refused with the model,
the optimizer and the History untouched, and naming the fix."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Value, type_name

from .arguments import as_examples, as_sequence, check_count, is_int, shown
from .data import Batches
from .module import Module
from .optim import Optimizer
from .schedulers import ChainedScheduler, CyclicLR, LRScheduler, OneCycleLR, ReduceLROnPlateau
from .train_stop import EarlyStopping

DEFAULT_BATCH = 32  # fit's batch_size for (X, y)


def check_fit(
    model: Any,
    loss: Any,
    optimizer: Any,
    data: Any,
    epochs: Any,
    batch_size: Any,
    val_data: Any,
    metric: Any,
    callbacks: Any,
    seed: Any,
) -> tuple[int, Batches, tuple[Callable, ...], tuple[np.ndarray, np.ndarray] | None]:
    """Refuse fit's arguments that would fail later or train on nonsense, naming the fix. Returns
    epochs as an int, the batches of `data`, the callbacks as a tuple and val_data as arrays."""
    check_model("fit", model)
    _check_optimizer(model, optimizer)
    callbacks = _callbacks(callbacks)
    functions = {"loss": loss, **{f"callbacks[{i}]": c for i, c in enumerate(callbacks)}}
    check_callables("fit", functions | ({"metric": metric} if metric else {}))
    if not isinstance(data, Batches) and (not _is_pair(data) or _batch_list(data)):
        raise TypeError(f"fit: data must be (X, y) or Batches, got {_kind(data)}" + _batch_list(data))
    epochs = check_count("fit", "epochs", epochs)
    if isinstance(data, Batches):
        _refuse_batching(data, batch_size, seed)
        batches = data
    else:
        batch_size = DEFAULT_BATCH if batch_size is None else check_count("fit", "batch_size", batch_size)
        try:
            batches = Batches(*data, batch_size=batch_size, shuffle=True, seed=seed)
        except (TypeError, ValueError) as e:  # Batches' own words, as fit's: the caller gave fit (X, y)
            raise type(e)(f"fit: {str(e).removeprefix('Batches: ')}") from None
    if not len(batches.y):
        raise ValueError(
            "fit: data has no examples, so there is nothing to train on (train_val_split(val_fraction=1.0) "
            "leaves none for training): give at least one"
        )
    return epochs, batches, callbacks, _validation(val_data, batches.y)


def _refuse_batching(batches: Batches, batch_size: Any, seed: Any) -> None:
    """Refuse a batch_size (other than theirs) or a seed beside Batches, which batch and shuffle as they
    were made: ignored, they would train otherwise than asked (ValueError)."""
    given = [f"batch_size={batch_size!r}"] if batch_size not in (None, batches.batch_size) else []
    given += [] if is_int(seed) and seed == 0 else [f"seed={seed!r}"]  # 0: fit's default
    if given:
        raise ValueError(
            f"fit: {' and '.join(given)} given with Batches, which batch and shuffle as they were made "
            f"(batch_size={batches.batch_size}): make the Batches with them, or give fit (X, y)"
        )


def check_model(owner: str, model: Any) -> None:
    """Refuse (TypeError) a model that is not an nn.Module, before anything runs: not with the
    AttributeError of the first method of Module it lacks."""
    if not isinstance(model, Module):
        raise TypeError(f"{owner}: model must be an nn.Module, got {type_name(model)}")


def check_callables(owner: str, functions: dict[str, Any]) -> None:
    """Refuse (TypeError, naming the argument) any of `functions` (the loss, a metric, by argument
    name) that cannot be called: before anything runs, not at its first call with Python's words."""
    for name, f in functions.items():
        if not callable(f):
            raise TypeError(f"{owner}: {name} must be callable, got {type_name(f)} {shown(f)}")


def check_schedulers(scheduler: Any, optimizer: Any, epochs: int, callbacks: Any) -> list[Any]:
    """fit's `scheduler` as a list: one, or a list or tuple of them (stepped in that order after each epoch, as
    PyTorch's loop calls each one's step()), each checked (`check_scheduler`; a ChainedScheduler's each). A warning
    names the schedulers chained on the optimizer that none of them steps (nor holds, as a SequentialLR its
    own) and whose factor stepping would change within the fit's epochs (not a finished warmup), where
    fit is given some, or none but trains several epochs with no callback that could step them (an
    EarlyStopping steps none): their factor stays where they set it (a warmup's first) for the whole
    of fit. (One epoch a call, the schedulers stepped between the calls, is a loop of one's own.)"""
    listed = list(scheduler) if isinstance(scheduler, list | tuple) else [] if scheduler is None else [scheduler]
    # a ChainedScheduler is checked as its schedulers, and stepped by its own step(): all of them or none
    given = [inner for each in listed for inner in (each.schedulers if isinstance(each, ChainedScheduler) else [each])]
    for each in given:
        check_scheduler(each, optimizer, epochs)
    if len({id(each) for each in given}) < len(given):
        raise ValueError("fit: scheduler lists a scheduler twice; it would step twice an epoch: list it once")
    stepped = {id(each) for each in given} | {id(inner) for each in given for inner in getattr(each, "schedulers", ())}
    left = [each for each in optimizer.schedulers if id(each) not in stepped and each.moves_within(epochs)]
    stepping = [c for c in callbacks if not isinstance(c, EarlyStopping)]  # one that could step a scheduler
    if left and (given or (epochs > 1 and not stepping)):
        warnings.warn(
            f"fit steps {', '.join(type(each).__name__ for each in given) or 'no scheduler'}, but the optimizer "
            f"has {', '.join(type(each).__name__ for each in left)} chained on it too: its factor stays where it "
            "set it (a warmup's first) unless a callback steps it; pass them all, scheduler=[first, second]",
            UserWarning,
            stacklevel=4,  # check_schedulers, fit, data_as_one's wrapper, the caller
        )
    return listed


def check_scheduler(scheduler: Any, optimizer: Any, epochs: int) -> None:
    """Refuse, changing nothing, a scheduler that is not one of `optimizer`'s, a step it would refuse
    (an lr no optimizer takes, a chain that cannot be), a OneCycleLR that the fit's `epochs` would not
    step as it was made (_check_cycle), or a ReduceLROnPlateau waiting for a metric to rise: fit steps
    it on a loss. A CyclicLR made to count batches is warned of."""
    if scheduler is None:
        return
    if not isinstance(scheduler, LRScheduler | ReduceLROnPlateau) or scheduler.optimizer is not optimizer:
        raise TypeError(f"fit: scheduler must be a scheduler of this optimizer (nn.schedulers), got {scheduler!r}")
    if isinstance(scheduler, ReduceLROnPlateau):
        if scheduler.mode != "min":
            raise ValueError(
                "fit: a ReduceLROnPlateau steps on the epoch's loss, which falls as training goes well: make it "
                'with mode="min" (or step one of mode "max" on a metric yourself, from a callback)'
            )
        return
    if isinstance(scheduler, OneCycleLR):
        _check_cycle(scheduler, epochs)
    if isinstance(scheduler, CyclicLR) and scheduler.step_size_up > epochs:
        # a CyclicLR counts batches (PyTorch steps it once a batch; its default climb is 2000 of them): fit's
        # once an epoch would leave its lr near base_lr. A warning, not a refusal: a long climb may be meant
        warnings.warn(
            f"fit steps this CyclicLR once an epoch, and its lr climbs over step_size_up={scheduler.step_size_up} "
            f"steps: in {epochs} epoch(s) it would go {epochs / scheduler.step_size_up:.1%} of the way to max_lr. "
            "Make it with step_size_up (and step_size_down) counted in epochs, or step it once a batch in a loop "
            "of your own",
            UserWarning,
            stacklevel=5,  # check_scheduler, check_schedulers, fit, data_as_one's wrapper, the caller
        )
    scheduler.next_step()  # changes nothing


def _check_cycle(cycle: OneCycleLR, epochs: int) -> None:
    """A OneCycleLR given to fit, which steps it once an epoch, refused (ValueError) if made to count batches
    (steps_per_epoch: stepped once an epoch its lr would only climb) or shorter than the fit's epochs (its step
    past total_steps is refused, as PyTorch's, after that many epochs of training)."""
    if cycle.steps_per_epoch not in (None, 1):
        raise ValueError(
            f"fit: this OneCycleLR counts {cycle.steps_per_epoch} steps an epoch (steps_per_epoch), and fit steps "
            "it once an epoch, where its lr would hardly leave the climb: make it with total_steps=epochs (the "
            "epochs of all the fits it spans), or step it once a batch in a loop of your own"
        )
    left = cycle.total_steps - cycle.last_epoch
    if epochs > left:
        raise ValueError(
            f"fit: {epochs} epoch(s) would step this OneCycleLR past total_steps={cycle.total_steps} ({left} steps "
            f"left), which it refuses, as PyTorch's: fit steps it once an epoch, so fit {left} epoch(s), or make it "
            f"with total_steps={cycle.last_epoch + epochs}"
        )


def _check_optimizer(model: Module, optimizer: Any) -> None:
    """Refuse an optimizer that would update none of the model's parameters: training would change
    nothing and look normal. One holding only some of them is fine (fine-tuning a part of the
    model), and so is one holding others besides (a learnable parameter of the loss)."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"fit: optimizer must be an Optimizer (nn.SGD, nn.Adam), got {type_name(optimizer)}")
    own = {id(p) for p in model.parameters()}
    if not any(id(p) in own for p in optimizer.params):
        raise ValueError(
            "fit: the optimizer holds none of this model's parameters (it was built on another model's, or on "
            "a copy's), so training would change nothing: build it on this model, e.g. nn.SGD(model.parameters())"
        )
    if not any(isinstance(p, Value) or p.requires_grad for p in optimizer.params):
        raise ValueError(
            "fit: every parameter the optimizer holds is frozen (requires_grad False, "
            "model.requires_grad_(False)), so training would change nothing: unfreeze the part to train, "
            "e.g. model.head.requires_grad_(True)"
        )


def _callbacks(callbacks: Any) -> tuple:
    """The callbacks as a tuple, run every epoch even when given as a generator; a set is refused (they
    would run in its hashes' order, which changes between runs), as a Tensor is (its rows are no callables)."""
    if callable(callbacks):
        raise TypeError(
            f"fit: callbacks must be a list of callables f(epoch, model, history), got {type_name(callbacks)} "
            f"{callbacks!r}; for one, write callbacks=[f]"
        )
    return tuple(as_sequence("fit", "callbacks", callbacks, "a list of callables f(epoch, model, history)"))


def _validation(val_data: Any, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """val_data as arrays, checked now rather than after the first epoch has changed the model:
    as many labels as examples, at least one, and integer labels where the training labels are
    (an integer-label loss, cross_entropy, would refuse the others at the first evaluation)."""
    if val_data is None:
        return None
    if not _is_pair(val_data):
        raise TypeError(f"fit: val_data must be a pair (X, y), got {type_name(val_data)}")
    X, y = as_examples("fit", "val_data's X", val_data[0]), as_examples("fit", "val_data's y", val_data[1])
    if len(X) != len(y):
        raise ValueError(f"fit: val_data has {len(X)} examples but {len(y)} labels; give one label per example")
    if not len(y):
        raise ValueError("fit: val_data has no examples; give at least one, or val_data=None to skip validation")
    if integer(labels) and not integer(y):
        raise TypeError(
            f"fit: val_data's labels are {y.dtype} but the training labels are {labels.dtype} (class labels): "
            "give both the same kind, e.g. y_val.astype(int)"
        )
    return X, y


def integer(labels: np.ndarray) -> bool:
    return labels.dtype.kind in "iu"


def _kind(data: Any) -> str:
    """What was given as data, told apart from a pair: "a tuple of 1 item (X alone: give its labels too, (X, y))"."""
    if not isinstance(data, tuple | list):
        return type_name(data)
    items = f"a {type_name(data)} of {len(data)} item{'s' * (len(data) != 1)}"
    return f"{items} (X alone? give its labels too, (X, y))" if len(data) == 1 else items


def data_as_one(fit: Callable[..., Any]) -> Callable[..., Any]:
    """`fit` refusing X and y given as two arguments, fit(model, loss, optimizer, X, y, epochs=3), in its own
    words: Python's "got multiple values for argument 'epochs'" (or y taken for the epochs) says nothing of
    the pair. Keras' fit takes x and y apart; here data is one argument, (X, y), as a DataLoader is one."""

    @functools.wraps(fit)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if len(args) > 4 and not isinstance(args[3], Batches) and not _is_pair(args[3]) and hasattr(args[4], "__len__"):
            raise TypeError(
                "fit: X and y were given as two arguments, but data is one, the pair (X, y): call "
                "nn.fit(model, loss, optimizer, (X, y), epochs=...)"
            )
        return fit(*args, **kwargs)

    return checked


def _batch_list(data: Any) -> str:
    """What to say of a list of (xb, yb) batches, a DataLoader's, given as data ("" for anything else): two of
    them look like (X, y), their X made of two batches. Each item a pair of arrays (or Tensors) of equal lengths,
    the first with more than one axis: X's rows as arrays beside labels as numbers are no such pairs. Two items
    each holding two arrays of one shape may be either, two batches of an autoencoder or (X, y) as lists of two
    examples (which fit took before): refused too, since one reading would train on the wrong examples without
    a word, the message saying how to give the examples (np.stack)."""
    items = data if isinstance(data, tuple | list) else ()
    if not items or not all(_is_pair(b) and all(hasattr(a, "shape") for a in b) for b in items):
        return ""
    if not all(np.ndim(b[0]) > 1 and np.ndim(b[1]) >= 1 and len(b[0]) == len(b[1]) for b in items):
        return ""
    said = (
        f", which hold {len(items)} (xb, yb) batches, as a DataLoader gives: give fit all the examples, (X, y) with "
        "batch_size=, or nn.data.Batches(X, y, batch_size=32), which shuffles them each epoch (np.concatenate "
        "joins batches' xb and yb)"
    )
    if len(items) == 2 and all(np.shape(a) == np.shape(b) for a, b in items):  # or X and y as lists of 2 examples
        said += "; if they are X and y, two examples each, give them as arrays: (np.stack(X), np.stack(y))"
    return said


def _is_pair(x: Any) -> bool:
    return isinstance(x, tuple | list) and len(x) == 2

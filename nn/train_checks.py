"""`fit`'s arguments checked before training begins, so that a bad one is refused with the model,
the optimizer and the History untouched, and naming the fix."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .arguments import as_examples, check_count
from .data import Batches
from .module import Module
from .optim import Optimizer


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
) -> tuple[Batches, tuple[Callable, ...], tuple[np.ndarray, np.ndarray] | None]:
    """Refuse fit's arguments that would fail later or train on nonsense, naming the fix. Returns
    the batches of `data`, the callbacks as a tuple and val_data as arrays."""
    if not isinstance(model, Module):
        raise TypeError(f"fit: model must be an nn.Module, got {type(model).__name__}")
    _check_optimizer(model, optimizer)
    callbacks = _callbacks(callbacks)
    functions = [("loss", loss), *((f"callbacks[{i}]", c) for i, c in enumerate(callbacks))]
    for name, f in functions + ([("metric", metric)] if metric else []):
        if not callable(f):
            raise TypeError(f"fit: {name} must be callable, got {type(f).__name__} {f!r}")
    if not isinstance(data, Batches) and not _is_pair(data):
        raise TypeError(f"fit: data must be (X, y) or Batches, got {type(data).__name__}")
    check_count("fit", "epochs", epochs)
    check_count("fit", "batch_size", batch_size)
    batches = data if isinstance(data, Batches) else Batches(*data, batch_size=batch_size, shuffle=True, seed=seed)
    if not len(batches.y):
        raise ValueError(
            "fit: data has no examples, so there is nothing to train on (train_val_split(val_fraction=1.0) "
            "leaves none for training): give at least one"
        )
    return batches, callbacks, _validation(val_data, batches.y)


def _check_optimizer(model: Module, optimizer: Any) -> None:
    """Refuse an optimizer that would update none of the model's parameters: training would change
    nothing and look normal. One holding only some of them is fine (fine-tuning a part of the
    model), and so is one holding others besides (a learnable parameter of the loss)."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"fit: optimizer must be an Optimizer (nn.SGD, nn.Adam), got {type(optimizer).__name__}")
    own = {id(p) for p in model.parameters()}
    if not any(id(p) in own for p in optimizer.params):
        raise ValueError(
            "fit: the optimizer holds none of this model's parameters (it was built on another model's, or on "
            "a copy's), so training would change nothing: build it on this model, e.g. nn.SGD(model.parameters())"
        )


def _callbacks(callbacks: Any) -> tuple:
    """The callbacks as a tuple, run every epoch even when given as a generator."""
    if callable(callbacks) or not isinstance(callbacks, Iterable):
        raise TypeError(
            f"fit: callbacks must be a list of callables f(epoch, model, history), got {type(callbacks).__name__} "
            f"{callbacks!r}; for one, write callbacks=[f]"
        )
    return tuple(callbacks)


def _validation(val_data: Any, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """val_data as arrays, checked now rather than after the first epoch has changed the model:
    as many labels as examples, at least one, and integer labels where the training labels are
    (an integer-label loss, cross_entropy, would refuse the others at the first evaluation)."""
    if val_data is None:
        return None
    if not _is_pair(val_data):
        raise TypeError(f"fit: val_data must be a pair (X, y), got {type(val_data).__name__}")
    X, y = as_examples("fit", "val_data's X", val_data[0]), as_examples("fit", "val_data's y", val_data[1])
    if len(X) != len(y):
        raise ValueError(f"fit: val_data has {len(X)} examples but {len(y)} labels; give one label per example")
    if not len(y):
        raise ValueError("fit: val_data has no examples; give at least one, or val_data=None to skip validation")
    if _integer(labels) and not _integer(y):
        raise TypeError(
            f"fit: val_data's labels are {y.dtype} but the training labels are {labels.dtype} (class labels): "
            "give both the same kind, e.g. y_val.astype(int)"
        )
    return X, y


def _integer(labels: np.ndarray) -> bool:
    return labels.dtype.kind in "iu"


def _is_pair(x: Any) -> bool:
    return isinstance(x, tuple | list) and len(x) == 2

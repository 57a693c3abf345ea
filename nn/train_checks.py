"""`fit`'s arguments checked before training begins, so that a bad one is refused with the model,
the optimizer and the History untouched, and naming the fix."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograd import Tensor, Value, no_grad

from .arguments import as_examples, check_count, shown
from .data import Batches
from .module import Module
from .norm import _BatchNorm
from .optim import Optimizer
from .schedulers import LRScheduler, ReduceLROnPlateau
from .train_steps import buffer_copies, forward, metric_number, modes_restored, put_back


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
    if not isinstance(data, Batches) and not _is_pair(data):
        raise TypeError(f"fit: data must be (X, y) or Batches, got {type(data).__name__}")
    epochs = check_count("fit", "epochs", epochs)
    check_count("fit", "batch_size", batch_size)
    batches = data if isinstance(data, Batches) else Batches(*data, batch_size=batch_size, shuffle=True, seed=seed)
    if not len(batches.y):
        raise ValueError(
            "fit: data has no examples, so there is nothing to train on (train_val_split(val_fraction=1.0) "
            "leaves none for training): give at least one"
        )
    return epochs, batches, callbacks, _validation(val_data, batches.y)


def check_model(owner: str, model: Any) -> None:
    """Refuse (TypeError) a model that is not an nn.Module, before anything runs: not with the
    AttributeError of the first method of Module it lacks."""
    if not isinstance(model, Module):
        raise TypeError(f"{owner}: model must be an nn.Module, got {type(model).__name__}")


def check_callables(owner: str, functions: dict[str, Any]) -> None:
    """Refuse (TypeError, naming the argument) any of `functions` (the loss, a metric, by argument
    name) that cannot be called: before anything runs, not at its first call with Python's words."""
    for name, f in functions.items():
        if not callable(f):
            raise TypeError(f"{owner}: {name} must be callable, got {type(f).__name__} {shown(f)}")


def check_scheduler(scheduler: Any, optimizer: Any) -> None:
    """Refuse, changing nothing, a scheduler that is not one of `optimizer`'s, a step it would refuse
    (an lr no optimizer takes, a chain that cannot be), or a ReduceLROnPlateau waiting for a metric
    to rise: fit steps it on a loss."""
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
    scheduler.next_step()  # changes nothing


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
    if not any(isinstance(p, Value) or p.requires_grad for p in optimizer.params):
        raise ValueError(
            "fit: every parameter the optimizer holds is frozen (requires_grad False, "
            "model.requires_grad_(False)), so training would change nothing: unfreeze the part to train, "
            "e.g. model.head.requires_grad_(True)"
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


def check_examples(
    model: Module, loss: Any, batches: Batches, val_data: tuple[np.ndarray, np.ndarray] | None, metric: Any = None
) -> None:
    """Refuse, before the first step, examples that would stop training part-way: a value that is
    not finite in X (or in float labels), which would show as a NaN loss in some batch; X the model
    cannot take, labels out of the classes it outputs. The model runs in eval mode without a graph
    (each module's mode is put back) on a few examples of each set: the first two, and with integer
    labels those holding the lowest and the highest. The loss is computed on validation's, as
    each epoch's end will; on training's only if their labels are not all in [0, outputs), so
    that it says whether it takes them (-1 for a hinge loss, an ignore_index) without being called
    on the common case (the first step computes it anyway). The metric runs on both, and must give
    one finite number (accuracy, the default, refuses a regression's targets: after the first step,
    the model would have changed). Last, a batch of one example, where the batches hold one, through
    the model's BatchNorm layers in training mode (`_check_single_batches`)."""
    sets = [("data", batches.X, batches.y)] + ([] if val_data is None else [("val_data", *val_data)])
    for name, X, y in sets:
        _check_labels(name, y)
        _check_finite(name, "X", X)
        _check_finite(name, "y", y)
    with modes_restored(model), no_grad():
        model.eval()
        for name, X, y in sets:
            rows = _probe_rows(y)
            what = "the model or the loss"
            try:
                out = forward(model, X[rows])
                outputs = _outputs_per_example(out)
                if name == "val_data" or _beyond_classes(y, outputs):
                    loss(out, y[rows])
                what = "the metric"
                score = metric(out, y[rows]) if metric else None
            except Exception as e:  # the model's or the loss's own words, and (Python 3.11+) where fit found them
                note = getattr(e, "add_note", lambda _: None)
                note(
                    f"fit: {what} raised on {name}'s examples {rows}, checked before training: nothing was trained"
                    + (_metric_hint(y, outputs) if what == "the metric" else "")
                )
                raise
            if metric:  # its own message, whose words say what it returned
                metric_number("fit", metric, score, f"{name}'s examples {rows}, checked before training")
        _check_single_batches(model, batches)


def _metric_hint(labels: np.ndarray, outputs: int | None) -> str:
    """What the metric's refusal most likely means: labels beyond the classes the loss took are its
    ignore_index (cross_entropy's -100), which accuracy counts; float labels a regression's targets."""
    if _beyond_classes(labels, outputs):
        odd = labels.min() if labels.min() < 0 else labels.max()
        return (
            f" (the labels hold {odd}, outside the model's {outputs} classes, which the loss took: an "
            "ignore_index, which accuracy would count as a row like any other; pass metric=None, or a metric "
            "of your own that skips those rows)"
        )
    return " (for a regression's targets, pass metric=None)"


def _check_labels(name: str, labels: np.ndarray) -> None:
    """Refuse labels that are not numbers (strings, objects): no loss takes them, and numpy's words
    at the first one that tries would not say which labels."""
    if labels.dtype.kind not in "biuf":
        raise TypeError(
            f"fit: {name}'s labels are of dtype {labels.dtype}, not numbers: give class indices (e.g. "
            "np.unique(y, return_inverse=True)[1] for names) or float targets"
        )


def _check_single_batches(model: Module, batches: Batches) -> None:
    """Refuse a batch of one example that a BatchNorm in training mode (as fit trains) would refuse,
    having no batch statistics of one value per channel: fit knows every batch's size, so it refuses
    before the first step rather than at that batch, after the others trained. The model is run on
    one example with its BatchNorm layers alone in training mode (no Dropout draw is taken), and the
    running statistics that forward moves are put back: a BatchNorm2d with maps of more than one
    pixel takes a batch of one."""
    n, size = len(batches.y), batches.batch_size
    norms = [f"{type(m).__name__} {name!r}" for name, m in model.named_modules() if isinstance(m, _BatchNorm)]
    if not norms or (size > 1 and n % size != 1):
        return
    saved = buffer_copies(model)
    try:
        with modes_restored(model), no_grad():
            for m in model.modules():  # BatchNorm alone training: its batch statistics, and no Dropout draw
                m.training = isinstance(m, _BatchNorm)
            forward(model, batches.X[:1])
    except Exception as e:  # the eval-mode check passed on these rows: the batch statistics refused them
        fits = _working_sizes(n, size)
        how = f"make batch_size one of {fits} (none leaves a batch of one)" if fits else "give at least 2 examples"
        raise ValueError(
            f"fit: data has {n} examples, so batch_size={size} makes a batch of one example, which "
            f"{', '.join(norms)} in training mode refuses (the batch statistics of one value per channel): nothing "
            f"was trained; {how}, or drop an example"
        ) from e
    finally:
        put_back(saved)


def _working_sizes(n: int, size: int) -> list[int]:
    """Up to three batch sizes nearest `size` that leave no batch of one example among n."""
    near = sorted(range(2, n + 1), key=lambda b: (abs(b - size), b))
    return sorted([b for b in near if n % b != 1][:3])


def _check_finite(name: str, part: str, array: np.ndarray) -> None:
    """Refuse NaN or an infinity in X or y, naming the first row: it would show as a NaN loss, and a
    stop, in whichever batch holds it, after the batches before had trained."""
    row = _first_not_finite_row(array)
    if row is not None:
        values = array[row].ravel()
        raise ValueError(
            f"fit: {name}'s {part} holds {values[~np.isfinite(values)][0]} in row {row}, which would make the loss "
            f"NaN; remove or fix such rows (np.isfinite({part}).all(axis=1) finds them)"
        )


def _beyond_classes(labels: np.ndarray, outputs: int | None) -> bool:
    """Whether integer labels are not all in [0, outputs), the class indices of a model giving
    `outputs` scores an example: the loss may take them (-1 in a hinge loss, an ignore_index) or not."""
    if not _integer(labels) or outputs is None or not labels.size:
        return False
    return not 0 <= labels.min() <= labels.max() < outputs


def _probe_rows(y: np.ndarray) -> list[int]:
    """The first two examples (a model may need more than one: BatchNorm with batch statistics) and, for
    integer labels, those holding the lowest and the highest label."""
    rows = set(range(min(2, len(y))))
    if _integer(y) and y.size:
        per_row = int(np.prod(y.shape[1:]))  # labels per example: 1, or one per pixel
        rows |= {int(np.argmin(y)) // per_row, int(np.argmax(y)) // per_row}
    return sorted(rows)


def _outputs_per_example(out: Any) -> int | None:
    """How many scores the model gives an example (its classes), if its outputs say."""
    if isinstance(out, Tensor):
        return out.shape[1] if out.ndim > 1 else 1
    if isinstance(out, list) and out:  # a micrograd model: a Value, or a list of Values, per example
        return len(out[0]) if isinstance(out[0], list) else 1
    return None


def _first_not_finite_row(array: np.ndarray) -> int | None:
    """The first row holding NaN or an infinity; checked in blocks of rows, so that a large X costs
    no copy of its size."""
    if array.dtype.kind not in "fc":
        return None
    for start in range(0, len(array), 4096):
        block = array[start : start + 4096]
        finite = np.isfinite(block.reshape(len(block), -1)).all(axis=1)
        if not finite.all():
            return start + int(np.argmin(finite))
    return None

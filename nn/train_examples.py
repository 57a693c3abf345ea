"""`fit`'s look at the examples before training begins: values that are not finite, labels that are
not numbers, and X or labels the model, the loss or the metric would refuse part-way, found on a few
examples of each set, so that they are refused with the model untouched (`check_examples`)."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, no_grad, raw, type_name

from .data import Batches
from .metrics import accuracy_hint
from .module import Module
from .norm import _BatchNorm
from .step_undo import arrays_kept, attribute_copies, buffer_copies, buffer_slots, parameter_copies, put_back
from .train_checks import integer
from .train_numbers import metric_number
from .train_outputs import takes_class_labels, takes_label_sets, warn_outputs
from .train_steps import forward, modes_restored


def check_examples(
    model: Module, loss: Any, batches: Batches, val_data: tuple[np.ndarray, np.ndarray] | None, metric: Any = None
) -> None:
    """Refuse, before the first step, examples that would stop training part-way: a value that is not finite in X
    (or in float labels), which would show as a NaN loss in some batch; X the model cannot take, labels out of
    the classes it outputs. The model runs in eval mode without a graph (each module's mode is put back) on a
    few examples of each set: the first two, and with integer labels those holding the lowest and the highest.
    The loss is computed on validation's, as each epoch's end will; on training's only if their labels are not
    all in [0, outputs), so that it says whether it takes them (-1 for a hinge loss, an ignore_index), or differ
    from the outputs in their axes otherwise than class labels (a vector of labels beside a column of outputs, a
    column of class labels beside class scores), without being called on the common case (the first step
    computes it anyway). The metric runs on both, and must give one finite number (accuracy, the default,
    refuses a regression's targets: after the first step, the model would have changed). A ValueError
    (ShapeError) of the model, the loss or the metric is raised again in fit's words first, naming the set and
    its shapes (the rows checked are not the data) and the fix in the data's terms (np.reshape(y, (-1, 1)),
    metric=None); another error gets a note. Last, a batch of one example, where the batches hold one, through
    the model's BatchNorm layers in training mode (`_check_single_batches`). Training starts from the model as
    given: the look runs a copy of the model (`_copy`), so that nothing the model's forward does reaches it (a
    generator it draws from, a list it appends to, a flag it notes itself set by; what it writes into the arrays the
    copy shares with the model is put back, their flags too). A loss or a metric may run the
    model's own modules (class centres an Embedding of the model's gives by label, an ActNorm): each module's
    attributes with their contents (a list appended to, a generator's state: step_undo.kept_attributes), the buffers
    and the parameters' numbers are put back after the look (an ActNorm set from validation's rows and noted set was
    not set by the first step from its batch). A model that cannot be copied (it holds a lock) is looked at itself
    and put back the same way, each attribute but the few that cannot be copied (the lock: nothing to put back in
    it): not refused, since it trains (training needs no copy) and the look is only a check."""
    sets = [("data", batches.X, batches.y)] + ([] if val_data is None else [("val_data", *val_data)])
    for name, X, y in sets:
        _check_labels(name, y)
        check_finite("fit", f"{name}'s X", X)
        check_finite("fit", f"{name}'s y", y)
    saved = attribute_copies(model) + buffer_copies(buffer_slots(model)) + parameter_copies(model)
    probe = _copy(model, arrays_kept(saved))  # None where it cannot be copied: the model itself is looked at
    try:
        with modes_restored(model):
            model.eval()  # a Dropout of the model's that a loss runs draws no mask
            _run_examples(model if probe is None else probe, loss, batches, sets, metric)
    finally:
        put_back(saved)


def _copy(model: Module, kept: dict[int, np.ndarray]) -> Module | None:
    """A deep copy of `model` for the look to run, whose parameters are new leaves over the model's arrays, without
    gradients (copy.copy's), and which holds the model's arrays of `kept` themselves: their numbers are kept and put
    back anyway, for the model's own modules a loss runs; copied too, the look held 2.0 times their bytes (80 MB
    more for a module's 80 MB table), and copying the parameters' gradients as well took 16.1 MB for 8.0 MB of
    parameters. None where the model cannot be copied (it holds a lock, an open file)."""
    try:
        shared = {id(p): copy.copy(p) for p in model.parameters() if isinstance(p, Tensor)}  # over its array, no grad
        return copy.deepcopy(model, shared | kept)
    except Exception:  # noqa: BLE001 (whatever the copy of an attribute raises: the model is looked at itself)
        return None


def _run_examples(model: Module, loss: Any, batches: Batches, sets: list[tuple[str, Any, Any]], metric: Any) -> None:
    """check_examples' runs of the model, the loss and the metric on the examples of each set."""
    with modes_restored(model), no_grad():
        model.eval()
        for name, X, y in sets:
            rows = _probe_rows(y)
            what, outputs, out = "the model", None, None
            try:
                out = forward(model, X[rows])
                outputs = _outputs_per_example(out)
                what = "the loss"
                if name == "val_data" or _beyond_classes(y, outputs) or _unlike(out, y):
                    loss(out, y[rows])
                what = "the metric"
                score = metric(out, y[rows]) if metric else None
            except Exception as e:  # the model's, the loss's or the metric's own words, after fit's
                checked = f"run on {name}'s examples {rows} before training: nothing was trained"
                if type(e) in (ValueError, ShapeError):  # fit's words first: they name the data, not the rows checked
                    classes = takes_class_labels(loss)
                    hint = (
                        _metric_hint(y, outputs, e, loss) if what == "the metric" else _shape_hint(e, y, out, classes)
                    )
                    said = f"fit: {what} refused {_described(name, X, y)} ({checked}){hint}: {e}"
                    raise type(e)(said).with_traceback(e.__traceback__) from None  # down to where it was raised
                column = _whole_column(out, y) if what == "the loss" and takes_class_labels(loss) else ""
                getattr(e, "add_note", lambda _: None)(f"fit: {what} raised, {checked}{column}")
                raise
            if name == "data":  # once a fit: a model ending in a Softmax given to cross_entropy, say
                warn_outputs(model, loss, out)
            if metric:  # its own message, whose words say what it returned
                metric_number("fit", metric, score, f"{name}'s examples {rows}, checked before training")
        _check_single_batches(model, batches)


def _described(name: str, X: np.ndarray, y: np.ndarray) -> str:
    """A set of examples as the caller gave it: "data (X of shape (100, 3), y of shape (100,))"."""
    given = f"X of shape {X.shape}, y of shape {y.shape}"
    return f"validation data (val_data: {given})" if name == "val_data" else f"data ({given})"


def _shape_hint(refusal: Exception, y: np.ndarray, out: Any, classes: bool) -> str:
    """The fix, in the data's terms, for labels of another shape than the model's outputs (a loss's own words
    name the rows it was given: "targets.reshape(4, 1)" fits no data of 100 rows), as np.reshape, which takes
    y as given: an array, a list, a pandas Series (y.reshape is an array's alone). `classes`: the loss takes class
    labels (a column of them is to ravel; to another loss, it is a target per example)."""
    outputs = getattr(out, "shape", None) if isinstance(refusal, ShapeError) else None  # None: the model's
    if outputs is not None and classes and _label_column(out, y):
        return (
            f"; y holds class labels as a column: give them as a vector, y of shape ({len(y)},), np.ravel(y) "
            f"(the model gives {outputs[1]} class scores an example)"
        )
    if outputs is None or len(outputs) == y.ndim:
        return ""
    each = tuple(outputs[1:])
    if each in ((), (1,)) and y.size == len(y):
        gives = f"one output per example, as a {'column' if each else 'vector'}"
    else:
        gives = f"outputs of shape (N, {', '.join(map(str, each))}) per N examples" if each else "outputs (N,)"
    if y.size != len(y) * math.prod(each):
        return f"; the model gives {gives}"
    return f"; the model gives {gives}: give y of shape {(len(y), *each)}, np.reshape(y, {(-1, *each)})"


def _metric_hint(labels: np.ndarray, outputs: int | None, refusal: Exception, loss: Any) -> str:
    """What the metric's refusal most likely means: labels beyond the classes the loss took are its
    ignore_index (cross_entropy's -100), which accuracy counts, unless the loss takes label sets (-1 ends
    multilabel_margin_loss's rows); float labels a regression's targets (accuracy, fit's default metric,
    scores classes: Keras and PyTorch Lightning score none unless asked)."""
    if not takes_label_sets(loss) and _beyond_classes(labels, outputs):
        odd = labels.min() if labels.min() < 0 else labels.max()
        return (
            f"; the labels hold {odd}, outside the model's {outputs} classes, which the loss took: an "
            "ignore_index, which accuracy would count as a row like any other; pass metric=None, or a metric "
            "of your own that skips those rows"
        )
    return accuracy_hint("fit", refusal, labels, loss)


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
    norms = [f"{type_name(m)} {name!r}" for name, m in model.named_modules() if isinstance(m, _BatchNorm)]
    if not norms or (size > 1 and (n % size != 1 or batches.drop_last)):  # drop_last: no batch of one left
        return
    saved = buffer_copies(buffer_slots(model))
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
            + (" (Batches(..., drop_last=True) drops the last batch)" if size > 1 and not batches.drop_last else "")
        ) from e
    finally:
        put_back(saved)


def _working_sizes(n: int, size: int) -> list[int]:
    """Up to three batch sizes nearest `size` that leave no batch of one example among n."""
    near = sorted(range(2, n + 1), key=lambda b: (abs(b - size), b))
    return sorted([b for b in near if n % b != 1][:3])


def check_finite(owner: str, what: str, given: Any) -> None:
    """Refuse NaN or an infinity in X or y (`what`: "data's X"), naming the first row: in fit it would show
    as a NaN loss, and a stop, in whichever batch holds it, after the batches before had trained; in
    evaluate as a NaN loss, or a metric that counts it as a wrong answer."""
    try:
        array = given if isinstance(given, np.ndarray) else np.asarray(raw(given))
    except (TypeError, ValueError):  # no array (ragged rows): the model refuses it in its own words
        return
    row = _first_not_finite_row(array)
    if row is not None:
        values = array[row].ravel()
        part = what.split()[-1]
        raise ValueError(
            f"{owner}: {what} holds {values[~np.isfinite(values)][0]} in row {row}, which would make the loss "
            f"NaN; remove or fix such rows (np.isfinite({part}).all(axis=1) finds them)"
        )


def _beyond_classes(labels: np.ndarray, outputs: int | None) -> bool:
    """Whether integer labels are not all in [0, outputs), the class indices of a model giving
    `outputs` scores an example: the loss may take them (-1 in a hinge loss, an ignore_index) or not."""
    if not integer(labels) or outputs is None or not labels.size:
        return False
    return not 0 <= labels.min() <= labels.max() < outputs


def _unlike(out: Any, labels: np.ndarray) -> bool:
    """Whether outputs and labels differ in their number of axes otherwise than class scores (N, C) and their
    labels (N,) do: a loss refuses most such, or broadcasts them (the first step would name only a batch)."""
    if not isinstance(out, Tensor):
        return False
    return (
        (out.ndim != labels.ndim and not (integer(labels) and out.ndim == labels.ndim + 1))
        or _label_column(out, labels)
        or bool(_whole_column(out, labels))
    )


def _label_column(out: Any, labels: np.ndarray) -> bool:
    """Whether integer labels are a column, (N, 1), beside class scores (N, C) of C > 1: class labels read
    as a table's column, which a class-label loss refuses (cross_entropy takes (N,)) and another would
    broadcast against the scores."""
    return (
        integer(labels) and labels.shape[1:] == (1,) and isinstance(out, Tensor) and out.ndim == 2 and out.shape[1] > 1
    )


def _whole_column(out: Any, labels: np.ndarray) -> str:
    """What to say of float labels holding whole numbers as a column, (N, 1), beside class scores (N, C) of C > 1
    (a CSV's labels, as np.loadtxt reads them), which a class-label loss refuses by their dtype ("" for others)."""
    if labels.dtype.kind != "f" or labels.shape[1:] != (1,) or not isinstance(out, Tensor) or out.ndim != 2:
        return ""
    if out.shape[1] < 2 or not np.array_equal(labels, np.round(labels)):
        return ""
    return (
        f"; y holds class labels as a column of {labels.dtype}: give them as integers, y of shape ({len(labels)},), "
        "np.ravel(y).astype(int)"
    )


def _probe_rows(y: np.ndarray) -> list[int]:
    """The first two examples (a model may need more than one: BatchNorm with batch statistics), those
    holding the lowest and the highest label, and for float labels the first holding one that is not a
    whole number: what a loss or a metric refuses part-way (a label beyond the classes; accuracy of
    a regression's targets, counts up to 5 or fractions, whose first rows may be 0 and 1)."""
    rows = set(range(min(2, len(y))))
    if y.size and y.dtype.kind in "biuf":
        labels = y.reshape(-1)
        per_row = labels.size // len(y)  # labels per example: 1, or one per pixel
        rows |= {int(np.argmin(labels)) // per_row, int(np.argmax(labels)) // per_row}
        fractional = np.flatnonzero(labels != np.round(labels)) if y.dtype.kind == "f" else ()
        rows |= {int(fractional[0]) // per_row} if len(fractional) else set()
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

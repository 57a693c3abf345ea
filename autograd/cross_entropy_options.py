"""cross_entropy's options beyond the plain mean, PyTorch's for class indices: a `weight` per class,
`label_smoothing` and `reduction` ("mean", "sum" or "none"); and nll_loss, which is cross_entropy of
log-probabilities without the softmax (its loss `options_loss`, its rule `nll_grad`). The ops' forwards
(`options_loss`) and rules on arrays (`options_grad`, `nll_grad`) are shared by the ops (op_table_softmax)
and their compiled kernels (compile_kernels_softmax), so that a replay gives eager's bits; the rules on
nodes are the op table's. Scores of more dims (batch, classes, d1, ...) are taken as rows of classes
(`class_rows`), and so is one example (classes,).

With y a row's label, w the weights (1 without), W their sum, e the smoothing and C the classes, a
kept row's loss is (1 - e) w_y (-log p_y) + (e / C) Σ_c w_c (-log p_c), and its gradient
(1 - e) w_y (p - one hot) + (e / C) (W p - w). The mean divides the sum by the kept labels' weights
(their count without weights). Where that is 0 the mean is PyTorch's quotient by 0: NaN for a total of 0
(no row kept, or the kept labels all weighing 0), ±inf where negative weights cancel; its gradient then is
PyTorch's, entry by entry (`zero_sum_grad`): g / 0 carried through its steps, ±inf or NaN on the kept rows, and
0 when no row is kept."""

from __future__ import annotations

from typing import Any

import numpy as np

from .graph import raw

REDUCTIONS = ("mean", "sum", "none")
DEFAULTS: dict[str, Any] = {"weight": None, "label_smoothing": 0.0, "reduction": "mean"}


def class_rows(scores: Any) -> Any:
    """Logits (batch, classes, d1, ...) as rows of classes (batch·d1·..., classes), the class axis moved
    last (an array or a node: their methods); one example (classes,) as one row; (batch, classes) as they are."""
    if scores.ndim == 2:
        return scores
    if scores.ndim == 1:
        return scores.reshape(1, -1)
    moved = scores.transpose(0, *range(2, scores.ndim), 1)
    return moved.reshape(-1, moved.shape[-1])


def from_class_rows(rows: Any, shape: tuple[int, ...]) -> Any:
    """`class_rows`'s rows back in the logits' `shape`: the class axis moved back to 1."""
    if len(shape) == 2:
        return rows
    if len(shape) == 1:
        return rows.reshape(shape)
    last = len(shape) - 1
    return rows.reshape(shape[:1] + shape[2:] + shape[1:2]).transpose(0, last, *range(1, last))


def cross_entropy_grad(
    softmax: np.ndarray, kept: tuple, g: Any, rest: np.ndarray | None = None, at: np.ndarray | None = None
) -> np.ndarray:
    """cross_entropy's rule on arrays, written into `softmax` (a new array, or a compiled kernel's buffer,
    `rest` its buffer for the row sums): each kept row's label entry less one (minus the rest of its row
    where it is above 1/2: s - 1 cancels where s is near 1), all times g / rows kept, ignored rows 0.
    `kept` is `kept_rows`'s answer; `at` the labels' flat indices (`label_indices`) where the caller has them
    (eager's forward saves them; a compiled kernel's forward makes them in `sure_labels`). A handful of numpy calls
    on the rows' labels alone, where the recorded form makes a one-hot."""
    rows, classes, ignored = kept
    if at is None:  # take and put: a third of [rows, classes]'s time
        at = label_indices(softmax.shape[1], rows, classes)
    at_label = softmax.take(at)
    near_1 = at_label > 0.5
    if np.count_nonzero(near_1):  # in C: .any() is a Python method
        softmax.put(at, np.where(near_1, 0, at_label))
        others = np.add.reduce(softmax, axis=1, keepdims=True, out=rest).take(rows)  # np.sum's; 1-d, as at_label
        softmax.put(at, np.where(near_1, 0 - others, at_label - 1))
    else:
        softmax.put(at, at_label - 1)
    np.multiply(softmax, g / max(len(rows), 1), out=softmax)
    if ignored is not None:
        softmax[ignored] = 0  # the recorded form's where: +0, over a NaN of a row of -inf or NaN logits too
    return softmax


def label_indices(width: int, rows: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """The flat (C-order) indices of entries [rows, classes] of a (batch, width) array, for one take and one put
    where [rows, classes] is slower (1.4 and 3.3 against 0.5 and 0.7 us at 128 rows); uint64 labels as intp
    (int64 + uint64 is float)."""
    return rows * width + classes.astype(np.intp, copy=False)


def sure_labels(log_p: np.ndarray, exp: np.ndarray, rows: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """log p at each kept row's label where its loss is below 2**-20, in place, as -log1p of the sum of the
    row's other exponentials (`exp`: of the logits less the row's max): such a label is the row's only max, its
    exp 1, and log(total) lost the rest's last bits in rounding 1 + rest, all of a loss below 1e-16: [[40, 0,
    0]] with label 0 lost -0.0, not 8.5e-18. Above 2**-20 that rounding is under 1e-9 of the loss (classes ×
    1.1e-16 over it): left, as the slow path costs as much as the forward (the gradient takes the same rest
    wherever p > 1/2: cross_entropy_grad). The common path's cost: one take and one comparison. Returns the
    labels' flat indices into log_p (`log_p.take` of them is log_p[rows, classes], cheaper)."""
    width = log_p.shape[1]
    at = label_indices(width, rows, classes)
    sure = log_p.take(at) > -(2.0**-20)
    if not np.count_nonzero(sure):
        return at
    rows, sure_at = rows[sure], at[sure]
    others = exp[rows]  # a copy of those rows
    others.put(sure_at - rows * width + np.arange(len(rows)) * width, 0)
    log_p.put(sure_at, np.negative(np.log1p(np.add.reduce(others, axis=1))))
    return at


def weights_in(weight: Any, dtype: np.dtype) -> np.ndarray:
    """The weights' numbers (the caller's Tensor or array, read now) in the logits' dtype."""
    w = raw(weight)
    return w if w.dtype == dtype else w.astype(dtype)


def denominator(classes: np.ndarray, weight: Any, dtype: np.dtype) -> float:
    """What the mean divides by: the number of labels kept, or the sum (in float64) of their weights in
    the logits' `dtype`."""
    if weight is None:
        return classes.size
    return float(np.add.reduce(weights_in(weight, dtype)[classes], dtype=np.float64))


def options_loss(
    log_p: np.ndarray, kept: tuple, *, weight: Any = None, label_smoothing: float = 0.0, reduction: str = "mean"
) -> np.ndarray:
    """The loss from log_softmax of the logits (rows, classes) and `kept` (tensor_forwards.kept_rows's
    answer); ignored rows count for nothing, whatever their logits. A sum or mean adds in float64
    and is rounded once to the logits' dtype."""
    rows, classes, _ = kept
    w = None if weight is None else weights_in(weight, log_p.dtype)
    picked = log_p[rows, classes]
    # 0 - x, not -x: log p = 0 (a sure row) loses +0, not -0.0 (a loss >= 0 is never negative, not even -0.0)
    nll = 0 - picked if w is None else 0 - picked * w[classes]
    smooth = None
    if label_smoothing:  # the uniform part: minus the (weighed) sum of each kept row's log p
        kept_log_p = log_p[rows]
        smooth = 0 - np.add.reduce(kept_log_p if w is None else kept_log_p * w, axis=1)
    mix = (1 - label_smoothing, label_smoothing / log_p.shape[1])
    if reduction == "none":
        losses = np.zeros(log_p.shape[:1], log_p.dtype)
        losses[rows] = nll if smooth is None else mix[0] * nll + mix[1] * smooth
        return losses
    count = np.float64(denominator(classes, weight, log_p.dtype) if reduction == "mean" else 1)
    with np.errstate(divide="ignore", invalid="ignore"):  # by a count of 0: PyTorch's quotient, NaN or ±inf
        total = np.add.reduce(nll, dtype=np.float64) / count
        if smooth is not None:
            total = mix[0] * total + mix[1] * (np.add.reduce(smooth, dtype=np.float64) / count)
    return log_p.dtype.type(total)


def options_grad(
    softmax: np.ndarray,
    kept: tuple,
    g: Any,
    *,
    weight: Any = None,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
    rest: np.ndarray | None = None,
) -> np.ndarray:
    """The rule on arrays, written into `softmax` (a new array, or a compiled kernel's buffer; `rest` its
    buffer for the row sums), in the steps the recorded rule takes (op_table_softmax), for its bits."""
    rows, classes, ignored = kept
    if reduction == "mean" and rows.size and not denominator(classes, weight, softmax.dtype):
        row_sums = lambda x: np.add.reduce(x, axis=1, keepdims=True)  # noqa: E731
        np.copyto(softmax, zero_sum_grad(softmax, kept, g, weight, label_smoothing, row_sums))
    else:
        smoothed = softmax.copy() if label_smoothing else None
        # softmax - one hot: the plain rule at g = its divisor, whose quotient, 1, leaves every bit as it is
        cross_entropy_grad(softmax, (rows, classes, None), max(len(rows), 1), rest)
        if weight is not None:
            np.multiply(softmax, label_weights(softmax, rows, classes, weight), out=softmax)
        if smoothed is not None:
            spread, total, each = smoothing_terms(softmax, label_smoothing, weight)
            np.multiply(softmax, 1 - label_smoothing, out=softmax)
            np.add(softmax, spread * (smoothed * total - each), out=softmax)
        np.multiply(softmax, row_factor(g, reduction, classes, weight, softmax.dtype), out=softmax)
    if ignored is not None:
        softmax[ignored] = 0  # the recorded form's where: +0, over a NaN of a row of -inf or NaN logits too
    return softmax


def zero_sum_grad(s: Any, kept: tuple, g: Any, weight: Any, label_smoothing: float, row_sums: Any) -> Any:
    """The gradient of the mean where the kept labels' weights add up to 0 (W, +0 or -0), as PyTorch computes
    it, entry by entry: G = g / W (±inf, NaN at g = 0) flows to log p as nll_loss's -(1 - e) w_y G at each kept
    label (0 elsewhere) plus the smoothing's -(e / C) w_c G on each kept row, and on to the logits as
    log_softmax's rule, d - s Σd. So the label entry is inf - inf, NaN, the others ±inf (NaN where s or a weight
    is 0), and ignored rows 0: a quotient by 0 has no right number, and these are PyTorch's. `s` the softmax
    (rows, classes), on arrays or nodes, with that engine's `row_sums` (keeping the axis)."""
    from .rule_functions import where  # here: rule_functions is built on the op table, which imports this module

    rows, classes, _ = kept
    scores = raw(s)
    at_label = np.zeros(scores.shape, bool)
    at_label[rows, classes] = True
    w = weights_in(weight, scores.dtype)
    with np.errstate(invalid="ignore"):
        ratio = g * np.copysign(np.inf, denominator(classes, weight, scores.dtype))  # g / W
        d = where((1 - label_smoothing) * ratio * -label_weights(s, rows, classes, weight), 0.0, cond=at_label)
        if label_smoothing:
            on_kept = np.zeros(scores.shape, bool)
            on_kept[rows] = True
            d = d + where(label_smoothing / scores.shape[1] * ratio * -w, 0.0, cond=on_kept)
        return d - s * row_sums(d)


def label_weights(scores: Any, rows: np.ndarray, classes: np.ndarray, weight: Any) -> np.ndarray:
    """Each row's label's weight, as a column (rows, 1) of the scores' dtype; 0 on ignored rows."""
    column = np.zeros((np.shape(scores)[0], 1), np.result_type(raw(scores)))
    column[rows, 0] = raw(weight)[classes]
    return column


def smoothing_terms(scores: Any, label_smoothing: float, weight: Any) -> tuple[float, Any, Any]:
    """(e / C, W, w) of the smoothing's part of the gradient of the scores, (e / C) (W p - w): W and w
    are C and 1 without weights; w in the scores' dtype."""
    classes = np.shape(scores)[1]
    if weight is None:
        return label_smoothing / classes, float(classes), 1.0
    w = weights_in(weight, np.result_type(raw(scores)))
    return label_smoothing / classes, float(np.add.reduce(w, dtype=np.float64)), w


def row_factor(g: Any, reduction: str, classes: np.ndarray, weight: Any, dtype: np.dtype) -> Any:
    """What each row's gradient is multiplied by: g over the mean's denominator (PyTorch's g / 0 where that is 0
    and some row is kept, ±inf, NaN at g = 0; with no row kept all rows are 0 anyway), g itself for a sum, or
    for "none" each row's g, as a column."""
    if reduction == "none":
        return g.reshape(-1, 1)
    if reduction == "sum":
        return g
    count = denominator(classes, weight, dtype)
    if count:
        return g / count
    return g * np.copysign(np.inf, count) if classes.size else g  # no row kept: g, for a second derivative of 0


def minus_label_weights(count: int, dtype: np.dtype, rows: np.ndarray, classes: np.ndarray, weight: Any) -> np.ndarray:
    """nll_loss's local derivative at each of `count` rows' label, as a column (count, 1) of `dtype`: minus
    the label's weight (-1 without weights); 0 on ignored rows, which its rule leaves out."""
    column = np.zeros((count, 1), dtype)
    column[rows, 0] = 1 if weight is None else raw(weight)[classes]  # cast, then negated: -w of unsigned wraps
    return np.negative(column, out=column)


def nll_grad(g: Any, kept: tuple, grad: np.ndarray, *, weight: Any = None, reduction: str = "mean") -> np.ndarray:
    """nll_loss's rule on arrays, written into `grad` (the rows' shape: a new array, or a compiled kernel's
    buffer): at each kept row's label, minus its weight times `row_factor` (the product the recorded rule
    forms, for its bits), 0 everywhere else. Linear in g and constant in the scores: its own derivative is 0."""
    rows, classes, _ = kept
    with np.errstate(invalid="ignore"):  # the mean of kept labels weighing 0: NaN at them, as PyTorch's
        at_labels = minus_label_weights(len(grad), grad.dtype, rows, classes, weight) * row_factor(
            g, reduction, classes, weight, grad.dtype
        )
    grad.fill(0)
    grad[rows, classes] = at_labels[rows, 0]
    return grad

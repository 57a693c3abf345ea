"""The numpy forwards of tensor-only ops that take more than a line: the op table's entries
(`op_table_tensor`) read them. The softmax family takes the max out first, so it is stable for
logits of any size."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import scaled_products
from .cross_entropy_options import class_rows, options_loss, sure_labels
from .dtypes import floats
from .half_precision import added_at
from .scaled_sums import unless_overflowed

Axis = int | tuple[int, ...] | None


def wide(x: np.ndarray) -> Any:
    """The dtype a float16 or float32 x is summed in by sum, mean, var, std, cumsum and (along an axis that is
    not the last) the softmax family: float64, rounded once at the end (None: x's own). numpy adds along an
    axis that is not the last one row by row in x's dtype, and var subtracts a mean rounded to it: float32's
    mean over 1e6 rows was 1e-5 off, and its variance of data whose mean is 1e6 times their spread 1e-2 off
    (PyTorch's within 1e-7, its var in float64)."""
    return np.float64 if x.dtype.kind == "f" and x.dtype.itemsize < 8 else None


def _rounded_once(reduce: Any) -> Any:
    """`reduce` (np.sum, np.mean, np.prod) as the op's forward: in float64 for float16 and float32 (`wide`),
    rounded once to x's dtype; other dtypes as numpy gives them. A float32 product rounded at each step
    overflowed on its way: [1e30, 1e30, 1e-30, 2] gave inf (and with a 0 for the 2, NaN) where it is 2e30."""

    def forward(x: np.ndarray, *, axis: Axis, keepdims: bool) -> np.ndarray:
        acc = wide(x)
        if acc is None:
            if reduce is np.prod:
                return reduce(x, axis, keepdims=keepdims)
            return unless_overflowed(x, axis, keepdims, reduce)
        return reduce(x, axis, acc, keepdims=keepdims).astype(x.dtype)

    forward.__name__ = forward.__qualname__ = reduce.__name__
    return forward


total, _mean, _product = _rounded_once(np.sum), _rounded_once(np.mean), _rounded_once(np.prod)


def mean(x: np.ndarray, *, axis: Axis, keepdims: bool) -> np.ndarray:
    """The mean op's forward. A mean of nothing (an empty axis) is NaN, undefined (PyTorch's NaN), with numpy's
    one warning, "Mean of empty slice": not its 0/0's "invalid value" too, nor both again from the retry of a
    non-finite result on scaled entries (four warnings, for one NaN)."""
    if x.size == 0 and np.size(np.sum(np.empty(x.shape, bool), axis, keepdims=keepdims)):
        with np.errstate(invalid="ignore"):
            return np.mean(x, axis, wide(x), keepdims=keepdims).astype(x.dtype if x.dtype.kind == "f" else np.float64)
    return _mean(x, axis=axis, keepdims=keepdims)


def _count(x: np.ndarray, axis: Axis) -> int:
    """How many entries each result of a reduction of x over `axis` (None: all) adds up."""
    return math.prod(np.shape(x)[a] for a in (range(x.ndim) if axis is None else np.atleast_1d(axis)))


def product(x: np.ndarray, *, axis: Axis, keepdims: bool) -> np.ndarray:
    """prod's forward: numpy's (rounded once, above) where no partial product can leave the float range,
    else in mantissas and exponents (scaled_products): [1e-200, 1e-200, 1e300] gave 0 where it is 1e-100."""
    if scaled_products.in_range(x, _count(x, axis)):
        return _product(x, axis=axis, keepdims=keepdims)
    return scaled_products.product(x, axis, keepdims).astype(x.dtype)


def _running_rounded_once(run: Any) -> Any:
    """`run` (np.cumsum, np.cumprod) along one axis as the op's forward: in float64 for float16 and float32
    (`wide`), each entry rounded once, as PyTorch's CPU kernels accumulate (in double). numpy runs them in
    x's dtype: float32's running sum of a million 0.1s ended at 100958 (PyTorch's 100000), and [1e20, 1,
    -1e20, 1e-20]'s running product at -inf, where it is -1e20."""

    def forward(x: np.ndarray, *, axis: int) -> np.ndarray:
        acc = wide(x)
        if acc is not None:
            return run(x, axis, acc).astype(x.dtype)
        return run(x, axis) if run is np.cumprod else unless_overflowed(x, axis, None, run)

    forward.__name__ = forward.__qualname__ = run.__name__
    return forward


running_sum, _running_product = _running_rounded_once(np.cumsum), _running_rounded_once(np.cumprod)


def running_product(x: np.ndarray, *, axis: int) -> np.ndarray:
    """cumprod's forward: as `product`, numpy's where no partial product can leave the range."""
    if scaled_products.in_range(x, np.shape(x)[axis]):
        return _running_product(x, axis=axis)
    return scaled_products.running_product(x, axis).astype(x.dtype)


def sum_to(x: np.ndarray, *, shape: tuple[int, ...]) -> np.ndarray:
    lead = x.ndim - len(shape)
    stretched = tuple(lead + i for i, n in enumerate(shape) if n == 1 and x.shape[lead + i] != 1)
    return gradient_sum(x, tuple(range(lead)) + stretched).reshape(shape)


def gradient_sum(x: np.ndarray, axes: tuple[int, ...], out: np.ndarray | None = None) -> np.ndarray:
    """x summed over `axes`, kept (into `out` if given): what a gradient is summed back to its input's
    shape with (unbroadcast, the sum_to op, a compiled step's SumTo), so that all three give the same
    bits. float16 is added in float32 and rounded once, as PyTorch accumulates half: numpy adds along an
    axis that is not the last row by row in float16, which put a softmax's gradient over 3000 rows 149
    units in the last place off (PyTorch's within one). Other dtypes in their own (np.sum's reduce). Where every
    summed axis has length 1 (a bias's gradient at a batch of one) each sum is one term, added to the sum's
    start, 0, as numpy's reduce adds it (-0.0 gives +0.0): the same bits, in one pass without the reduction
    and its overflow check, which one term cannot meet (3 of a batch-1 step's 20 reductions)."""
    if x.dtype.char in "fd" and _one_term(x.shape, axes):
        return np.add(x, 0.0, out=out)
    if x.dtype != np.float16:
        return unless_overflowed(x, axes, True, np.add.reduce, out)  # [1e308, 1e308, -1e308] sends 1e308, not inf
    total = np.add.reduce(x, axis=axes, keepdims=True, dtype=np.float32)
    if out is None:
        return total.astype(np.float16)
    np.copyto(out, total, casting="same_kind")
    return out


def _one_term(shape: tuple[int, ...], axes: tuple[int, ...]) -> bool:
    """Whether each of `axes` of `shape` has length 1: a sum over them has one term per entry."""
    for a in axes:
        if shape[a] != 1:
            return False
    return True


def is_basic(index: Any) -> bool:
    """Slices, integers, None and Ellipsis select each element at most once."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice)) for p in parts)


def index_add(g: np.ndarray, *, index: Any, shape: tuple[int, ...]) -> np.ndarray:
    if not is_basic(index):
        return added_at(shape, index, g)  # a repeated index adds up (float16: in float32, rounded once)
    out = np.zeros(shape, dtype=g.dtype)
    out[index] = g
    return out


SHORT_ROW = 32  # classes up to which max_kept reduces over a transposed copy


def max_kept(x: np.ndarray, axis: Axis) -> np.ndarray:
    """np.max(x, axis=axis, keepdims=True). Along the short rows of a C-contiguous matrix (the logits
    of a few classes) it reduces the transposed copy's rows instead, elementwise: numpy's reduce along a
    row of ten costs about 90 ns a row, this a few. A max is exact: the same numbers, but for the sign
    of a zero max where a row's largest are +0 and -0 both (either is its max)."""
    if x.ndim == 2 and axis in (1, -1) and 0 < x.shape[1] <= SHORT_ROW and x.flags.c_contiguous:
        return np.maximum.reduce(x.T.copy(), axis=0).reshape(-1, 1)
    if x.size == 0:  # rows of nothing have the max of nothing, -inf (their logsumexp: -inf, as PyTorch's)
        return np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    return np.max(x, axis=axis, keepdims=True)


def shift(top: np.ndarray) -> np.ndarray:
    """What each row is shifted by: its max, or 0 for a row of -inf (its exps are then 0, its logsumexp
    -inf). A +inf max stays, as in PyTorch: x - inf makes that row's softmax and log_softmax NaN.
    `top` is max_kept's new array (a 0-d input's: a numpy scalar); a float one is changed in place, two C
    calls where np.where's dispatch costs more (bools and integers have no -inf: np.where promotes them
    as ever, bools to integers, so that x - top is defined)."""
    top = np.asarray(top)
    if top.dtype.kind != "f":
        return np.where(top == -np.inf, 0, top)
    np.copyto(top, 0, where=top == -np.inf)
    return top


def _shifted(x: np.ndarray, axis: Axis) -> tuple[np.ndarray, np.ndarray]:
    """(x - max, max) along axis: the max is taken out before anything else touches the numbers,
    so exp never overflows and large logits keep their precision. Integers are taken as `floats`:
    x - max wrapped around in unsigned ones (softmax of uint8 logits was NaN)."""
    x = floats(x)
    top = shift(max_kept(x, axis))
    return minus_top(x, top), top


@np.errstate(over="ignore")  # as a decorator: half the instructions of a `with` block per call
def minus_top(x: np.ndarray, top: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """x - top, quietly: an entry more than the largest float below its row's max (-1e308 beside 1e308)
    overflows to -inf, which is the difference rounded, and its exponential, 0, exact."""
    return np.subtract(x, top, out=out)


def _exp_and_sum(shifted: np.ndarray, axis: Axis) -> tuple[np.ndarray, np.ndarray]:
    """The shifted entries' exponentials and their sums along axis (kept): softmax is their quotient,
    logsumexp the log of the sums (np.sum's reduce, without its Python). Along the last axis alone numpy
    adds pairwise, within a rounding or two; along any other it adds row by row in the dtype, which put a
    float32 logsumexp over 1e5 rows 47 units in the last place off and a float16 softmax over 3000 rows 78
    (PyTorch's within one): there float16 and float32 are summed in float64 (`wide`) and rounded once. Not
    along the last, which keeps (batch, classes) softmax and cross_entropy as fast as they were."""
    exp = np.exp(shifted)
    if _last_alone(exp.ndim, axis):
        return exp, np.add.reduce(exp, axis=axis, keepdims=True)
    acc = wide(exp)
    total = np.add.reduce(exp, axis=axis, keepdims=True, dtype=acc)
    return exp, total if acc is None else total.astype(exp.dtype)


def _last_alone(ndim: int, axis: Axis) -> bool:
    """Whether a reduction over `axis` is over the last axis alone, of an array of ndim axes (0-d: not)."""
    if axis.__class__ is int:  # the common call (softmax's, cross_entropy's), without a tuple
        return ndim > 0 and axis % ndim == ndim - 1
    axes = tuple(range(ndim)) if axis is None else (axis,) if isinstance(axis, np.integer) else tuple(axis)
    return ndim > 0 and len(axes) == 1 and axes[0] % ndim == ndim - 1


def _log_sum_exp_shifted(shifted: np.ndarray, axis: Axis) -> np.ndarray:
    return np.log(_exp_and_sum(shifted, axis)[1])


def log_softmax(x: np.ndarray, *, axis: Axis) -> np.ndarray:
    shifted, _ = _shifted(x, axis)
    with np.errstate(divide="ignore"):  # an empty axis sums to 0: its log, -inf, is taken from no entry
        return shifted - _log_sum_exp_shifted(shifted, axis)


def logsumexp(x: np.ndarray, *, axis: Axis, keepdims: bool) -> np.ndarray:
    shifted, top = _shifted(x, axis)
    with np.errstate(invalid="ignore"):  # a +inf row's shifted inf - inf: its logsumexp is +inf, as PyTorch's
        out = np.where(top == np.inf, top, _log_sum_exp_shifted(shifted, axis) + top)
    return out if keepdims else np.squeeze(out, axis=axis)


def softmax(x: np.ndarray, *, axis: int) -> np.ndarray:
    exp, total = _exp_and_sum(_shifted(x, axis)[0], axis)
    return exp / total


def kept_rows(labels: np.ndarray, ignore_index: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(rows, their labels, ignored) for cross_entropy: the rows whose label is not `ignore_index`,
    and the mask of those whose label is. When no row's is (always without an ignore_index, the
    common case): every row, the labels as they are, and None."""
    rows = np.arange(len(labels))
    ignored = None if ignore_index is None else labels == ignore_index
    if ignored is None or not np.count_nonzero(ignored):  # count_nonzero: a third cheaper than .any()
        return rows, labels, None
    rows = rows[~ignored]
    return rows, labels[rows], ignored


def cross_entropy(
    logits: np.ndarray, *, labels: np.ndarray, ignore_index: int | None = None, **options: Any
) -> np.ndarray:
    """The mean over the rows kept of -log_softmax(logits)[label]: a row whose label is ignore_index
    counts for nothing, whatever its logits (-inf, NaN); with none kept, NaN (PyTorch's mean of nothing).
    `options` (weight, label_smoothing, reduction): cross_entropy_options.options_loss."""
    return cross_entropy_saving(logits, labels=labels, ignore_index=ignore_index, **options)[0]


def cross_entropy_saving(
    logits: np.ndarray, *, labels: np.ndarray, ignore_index: int | None = None, **options: Any
) -> tuple[np.ndarray, tuple[Any, ...]]:
    """cross_entropy, and what its rule would compute again: the exponentials of the shifted logits
    and their row sums, whose quotient is `softmax(logits, axis=1)` bit for bit (log_softmax's steps), the rows
    kept (`kept_rows`) and their labels' flat indices (`label_indices`, sure_labels's answer); for logits of more
    dims than (batch, classes), of their `class_rows` (reduction "none": the losses in the labels' shape)."""
    shape = labels.shape
    if logits.ndim != 2:
        logits, labels = class_rows(logits), labels.reshape(-1)
    shifted, _ = _shifted(logits, 1)
    exp, total = _exp_and_sum(shifted, 1)
    log_p = shifted - np.log(total)  # log_softmax's steps
    kept = kept_rows(labels, ignore_index)
    at = sure_labels(log_p, exp, kept[0], kept[1])
    if options:
        loss = options_loss(log_p, kept, **options)
        return (loss.reshape(shape) if loss.ndim else loss), (exp, total, kept, at)
    # 0 - mean, not -mean: a row the model is sure of has log p 0 at its label, whose loss is +0, not -0.0
    return _minus_mean(log_p.take(at)), (exp, total, kept, at)


def _minus_mean(picked: np.ndarray) -> Any:
    """0 - np.mean(picked) (NaN of no rows, PyTorch's mean of nothing), in picked's dtype: for float32 and float64
    np.mean's own steps without its Python (its sum, divided in float64 by the count and rounded to the dtype; the
    compiled kernel's, compile_kernels_softmax), else np.mean."""
    if not picked.size:
        return picked.dtype.type(np.nan)
    if picked.dtype.char in "fd":
        return picked.dtype.type((0 - float(np.add.reduce(picked))) / picked.size)
    return 0 - np.mean(picked)


def nll_loss(
    log_probs: np.ndarray, *, labels: np.ndarray, ignore_index: int | None = None, **options: Any
) -> np.ndarray:
    """Minus each kept row's log-probability at its label, weighed and reduced as cross_entropy's are
    (cross_entropy_options.options_loss, without smoothing); scores of other dims as rows of classes
    (reduction "none": the losses in the labels' shape)."""
    loss = options_loss(class_rows(log_probs), kept_rows(labels.reshape(-1), ignore_index), **options)
    return loss.reshape(labels.shape) if loss.ndim else loss

"""What the losses of nn.losses share: predictions paired with their targets (checked: the same
shape, numbers), and the reduction of the per-element terms ("mean", "sum" or "none")."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, Value, copied_from, label_fix, needs_grad, raw, repr_of, type_name, validate

from .arguments import REAL_KINDS, as_array, check_choice
from .losses_fits import BeyondDtype, constant_fits

Predictions = Tensor | Value | Sequence[Value]
REDUCTIONS = ("mean", "sum", "none")


def pairs(
    pred: Predictions, target: Any, name: str, promote: bool = False, what: str = "the target"
) -> list[tuple[Any, Any]]:
    """(prediction, target) per example for Values; a Tensor prediction is one pair, whole. With `promote`, a
    floating target Tensor of a wider dtype widens the prediction to it (in_floats), as PyTorch's loss promotes
    (mse_loss of float32 against float64 is float64); without, the target is cast to the prediction's dtype, as
    PyTorch's huber_loss and soft_margin_loss keep the input's. `what`: the target's name in messages."""
    if isinstance(pred, Tensor):
        check_nonempty(pred, name)
        pred = in_floats(pred, target, promote)
        return [(pred, _tensor_target(pred, target, name, promote, what))]
    preds = [pred] if isinstance(pred, Value) else list(pred) if isinstance(pred, list | tuple) else None
    odd = type_name(pred) if preds is None else _first_odd(preds, Value)
    if odd:
        raise TypeError(f"{name}: predictions must be a Tensor, a Value or a list of Values, got {odd}")
    if not preds:
        raise ValueError(f"{name}: no predictions (an empty list)")
    targets = _value_targets(target, name)
    if len(targets) != len(preds):
        raise ShapeError(f"{name}: {len(preds)} predictions but {len(targets)} targets; give one target per prediction")
    return list(zip(preds, targets))


def check_nonempty(pred: Tensor, name: str) -> None:
    """ValueError for a Tensor of predictions with no elements: a loss of an empty batch means nothing (its mean
    is NaN)."""
    if pred.size == 0:
        raise ValueError(f"{name}: no predictions (a batch of shape {pred.shape})")


def in_floats(pred: Tensor, target: Any = None, promote: bool = False) -> Tensor:
    """Predictions in floats, integers and bools as numpy's ufuncs take them (uint8 and bool in float16):
    a loss's steps in their dtype (p - t, the target cast to it, -log p) wrapped around in unsigned
    integers (l1_loss of uint8 predictions was 85 times too large) and were refused for bools in numpy's words.
    A floating target's array (or Tensor) counts too, as numpy's p - t would promote: uint8 predictions beside
    float64 targets are float64 (float16 rounded a target of 200.3 to 200.25, and a sum of squares of 255s
    overflowed to inf from 65504). With `promote`, float predictions widen to a floating target Tensor's dtype,
    PyTorch's promotion of two tensors; an array or a list stays a constant taken in the predictions' dtype, as
    chainrule's losses have always taken them (np.array([1.0, 0.0]) is float64, torch.tensor([1.0, 0.0]) float32:
    a float32 model's loss against arrays stays float32; a number the dtype cannot hold is refused: constant_fits)."""
    if pred.dtype.kind == "f" and not promote:
        return pred
    floats = pred.dtype.kind == "f"
    dtype = pred.dtype if floats else np.result_type(pred.dtype, np.float16)
    t_dtype = None
    if isinstance(target, Tensor):  # its dtype, not its .data: a compiled step read numbers there, and ran eagerly
        t_dtype = target.dtype
    elif not floats and isinstance(target, np.ndarray | list | tuple):
        try:
            t_dtype = np.asarray(target).dtype
        except ValueError:  # a ragged list: _tensor_target names it
            pass
    if t_dtype is not None and t_dtype.kind == "f":
        dtype = np.result_type(dtype, t_dtype)
    return pred if dtype == pred.dtype else pred.astype(dtype)


def reduce(terms: list[Any], reduction: str, name: str, also: str = "") -> Any:
    """The per-element terms reduced: their "mean" or "sum" (a 0-d Tensor, a Value), or "none": the
    Tensor of terms, or the list of Value terms. `also` names other reductions the caller took."""
    check_reduction(reduction, name, also)
    if len(terms) == 1 and isinstance(terms[0], Tensor):
        return terms[0] if reduction == "none" else terms[0].sum() if reduction == "sum" else terms[0].mean()
    if reduction == "none":
        return list(terms)
    total = sum(terms[1:], terms[0])
    if not math.isfinite(total.data) and all(math.isfinite(t.data) for t in terms):
        return _rescaled(terms, reduction)
    return total if reduction == "sum" else total * (1.0 / len(terms))


def _rescaled(terms: list[Value], reduction: str) -> Value:
    """The sum or mean of finite Value terms whose running sum overflowed ([1e308, 1e308, -1e308] summed to
    inf, its exact sum 1e308; [1e308, 1e308]'s mean to inf, not 1e308): added as t·2⁻ᵏ, k the bits of their
    count and one, which no partial sum can overflow, and scaled back once (inf only if the result does not fit)."""
    power = 2.0 ** -(len(terms).bit_length() + 1)
    total = sum((t * power for t in terms[1:]), terms[0] * power)
    return total * (1 / power if reduction == "sum" else 1 / power / len(terms))


def constant_weights(weight: Any, arg: str, name: str, what: str) -> np.ndarray | Tensor:
    """The weights of loss `name` (its argument `arg`, `what` in messages), finite numbers (a negative one too, as
    PyTorch 2.13 takes it: a weighted sum is well defined, and a mean by weights adding up to 0 is PyTorch's
    quotient by 0, NaN or ±inf; NaN and inf are refused, no weight): constants, so a
    Tensor that requires grad is refused rather than silently not differentiated. A Tensor is given back as it
    is, its numbers left unread (checked through validate: a compiled step's replays read them live, and read
    nothing that nn made of them); anything else as an array."""
    if isinstance(weight, Tensor) and needs_grad(weight):
        raise TypeError(f"{name}: {what} are constants here and take no gradient; give {arg}.detach() or an array")
    w = weight if isinstance(weight, Tensor) else np.asarray(weight)
    if w.dtype.kind not in REAL_KINDS:
        raise TypeError(f"{name}: {arg} must hold numbers, got {type_name(weight)} of {w.dtype}")
    # the caller's array or Tensor through validate: a compiled step's replays check each call's weights. A
    # number or a list is the step's own (a literal, a module's guarded setting; a list is pinned to its numbers
    # too, `as_read`): checked here, as `w`, a copy made on each call, could not be validated again by a replay
    # (the step then never replayed)
    require(
        [weight if isinstance(weight, np.ndarray | Tensor) else float(w) if w.ndim == 0 else np.ravel(w).tolist()],
        np.isfinite,
        lambda bad: f"{name}: {arg} must hold finite numbers, got {bad:g}",
    )
    return w


def class_weights(weight: Any, scores: Tensor, classes: int, name: str) -> np.ndarray | Tensor | None:
    """A loss of class scores' `weight`, checked (constant_weights): one finite number per class of
    `scores` (None stays None; a Tensor given back, unread). A Tensor of another dtype is cast to the scores'
    (PyTorch's refuses it), where rounding a wider one is of the size of the loss's own rounding in that dtype,
    as arrays are; of probabilities, cross_entropy widens the scores to it, as PyTorch's."""
    if weight is None:
        return None
    w = constant_weights(weight, "weight", name, "class weights")
    if w.shape != (classes,):
        raise ShapeError(
            f"{name}: weight of shape {w.shape} for scores of shape {scores.shape}: give one weight per class, "
            f"shape ({classes},)"
        )
    return w


def check_integer_labels(
    labels: np.ndarray, scores_shape: tuple[int, ...], name: str, probabilities: bool = False
) -> None:
    """Class labels of an integer dtype, else a TypeError naming autograd's fix for them (label_fix: the rule
    autograd's losses follow too); `probabilities`: the loss takes class probabilities of the scores' shape."""
    if labels.dtype.kind in "iu":
        return
    fix = label_fix(labels, scores_shape, name, probabilities)
    raise TypeError(f"{name} needs integer class labels, got labels of dtype {labels.dtype}: {fix}")


def op_weights(weight: Any, checked: np.ndarray | Tensor | None, scores: Tensor, name: str) -> Any:
    """Class weights as autograd's ops of class scores take them (cross_entropy, nll_loss, multi_margin_loss),
    which read their numbers on each call: the caller's Tensor or array itself; a list as the array `checked`,
    noted as copied from it (`copied_from`: a compiled step's replays record again when an item is set). The ops
    cast them to the dtype they compute in, the `scores`' (float32 for float16): one beyond it is refused
    (`constant_fits`; a weight of 1e39 for float32 scores made their mean NaN)."""
    if weight is None:
        return None
    constant_fits(checked, np.result_type(scores.dtype, np.float32), name, "weight", False, weight)
    return weight if isinstance(weight, Tensor | np.ndarray) else copied_from(checked, weight)


def as_read(  # noqa: PLR0913 (the weights, their dtype, and how messages name them)
    weight: Any, checked: np.ndarray | Tensor, dtype: np.dtype, name: str, what: str, promotes: bool = False
) -> Any:
    """Weights (`checked`, from constant_weights) as a loss's graph reads them: the caller's own constant
    Tensor or array as an operand in `dtype` (`as_operand`: itself, or cast by the astype op, which a compiled
    step runs again on each call's numbers: a Tensor's read live, an array argument's fed as an input, a held
    array's pinned to its numbers); a number or a list as an array in `dtype`, a list's pinned to its numbers
    (`copied_from`: a replay records again when an item is set); one that overflows `dtype` refused (`constant_fits`,
    naming loss `name`'s argument `what`; `promotes`: whether a Tensor of the weights widens the loss)."""
    if isinstance(weight, Tensor | np.ndarray):
        return as_operand(weight, dtype, name, what, promotes)
    constant_fits(checked, dtype, name, what, promotes, weight)
    return copied_from(checked.astype(dtype), weight)


def check_reduction(reduction: Any, name: str, also: str = "") -> None:
    check_choice(name, "reduction", reduction, REDUCTIONS, also)


def require(items: list[Any], ok: Callable[[np.ndarray], np.ndarray], why: Callable[[float], str]) -> None:
    """ValueError(why(x)) for the first number x of `items` (arrays, Tensors, Values, numbers) that
    is not ok. One array or Tensor is checked through autograd.validate, so that a compiled step
    checks each replay's own targets too, as it would eagerly."""

    def check(data: Any) -> None:
        bad = first_bad([data], ok)
        if bad is not None:
            raise ValueError(why(bad))

    if len(items) == 1 and isinstance(items[0], np.ndarray | Tensor):
        validate(check, items[0])
        return
    bad = first_bad(items, ok)
    if bad is not None:
        raise ValueError(why(bad))


def ranged_pairs(  # noqa: PLR0913 (pairs' arguments and the targets' check)
    pred: Predictions,
    target: Any,
    name: str,
    ok: Callable[[np.ndarray], np.ndarray],
    why: Callable[[float], str],
    promote: bool = False,
) -> list[tuple[Any, Any]]:
    """pairs(), their targets checked by `ok` (`require`: labels -1 or +1, probabilities in [0, 1]). A target
    beyond the predictions' dtype is refused as out of that range (`why`), not as beyond the dtype: 70000 is no
    label in any dtype, and the dtype's advice (model.float()) led to a second refusal."""
    try:
        found = pairs(pred, target, name, promote)
    except BeyondDtype:
        bad = first_bad([raw(target)], ok)
        if bad is None:
            raise
        raise ValueError(why(bad)) from None
    require([t for _, t in found], ok, why)
    return found


def first_bad(items: list[Any], ok: Callable[[np.ndarray], np.ndarray]) -> float | None:
    """The first number (of arrays, Tensors, Values, numbers) for which `ok` is False (NaN never is ok)."""
    data = np.concatenate([np.ravel(raw(x)) for x in items]).astype(float)
    bad = data[~ok(data)]
    return float(bad[0]) if bad.size else None


def _tensor_target(pred: Tensor, target: Any, name: str, promote: bool, what: str) -> Tensor | np.ndarray:
    """A target Tensor that requires grad as it is; anything else a constant of pred's dtype, copied
    here only to be cast. So an array of that dtype is used as itself, an operand that the ops copy
    (tensor_data.kept: a write into it before backward() changes no gradient), and a compiled step feeds
    each call's targets. A Tensor of that dtype stays a Tensor, so that its version count guards what a
    rule reads of it (hinge's, kl_div's, bce's): changed in place before backward(), it raises as any
    Tensor does. `promote`: whether
    the loss widens to a wider Tensor target (what `as_operand` advises where a target overflows pred's dtype),
    `what` the target's name in its messages."""
    if isinstance(target, Tensor) and target.dtype.kind in "biuf":
        t = as_operand(target, pred.dtype, name, what, promote)
    else:
        t = as_array(name, "the target", raw(target))
        if t.dtype.kind not in "biuf":
            raise TypeError(f"{name}: targets must be numbers, an array or a Tensor, got {type_name(target)}")
        t = as_operand(t, pred.dtype, name, what, promote, target)
    if t.shape != pred.shape:
        way = (  # a reshape where the sizes agree; else no reshape fits, and a number is missing or extra
            f"reshape one to the other (e.g. targets.reshape{pred.shape})"
            if t.size == pred.size
            else f"they hold {pred.size} and {t.size} numbers, so no reshape makes them fit: one target per prediction"
        )
        raise ShapeError(f"{name}: predictions of shape {pred.shape} and targets of shape {t.shape} differ; {way}")
    return t


def as_operand(  # noqa: PLR0913 (the operand, its dtype, and what constant_fits names and reads)
    target: Tensor | np.ndarray, dtype: np.dtype, name: str, what: str, promotes: bool = False, source: Any = None
) -> Tensor | np.ndarray:
    """A target (or weights: `what`, in loss `name`'s messages) as a loss's graph reads it, in `dtype`: a Tensor
    that a gradient flows to as it is; another, or an array, as it is in that dtype, or cast by the astype op,
    which a compiled step runs again on each call's target (an array's cast noted as copied from it,
    `copied_from`: pinned to the caller's array). A cast that overflows is refused (`constant_fits`; `source`, what
    the caller gave, a list, if not `target` itself)."""
    source = target if source is None else source
    if isinstance(target, Tensor):
        if target.dtype == dtype or needs_grad(target):
            return target
        constant_fits(target, dtype, name, what, False, source)  # a Tensor the loss did not widen to: no promotion
        return target.astype(dtype)
    if target.dtype == dtype:
        return target
    constant_fits(target, dtype, name, what, promotes, source)
    # in the array's own dtype first: Tensor() alone makes float16 float32, a copy a compiled step cannot feed
    return copied_from(Tensor(target, dtype=target.dtype).astype(dtype), target)


def _value_targets(target: Any, name: str) -> list[Any]:
    """One target per Value prediction: Values as they are, numbers as floats."""
    if isinstance(target, Tensor) and needs_grad(target):
        raise TypeError(
            f"{name}: Value predictions cannot pass gradients to a Tensor that requires grad; "
            "give Values as targets, or predict with Tensors"
        )
    items = [target] if isinstance(target, Value) else np.ravel(np.asarray(raw(target), dtype=object)).tolist()
    odd = _first_odd(items, Value | numbers.Real)
    if odd:
        raise TypeError(f"{name}: targets must be numbers or Values, got {odd}")
    return [t if isinstance(t, Value) else float(t) for t in items]


def _first_odd(items: list[Any], kind: Any) -> str:
    """The first item that is not of `kind`, with its type ('' when all are)."""
    for x in items:
        if not isinstance(x, kind):
            return f"{type_name(x)} {repr_of(x)}"
    return ""

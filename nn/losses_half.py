"""Every loss of float16 Tensors is computed in float32 and rounded once to float16: its value, and the gradients
reaching its float16 inputs (the astype op's rule rounds them), as autograd's fused class-score ops compute float16
scores. Step by step in float16 each step rounded and overflowed on the way to a result that fits: mse_loss's mean
over 1000 predictions with one error of 300 was inf where it is 90 (300² passed 65504), binary_cross_entropy's
mean gradient at p = 6e-8 -inf where it is -16777, gaussian_nll_loss's gradient at a var of 1e-8 inf where it is
62500 (its floor eps = 1e-6 was a float16 subnormal, 1.3% off, squared). Constants are checked and cast to the
loss's dtype first (a target of 70000 is still refused for a float16 model); weights are read in float32
(losses_element_weights). A result beyond float16 (a sum above 65504) is inf, as it is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Tensor, computed_in

from .losses_pairs import as_operand


def widened(
    found: list[tuple[Any, Any]], pred: Any, weights: Sequence[list[Any]] = (), promoting: Any = None
) -> tuple[list[tuple[Any, Any]], np.dtype | None]:
    """The pairs `found` (losses_pairs.pairs') of a float16 Tensor `pred` in float32 (or in a wider weight's
    dtype: any of `weights`, element_weights' lists read `wide`), and the loss's dtype to round the reduced loss
    back to (`narrowed`): the predictions', or a wider `promoting` weight Tensor's (loss_dtype). Else `found` as
    it is and None (float32 and float64 losses, Values)."""
    if not isinstance(pred, Tensor) or computed_in(found[0][0].dtype) is None:
        return found, None
    given = [w[0].dtype for w in weights if w[0] is not None]
    wide = np.result_type(computed_in(found[0][0].dtype), *given)
    return [(p.astype(wide), in_wide(t, wide)) for p, t in found], loss_dtype(found, promoting, True)


def widened_inputs(inputs: list[Any]) -> tuple[list[Any], np.dtype | None]:
    """A loss's `inputs` (Tensors of one float dtype, and numbers) in float32 where that dtype is float16, and the
    dtype to round the loss back to (`narrowed`); else as they are and None."""
    dtype = inputs[0].dtype
    wide = computed_in(dtype)
    if wide is None:
        return inputs, None
    return [in_wide(x, wide) for x in inputs], dtype


def in_wide(x: Any, wide: np.dtype) -> Any:
    """A float16 Tensor or array `x` in `wide`, through the graph (an array by the astype op, as as_operand casts
    targets: a compiled step casts each call's); anything else as it is."""
    if not isinstance(x, Tensor | np.ndarray) or computed_in(x.dtype) is None:
        return x
    return x.astype(wide) if isinstance(x, Tensor) else as_operand(x, wide, "loss", "the target")


def loss_dtype(found: list[tuple[Any, Any]], weight: Any, promote: bool) -> np.dtype:
    """The dtype of a loss of Tensor predictions (`found`'s) weighed by `weight`: theirs, or with `promote`, a
    wider floating weight Tensor's (ints and bools are weak beside floats)."""
    dtype = found[0][0].dtype
    if promote and isinstance(weight, Tensor) and weight.dtype.kind == "f":
        dtype = np.result_type(dtype, weight.dtype)
    return dtype


def narrowed(out: Any, dtype: np.dtype | None) -> Any:
    """A loss computed `widened`, rounded once back to its `dtype` (as it is where that is None)."""
    return out if dtype is None else out.astype(dtype)

"""What a loss's constants (targets, weights, var) given as arrays or lists must fit: the dtype they are cast to,
the predictions' (or the one a fused op of class scores computes in). A finite number beyond it is refused,
naming the fix, where numpy's cast made it inf with an overflow warning alone."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, made_infinite, raw, validate


class BeyondDtype(ValueError):
    """constant_fits' refusal, a ValueError: losses_pairs.ranged_pairs names a label or probability out of its range
    instead, where the number is no target in any dtype."""


def constant_fits(  # noqa: PLR0913 (the constant, its dtype, and what messages name)
    data: np.ndarray | Tensor, dtype: np.dtype, name: str, what: str, promotes: bool, source: Any
) -> None:
    """ValueError where a constant cast to the predictions' `dtype` has a finite number that overflows it (70000
    in float16 was inf, the loss inf or NaN with numpy's overflow warning alone), naming the fix: where the loss
    `promotes` (widens to a wider Tensor's dtype, as PyTorch's), the constant as a Tensor of the wider dtype
    named (an integer array's own Tensor, int64, would not widen it); else wider predictions. The rule is
    autograd.dtype_fits' (made_infinite), which check_fits applies to a number. Rounding in `dtype`, to a
    subnormal or 0 too, is of the size of the loss's own rounding there, and is kept (but for weights a mean
    divides by: mse_loss's and l1_loss's of float16 predictions are read in float32). The caller's
    array or Tensor (`source`) is checked through autograd.validate (a compiled step checks each call's
    numbers); `data` made from a list or a number, the step's own constant, here (as constant_weights checks
    them). The common case costs a min and a max."""
    dtype = np.dtype(dtype)
    if dtype.kind != "f" or data.dtype.kind not in "iuf" or np.can_cast(data.dtype, dtype, "safe"):
        return
    if data.dtype.kind in "iu" and dtype.itemsize >= 4:  # float32 holds every integer's size
        return
    top = float(np.finfo(dtype).max)

    def check(x: Any) -> None:
        a = raw(x)
        if (
            a.size == 0
            or max(abs(float(np.minimum.reduce(a, axis=None))), abs(float(np.maximum.reduce(a, axis=None)))) <= top
        ):
            return
        bad = made_infinite(a, dtype)
        if not bad.any():
            return
        wider, cast = ("float32", "float()") if dtype.itemsize < 4 else ("float64", "double()")
        fix = (
            f"give it as a {wider} Tensor (Tensor({what.removeprefix('the ')}, dtype=np.{wider})), which widens the "
            f"loss to {wider} as PyTorch promotes two tensors, or predict in {wider} (model.{cast})"
            if promotes and not isinstance(source, Tensor)
            else f"predict in {wider} (model.{cast}, or the predictions' .astype(np.{wider}))"
        )
        raise BeyondDtype(
            f"{name}: {what} holds {float(a[bad].flat[0]):g}, beyond {dtype.name}'s largest number ({top:g}), "
            f"the dtype {name} reads it in here: it would be inf; {fix}"
        )

    if isinstance(source, np.ndarray | Tensor):
        validate(check, source)
    else:
        check(data)

"""What a Tensor's `.grad` and `requires_grad` accept (a gradient of its shape and dtype; True only for
floating point), and the warning of reading `.grad` where a computed tensor keeps none."""

from __future__ import annotations

import sys
import warnings
from typing import Any

import numpy as np

from .dtypes import REAL_KINDS
from .graph import Node
from .tensor_data import array_of
from .tensor_ops import ShapeError
from .type_names import OWN_PACKAGES, repr_of, type_name  # OWN_PACKAGES: whose reads of `.grad` are the engine's own


def warn_not_kept(t: Any) -> None:
    """Warn of reading `.grad` of a computed tensor that keeps none: it is None after any backward, which a
    learner would take for "no gradient reached it" (micrograd keeps one on every Value); PyTorch warns too.
    Called from the getter only where it returns None for such a tensor; chainrule's own reads are silent."""
    if sys._getframe(2).f_globals.get("__name__", "").partition(".")[0] in OWN_PACKAGES:
        return
    warnings.warn(
        f".grad of a tensor computed by {t._made_by.op.name!r} (not a leaf) is None: backward keeps gradients "
        "on leaf tensors only (made with requires_grad=True). Call .retain_grad() on it before backward to keep "
        "it, or read .grad of the leaf you meant",
        UserWarning,
        stacklevel=3,  # the line that read .grad
    )


def checked_grad(t: Any, g: Any) -> Any:
    """`g` as `t.grad`: of t's shape and dtype, as PyTorch checks an assigned gradient (a later
    backward adds into it, and an optimizer steps by it: a wrong one would be broadcast or cast)."""
    if isinstance(g, Node) and not hasattr(g, "dtype"):
        raise TypeError(f"a {type_name(g)} assigned to .grad of a tensor: give an array (or a Tensor) of its shape")
    if isinstance(g, np.generic):
        g = np.asarray(g)
    elif not isinstance(g, Node | np.ndarray):  # numbers or a list: no dtype of their own
        g = array_of(g, ".grad")  # a ragged list: a ValueError, as Tensor()'s
        if g.dtype.kind in REAL_KINDS:
            g = g.astype(t.dtype)
    check_gradient_fits(t, g, "", "assigned to .grad of", "give")
    return g


def check_gradient_fits(t: Any, g: Any, source: str, to: str, verb: str) -> None:
    """Raise unless the gradient `g` has the tensor `t`'s dtype (a TypeError) and shape (a ShapeError): the
    one rule for a gradient given to a tensor, an assigned `.grad` and a hook's result alike, in the
    caller's words: "{source}a gradient of dtype float32 {to} a float64 tensor: {verb} one of its dtype".
    The dtype is checked first, as PyTorch checks an assigned `.grad`."""
    if g.dtype != t.dtype:
        raise TypeError(
            f"{source}a gradient of dtype {g.dtype} {to} a {t.dtype} tensor: {verb} one of its dtype "
            f"(.astype({t.dtype}))"
        )
    if g.shape != t.shape:
        raise ShapeError(
            f"{source}a gradient of shape {g.shape} {to} a tensor of shape {t.shape}: {verb} one of its shape"
        )


def checked_requires_grad(value: Any, dtype: np.dtype, what: str = "") -> bool:
    """`value` as requires_grad of a tensor of `dtype`: True or False (numpy's too), and True only for
    floating point, as PyTorch: an integer tensor cannot hold a gradient (it would be rounded). `what`: the
    function given it, named first (zeros, arange), where it is not Tensor() itself."""
    named = f"{what}: " if what else ""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{named}requires_grad must be True or False, got {repr_of(value)}")
    if value and dtype.kind != "f":
        raise TypeError(
            f"{named}only floating-point tensors can require gradients, got dtype {dtype}: "
            "make a float tensor first (t.astype(np.float32), or Tensor(data, dtype=np.float32))"
        )
    return bool(value)

"""Gradients a compiled replay proved finite, so that the optimizer step it calls next need not read them again.

nn's optimizers refuse a gradient holding NaN or an infinity before moving any weight (nn.optim_finite: a pass over
every gradient, np.vdot of it with itself). A weight's gradient at a batch of one is an outer product, `a.T @ g` with
one row each: entry (i, j) is a[i] * g[j], rounded once, so it is finite exactly where a and g are and the largest
|a[i] * g[j]| does not overflow. A replay checks that on a and g (k + n numbers, where the gradient holds k * n: 784
and 256 for the 200,704 of a 784-256 layer), and `known_finite` tells the optimizer so. At a larger batch the kernel's
own check of its product (compile_kernels.Contraction, a pass it makes anyway) is the proof. A proof it cannot make (a
non-finite factor, a product near the largest float, another shape) leaves the optimizer's own check to decide.

A proof is kept only while the replay makes the call right after its backward pass, and only of a method marked
`checks_gradients_first` (nn's optimizer step, which reads the gradients before anything else can write them); it
covers only the buffer the kernel wrote, and only where that buffer is the parameter's `.grad` (not a sum)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

# below this many entries in the gradient, reading it costs less than the proof's two passes and its Python
OUTER_PROOF_FROM = 4096
# np.vdot's sum of squares in float32 is within k * 2**-24 of the true sum (recursive summation, the worst case);
# up to this length that is under half of it, so twice the computed sum bounds the true one
_SUMMED_AT_MOST = 2**22
# what squares lost to underflow may hide, as a bound on max|a| (up to 2**22 squares below float32's least
# subnormal, 1.4e-45, sum to under 6e-39, whose square root is under 1e-19)
_UNDERFLOWED = 1e-18


class _Proven:
    """The ids of the arrays proven finite for the call being made (empty outside it)."""

    ids: frozenset[int] = frozenset()


PROVEN = _Proven()


def known_finite(array: Any) -> bool:
    """Whether a compiled replay proved `array` (a parameter's `.grad` it just wrote) free of NaN and infinities,
    for the optimizer step it is calling: that step may skip reading it. False everywhere else."""
    return id(array) in PROVEN.ids


def checks_gradients_first(method: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a replayed method (`autograd.replayed`, applied after this) that reads the parameters' gradients before
    any of its code could write them, so that a replay may tell it which it proved finite (`known_finite`)."""
    method.checks_gradients_first = True  # type: ignore[attr-defined]
    return method


def outer_is_finite(a: np.ndarray, g: np.ndarray, largest: float) -> bool:
    """Whether `a.T @ g` for one row each (every entry a[i] * g[j], rounded once to a dtype whose largest finite
    number is `largest`) is surely finite: both factors finite and max|a| * max|g| within that range. max|a|**2 is
    at most the sum of squares, which np.vdot gives within half of itself (_SUMMED_AT_MOST), less what underflowed
    (_UNDERFLOWED); NaN or an infinity in a factor makes its sum NaN or inf."""
    if max(a.size, g.size) > _SUMMED_AT_MOST:
        return False
    sa, sg = float(np.vdot(a, a)), float(np.vdot(g, g))
    if not (math.isfinite(sa) and math.isfinite(sg)):
        return False
    largest_a, largest_g = math.sqrt(2.0 * sa) + _UNDERFLOWED, math.sqrt(2.0 * sg) + _UNDERFLOWED
    return largest_a * largest_g <= largest

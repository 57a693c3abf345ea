"""Gradients a compiled replay proved finite, so that the optimizer step it calls next need not read them again.

nn's optimizers refuse a gradient holding NaN or an infinity before moving any weight (nn.optim_finite: a pass over
every gradient, np.vdot of it with itself). A weight's gradient at a batch of one is an outer product, `a.T @ g` with
one row each: entry (i, j) is a[i] * g[j], rounded once, so it is finite exactly where a and g are and the largest
|a[i] * g[j]| does not overflow. A replay checks that on a and g (k + n numbers, where the gradient holds k * n: 784
and 256 for the 200,704 of a 784-256 layer), and `known_finite` tells the optimizer so. At a larger batch the kernel's
own check of its product (compile_kernels.Contraction: a pass over it, or its operands' norms where they hold
fewer numbers, scaled_contractions.product_fits) is the proof. A proof it cannot make (a
non-finite factor, a product near the largest float, another shape) leaves the optimizer's own check to decide.

A proof is kept only while the replay makes the call right after its backward pass, and only of a method marked
`checks_gradients_first` (nn's optimizer step, which reads the gradients before anything else can write them); it
covers only the buffer the kernel wrote, and only where that buffer is the parameter's `.grad` (not a sum)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .scaled_contractions import norms_bound

# below this many entries in the gradient, reading it costs less than the proof's two passes and its Python
OUTER_PROOF_FROM = 4096


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
    number is `largest`) is surely finite: both factors finite and max|a| * max|g| within that range, bounded by
    their norms (scaled_contractions.norms_bound: NaN or an infinity in a factor gives inf)."""
    return norms_bound(a, g) <= largest

"""cdist, as torch.cdist: the p-norm distance between each row of one set of vectors and each row of
another, batched; and pdist, as torch.nn.functional.pdist: between each pair of rows of one set."""

from __future__ import annotations

import math

import numpy as np

from autograd import ShapeError, Tensor, check_memory, where

from .arguments import check_choice, check_number, layer_input
from .gradient_of import with_gradient_of
from .p_norm_rows import row_p_norm

# torch's compute_mode: whether its 2-norm takes the matrix-product form |a|² + |b|² - 2 a·b (quicker for many
# rows, and off by its cancellation where points are close). Each is taken; every one computes the differences.
COMPUTE_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist")


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """torch.cdist: x1 (*, P, M) and x2 (*, R, M), their batch dims broadcast, give (*, P, R), entry [i, j] the
    p-norm of x1[i] - x2[j]. p >= 0: 0 counts the entries that differ, inf takes the largest |difference|
    (its gradient going to every entry tied for it, as torch's). Computed from the differences, (*, P, R, M)
    entries, in every compute_mode: torch's matrix-product form would lose the digits of close points (its
    distance of a point to itself was 0.0014 to 0.002 in float32, 30 standard normal points of 10 numbers, not 0).
    The gradients are torch's, 0 at distance 0; second derivatives are the norm's (torch's cdist has none)."""
    x1, x2 = layer_input("cdist", x1), layer_input("cdist", x2)
    p = check_number("cdist", "p", p, "a number >= 0, or inf", lambda p: p >= 0)
    check_choice("cdist", "compute_mode", compute_mode, COMPUTE_MODES)
    _check_sets(x1, x2)
    pairs = (*np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2]), x1.shape[-2], x2.shape[-2], x1.shape[-1])
    fix = "compare fewer vectors at once (cdist of chunks of x1's rows, concatenated)"
    # the differences and their gradient (or a power of them) alive at once
    check_memory(
        "cdist",
        f"the differences of every pair and their power or gradient, two arrays of shape {pairs}",
        2 * math.prod(pairs),
        np.result_type(x1.dtype, x2.dtype),
        fix,
    )
    return _norms(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, "cdist")  # of (*, P, R, M) differences


def pdist(input: Tensor, p: float = 2.0) -> Tensor:  # noqa: A002
    """torch.nn.functional.pdist: the p-norm distance of each pair of rows i < j of input (N, M), N(N-1)/2 of
    them in the order (0, 1), (0, 2), ..., (1, 2), ...: cdist's of those pairs (p >= 0 or inf, gradient 0 at
    distance 0, as torch's; second derivatives the norm's, where torch's pdist has none)."""
    x = layer_input("pdist", input)
    p = check_number("pdist", "p", p, "a number >= 0, or inf", lambda p: p >= 0)
    if x.dtype.kind != "f" or x.ndim != 2:
        error = TypeError if x.dtype.kind != "f" else ShapeError
        raise error(
            f"pdist takes one set of row vectors (N, M) of floats, got {x.dtype} of shape {x.shape}: for "
            "batches of sets, cdist(x, x)"
        )
    n = x.shape[0]
    check_memory("pdist", f"the differences of {n * (n - 1) // 2} pairs of {x.shape[1]} numbers, and their power or "
                 "gradient", n * (n - 1) * x.shape[1], x.dtype, "compare fewer rows at once")  # fmt: skip
    first, second = np.triu_indices(n, 1)  # constants of the shape: a compiled step's replay takes them as they are
    return _norms(x[first] - x[second], p, "pdist")


def _norms(d: Tensor, p: float, owner: str) -> Tensor:
    """The p-norm of each difference, along the last axis, for `owner` (cdist or pdist)."""
    if p == 0:
        return _count_of_differences(d)
    if p == math.inf and d.shape[-1]:
        return _largest_difference(d)
    return row_p_norm(d, p, False, owner)  # vectors of no entries too: 0, as torch's (amax of none is refused)


def _check_sets(x1: Tensor, x2: Tensor) -> None:
    """torch's refusals, each naming what fits: floats, (*, P, M) and (*, R, M), batch dims that broadcast."""
    for name, x in (("x1", x1), ("x2", x2)):
        if x.dtype.kind != "f":
            raise TypeError(f"cdist takes floating-point inputs, got {name} of {x.dtype}: x.astype(np.float32)")
        if x.ndim < 2:
            raise ShapeError(
                f"cdist takes sets of row vectors, (*, P, M), got {name} of shape {x.shape}: for one vector, "
                f"{name}.reshape(1, -1)"
            )
    if x1.shape[-1] != x2.shape[-1]:
        raise ShapeError(
            f"cdist: x1 and x2 must have vectors of one length (the last axis), got shapes {x1.shape} and {x2.shape}"
        )
    try:
        np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
    except ValueError:
        raise ShapeError(f"cdist: the batch dims of x1 {x1.shape} and x2 {x2.shape} do not broadcast") from None


def _count_of_differences(d: Tensor) -> Tensor:
    """p = 0: how many entries of each difference are not 0, gradient 0 (torch's), in the graph; NaN where an
    entry is NaN, as torch's (`d != 0` alone would count it as differing)."""
    one, zero = np.ones((), d.dtype), np.zeros((), d.dtype)  # in d's dtype: a Python 1.0 would make float64
    count = where(d.isnan(), np.full((), np.nan, d.dtype), where(d != 0, one, zero)).sum(axis=-1)
    return count + (where(d.isfinite(), d, 0.0) * 0.0).sum(axis=-1)


def _largest_difference(d: Tensor) -> Tensor:
    """p = inf: the largest |d| of each difference, its gradient sign(d) at every entry tied for it, as torch's
    cdist (the norm op, as torch's vector_norm, shares it among the ties: half as much at a tie of two)."""
    size = abs(d)
    largest = size.amax(dim=-1)
    # every entry tied for the largest (comparisons of the graph's numbers, made again by a compiled step's replay);
    # an infinite one: inf, its gradient 0
    tied = (size == largest.unsqueeze(-1)) & size.isfinite()
    return with_gradient_of(largest, where(tied, size, 0.0).sum(axis=-1))

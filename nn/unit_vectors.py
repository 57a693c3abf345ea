"""x over its p-norm along an axis, held at least eps (`unit`): normalize's and cosine_similarity's, right wherever the
norm fits the dtype, rows whose norm is subnormal or past the range scaled first."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, raw, validate, where

from .gradient_of import with_gradient_of
from .norm_roots import same_path
from .p_norm_rows import row_p_norm


def unit(x: Tensor, dim: int, eps: float, count: int, p: float = 2, *, in_quadrature: bool = False) -> Tensor:
    """x over its p-norm along `dim` held at least eps (`in_quadrature`: over hypot(norm, eps)), any p above 0.
    The norm is right wherever it fits the dtype (subnormal rows included), so most inputs take one division; where
    it is subnormal the rows are scaled up first (`_scaled_up`: the quotient's gradient divided by N², inf - inf,
    NaN at [5e-324, 5e-324] for p = 3 where the exact is [-inf, inf]), and where it is not finite, down
    (`_beyond_the_range`). With eps 0 a row of zeros is 0/0: NaN, its gradient NaN (the norm's gradient 0 there
    made it w/0, inf, for p other than 1, 2 and inf). A replay of a compiled step checks that its norms take the
    path recorded (else it runs eagerly)."""
    with np.errstate(over="ignore"):  # a norm past the range is a first try here: the path below redoes it
        norm = _norm_along(x, p, dim)
    rows, small = _norms_path(norm, eps)
    if not rows.all():
        out = _beyond_the_range(x, dim, eps, count, p, in_quadrature, rows)
    elif small is None:
        out = x / _held(norm, eps, in_quadrature)
    else:
        out = _scaled_up(x, dim, eps, p, in_quadrature, norm, small)
    if eps:
        return out
    zero = norm == 0  # NaN there (and its gradient), 0 elsewhere (its gradient 0, however large x)
    return out + where(zero, x, 0.0) * where(zero, np.nan, 0.0).astype(raw(x).dtype)  # float32 stays float32


def _norm_along(x: Tensor, p: float, dim: int) -> Tensor:
    """x's p-norm along `dim`, kept: the norm op's for p 1, 2 and inf, `row_p_norm`'s for other p."""
    if p in (1, 2, math.inf):
        return x.norm(p, dim=dim, keepdim=True)
    return row_p_norm(x.movedim(dim, -1), p, True, "normalize").movedim(-1, dim)  # only normalize's p get here


def _norms_path(norm: Tensor, eps: float) -> tuple[np.ndarray, np.ndarray | None]:
    """The rows whose norm is finite and, where all are, those subnormal (`_subnormal_rows`), read only inside a
    validate check, which a compiled step's replay runs on each call's norms (eagerly where they take another
    path). Read outside it, the norm of a constant (cosine_embedding_loss's input2 given as an array) was data
    taken into Python, pinned to one call's numbers: every such step ran eagerly ("validate of a copy")."""
    taken: list[tuple[np.ndarray, np.ndarray | None]] = []

    def path(v: Any) -> None:
        finite = np.isfinite(raw(v))
        now = (finite, _subnormal_rows(raw(v), eps) if finite.all() else None)
        if not taken:
            taken.append(now)
        (rows, small), (rows_now, small_now) = taken[0], now
        same = np.array_equal(rows, rows_now) and (small is None) == (small_now is None)
        same_path("norms", True, same and (small is None or bool(np.array_equal(small, small_now))))

    validate(path, norm)
    return taken[0]


def _subnormal_rows(norm: np.ndarray, eps: float) -> np.ndarray | None:
    """The rows whose norm is subnormal and not held at eps (eps subnormal too), or None if there are none: such
    a norm has few digits (the 2-norm of [5e-324, 5e-324] is 5e-324, and x/‖x‖ was [1, 1], not 1/√2)."""
    tiny = np.finfo(norm.dtype).tiny if norm.dtype.kind == "f" else np.finfo(np.float64).tiny
    if eps >= tiny:
        return None
    small = (norm > 0) & (norm < tiny)
    return small if small.any() else None


def _scaled_up(x: Tensor, dim: int, eps: float, p: float, in_quadrature: bool, norm: Tensor, small: np.ndarray):
    """`unit` where some norms are subnormal (`small`): those rows scaled by 2^(mantissa bits + 2) first, which
    makes every entry a normal float (exactly) and keeps the largest below 2^-960, and x/‖x‖ with it (the
    scale cancels; eps scaled too, still exact). The other rows as `unit` takes them (ones in the scaled branch)."""
    scale = 2.0 ** (np.finfo(raw(x).dtype).nmant + 2)
    up = where(small, x, 1.0) * scale
    scaled = up / _held(_norm_along(up, p, dim), eps * scale, in_quadrature)
    return where(small, scaled, x / _held(where(small, 1.0, norm), eps, in_quadrature))


def _held(norm: Tensor, eps: float, in_quadrature: bool) -> Tensor:
    """The norm held at least eps, or (`in_quadrature`) hypot(norm, eps): what `unit` divides by."""
    return norm.hypot(eps) if in_quadrature else norm.clip(min=eps)


def _beyond_the_range(
    x: Tensor, dim: int, eps: float, count: int, p: float, in_quadrature: bool, fitting: np.ndarray
) -> Tensor:
    """`unit` where a norm is not finite (`fitting`: the rows whose norm is). A finite row whose norm is past the
    range (rows near 1.8e308: their cosine was 0, not 1): the norm and eps taken on x·2⁻ᵏ, k the bits of the
    `count` of entries over p and one, and the quotient times 2⁻ᵏ (x itself divided unscaled, so subnormal entries
    keep their bits); the rows whose norm fits as `unit` takes them (scaled, [5e-324, 0] beside such a row with
    eps 0 gave [inf, NaN], not [1, 0]). A row holding
    one infinity (and no NaN): the limit of x/‖x‖ as that entry grows, ±1 there and 0 elsewhere, with gradient 0
    (every derivative of x/‖x‖ falls as 1/‖x‖), where PyTorch's is NaN (inf/inf); two infinities or more: NaN,
    and a NaN gradient (the direction depends on how they grew). A row holding NaN: NaN."""
    data = raw(x)
    infinite, nan = np.isinf(data), np.isnan(data)
    validate(lambda v: same_path("norms", True, bool(np.array_equal(np.isinf(raw(v)), infinite))), x)
    limited = infinite.any(axis=dim, keepdims=True) & ~nan.any(axis=dim, keepdims=True)
    if limited.any():
        several = limited & (infinite.sum(axis=dim, keepdims=True) > 1)
        limit = np.where(infinite, np.sign(data), 0.0).astype(data.dtype)
        rest = _beyond_the_range(where(limited, 0.0, x), dim, eps, count, p, in_quadrature, fitting)
        out = where(limited, limit, rest)
        if several.any():  # NaN there, its gradient NaN: x there times NaN (0 elsewhere, x's gradient 0 there)
            out = out + where(several, x, 0.0) * np.where(several, np.nan, 0.0).astype(data.dtype)
        return out
    # each branch on rows of ones where the other is taken, so that what where() leaves out stays finite
    plain = x / _held(_norm_along(where(fitting, x, 1.0), p, dim), eps, in_quadrature)
    if p < 1 and data.dtype != np.float64:  # float32's rows taken in float64 and rounded once (`_keeps_its_entries`)
        wide = unit(where(fitting, 1.0, x).astype(np.float64), dim, eps, count, p, in_quadrature=in_quadrature)
        return where(fitting, plain, wide.astype(data.dtype))
    bits = math.ceil(count.bit_length() / p) + 1
    if p < 1:
        bits = _fitted_bits(data, fitting, count, p, dim, bits)
        validate(lambda v: same_path("norms", True, _fitted_bits(raw(v), fitting, count, p, dim, bits) == bits), x)
    scale = math.ldexp(1.0, -bits)
    if p < 1:
        lost = _lost_to_scaling(data, fitting, bits, dim)
        kept = lambda v: np.array_equal(_keeps_its_entries(raw(v), fitting, bits, p, dim), lost)  # noqa: E731
        validate(lambda v: same_path("entries lost", True, bool(kept(v))), x)
    scaled = x / _held(_norm_along(where(fitting, 1.0, x) * scale, p, dim), eps * scale, in_quadrature)
    out = where(fitting, plain, scaled * scale)
    if p >= 1 or not lost.any():
        return out
    # their slope (|x|/N)^(p-1) is not what x·2^-k gives ([1.7e308] x 3 + [1e-320] at p = 0.05: 2.5e-318 for
    # -9.3e278): the value stands (`_keeps_its_entries`), the gradient there NaN
    return with_gradient_of(out, out + where(lost, x, 0.0) * np.where(lost, np.nan, 0.0).astype(data.dtype))


def _fitted_bits(data: np.ndarray, fitting: np.ndarray, count: int, p: float, dim: int, most: int) -> int:
    """For p < 1, the least k (at most `most`, which brings any finite row back) that brings the norms past the
    range back: n^(1/p)·2^e·2^-k below 2^(maxexp - 2), 2^e above the largest |x| of those rows, n their most
    nonzero entries (a 0 adds nothing to the norm: counted, [1e300, 3e299, 0] at p = 0.001 was refused). `most`
    alone, ceil(bits of count / p) + 1, was 2001 for [1e300, 1e300] at p = 0.001, no float: refused, where 976
    brings its norm 1.07e601 back and x/N is 9.33e-302."""
    past = ~fitting & np.isfinite(data).all(axis=dim, keepdims=True)
    held = np.where(past, np.abs(data), 0.0)
    top = float(np.max(held, initial=0.0))
    if top == 0:
        return most
    entries = int(np.max(np.count_nonzero(held, axis=dim)))
    needed = math.log2(entries) / p + np.frexp(top)[1] - (np.finfo(data.dtype).maxexp - 2)
    return min(most, max(1, math.ceil(needed)))


def _lost_to_scaling(data: np.ndarray, fitting: np.ndarray, bits: int, dim: int) -> np.ndarray:
    """The nonzero entries of rows past the range (finite) that x·2^-bits makes subnormal or 0."""
    past = ~fitting & np.isfinite(data).all(axis=dim, keepdims=True)
    return past & (data != 0) & (np.abs(data) < _floor(data.dtype, bits))


def _floor(dtype: np.dtype, bits: int) -> float:
    """The least |x| that x·2^-bits leaves a normal float, inf past the floats (math.ldexp's OverflowError there,
    "math range error", for ones(2) at p = 0.0009, bits 2224, came before their refusal)."""
    with np.errstate(over="ignore"):
        return float(np.ldexp(np.finfo(dtype).tiny, bits))


def _keeps_its_entries(data: np.ndarray, fitting: np.ndarray, bits: int, p: float, dim: int) -> np.ndarray:
    """Refuses rows whose p-norm (p < 1) is past the range where `_beyond_the_range` cannot bring it back: 2^-bits
    not a normal float (p = 0.001 at 2 entries: 2^-2001 is 0, and [1e300, 1e300] gave [0, 0] for [9.3e-302,
    9.3e-302], NaN for a moment), or entries that x·2^-bits loses while below p = 1 their share of the norm counts
    (more than 2^-53 of it: at p = 0.01 [1e300, 1e300, 1e-300] gave [7.8886e-31, 7.8886e-31, 0] for [7.8882e-31,
    7.8882e-31, 0]). Only float64 comes here: a float32 row's norm, below float64's range for all but p < 0.004
    or so, is taken in float64 (ones(3) at p = 0.01 were refused, 2^-201 no float32, for the quotient 1.9e-48, 0;
    ones(100) at p = 0.05 for 1e-40; dividing by a constant, the way out named, could not help). The entries lost
    where they do not count returned (`_lost_to_scaling`)."""
    past = ~fitting & np.isfinite(data).all(axis=dim, keepdims=True)
    lost = _lost_to_scaling(data, fitting, bits, dim)
    with np.errstate(invalid="ignore", under="ignore", divide="ignore"):
        top = np.max(np.where(past, np.abs(data), 0.0), axis=dim, keepdims=True)
        ratio_logs = np.log(np.where(lost, np.abs(data), 1.0)) - np.log(np.where(top > 0, top, 1.0))
        share = np.sum(np.where(lost, np.exp(ratio_logs * p), 0.0), axis=dim) / p  # (|x|/top)^p: 1e-600 underflows
    if bits > -np.finfo(data.dtype).minexp:  # the way out: the largest |x| 1, N at most count^(1/p), if that fits
        fits = math.log2(data.shape[dim]) / p < np.finfo(data.dtype).maxexp - 1
        raise ValueError(
            f"a row's {p}-norm is past the float range, and 2^-{bits}, the scaling that would bring it back, is "
            "below the floats: "
            + (
                "divide each row by its largest |x| first (x / x.abs().amax(dim, keepdim=True): the same quotient), "
                "or take a larger p"
                if fits
                else f"at p = {p} the norm of {data.shape[dim]} entries passes the floats whatever their scale: "
                "take a larger p"
            )
        )
    if (share > 2.0**-53).any():  # dividing by a constant would lose the same entries (1e-300 / 1e300 is 0)
        floor = _floor(data.dtype, bits)
        raise ValueError(
            f"a row's {p}-norm is past the float range, and scaled by 2^-{bits} to bring it back its entries "
            f"below {floor:.3g} would be lost where below p = 1 they count in the norm (the row spans more than "
            f"{data.dtype} holds at this p): take a larger p"
        )
    return lost

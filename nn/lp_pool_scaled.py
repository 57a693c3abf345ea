"""lp_pool's windows whose sum of |x|^p leaves the normal floats while their root need not: x ~ 1e200 at p = 2
summed to inf (torch 2.13's value: inf), x ~ 1e-200 to 0 (its value: 0). Those windows are taken again with x
scaled by a power of two 2^k fitted to the window's largest |x| (the window's root times 2^k: exact scalings, so
within the same ulps as the other windows). Windows overlap, so x cannot be scaled per window in one pass: windows
ceil(kernel/stride) apart never overlap, and each such set of them in use is a pass of its own over x, its entries
scaled by their window's k (`_scaled_power`: the gradient meets 2^-k before the slope), those of no window in the
set replaced by 1 (and the sums of windows not taken by 1), so that no slope meets an overflow and g = 0 never
meets inf: one pass where the stride is the kernel (the default), at most the kernel's size, however spread the
windows' scales (a pass for each scale in use was 131 passes, 5.5 s and 680 MB for lp_pool2d of a 256 x 256
float64 image of entries from 1e-300 to 1e300 at p = 3, kernel 2; now one, 0.2 s). A compiled step's replay
checks that its windows, scales and masks are the recorded ones (else it runs eagerly). For p > 1 and p < 0: for
0 < p <= 1, |x|^p lies between |x| and 1, so a sum overflows only past ~1000 entries near the largest float and
underflows only for subnormal x; and a pass's windows not taken would send g = 0 through the slope at an entry 0,
inf (NaN). For p < 0 the smallest |x| carries a window's sum, and its k is fitted to that: [1e200, 1e200] at p = -2
summed to 0 and gave inf for 7.07e199 (torch 2.13 too); there the windows holding an entry far from 1 are taken
scaled too (`_needed`).
In a scaled window, an entry more than ~2^1074 below its largest underflows once scaled, its slope 0 where the
exact gradient may be a normal float (1e-160 beside 1e280 at p = 1.5: 1e-220): lp_pool_direct takes such windows'
gradient straight. float32 windows are not scaled here: lp_pool takes them in float64 (held at 2^-104, float32's k
left (x·2^-k)^p below the floats: [2e-38, 2e-38] at p = 7 gave 0); where float64's own floor, 2^-1000, leaves a
window's scaled sum past the floats, it is refused (`_refuse_lost`)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from autograd import Op, Tensor, raw, validate, where

from .lp_pool_caller import Caller, out_of
from .norm_roots import same_path


def _low(dtype: np.dtype) -> float:
    """Below it a sum may hold subnormal terms: 2^(digits) above the smallest normal float (2^-969 in float64)."""
    info = np.finfo(dtype)
    return float(info.tiny) * 2.0 ** (info.nmant + 1)


def _not_finite(total: np.ndarray, p: float) -> np.ndarray:
    """The windows whose sum is infinite, or NaN for a whole p (inf - inf: [-1e150, 2e150] at p = 3). For a
    fractional p a NaN sum comes of a negative x (x^p NaN) or a NaN in x, NaN at any scale: taken again scaled, such
    windows took ten times as long (lp_pool2d of a standard normal (8, 16, 64, 64) batch at p = 1.5: 350 ms, 36 at
    p = 2), for the same NaN."""
    return np.isinf(total) | np.isnan(total) if float(p).is_integer() else np.isinf(total)


def off_range(total: np.ndarray, p: float) -> np.ndarray:
    """The windows whose sum is infinite, NaN (`_not_finite`) or below the normal floats with all digits (0 too)."""
    with np.errstate(invalid="ignore"):
        return _not_finite(total, p) | (np.abs(total) < _low(total.dtype))


def _past(total: np.ndarray, p: float) -> bool:
    """Whether some sum is infinite, NaN (`_not_finite`) or nonzero below the normal floats with all digits."""
    with np.errstate(invalid="ignore"):
        return bool((_not_finite(total, p) | ((total != 0) & (np.abs(total) < _low(total.dtype)))).any())


def _underflows(xs: np.ndarray, p: float) -> bool:
    """Whether some nonzero |x|^p falls below the normal floats with all digits (a window of them sums to 0): |x|
    below low^(1/p) for p > 1, above it for p < 0."""
    with np.errstate(invalid="ignore", over="ignore"):
        bound = _low(xs.dtype) ** (1 / p)
        return bool(((xs != 0) & ((np.abs(xs) < bound) if p > 0 else (np.abs(xs) > bound))).any())


def _overflows(xs: np.ndarray, p: float) -> np.ndarray:
    """Where |x|^p overflows though x is finite and not 0 (0^p for p < 0 is the window's 0, as torch's), or for
    p < 0 its slope's |x|^(p-1) (which g = 0 from a window taken scaled met: NaN at [7.4e-87, 1.2e-94], p = -3)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return np.isinf(np.abs(xs) ** (p if p > 0 else p - 1)) & np.isfinite(xs) & (xs != 0)


def needs_scaling(total: Tensor, x: Tensor, p: float) -> bool:
    """Whether some window's sum left the floats: infinite or NaN, or nonzero below them, or 0 from x not all 0 (an
    all-zero window, common after relu, is the plain root's: 0, and 0 its gradient, torch's). Checked again on
    each replay of a compiled step (the zeros' places by `lp_pool._root`)."""
    data = raw(total)
    if _past(data, p) or _immoderate(raw(x), p).any():
        return True
    validate(lambda t: same_path("window sums", False, _past(raw(t), p)), total)
    if p < 0:
        validate(lambda v: same_path("entries' sizes", False, bool(_immoderate(raw(v), p).any())), x)
    if not (data == 0).any():
        return False
    now = _underflows(raw(x), p)
    if not now:
        validate(lambda v: same_path("entries' powers", False, _underflows(raw(v), p)), x)
    return now


def kept_for_checks(total: Tensor, x: Tensor, p: float) -> Tensor:
    """`total` (float32 window sums that left float32, whose windows were taken in float64 instead) as a tensor of
    the output's graph that takes no gradient, so that a compiled step's replay makes it again and checks it: that
    its sums leave float32 as the recorded ones did (the same zero windows, the same verdict) and its entries are
    as small or as far (`_underflows`, `_immoderate`), else the replay runs eagerly (an ordinary batch would have
    been taken in float64 where eager takes it in float32: other bits)."""
    data, xs = raw(total), raw(x)
    zeros, past = data == 0, _past(data, p)
    under, far = _underflows(xs, p), bool(_immoderate(xs, p).any())
    verdict = lambda t: bool(np.array_equal(raw(t) == 0, zeros)) and _past(raw(t), p) == past  # noqa: E731
    validate(lambda t: same_path("window sums", True, verdict(t)), total)
    sizes = lambda v: _underflows(raw(v), p) == under and bool(_immoderate(raw(v), p).any()) == far  # noqa: E731
    validate(lambda v: same_path("entries' powers", True, sizes(v)), x)
    return _read_only(total)


_read_only = Op("lp_pool_sums_read", lambda t: t, lambda g, out, t: (None,))


def _immoderate(xs: np.ndarray, p: float) -> np.ndarray:
    """For p < 0, where a finite nonzero |x| lies outside [2^-E, 2^E], E = 1000/(1 - p): beyond it x^(p-1), or the
    root's slope S^(1/p - 1) at a window whose smallest |x| it is, leaves the floats where the gradient need not
    ([1e150, 3e150] at p = -1.5: its sum 1e-225 fits, but S^(-5/3) is inf and x^(-2.5) 0, the gradient NaN).
    None for p > 1 (those slopes' exponents lie between -1 and p - 1)."""
    if p > 0:
        return np.zeros(np.shape(xs), bool)
    bound = 2.0 ** (1000 / (1 - p))
    with np.errstate(invalid="ignore"):
        size = np.abs(xs)
        return np.isfinite(size) & (size > 0) & ((size > bound) | (size < 1 / bound))


def _needed(odd: np.ndarray, top: np.ndarray, p: float, holding: np.ndarray) -> np.ndarray:
    """The windows taken again scaled: those whose sum is `odd`, and for p < 0 those `holding` an entry far from 1
    (`_immoderate`: its slope x^(p-1) leaves the range where the root's slope brings the gradient back: [5e102,
    3e105, 1.2e106, 1.3e68] at p = -3 had [0, 0, 0, 1] for [4e-139, 4e-150, 1e-152, 1]; every window was taken once
    one was, 89 -> 424 ms for lp_pool2d of an (8, 16, 64, 64) batch holding one 1e-200); of those, the ones whose
    `top` (largest |x| for p > 1, smallest for p < 0) is finite and not 0."""
    return (odd | holding) & np.isfinite(top) & (top > 0)


def _holding(marked: np.ndarray, shape: tuple, kernel: tuple, stride: tuple) -> np.ndarray:
    """Whether each window (of `shape`, the pooled output's) holds a `marked` entry."""
    out = np.zeros(shape, bool)
    for at, of in window_places(shape, marked.shape, kernel, stride):
        out[of] |= marked[at]
    return out


def window_places(windows: tuple, shape: tuple, kernel: tuple, stride: tuple) -> Iterator[tuple[tuple, tuple]]:
    """For each place in the kernel, the entries (of x's `shape`) at that place of the windows (of the pooled
    output's shape `windows`) that reach it, and those windows: an index of each, in the same order."""
    dims = len(kernel)
    for offset in np.ndindex(*kernel):
        spots = [np.arange(n) * s + o for n, s, o in zip(windows[-dims:], stride, offset)]
        inside = [q < n for q, n in zip(spots, shape[-dims:])]
        at = (Ellipsis,) + np.ix_(*[q[i] for q, i in zip(spots, inside)])
        yield at, (Ellipsis,) + np.ix_(*[np.nonzero(i)[0] for i in inside])


def _grid(top: np.ndarray, p: float, size: int) -> np.ndarray:
    """Each window's k (the power of two its |x| is divided by): its largest |x| over 2^k in [1/2, 2^B), B·p +
    log2(size) below the largest exponent less 6 (1018 in float64) so that the scaled sum fits, and B·|p - 1| at
    most 16 so that the gradient on its way, g·2^k·sum^(1/p - 1), stays a normal float (2^-1338 for x ~ 1e-200 at
    p = 2 with B = 508: 0); a grid, so that a compiled step's scales stay the recorded ones while its windows move
    within a range of 2^B. That gradient reaches 2^(k + p - 1)/p (a sum of 2^-p): where that leaves the floats, the
    largest |x| over 2^k lies in [1, 2) instead, the sum from 1 and the gradient at most 2^k/p (k was kept 24 below
    the largest exponent instead: float32 [2.84e35, 1e34] at p = 12 gave 1e34). k is at least 24 less than minus the
    largest exponent (-1000 in float64: 2^k a normal float), and at most the largest exponent less 1 (2^k finite: for
    p < 0 the smallest |x| fixes k, and [1.2e308, 1.2e308] at p = -2 had 2^1024 = inf, y inf for 8.49e307)."""
    top_exponent = np.finfo(top.dtype).maxexp
    fits = (top_exponent - 6 - np.log2(size)) // p
    step = max(1, min(int(fits), int(16 // abs(p - 1)) if p != 1 else top_exponent))
    exponent = np.frexp(np.where(np.isfinite(top) & (top > 0), top, 1.0))[1]
    grid = step * (exponent // step)
    return np.clip(np.where(grid + p > top_exponent - 2, exponent - 1, grid), _lowest_k(top.dtype), top_exponent - 1)


def _lowest_k(dtype: np.dtype) -> int:
    """The least k of `_grid`: 24 less than minus the largest exponent (-1000 in float64: 2^k a normal float)."""
    return 24 - int(np.finfo(dtype).maxexp)


def _refuse_lost(top: np.ndarray, p: float, size: int, caller: Caller) -> None:
    """FloatingPointError where a window's k, held at 24 less the largest exponent (`_grid`), leaves its scaled sum
    past the floats: for p > 1 terms (x·2^-k)^p below them lose more than an ulp of y ([5e-324, 5e-324] at p = 20
    summed to 0: y 0 for 5e-324, gradient [0, 0] for 0.518; a subnormal term's rounding, at most size·2^-1075 in a
    sum of at least (top·2^-k)^p, moves y by y/p times its share); for p < 0 a term past the largest float ([1e-310,
    1e-310] at p = -40: y 0 for 9.8e-311)."""
    info = np.finfo(top.dtype)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        held = np.isfinite(top) & (top > 0) & (_grid(top, p, size) == _lowest_k(top.dtype))
        if not held.any():
            return
        ltop = np.log2(top[held])
        scaled_sum = p * (ltop - _lowest_k(top.dtype))  # log2 of the carrying term (x·2^-k)^p
        if p > 0:
            lost = ltop + math.log2(size) * (1 + 1 / p) + info.minexp - info.nmant - 1 - scaled_sum - math.log2(p)
            bad = lost > np.log2(np.spacing(top[held]))
        else:
            bad = scaled_sum + math.log2(size) >= info.maxexp - 1
    if bad.any():
        raise FloatingPointError(
            f"{caller.name} at p = {p}: a {caller.part} whose {'largest' if p > 0 else 'smallest'} |x| is "
            f"{float(top[held][bad][0]):.3g} has a sum of |x|^p beyond {out_of(caller, top.dtype)} at any scale "
            "this pool uses (its value would lose its digits); multiply the input by a power of two nearer 1 (and the "
            "output by its inverse)"
        )


def rescaled(
    x: Tensor,
    p: float,
    total: Tensor,
    sum_of: Callable[[Tensor], Tensor],
    root: Callable[[Tensor], Tensor],
    top_of: Callable[[Tensor], Tensor],
    size: int,
    windows: tuple[tuple[int, ...], tuple[int, ...]],
    caller: Caller,
) -> tuple[Tensor, np.ndarray | None, np.ndarray | None]:
    """root(total), its off-range windows of finite, nonzero x taken again scaled (`_grid`); the others (all-zero
    windows, windows holding inf or NaN) as the plain root takes them, torch's; and which windows were taken scaled
    (None for none) and each window's k, which lp_pool_direct reads. Each check is of a tensor the output reads
    (`top` through a where that never takes it), so that a replay makes it again and checks it."""
    odd = off_range(raw(total), p)
    top = top_of(x.abs())
    data = raw(top)
    far = _immoderate(raw(x), p)
    validate(lambda v: same_path("entries' sizes", True, bool(np.array_equal(_immoderate(raw(v), p), far))), x)
    holding = _holding(far, data.shape, *windows) if far.any() else np.zeros(data.shape, bool)
    need = _needed(odd, data, p, holding)
    ks = _grid(data, p, size)
    validate(lambda t: same_path("window scales", True, _same(raw(t), odd, need, ks, p, size, holding)), top)
    validate(lambda t: _refuse_lost(raw(t), p, size, caller), top)
    never = np.zeros(need.shape, bool)
    if not need.any():
        validate(lambda t: same_path("window sums", True, bool(np.array_equal(off_range(raw(t), p), odd))), total)
        return where(never, top, root(total)), None, None
    xs = raw(x)
    fits = ~_overflows(xs, p)  # where |x|^p overflows: 1 in the plain pass
    validate(lambda v: same_path("entries' scales", True, bool(np.array_equal(~_overflows(raw(v), p), fits))), x)
    with np.errstate(divide="ignore"):  # 0^p for p < 0: inf, the window's root 0
        plain = total if fits.all() else sum_of(where(fits, x, 1.0) ** p)  # with `fits`, tells the windows `odd`
    off = off_range(raw(plain), p)
    validate(lambda t: same_path("window sums", True, bool(np.array_equal(off_range(raw(t), p), off))), plain)
    out = root(where(need, 1.0, plain))
    kernel, stride = windows
    period = tuple(-(-k // s) for k, s in zip(kernel, stride))  # windows this many apart never overlap
    colour = np.indices(need.shape[-len(kernel) :]) % np.array(period).reshape((-1,) + (1,) * len(kernel))
    for shade in sorted({tuple(c) for c in colour[(slice(None),) + tuple(np.nonzero(need))[-len(kernel) :]].T}):
        taken = need & np.all(colour == np.array(shade).reshape((-1,) + (1,) * len(kernel)), axis=0)
        k_of, cover = _spread(np.where(taken, ks, 0), taken, xs.shape, kernel, stride)
        terms = _scaled_power(where(cover, x, 1.0), k=k_of, p=p)
        scale = np.ldexp(np.ones((), xs.dtype), np.where(taken, ks, 0)).astype(xs.dtype)
        out = where(taken, root(where(taken, sum_of(terms), 1.0)) * scale, out)
    floored = need & (ks <= _lowest_k(xs.dtype)) if p < 0 else never
    if floored.any():  # the root right, its gradient not known: NaN there
        out = where(floored, _slope_unknown(where(floored, out, 1.0)), out)
    return where(never, top, out), need, ks


def _spread(
    per_window: np.ndarray, taken: np.ndarray, shape: tuple, kernel: tuple, stride: tuple
) -> tuple[np.ndarray, np.ndarray]:
    """Each entry's value of the `taken` window holding it (windows that never overlap), 0 elsewhere, and where
    one holds it."""
    values, cover = np.zeros(shape, per_window.dtype), np.zeros(shape, bool)
    for at, of in window_places(per_window.shape, shape, kernel, stride):
        values[at] = np.where(taken[of], per_window[of], values[at])
        cover[at] |= taken[of]
    return values, cover


def _scaled_forward(x: Any, *, k: np.ndarray, p: float) -> Any:
    return np.power(np.ldexp(x, -k), p)


def _scaled_rule(g: Any, out: Any, x: Any, *, k: np.ndarray, p: float) -> tuple[Any]:
    """g·2^-k · p·(x·2^-k)^(p-1), g scaled first: g is about 2^k (the window's root times 2^k), and g times the slope
    before 2^-k, 2^k times the exact gradient, left the normal floats for a small entry of a tiny window (1e-215
    beside 1e-200 at p = 12: its gradient 0, the exact one 1e-165; float32 within a factor 20 at p = 12: 24 % off).
    k is each entry's (its window's), 2^-k exact: an array of x's dtype."""
    down = np.ldexp(np.ones((), raw(x).dtype), -k)
    return ((g * down) * ((x * down) ** (p - 1) * p),)


_scaled_power = Op("lp_pool_scaled_power", _scaled_forward, _scaled_rule)

# p < 0: a window whose smallest |x| lies below 2^-1000 (float64) is scaled by 2^-1000 at most (2^-k a normal float),
# its scaled sum far from 1, and the gradient on its way, g·2^k·S'^(1/p - 1), below the floats ([1e-320, 3e-320] at
# p = -0.5: [0, 0] for [0.25, 0.05]; NaN before the windows were scaled): its value stands, its gradient is NaN
_slope_unknown = Op("lp_pool_slope_unknown", lambda out: out, lambda g, out, x: (g * np.nan,))


def _same(
    data: np.ndarray, odd: np.ndarray, need: np.ndarray, ks: np.ndarray, p: float, size: int, holding: np.ndarray
) -> bool:
    now = _needed(odd, data, p, holding)
    return bool(np.array_equal(now, need) and np.array_equal(_grid(data, p, size)[need], ks[need]))

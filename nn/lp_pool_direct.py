"""lp_pool's gradient taken straight from the window where the chain rule's steps would leave the floats. The chain
sends the loss weight g through the root's slope y^(1-p)/p first (y the window's output), then each entry's slope
p·x^(p-1); their product g·c·(x/y)^(p-1) (c: the window's size over its entries in x, 1 but for ceil_mode's last
window) may be a normal float where a step is not: p = 2, window [1e-18, 2e-18], g = 1e291 gave inf for 4.5e290
(g·y^(-1) = 2.2e308), g = 1e-300 at windows of 1e-300 gave 0 for 4.5e-301. `direct_gradient` wraps the output in an
op whose rule finds such windows from g, y and x (a few passes over them: ordinary input has none, and takes the
chain as before) and gives their entries g·c·(x^p/S)^((p-1)/p) itself (S = y^p, the window's sum, taken again from
x), with mantissa and exponent apart (each step rounded once), the chain none. Its error is the problem's: the
rounding of S and of the terms, at most n + 2 ulps for n entries, scaled by |1 - 1/p|, and 4 roundings after: within
(n + 2)·|1 - 1/p| + 4 ulp of mpmath (about 3 seen over p in {0.5, 1.5, 2, 3, 7, 20, -2}, windows from 1e-307 to
1e300 overlapping or not, g from 1e-310 to 1e300; taken from y, y's rounding times p - 1 was 23 ulp at p = 20), a
subnormal y and a y past the range included. Under create_graph such windows are refused (FloatingPointError),
and so are those whose second derivatives' steps leave the floats (lp_pool_second_order). A
window taken scaled (lp_pool_scaled; a row of row_p_norm, scaled by its largest |d|) is checked on its own steps, its
entries x·2^-k among them. For p < 0 a window whose smallest |x| lies below 2^-1000 keeps its NaN gradient
(lp_pool_scaled's `_slope_unknown`)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Node, Op, Tensor, raw

from .lp_pool_caller import Caller
from .lp_pool_direct_entries import entries
from .lp_pool_scaled import window_places
from .lp_pool_second_order import extremes, off_steps, refuse_second_order


def direct_gradient(
    out: Tensor,
    x: Tensor,
    p: float,
    kernel: tuple,
    stride: tuple,
    size: int,
    scaled: np.ndarray | None,
    ks: np.ndarray | None = None,
    absolute: bool = False,
    *,
    caller: Caller,
) -> Tensor:
    """`out` (lp_pool's windows of x, p not 1; `scaled`: those taken scaled, or None; `ks`: each window's power of
    two there, None where it is at most y; `absolute`: the windows sum |x|^p, a p-norm's rows, not x^p), whose
    gradient is taken straight from the window (`_rule`) where the chain's steps would leave the floats; `caller`: whom
    its refusals name."""
    return _direct(
        out, x, p=p, kernel=kernel, stride=stride, size=size, scaled=scaled, ks=ks, absolute=absolute, caller=caller
    )


def _band(dtype: np.dtype, size: int) -> tuple[float, float]:
    """The powers of two each step of the chain stays within: normal with all digits, and with room for the
    window's size (g·size) and the count it is divided by."""
    info = np.finfo(dtype)
    return float(info.minexp + info.nmant + 2), float(info.maxexp - 3 - math.ceil(math.log2(size)))


def _entries_bounds(p: float, low: float, high: float) -> tuple[float, float]:
    """The |x| whose slope |x|^(p-1) lies in [2^low, 2^high], rounded toward 1 (0 and inf past the floats)."""
    ends = sorted(b / (p - 1) for b in (low, high))
    return math.ldexp(1.0, max(math.ceil(ends[0]), -1100)), math.ldexp(1.0, math.floor(ends[1])) if ends[
        1
    ] < 1024 else math.inf


def _plain_steps(lg: Any, ly: Any, p: float) -> tuple:
    """log2 of each step the plain chain takes for a window of loss weight g and output y: the root's slope y^(1-p),
    and g·y^(1-p)/p (g itself is checked only against the top, `_trouble`)."""
    return (1 - p) * ly, lg + (1 - p) * ly - math.log2(abs(p))


def _scaled_steps(lg: Any, ly: Any, p: float, size: int, lxs: tuple = (), rise: Any = 0.0) -> tuple:
    """log2 of the steps of a window taken scaled (lp_pool_scaled; row_p_norm's rows, by their largest |d|), 2^k
    near its largest |x| (smallest for p < 0): g, and g·2^k, then times the root's slope (at most 1/|p| where 2^k
    is at most y, else 2^`rise` more: `_rise`) and the window's size, and times each entry's (x/2^k)^(p-1) (for the
    entries' extreme logs `lxs`: [1e-260, 1e-290] at p = 3 under g = 1e-30 had 0 for 1e-90), before 2^-k brings it
    back near the gradient (2^-k met first: g·(2^k/y)^(p-1)/p, float32 [1.9e-34, 4.4e-36, 1e-34] at p = 7 under
    g = 8e27, 2^k held at 2^-104, was inf); for p < 0 moved by the distance from log2 y to k (up to size^(1/|p|)
    and the grid's 2^16) so that it leaves the band (`_band`) whenever the step may."""
    spread = _distance_to_k(p, size)
    up = lg + ly + max(0.0, math.log2(size / abs(p))) + rise
    slopes = tuple((p - 1) * (lx - ly) - abs(p - 1) * spread for lx in lxs)
    shrunk = tuple(lx - ly - spread - 1 for lx in lxs)  # x·2^-k itself
    back = lg + rise * (1 - 1 / p) + max(0.0, math.log2(size / abs(p)))  # g·(2^k/y)^(p-1)/p, before the entries'
    return (up + spread, lg + ly - spread, back) + slopes + tuple(lg + ly + slope for slope in slopes) + shrunk


def _distance_to_k(p: float, size: int) -> float:
    """How far (log2) a scaled window's 2^k may lie from y for p < 0: up to size^(1/|p|) and the grid's 2^16 (0 for
    p > 1, where `_rise` says how far)."""
    return 0.0 if p > 1 else math.log2(size) / abs(p) + 16


def _rise(p: float, k: Any, ly: Any) -> Any:
    """log2 of how far g·2^k times the root's slope (y/2^k)^(1-p)/p rises above g·y/p for p > 1 where 2^k is above
    y (lp_pool_scaled's grid puts the largest |x| over 2^k in [1/2, 1)): p·(k - log2 y). Taken as 0, [1.56e26] * 3
    at p = 7 under g = 5e11 left float32 unseen (k = 88, y = 1.83e26): inf for the gradient 1.9e11."""
    return p * np.maximum(k - ly, 0.0) if p > 1 else 0.0


def _trouble(
    g: np.ndarray,
    out: np.ndarray,
    xs: np.ndarray,
    p: float,
    windows: tuple[tuple, tuple],
    size: int,
    scaled: Any,
    ks: Any,
    ends: tuple,
):
    """The windows (g finite and not 0, y finite and above 0) where a step of the chain leaves the band (`_band`):
    `_plain_steps` and the entries' slopes |x|^(p-1), or for those `scaled`, `_scaled_steps` (the entries scaled too:
    left to the chain). First from the extremes of g, y and |x| (`ends`, read once for this check and the second
    order's; each step is monotone in log g and log y): ordinary input stops there."""
    low, high = _band(np.result_type(g, out, xs), size)
    top = high + 3 + math.ceil(math.log2(size))  # the largest exponent: g·2^k at most g·y for p > 1
    small, large = _entries_bounds(p, low, high)
    (xlo, xhi) = ends[2]
    entries_in = small <= xlo and xhi <= large
    spread = (xlo, xhi) if scaled is not None and 0 < xlo <= xhi < math.inf else None
    kernel, stride = windows
    highest = None if scaled is None else (float(np.max(ks, where=scaled, initial=0)) if ks is not None else 0.0)
    if entries_in and _ordinary(ends[0], ends[1], p, size, highest, (low, high, top), spread):
        return None
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        lg, ly = np.log2(np.abs(g)), np.log2(out)
        off = off_steps(_plain_steps(lg, ly, p), low, high) | (lg > high)  # g·size past the floats
        if scaled is not None:
            rise = _rise(p, ks, ly) if ks is not None else 0.0
            off = np.where(scaled, off_steps(_scaled_steps(lg, ly, p, size, rise=rise), low, top), off)
        bounds = (low, high, float(np.finfo(xs.dtype).minexp))
        rises = np.broadcast_to(rise if scaled is not None else 0.0, off.shape)
        held = np.zeros(off.shape, bool)  # p > 0: windows holding inf or NaN (y inf or NaN), the chain's (torch's)
        for at, of in window_places(off.shape, xs.shape, kernel, stride):
            if p > 0:  # at p < 0 an inf adds inf^p = 0 to the sum, the others carry y ([inf, 1e-200] at p = -2)
                held[of] |= ~np.isfinite(xs[at])
            if not entries_in or spread:
                scale = None if scaled is None else scaled[of]
                off[of] |= _off_entries(xs[at], lg[of], ly[of], p, scale, size, bounds, rises[of])
        # y above 0 (an all-zero window's gradient is 0, torch's); subnormal or inf (finite x past the range) too:
        # `entries` (lp_pool_direct_entries) takes the window's sum from x. For p < 0 an inf y is a sum of 0 (x^p
        # cancelled at an odd p), whose gradient is relu's 0, torch's: taken straight, [-2, 2] at p = -3 had [inf, inf]
        off &= np.isfinite(lg) & (ly > -math.inf) & ((ly < math.inf) | (p > 0)) & ~held
        return off if off.any() else None


def _off_entries(xs: Any, lg: Any, ly: Any, p: float, scaled: Any, size: int, bounds: tuple, rise: Any) -> Any:
    """Where an entry's slope leaves the band while its gradient g·(x/y)^(p-1) is a normal float (an entry whose
    gradient underflows anyway leaves its window to the chain, which was within 2/p + 3 ulp of it, where the window
    taken straight was 4.3 at p = 7): |x|^(p-1) in the plain chain, (x/2^k)^(p-1) and g·2^k times it (moved as in
    `_scaled_steps`) in a scaled window."""
    low, high, normal = bounds
    lx = np.log2(np.abs(xs))
    final = lg + (p - 1) * (lx - ly)
    slope = (p - 1) * lx
    if scaled is not None:
        spread = _distance_to_k(p, size)
        relative = (p - 1) * (lx - ly)
        slope = np.where(scaled, relative, slope)
        far = np.where(scaled, abs(p - 1) * spread, 0.0)
        carried = np.where(scaled, lg + ly + rise + relative, slope)  # g·2^k times the scaled slope, before 2^-k
        shrunk = np.where(scaled, lx - ly - spread - 1, low)  # x·2^-k itself: 1e-160 beside 1e280 at p = 1.5 was 0
        out = (slope - far < low) | (slope + far > high) | (carried - far < low) | (shrunk < low)
    else:
        out = (slope < low) | (slope > high)
    return out & (final >= normal) & (final <= high) & np.isfinite(lx)


def _ordinary(gs: tuple, ys: tuple, p: float, size: int, k: float | None, bounds: tuple, xs: tuple | None) -> bool:
    """Whether every window's steps stay in the band, told from the extremes of |g|, y and (`xs`, for scaled
    windows, `k` their largest power of two, else None) |x| (each step is monotone in their logs, or falls then
    rises: `_rise`): no window to check (g or y all 0) or all four corners inside. Plain floats: ordinary input
    stops here, at a few microseconds."""
    if (math.isinf(gs[0]) and gs[1] == 0) or (math.isinf(ys[0]) and ys[1] == 0):  # no nonzero g, or no y above 0
        return True
    if not gs[1] < 2.0 ** bounds[1]:  # g·size past the floats
        return False
    if not all(0 < v < math.inf for v in gs + ys):  # inf or NaN: window by window
        return False
    low, high, top = bounds
    for lg in map(math.log2, gs):
        for ly in map(math.log2, ys):
            if not all(low <= step <= high for step in _plain_steps(lg, ly, p)):
                return False
            lxs = tuple(map(math.log2, xs)) if xs else ()
            steps = () if k is None else _scaled_steps(lg, ly, p, size, lxs, _rise(p, k, ly))
            if not all(low <= step <= top for step in steps):
                return False
    return True


def _rule(
    g: Any,
    out: Any,
    value: Any,
    x: Any,
    *,
    p: float,
    kernel: tuple,
    stride: tuple,
    size: int,
    scaled: Any,
    ks: Any,
    absolute: bool,
    caller: Caller,
) -> tuple:
    """g to the chain where its steps stay in the floats; elsewhere (`_trouble`) none, and g·c·(x/y)^(p-1) to x."""
    data, ys, gs = raw(x), raw(out), raw(g)
    ends = tuple(extremes(a) for a in (gs, ys, data))  # read once for both checks
    if isinstance(g, Node):  # create_graph
        refuse_second_order(gs, ys, data, p, (kernel, stride), size, scaled, ks, caller, ends)
    off = _trouble(gs, ys, data, p, (kernel, stride), size, scaled, ks, ends)
    if off is None:
        return g, None
    if isinstance(g, Node):  # create_graph
        raise FloatingPointError(
            f"{caller.name} at p = {p}: a {caller.part}'s gradient passes through steps past the floats (the loss "
            f"weight times the root's slope y^(1-p)), taken straight from the {caller.part} only on arrays: its second "
            "derivatives (create_graph=True) are not available there; scale the loss or the input nearer 1"
        )
    kept = np.where(off, 0.0, gs).astype(gs.dtype, copy=False)
    return kept, entries(gs, data, off, p, (kernel, stride), size, absolute)


_direct = Op("lp_pool_direct_gradient", lambda value, x, **_: value, _rule)

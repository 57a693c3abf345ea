"""The gradient lp_pool_direct takes straight from a window, g·c·(x^p/S)^((p-1)/p), each step in mantissa and
exponent apart (each rounded once) and in float64, rounded once to x's dtype: `entries`, plane by plane."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from autograd import mantissa_exponent

from .lp_pool_scaled import window_places
from .p_norm_below_one import split_exponent

M = mantissa_exponent


def entries(
    g: np.ndarray, xs: np.ndarray, off: np.ndarray, p: float, windows: tuple[tuple, tuple], size: int, absolute: bool
) -> np.ndarray:
    """`_plane_entries` of the planes (each index of the axes before the pooled ones) holding an `off` window, 0
    elsewhere: one such window in a float32 (8, 16, 64, 64) batch at p = 7 took all its planes, 0.33 s and 43 MB."""
    dims = len(windows[0])
    flat = lambda a: a.reshape((-1,) + a.shape[a.ndim - dims :])  # noqa: E731
    planes = np.flatnonzero(flat(off).any(axis=tuple(range(1, dims + 1))))
    if len(planes) == len(flat(off)):  # all of them: taken as they are, no copies
        return _plane_entries(g, xs, off, p, windows, size, absolute)
    out = np.zeros(xs.shape, xs.dtype)
    flat(out)[planes] = _plane_entries(flat(g)[planes], flat(xs)[planes], flat(off)[planes], p, windows, size, absolute)
    return out


def _plane_entries(
    g: np.ndarray, xs: np.ndarray, off: np.ndarray, p: float, windows: tuple[tuple, tuple], size: int, absolute: bool
) -> np.ndarray:
    """Each entry's g·c·(x^p/S)^((p-1)/p), which is g·c·(x/y)^(p-1) for y^p = S = c·Σ x^p (c: the window's size over
    its entries in x), summed over the `off` windows holding it (0 elsewhere), all in float64 apart and rounded once
    to x's dtype. S is taken again from x: (x/y)^(p-1) raised y's own rounding to p - 1 (4.68 ulp at p = 7, [8.26e295]
    * 3), and a subnormal y had lost the digits it needs. The terms are summed apart too: a window's share, rounded
    to a float on its own, lost its digits where it was subnormal (p = 7, kernel 3, stride 1: 1.4569484223e-307 for
    1.45694845624e-307). Signs: x^p keeps x's for an odd whole p (lp_pool's sums), x^(p-1) for an even one; for a
    p-norm's rows (`absolute`) the terms are |x|^p and the gradient takes x's sign."""
    places = list(window_places(off.shape, xs.shape, *windows))
    count = np.zeros(off.shape)
    for _, of in places:
        count[of] += 1
    whole = float(p).is_integer() and not absolute
    flips = absolute or (whole and int(p) % 2 == 0)  # the gradient's sign at x < 0
    exponent, rest = split_exponent((Fraction(p) - 1) / Fraction(p))
    weight = M.scaled(M.apart(np.where(off, np.asarray(g, np.float64), 0.0)), size / count)
    with np.errstate(all="ignore"):
        powers = [M.power(M.apart(np.abs(np.asarray(xs[at], np.float64))), p) for at, _ in places]
        signed = [
            (np.where(xs[at] < 0, -m, m) if whole and int(p) % 2 else m, e) for (m, e), (at, _) in zip(powers, places)
        ]
        top = np.full(off.shape, -np.inf)
        for (m, e), (_, of) in zip(powers, places):
            top[of] = np.maximum(top[of], np.where(m == 0, -np.inf, e))
        top = np.where(np.isfinite(top), top, 0.0)
        total = np.zeros(off.shape)
        for (m, e), (_, of) in zip(signed, places):
            total[of] += M.joined((m, e - top[of]))
        window_sum = M.scaled(M.normalized(total, top), size / count)
        gradient: tuple = (np.zeros(xs.shape), np.zeros(xs.shape))
        for (m, e), (at, of) in zip(powers, places):
            share = M.over((m, e), (window_sum[0][of], window_sum[1][of]))
            raised = M.power(share, exponent, rest)  # (a 0's power: 0, or inf for 0 < p < 1, as its slope)
            raised = np.where(share[0] == 0, np.power(0.0, exponent), raised[0]), raised[1]
            part = M.times((weight[0][of], weight[1][of]), raised)
            sign = np.where((xs[at] < 0) & flips, -1.0, 1.0)
            spread = np.zeros(xs.shape), np.zeros(xs.shape)
            spread[0][at], spread[1][at] = np.where(off[of], -sign * part[0], 0.0), part[1]
            gradient = M.minus(gradient, spread)
    return M.joined(gradient).astype(xs.dtype, copy=False)

"""Where lp_pool's second derivatives (create_graph=True) would leave the floats on their way. Through the chain, a
window's second derivative meets the root's second slope S^(1/p - 2) = y^(1 - 2p) (S the window's sum of x^p, y its
root), g times it, each entry's second slope x^(p-2), and their products with the first slopes; each may leave the
floats where the Hessian, about g·(p-1)·(x/y)^(p-2)/y, is a normal float (float32 [1e4, 1e4] at p = 7: y^(-13) is
below float32, the row [3.3e-4, 0] for [1.66e-4, -1.66e-4]; float64 [1e-25, 1e-25]: -inf for 1.66e25). There
`refuse_second_order` raises. A window taken scaled (x and y over 2^k, g times 2^k) is checked on its own steps."""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from .lp_pool_caller import Caller, out_of, wider
from .lp_pool_scaled import window_places


def refuse_second_order(
    g: np.ndarray,
    out: np.ndarray,
    xs: np.ndarray,
    p: float,
    windows: tuple[tuple, tuple],
    size: int,
    scaled: Any,
    ks: Any,
    caller: Caller,
    ends: tuple,
) -> None:
    """FloatingPointError naming the first window (g finite and not 0, y finite and above 0) one of whose second
    derivative's steps leaves the normal floats (with room for the window's `size`) while a term of its Hessian is a
    normal float or above, or (g = 0) one passes the largest float (0·inf: NaN where the Hessian is 0); None where
    every window's steps fit (their numbers are then the chain's, right). `ends`: the `extremes` of g, y and x."""
    info = np.finfo(xs.dtype)
    low, high = float(info.minexp), float(info.maxexp - 2 - math.ceil(math.log2(size)))
    if (scaled is None or not np.any(scaled)) and _inside(ends, p, low, high):
        return
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        lg, ly = np.log2(np.abs(g)), np.log2(out)
        live = np.isfinite(lg) & np.isfinite(ly)
        idle = (g == 0) & np.isfinite(ly)  # g = 0: its Hessian 0, unless a step past the largest float meets it
        taken = np.zeros(ly.shape, bool) if scaled is None else np.asarray(scaled, bool)
        # log2 of 2^k where a window was taken scaled: its y and x over 2^k, g times it (a p-norm's row, scaled by
        # its largest |d|, within size^(1/p) of y: 2^floor(log2 y))
        shift = np.where(taken, np.floor(ly) if ks is None else ks, 0.0)
        root = (1 - 2 * p) * (ly - shift)
        bad = np.zeros(out.shape, bool)
        for at, of in window_places(out.shape, xs.shape, *windows):
            lx = np.log2(np.abs(xs[at]))
            near = lx - ly[of]
            # the Hessian's largest term holding this entry: g·(p-1)/y times (x/y)^(p-2) or (x/y)^(p-1)
            term = lg[of] - ly[of] + math.log2(abs(p - 1)) + np.maximum((p - 2) * near, (p - 1) * near)
            risk = (term >= low) & np.isfinite(lx) & live[of]
            lxs, lgs, lys = lx - shift[of], lg[of] + shift[of], ly[of] - shift[of]
            steps = ((p - 2) * lxs, lgs + (1 - p) * lys + (p - 2) * lxs, lgs + (1 - 2 * p) * lys + (p - 1) * lxs)
            # a scaled window's plain pass, not taken (g = 0 there), still meets its entries' x^(p-2): 0·inf
            unused = taken[of] & ((p - 2) * lx > high) & ((p - 1) * lx <= high)
            bad[of] |= risk & (off_steps(steps, low, high) | off_steps((root[of], lgs + root[of]), low, high) | unused)
            past = ((p - 2) * lxs > high) | (root[of] > high) | ((1 - 2 * p) * lys + (p - 1) * lxs > high)
            bad[of] |= idle[of] & np.isfinite(lx) & (past | unused)
    bad &= live | idle
    if bad.any():
        at = tuple(int(i[0]) for i in np.nonzero(bad))
        shown = at if caller.part == "window" else at[:-1]  # a row's index among the rows (the norm's kept axis out)
        raise FloatingPointError(
            f"{caller.name} at p = {p}: the {caller.part} at {shown} (output {float(out[at]):.4g}, loss weight "
            f"{float(g[at]):.4g}) has second derivatives whose steps (the root's second slope y^(1-2p), the entries' "
            f"x^(p-2)) leave {out_of(caller, xs.dtype)}, so create_graph=True cannot give them; scale the input (and "
            "the loss) nearer 1" + wider(caller, xs.dtype)
        )


def _inside(ends: tuple, p: float, low: float, high: float) -> bool:
    """Whether every plain window's steps lie in [low, high], told from the extremes of |g| (not 0), y (above 0)
    and |x| (not 0), `ends`: each step is linear in their logs, so its extremes are at the corners. Ordinary input
    stops here (a float32 (8, 16, 64, 64) batch at p = 3: 48 ms window by window, for a backward of 11 ms)."""
    logs = []
    for least, largest in ends:
        if not 0 < least <= largest < math.inf:  # none above 0 (g all 0: the idle windows' steps), inf or NaN
            return False
        logs.append((math.log2(least), math.log2(largest)))
    for lg in logs[0]:
        for ly in logs[1]:
            for lx in logs[2]:
                root = (1 - 2 * p) * ly
                top = root + (p - 1) * lx  # g = 0 windows meet it too
                steps = ((p - 2) * lx, lg + (1 - p) * ly + (p - 2) * lx, lg + top, top, root, lg + root)
                if not all(low <= step <= high for step in steps):
                    return False
    return True


def extremes(a: np.ndarray) -> tuple[float, float]:
    """The least nonzero |a| and the largest |a| ((inf, 0) for none; NaN's largest is NaN): a's own least and
    largest where all have one sign (an image, a loss weight of ones), else read off the bits of |a| (a 0's, less
    one, wraps to the largest), where reductions of |a| masked at 0 took four times as long."""
    least, largest = float(a.min(initial=math.inf)), float(a.max(initial=-math.inf))
    if least > 0 or largest < 0:
        return (least, largest) if least > 0 else (-largest, -least)
    kind = np.dtype(f"u{a.dtype.itemsize}")
    bits = np.ascontiguousarray(a).view(kind) & kind.type(np.iinfo(kind).max >> 1)
    top = bits.max(initial=0)
    bits -= kind.type(1)
    bottom = int(bits.min(initial=np.iinfo(kind).max)) + 1
    as_float = lambda b: float(np.array(b, kind).view(a.dtype))  # noqa: E731
    return (as_float(bottom) if bottom <= np.iinfo(kind).max else math.inf), as_float(top)


def off_steps(steps: tuple, low: float, high: float) -> Any:
    """Where any of `steps` leaves [low, high] (NaN ones do not: their windows are left to the chain)."""
    return functools.reduce(np.logical_or, [(step < low) | (step > high) for step in steps])

"""How every optimizer keeps its decaying state out of the subnormal floats. A weight whose gradient stays 0 (a
pixel that is always blank) sees its momentum buffer and its running averages decay geometrically towards 0,
through the subnormals, on which float32 and float64 arithmetic is many times slower (SGD's momentum buffer at
0.9 reaches them some 830 steps after its last gradient of 1 in float32). Every FLUSH_EVERY steps of a
parameter (its own: Optimizer.step) each optimizer's `flush` zeroes such values by the one rule of
`flush_below`, before they get there and only where that changes no step by more than the bound it gives. A
value just below the limit after one look is above the subnormals at the next if it decays by a factor of 0.75
or more per step (0.75**64 is 1e-8): every default (momentum 0.9, betas, alpha, rho) does; a smaller factor
may pass a few steps there."""

from __future__ import annotations

import math

import numpy as np

FLUSH_EVERY = 64  # steps between looks: a value below the limit needs some 175 more steps at 0.9 to turn subnormal


def flush_below(array: np.ndarray, bound: float = math.inf, where: np.ndarray | None = None) -> None:
    """Zero the values of `array` (only `where` it is True, if given) whose magnitude is below tiny * 1e8 of its
    dtype, where decay still needs some 175 steps at 0.9 to reach the subnormals, and below `bound`, under which
    the optimizer's step makes them negligible (an eps's share, in the array's dtype: a bound of 0 zeroes
    nothing). Without a bound the change is below tiny * 1e8 itself (1.2e-30 in float32, 2.2e-300 in float64)
    times lr, less than the last place of any weight above 1e-22 (float32). float16, which numpy computes in
    float32 where its subnormals are normal numbers (no slower), has no such limit (its tiny * 1e8 is beyond its
    range): zeroed below `bound` alone, and nothing without one."""
    guard = math.inf if array.dtype == np.float16 else float(np.finfo(array.dtype).tiny) * 1e8
    limit = min(guard, bound)
    if not 0 < limit < math.inf:
        return
    small = np.less(np.abs(array), limit)
    if where is not None:
        small &= where
    np.putmask(array, small, 0)


def eps_share(eps: float, dtype: np.dtype) -> float:
    """eps rounded to `dtype` (0 if it rounds to 0: then it bounds nothing) times 2**-24: a value below it added
    to eps, or to a square root at least eps, changes it by less than float32's last place."""
    return float(dtype.type(eps)) * 2**-24


def flush_moments(m: np.ndarray, v: np.ndarray | None, m_scale: float, v_scale: float) -> None:
    """Adam's and its relatives' moments, zeroed only where that moves no step by more than 2**-24 of lr, as the
    denominator's eps bounds it: m below `m_scale` (eps (1 - beta1**t)) * 2**-24, since m / (sqrt(v) + eps) is then
    below 2**-24 whatever v is (with v underflowed to 0, a tiny eps lets a tiny m take whole steps); v below
    (`v_scale` * 2**-24)**2, its square root negligible beside eps, and only where m is 0 too (under a live m,
    zeroing v would turn m / sqrt(v) into m / eps). `v` None: m alone (Adamax, whose denominator is at least eps)."""
    flush_below(m, eps_share(m_scale, m.dtype))
    if v is not None:
        flush_below(v, eps_share(v_scale, v.dtype) ** 2, np.equal(m, 0))

"""P(a, x) and Q(a, x) for large a by Temme's uniform asymptotic expansion (DLMF 8.12.8-12): with λ = x/a and
η = sign(λ − 1)·√(2(λ − 1 − log λ)), Q = ½·erfc(η·√(a/2)) + R and P = ½·erfc(−η·√(a/2)) − R, where
R ~ e^(−aη²/2)/√(2πa)·Σₖ cₖ(η)·a⁻ᵏ. The series and the continued fraction take about 9·√a steps where x is near
a (1.1 s for one element at a = 1e7, NaN beyond); this takes a fixed few hundred operations. Each cₖ is a power
series in η, its coefficients computed here at import from the recurrence
cₖ = cₖ₋₁'(η)/η + (−1)ᵏ·gₖ/(λ − 1) (c₀ = 1/(λ − 1) − 1/η; gₖ Stirling's coefficients of Γ)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .normal_forwards import _erfcx
from .zeta_forwards import _bernoulli

_ORDERS = 12  # c₀ … c₁₁: from a = 100, a⁻¹² is 1e-24
_TERMS = 30  # of each cₖ in η: |η| < 0.34 here (|x/a − 1| <= 0.3), the series converge within |η| < 2√π
_WORK = _TERMS + 2 * _ORDERS + 2  # each step of the recurrence loses two terms (c'/η)


def _stirling(count: int) -> list[float]:
    """g₀ … g_{count−1}: Γ(a) ~ √(2π/a)·(a/e)ᵃ·Σ gₖ/aᵏ, from log Γ*'s series Σ B₂ₘ/(2m(2m − 1)·a^(2m−1))."""
    b = _bernoulli(2 * count + 2)
    log_series = [Fraction(0)] * count
    for m in range(1, count // 2 + 2):
        if 2 * m - 1 < count:
            log_series[2 * m - 1] = b[2 * m] / (2 * m * (2 * m - 1))
    out, power = [Fraction(1)] + [Fraction(0)] * (count - 1), [Fraction(1)] + [Fraction(0)] * (count - 1)
    factorial = 1
    for j in range(1, count):  # exp of the series: Σ Lʲ/j!
        power = [sum(power[i] * log_series[n - i] for i in range(n + 1)) for n in range(count)]
        factorial *= j
        out = [o + p / factorial for o, p in zip(out, power)]
    return [float(g) for g in out]


def _inverse(p: np.ndarray) -> np.ndarray:
    """1/p as a power series (p₀ nonzero)."""
    out = np.zeros_like(p)
    out[0] = 1 / p[0]
    for n in range(1, len(p)):
        out[n] = -np.dot(p[1 : n + 1], out[n - 1 :: -1][:n]) / p[0]
    return out


def _table() -> np.ndarray:
    """cₖ's coefficients in η, row k."""
    n = _WORK
    # η = μ·h(μ), μ = λ − 1, h = √(2·Σⱼ₌₂ (−1)ʲ μʲ⁻²/j); μ(η) by Lagrange: [ηⁿ]μ = [wⁿ⁻¹](1/h)ⁿ / n
    inner = np.array([2 * (-1) ** j / j for j in range(2, n + 2)])
    root = np.zeros(n)
    root[0] = 1.0
    for i in range(1, n):  # √inner by r² = inner, r₀ = 1
        root[i] = (inner[i] - np.dot(root[1:i], root[i - 1 : 0 : -1])) / 2
    over_h = _inverse(root)
    m, power = np.zeros(n), np.ones(1)
    for k in range(1, n + 1):  # m(η) = μ/η: its [ηᵏ⁻¹] is [ηᵏ]μ
        power = np.convolve(power, over_h)[:n]
        m[k - 1] = power[k - 1] / k if k - 1 < len(power) else 0.0
    over_mu = _inverse(m)  # η/μ: 1/μ = over_mu/η
    g = _stirling(_ORDERS)
    rows = np.zeros((_ORDERS, _TERMS))
    c = over_mu[1:].copy()  # c₀ = (η/μ − 1)/η
    for k in range(_ORDERS):
        rows[k] = c[:_TERMS]
        if k + 1 == _ORDERS:
            break
        # c'/η: [ηⁿ] = (n + 2)·c_{n+2}; 1/μ = (η/μ)/η; their poles c₁/η and (−1)ᵏ⁺¹·g_{k+1}/η cancel
        derivative = np.arange(2, len(c)) * c[2:]
        c = derivative + (-1) ** (k + 1) * g[k + 1] * over_mu[1 : len(c) - 1]
    return rows


_C = _table()


def _u_minus_log1p(u: np.ndarray) -> np.ndarray:
    """u − log(1 + u), u > −1, to a few ulps: by its series Σ (−u)ᵏ/k (k ≥ 2) within |u| < 0.25, where the
    difference would cancel."""
    near = np.abs(u) < 0.25
    series = np.zeros_like(u)
    for k in range(40, 1, -1):  # 0.25⁴⁰ is far below ε
        series = series * -u + 1.0 / k
    return np.where(near, series * u * u, u - np.log1p(np.where(near, 0.0, u)))


def tails(a: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(P, Q) for a >= 100 and |x/a − 1| <= 0.3 (where |η| < 0.34): the smaller one as
    e^(−aη²/2)·(½·erfcx(|η|·√(a/2)) ± R's sum/√(2πa)), the other as 1 minus it."""
    u = (x - a) / a
    half_eta_squared = _u_minus_log1p(u)
    eta = np.sign(u) * np.sqrt(2 * half_eta_squared)
    with np.errstate(under="ignore"):  # η's high powers, far below the sum
        c = _C @ np.power.outer(eta, np.arange(_TERMS)).T  # each cₖ(η), row k
    total = np.zeros_like(a)
    for k in range(_ORDERS - 1, -1, -1):
        total = total / a + c[k]
    with np.errstate(under="ignore"):
        weight = np.exp(-a * half_eta_squared)
    tail = weight * (
        0.5 * _erfcx(np.abs(eta) * np.sqrt(a / 2)) + np.where(u >= 0, 1, -1) * total / np.sqrt(2 * np.pi * a)
    )
    above = u >= 0  # x >= a: Q is the smaller
    return np.where(above, 1 - tail, tail), np.where(above, tail, 1 - tail)

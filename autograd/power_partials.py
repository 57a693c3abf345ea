"""Every partial derivative of a ** b, ∂ⁿ/∂aⁿ ∂ᵐ/∂bᵐ, as one op whose rule is the next two partials: what power's
rule records under create_graph, so that each order is the closed form, not the rule's products differentiated again.

∂ⁿ/∂aⁿ ∂ᵐ/∂bᵐ a^b = a^(b−n)·Q(ln a), Q(L) = Σₖ C(m, k)·pₙ⁽ᵏ⁾(b)·L^(m−k), pₙ(b) = b(b−1)…(b−n+1): one power of a
times a polynomial in ln a. Differentiating the rule's products instead met terms that cancel or overflow: at
a = 1e-300, b = 2, a^b (1e-600) underflowed to 0 beside 1/a² (1e600, inf), so ∂³/∂a²∂b (d/db first) lost a term
(−1377.55 for −1378.55); b(b−1)(b−2)·a^(b−3) at b = 1 was 0 · inf = NaN for 0. The first partials are the rule's
own (rule_powers: its edge points), so a plain backward and its first derivatives are as before."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import rule_powers
from .op import Op, engine_ops
from .user_rules import unbroadcast


def _forward(a: Any, b: Any, *, n: int, m: int, power: Any = None) -> Any:
    """∂ⁿ/∂aⁿ ∂ᵐ/∂bᵐ a^b on raw data: the rule's own first partials (n + m = 1) from `power`, a^b as the forward
    gave it (a float16 one rounded, then widened as the rule is run), else the closed form."""
    arrays = [x for x in (a, b) if isinstance(x, np.ndarray)]
    if n + m == 1:
        with np.errstate(all="ignore"):  # its own infinities and NaNs, the rule's edge points
            return rule_powers.power_vjp(1.0, power, a, b, (n == 1, m == 1))[m]
    dtype = np.result_type(*arrays) if arrays else np.dtype(np.float64)
    if not np.issubdtype(dtype, np.floating):
        dtype = np.dtype(np.float64)
    value = _closed_form(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64), n, m)
    return value.astype(dtype) if arrays else float(value)


def _vjp(
    g: Any, out: Any, a: Any, b: Any, *, n: int, m: int, needs: tuple[bool, ...], power: Any = None
) -> tuple[Any, Any]:
    with np.errstate(invalid="ignore"):  # 0 · inf where a limit is infinite: a jvp runs this at g = 0, unread
        ga = unbroadcast(g * power_partial(a, b, n=n + 1, m=m), np.shape(a)) if needs[0] else None
        gb = unbroadcast(g * power_partial(a, b, n=n, m=m + 1), np.shape(b)) if needs[1] else None
    return ga, gb


power_partial = Op(
    "power_partial",
    _forward,
    _vjp,
    takes_needs=True,
    formulas=("∂/∂a: the next order", "∂/∂b: the next order"),
    broadcasts=True,
)
engine_ops(power_partial)


def _closed_form(a: np.ndarray, b: np.ndarray, n: int, m: int) -> np.ndarray:
    """a^(b−n)·Q(ln a) in float64 (a float32 power's rounded once after), with its edge points: the product in
    halves where a^(b−n) alone is beyond the floats (a tiny base); 0 where Q is 0 (a polynomial's derivative past
    its degree, b whole, 0 <= b < n, no log: at every base, NaN and inf too, as x ** 0's first); a zero signed as
    Q's leading term where a^b is flat 0 under an infinite or huge b (Q inf, or inf − inf: as the first partial);
    NaN at a < 0 with a log (m >= 1: ln a has no real value); the limit as a → 0⁺ at a = 0, but NaN for ∂²/∂b² at
    (0, 0), beside d/db's hold there."""
    with np.errstate(all="ignore"):
        terms = _terms(b, n, m)
        log_a = np.log(np.where((a < 0) | (a == 0), 1.0, a))  # a NaN base's NaN kept
        q = _polynomial(terms, log_a, np.broadcast(a, b).shape)
        s = b - n
        power = np.power(a, s)
        value = q * power
        finite_base = np.isfinite(a) & (a != 0)
        beyond = finite_base & ((power == 0) | np.isinf(power)) & np.isfinite(q) & (q != 0)
        if beyond.any():  # (q·|a|^(s/2))·|a|^(s/2), signed as a^s ((−1)^s at a < 0, s whole)
            half = np.power(np.abs(a), s / 2)
            value = np.where(beyond, q * half * half * np.copysign(1.0, power), value)
        value = np.where(finite_base & (q == 0) & (power == power), 0.0, value)
        flat = finite_base & ~np.isfinite(q) & (power == 0)
        if flat.any():  # pₙ(b)·(ln a)^m·a^(b−n) leads
            sign = np.sign(terms[0][1]) * np.sign(log_a) ** m * np.copysign(1.0, power)
            value = np.where(flat, np.copysign(0.0, sign), value)
        value = np.where(a < 0, math.nan, value) if m else np.where(q == 0, 0.0, value)
        at_zero = a == 0
        if at_zero.any():
            value = np.where(at_zero, _limit_at_zero(terms, s), value)
            if (n, m) == (0, 2):  # at b = 0 d/db is held at 0 (PyTorch's), its limit −inf: g(a^b)'s ∂²/∂b² is
                # g'·u_bb + g''·u_b², so no u_bb is right for every g beside the hold (+inf gave 1/a^b −inf for +inf)
                value = np.where(at_zero & (b == 0), math.nan, value)
        at_infinity = a == math.inf
        if at_infinity.any():  # its limit too, where the closed form met 0 · inf (∂²/∂a∂b at (inf, −2) was NaN)
            value = np.where(at_infinity, _limit_at_infinity(terms, s), value)
    return value


def _polynomial(terms: list[tuple[int, np.ndarray]], log_a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Q(ln a) by Horner's rule from the highest power; at a = 1 (ln a = 0 exactly) its constant term alone, where
    an infinite coefficient times 0 was NaN (∂³/∂a²∂b at (1, 1e300) is 2b − 1 = 2e300)."""
    q = terms[0][1] + np.zeros(shape)
    for _, c in terms[1:]:
        q = np.where(log_a == 0, 0.0, q * log_a) + c
    lowest = terms[-1][0]  # m − n where m > n
    return np.where(log_a == 0, 0.0, q * log_a**lowest) if lowest else q


def _terms(b: np.ndarray, n: int, m: int) -> list[tuple[int, np.ndarray]]:
    """Q's terms (j, c_j), c_j the coefficient of (ln a)^j, from the highest j down: C(m, k)·pₙ⁽ᵏ⁾(b), j = m − k,
    pₙ⁽ᵏ⁾ = k!·e_(n−k)(b, b − 1, …, b − n + 1), the elementary symmetric sums: every product of the same sign at an
    infinite b (no inf − inf), exact at small whole b."""
    e = [np.ones_like(b)] + [np.zeros_like(b) for _ in range(n)]
    for i in range(n):
        factor = b - i
        for j in range(i + 1, 0, -1):
            e[j] = e[j] + e[j - 1] * factor
    return [(m - k, math.comb(m, k) * math.factorial(k) * e[n - k]) for k in range(min(m, n) + 1)]


def _leading(terms: list[tuple[int, np.ndarray]], s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Q's leading term: the coefficient c and power j of the highest term with c nonzero (j −1 where Q is 0)."""
    lead = np.zeros_like(s)
    degree = np.full(s.shape, -1)
    for j, c in reversed(terms):  # lowest power first: the highest nonzero one is left
        lead = np.where(c != 0, c, lead)
        degree = np.where(c != 0, j, degree)
    return lead, degree


def _limit_at_infinity(terms: list[tuple[int, np.ndarray]], s: np.ndarray) -> np.ndarray:
    """lim a^s·Q(ln a) as a → +inf (ln a → +inf): a zero signed as Q's leading term for s < 0 (the power beats the
    log), ±inf for s > 0 and for s = 0 with j >= 1, c itself for s = 0, j = 0; 0 where Q is 0."""
    lead, degree = _leading(terms, s)
    sign = np.sign(lead)
    value = np.where(s < 0, np.copysign(0.0, sign), np.where((s > 0) | (degree >= 1), sign * math.inf, lead))
    return np.where(degree < 0, 0.0, np.where(s == s, value, math.nan))


def _limit_at_zero(terms: list[tuple[int, np.ndarray]], s: np.ndarray) -> np.ndarray:
    """lim a^s·Q(ln a) as a → 0⁺, Q's leading term c·L^j the highest with c nonzero (ln a → −inf, sign (−1)^j):
    a signed 0 for s > 0, ±inf for s < 0 and for s = 0 with j >= 1, c itself for s = 0, j = 0; 0 where Q is 0."""
    lead, degree = _leading(terms, s)
    sign = np.sign(lead) * np.where(degree % 2 == 1, -1.0, 1.0)
    value = np.where(s > 0, np.copysign(0.0, sign), np.where((s < 0) | (degree >= 1), sign * math.inf, lead))
    return np.where(degree < 0, 0.0, np.where(s == s, value, math.nan))

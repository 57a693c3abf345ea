"""lgamma in [−30, −2), near its zeros, where the reflection's two terms cancel: log(π/|sin πx|) and
lgamma(1 − x), each up to 60 (at −25), differ by a result near 0 (lgamma(−2.4570247382208006) = 5.6e-17
came out 2.2e-16). Each unit interval (−k − 1, −k), k >= 2, holds two zeros of lgamma, one in each half;
x is taken to the nearer one, x₀ = m + r₀ (m the whole number on its side of it, |r₀| < 1/2); with r = x − m
(exact) and d = x − x₀ = (r − r₀) − r₀'s rest, to the last bits,

    lgamma(x) = −log|r| − log(sin(πr)/(πr)) − lgamma(1 − x), zero at x₀, so
    lgamma(x) = −log(r/r₀) + Σⱼ ζ(2j)/j·(r²ʲ − r₀²ʲ) − Σₖ ψ⁽ᵏ⁻¹⁾(1 − x₀)/k!·(−d)ᵏ,

log(sin(πr)/(πr)) = −Σⱼ ζ(2j)/j·r²ʲ (|r| <= 0.61 here), r²ʲ − r₀²ʲ a multiple of r² − r₀² = d·(r + r₀), and
lgamma(1 − x) by Taylor's series at 1 − x₀ >= 2.5; −log(r/r₀) = −log1p(d/r₀) near x₀. Every term is a
multiple of d, so no cancellation is left but that of terms about 3 times lgamma in the middle of (−3, −2):
within 5 ulp at and near each zero, 10 ulp at −2.605 (mpmath). Below −30 the zeros lie within 4e-33 of the
poles, where no double is near them: the reflection's terms then differ by at least 30, within a few ulp."""

from __future__ import annotations

import math
from functools import cache

import numpy as np

# r₀ (a double and its rest, mpmath) of lgamma's zeros, for m = −2, −3, ..., −30: below m (r₀ < 0) and above
# (r₀ > 0); above −2 (in (−2, −3/2)) there is none, |Γ| > 2.3 there
_ZEROS = np.array((
    (-0.45702473822080064, 1.843554041574456e-17),
    (math.nan, math.nan),
    (-0.14358088834998006, 3.862806401714152e-18),
    (0.2523173532725874, -2.04688991691325e-17),
    (-0.03936183974053688, 3.2731379225891636e-18),
    (0.04470571514140207, 8.223977942582053e-19),
    (-0.008218168322593521, -5.582665915956405e-19),
    (0.008455359439952277, 8.231751957350036e-19),
    (-0.0013852944531550972, -2.6295731811446077e-20),
    (0.0013925199191243706, -7.090441230646531e-20),
    (-0.00019833340732475162, 1.1820573401560963e-20),
    (0.0001984921093623021, 6.263909978492175e-21),
    (-2.48002706819597e-05, 1.0083974251164085e-21),
    (2.4802904179335845e-05, 3.15397713595963e-22),
    (-2.7557148226503463e-06, -5.624459871432079e-23),
    (2.7557490225318057e-06, -6.500300408654724e-23),
    (-2.755730136466002e-07, -2.4472526783403563e-23),
    (2.7557337083353163e-07, 1.4502658434955713e-23),
    (-2.5052106852407546e-08, 1.2924868620853802e-24),
    (2.5052109918476226e-08, -6.807394864189793e-25),
    (-2.087675687777539e-09, -4.849684877236172e-26),
    (2.087675709796081e-09, -8.658839215884982e-26),
    (-1.6059043830108875e-10, 7.046449983196074e-27),
    (1.6059043843534355e-10, 6.465141936497467e-27),
    (-1.147074559737784e-11, 4.194056116105366e-28),
    (1.147074559808161e-11, -7.830340218001236e-28),
    (-7.647163731803788e-13, 4.886154187641447e-29),
    (7.647163731835846e-13, -3.8035184915187745e-29),
    (-4.779477332386745e-14, -1.811833433216651e-30),
    (4.779477332388026e-14, -9.319923331229129e-31),
    (-2.811457254345498e-15, -2.2878206410005478e-32),
    (2.8114572543455435e-15, -8.713180440266469e-32),
    (-1.561920696858622e-16, 9.970308044546635e-33),
    (1.5619206968586233e-16, 9.139764076937634e-33),
    (-8.22063524662433e-18, -2.0674364147742136e-35),
    (8.22063524662433e-18, 4.221635182443431e-34),
    (-4.110317623312165e-19, -9.30988539762946e-37),
    (4.110317623312165e-19, 1.951606135968959e-36),
    (-1.9572941063391263e-20, 1.3655257886744649e-36),
    (1.9572941063391263e-20, -1.3631749773431166e-36),
    (-8.896791392450574e-22, 7.911649065141598e-38),
    (8.896791392450574e-22, -7.911156164603155e-38),
    (-3.868170170630684e-23, 8.843224893988871e-40),
    (3.868170170630684e-23, -8.843130416975817e-40),
    (-1.6117375710961184e-24, 3.6846581873876786e-41),
    (1.6117375710961184e-24, -3.684656525514274e-41),
    (-6.446950284384474e-26, 1.9330404368315866e-42),
    (6.446950284384474e-26, -1.9330404099091066e-42),
    (-2.4795962632247976e-27, 1.2953730966780183e-43),
    (2.4795962632247976e-27, -1.2953730962750272e-43),
    (-9.183689863795546e-29, -1.430315039650782e-45),
    (9.183689863795546e-29, 1.4303150397066847e-45),
    (-3.279889237069838e-30, -1.511754274402623e-46),
    (3.279889237069838e-30, 1.5117542744033698e-46),
    (-1.1309962886447716e-31, -1.0498015412960822e-47),
    (1.1309962886447716e-31, 1.0498015412960822e-47),
    (-3.7699876288159054e-33, -2.5870347832588766e-49),
    (3.7699876288159054e-33, 2.5870347832588766e-49)
))  # fmt: skip
LOWEST = -30.0  # below, the reflection alone
# the midpoint of the two zeros of each unit interval (−k − 1, −k), k = 2..29: below it the lower one is nearer
_MIDDLES = np.array([(2 * -k - 1 + _ZEROS[2 * (k - 2), 0] + _ZEROS[2 * (k - 1) + 1, 0]) / 2 for k in range(2, 30)])
_TERMS = 40  # of log(sin(πr)/(πr))'s series, |r| <= 0.61 (−2.602 to −2); lgamma(1 − x)'s, |d| <= 0.15:
_TAYLOR_TERMS = 24  # |d|/(1 − x₀) <= 0.05 leaves 0.05²⁴ after them


@cache
def _zeta_over_j() -> np.ndarray:
    """ζ(2j)/j for j = 1.._TERMS: 1/j + 2·(ζ(2j) − 1)/(2j), from the family's table of (ζ(k) − 1)/k up to
    k = 28, and past it summed over n = 2..40 (the rest below 41⁻³⁰)."""
    from .gamma_forwards import ZETA_MINUS_ONE_OVER_K

    j = np.arange(1, _TERMS + 1)
    tabled = np.array(
        [2 * ZETA_MINUS_ONE_OVER_K[2 * i - 2] if 2 * i - 2 < len(ZETA_MINUS_ONE_OVER_K) else np.nan for i in j]
    )
    n = np.arange(2, 41, dtype=np.float64)[::-1]  # the smallest terms first
    summed = (n[:, None] ** -(2.0 * j)).sum(axis=0) / j
    return 1 / j + np.where(np.isnan(tabled), summed, tabled)


@cache
def _taylor() -> np.ndarray:
    """ψ⁽ᵏ⁻¹⁾(1 − x₀)/k! for k = 1.._TAYLOR_TERMS at each zero (rows as _ZEROS's): lgamma(1 − x)'s series there."""
    from .gamma_forwards import polygamma  # the family's own ψ⁽ⁿ⁾, within 3 ulp for x > 0

    m = -(np.arange(len(_ZEROS)) // 2 + 2)
    y0 = 1 - (m + np.nan_to_num(_ZEROS[:, 0]))
    return np.stack([polygamma(k - 1, y0) / math.factorial(k) for k in range(1, _TAYLOR_TERMS + 1)], axis=1)


def near_zeros(x: np.ndarray) -> np.ndarray:
    """lgamma(x) for finite non-integer x in [LOWEST, −2): see the module's doc."""
    ceiling = np.ceil(x)
    below = x < _MIDDLES[(-ceiling).astype(np.int64) - 2]  # nearer the lower zero of its unit interval
    m = ceiling - below
    r = x - m  # exact
    row = 2 * (-m.astype(np.int64) - 2) + below
    r0, rest = _ZEROS[row, 0], _ZEROS[row, 1]
    d = (r - r0) - rest
    u, u0 = r * r, r0 * r0
    # Σⱼ aⱼ(uʲ − u0ʲ) = (u − u0)·Σⱼ aⱼ·Dⱼ, Dⱼ = Σᵢ uⁱ u0ʲ⁻¹⁻ⁱ (D₁ = 1, Dⱼ₊₁ = u·Dⱼ + u0ʲ); u − u0 = d·(r + r0)
    total, lost, divided, power = np.zeros_like(x), np.zeros_like(x), np.ones_like(x), np.ones_like(x)
    for a in _zeta_over_j():  # |r| <= 0.61: 40 terms leave 0.61⁸⁰ (2e-17)
        term = a * divided
        before, total = total, total + term
        lost += (before - total) + term  # compensated (Kahan): plain sums were 6 ulp off at −2.575
        power = power * u0
        power[power < 1e-200] = 0  # r₀ of 1e-30 (m = −29): its powers would go on as subnormals, 50 times slower
        divided = divided * u + power
    sinc_part = d * (r + r0) * (total + lost)
    coefficients = _taylor()
    taylor = np.zeros_like(x)
    for k in range(_TAYLOR_TERMS - 1, -1, -1):
        taylor = (taylor + coefficients[row, k]) * -d
    ratio = d / r0
    # −log(r/r₀) = −log1p(d/r₀): log1p near the zero, log of the quotient (exact to rounding) near the pole
    with np.errstate(divide="ignore"):
        log_part = np.where(np.abs(ratio) < 0.5, np.log1p(ratio), np.log(r / r0))
    return sinc_part - log_part - taylor

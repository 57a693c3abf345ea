"""What gradcheck refuses before it compares anything, naming the input or entry: a point where f's output
is not finite, an element where x + eps or x - eps rounds to x, and a point moved by eps outside f's domain."""

from __future__ import annotations

from typing import Any

import numpy as np


def undefined(who: str, where: str, eps: float, error: Exception) -> ValueError:
    """The error of an f (or loss) that raised at the point moved by eps: outside its domain there."""
    return ValueError(
        f"{who} is undefined at {where} (the point moved by eps={eps}): {error}; check at a point farther "
        "from the edge of its domain"
    )


def check_finite(base: np.ndarray, who: str) -> None:
    """Refuse a check at a point where f's output is not finite: every difference would be NaN."""
    if not np.isfinite(base).all():
        at = tuple(np.argwhere(~np.isfinite(base))[0])
        entry = f" (entry {[int(i) for i in at]})" if at else ""
        raise ValueError(
            f"{who}'s output is {base[at]} at the point{entry}: no derivative can be checked where it is not "
            "finite; check at another point"
        )


def check_steps(point: Any, eps: float, who: str, name: str) -> None:
    """Refuse a check at a point with an element where x + eps or x - eps rounds to x: a step of 0
    measures nothing on that side (eps below half x's float spacing: 1e-9 at 1e8), and of a difference
    that measures nothing, nothing can be judged."""
    x = np.asarray(point, dtype=np.float64)
    with np.errstate(invalid="ignore"):  # inf - eps is inf: not finite, refused elsewhere if at all
        lost = np.isfinite(x) & ((x + eps == x) | (x - eps == x))
    if lost.any():
        index = tuple(int(k) for k in np.argwhere(lost)[0])
        v = float(x[index])
        raise ValueError(
            f"{who}: {name}{list(index) if index else ''} = {v!r}, where x + eps or x - eps rounds to x (eps={eps} "
            f"is below half its float spacing, {np.spacing(abs(v)):.3g}), so the difference measures nothing "
            "there: give a larger eps, or check at a smaller value"
        )

"""f's outputs at the point moved by each shift a row asks for, kept (its screens ask for some twice: 2 eps for
the kink's and the jump's), and the nearest shift where f is not finite or undefined: a pole, an overflow or a
domain's edge that close, which no difference across it can step over (1 / x at eps / 2 is inf at x - eps / 2,
and its right rule failed against the difference at eps, 2 / eps**2 for -4 / eps**2)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np


class Remembered:
    """`at` (a shift -> f's output there, in float64) with its outputs kept, each shift's computed once (f's
    outputs are not written into), and the shifts where f raised or was not finite."""

    def __init__(self, at: Callable[[float], np.ndarray]) -> None:
        self._at, self._kept, self._broken = at, {}, set()

    def __call__(self, shift: float) -> np.ndarray:
        if shift not in self._kept:
            try:
                self._kept[shift] = self._at(shift)
            except (ArithmeticError, ValueError):
                self._broken.add(abs(shift))
                raise
            if not np.isfinite(self._kept[shift]).all():
                self._broken.add(abs(shift))
        return self._kept[shift]

    def nearest_break(self, within: float) -> float:
        """The smallest |shift| up to `within` where f raised or was not finite (0 if none was seen)."""
        return min((s for s in self._broken if s <= within), default=0.0)


def shift_words(shift: float) -> str:
    """A shift, in eps, for a message: x +- eps, x +- eps / 2, x +- 2 eps, x +- 0.75 eps."""
    if shift == 1:
        return "x +- eps"
    if shift < 1 and math.isclose(1 / shift, round(1 / shift)):
        return f"x +- eps / {round(1 / shift)}"
    return f"x +- {shift:.3g} eps"

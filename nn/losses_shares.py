"""A target's share of a loss's term, t s, that is 0 where the share t is 0 whatever s is there: s may be
infinite (a softplus of an infinite logit, the log-probability of a class with a score of -inf, or one that
overflowed), and a class or outcome the target gives no weight adds nothing to the loss, not 0 · inf = NaN."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Op


def share(s: Any, t: Any) -> Any:
    """t s, 0 where t is 0, of arrays or floats (the forward, on this call's data)."""
    if isinstance(t, np.ndarray | np.generic) or isinstance(s, np.ndarray | np.generic):
        with np.errstate(invalid="ignore"):  # inf · 0, replaced by 0
            return np.where(t == 0, 0, s * t)
    return 0.0 if t == 0 else s * t


def rest(s: Any, t: Any) -> Any:
    """(1 - t) s, 0 where t is 1, of arrays or floats: the other outcome's share of a binary target."""
    if isinstance(t, np.ndarray | np.generic) or isinstance(s, np.ndarray | np.generic):
        with np.errstate(invalid="ignore"):  # inf · 0, replaced by 0
            return np.where(t == 1, 0, s * (1 - t))  # in the forward, t is this call's data: numpy on it is replayed
    return 0.0 if t == 1 else s * (1 - t)


def _share_rule(g: Any, out: Any, s: Any, t: Any, needs: tuple[bool, ...]) -> tuple[Any, Any]:
    return (g * t if needs[0] else None, g * s if needs[1] else None)


# t s as an op of the graph, so that an array t is its operand (numpy on t would be data a compiled step replays)
target_share = Op("target_share", share, _share_rule, takes_needs=True)

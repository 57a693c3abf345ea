"""A target's share of a loss's term, t s, that is 0 where the share t is 0 whatever s is there: s may be
infinite (a softplus of an infinite logit, the log-probability of a class with a score of -inf, or one that
overflowed), and a class or outcome the target gives no weight adds nothing to the loss, not 0 · inf = NaN."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Op


def share(s: Any, t: Any) -> Any:
    """t s, 0 where t is 0, of arrays or floats (the forward, on this call's data)."""
    return _weighted(s, t, t, none_at=0)


def rest(s: Any, t: Any) -> Any:
    """(1 - t) s, 0 where t is 1, of arrays or floats: the other outcome's share of a binary target."""
    return _weighted(s, t, 1 - t, none_at=1)


def _weighted(s: Any, t: Any, weight: Any, none_at: float) -> Any:
    """weight s, 0 where the target t is `none_at` (where weight is 0), of arrays or floats."""
    if isinstance(t, np.ndarray | np.generic) or isinstance(s, np.ndarray | np.generic):
        with np.errstate(invalid="ignore"):  # inf · 0, replaced by 0
            return np.where(t == none_at, 0, s * weight)  # in the forward, t is this call's data: replayed
    return 0.0 if t == none_at else s * weight


def _share_rule(g: Any, out: Any, s: Any, t: Any, needs: tuple[bool, ...]) -> tuple[Any, Any]:
    return (g * t if needs[0] else None, g * s if needs[1] else None)


# t s as an op of the graph, so that an array t is its operand (numpy on t would be data a compiled step replays)
target_share = Op("target_share", share, _share_rule, takes_needs=True)

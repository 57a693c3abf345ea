"""Steps of `autograd.testing.tensor_expressions` through the reductions ops: name -> (template, apply,
accepts), as `testing_expression.Kind` takes them; each keeps a 2-d operand's shape (rows, columns), and
accepts only operands where finite differences are valid (away from the kinks of std and norm)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import tensor_ops as tops
from .op_def import ANYWHERE
from .testing_tensor import _away_from, _distinct, _distinct_along_last_axis

_ANY = ANYWHERE  # products, sums and the variance are smooth everywhere
_away_from_zero = _away_from([0.0], 0.05)  # |x|'s kink at 0, so the 1-norm's and the 2-norm's (the zero vector)


def _spread_along(axis: int, margin: float = 0.1) -> Callable[[Any], bool]:
    """Operands whose entries along `axis` are not all (nearly) equal: std's kink is at a constant."""
    return lambda x: np.shape(x)[axis] >= 2 and bool(np.all(np.std(x, axis=axis, ddof=1) >= margin))


def _distinct_magnitudes_down_columns(x: Any) -> bool:
    """The inf-norm's kinks: where two entries' magnitudes tie, and where an entry is 0."""
    return _away_from_zero(x) and _distinct_along_last_axis(np.abs(np.asarray(x)).T)


KINDS: dict[str, tuple[str, Callable[..., Any], tuple[Callable[[Any], bool], ...]]] = {
    "*prod": (
        "{0} * prod({1}, axis=-1, keepdims=True)",
        lambda a, b, c: a * tops.prod(b, axis=-1, keepdims=True),
        (_ANY, _ANY),
    ),
    "+var": (
        "{0} + var({1}, axis=-1, keepdims=True)",
        lambda a, b, c: a + tops.var(b, axis=-1, keepdims=True, ddof=0),
        (_ANY, _ANY),
    ),
    "/std": (
        "{0} / std({1}, axis=0, ddof=1)",
        lambda a, b, c: a / tops.std(b, axis=0, keepdims=False, ddof=1),
        (_ANY, _spread_along(0)),
    ),
    "*norm": (
        "{0} * norm({1}, axis=-1, keepdims=True)",
        lambda a, b, c: a * tops.norm(b, axis=-1, keepdims=True, ord=2),
        (_ANY, _away_from_zero),
    ),
    "-norm1": (
        "{0} - norm({1}, ord=1)",
        lambda a, b, c: a - tops.norm(b, axis=None, keepdims=False, ord=1),
        (_ANY, _away_from_zero),
    ),
    "+norm_inf": (
        "{0} + norm({1}, ord=inf, axis=0)",
        lambda a, b, c: a + tops.norm(b, axis=0, keepdims=False, ord=np.inf),
        (_ANY, _distinct_magnitudes_down_columns),
    ),
    "cumsum": ("cumsum({0}, axis=-1)", lambda a, c: tops.cumsum(a, axis=-1), (_ANY,)),
    "cumprod": ("cumprod({0}, axis=0)", lambda a, c: tops.cumprod(a, axis=0), (_ANY,)),
    "logcumsumexp": ("logcumsumexp({0}, axis=-1)", lambda a, c: tops.logcumsumexp(a, axis=-1), (_ANY,)),
    "+median": ("{0} + median({1})", lambda a, b, c: a + tops.median(b), (_ANY, _distinct)),
}

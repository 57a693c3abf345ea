"""The op table's gamma family on both engines, PyTorch's names and choices: lgamma, digamma and
polygamma(n). Each derivative is the next of the family (lgamma' = ψ, ψ⁽ⁿ⁾' = ψ⁽ⁿ⁺¹⁾), so derivatives of
any order follow. Entries as in `op_table` (read there); their forwards are in `gamma_forwards`."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import gamma_forwards as forward
from .op_def import _ENGINES, Domain, OpDef, engine_of, function
from .parameter_checks import require_meaningful
from .shape_args import is_int
from .type_names import type_name

digamma = function("digamma")
# random checks stay off the poles (0, −1, −2, ...); the negative axis is checked against mpmath
# (tests/test_elementwise_gamma.py), where PyTorch's derivatives are no reference
_AWAY_FROM_POLES = Domain(lo=0.1)


def _polygamma(x: Any, n: float) -> Any:
    """ψ⁽ⁿ⁾(x) on x's engine, recorded on nodes (create_graph): the rules' next derivative."""
    return _ENGINES[engine_of(x)]["polygamma"](x, n=n)


def _is_pole(x: float) -> bool:
    return x == -math.inf or (x <= 0 and x == math.floor(x))


def _on_a_float(array_forward: Callable[..., np.ndarray], name: str) -> Callable[..., float]:
    """The forward on floats: the array one's number at x (the same digits on both engines), refused at a
    pole, where there is no real value (a Tensor gives inf or NaN there, as PyTorch's)."""

    @functools.wraps(array_forward)
    def scalar(x: float, **params: Any) -> float:
        if _is_pole(x):
            raise ValueError(f"{name} has a pole at each integer <= 0, and no limit at -inf")
        return float(array_forward(np.float64(x), **params))

    return scalar


def _tensor(array_forward: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    return lambda x, **params: array_forward(x, **{k: int(v) for k, v in params.items()})


def _polygamma_check(n: float) -> None:
    require_meaningful("polygamma", {"n": n})
    if not (n == math.floor(n) and 0 <= n <= forward.LARGEST_ORDER):
        raise ValueError(
            f"polygamma: n must be a whole number from 0 to {forward.LARGEST_ORDER} (the order of the derivative "
            f"of digamma, polygamma's n = 0), got {n}"
        )


def torch_order(table_function: Callable[..., Any]) -> Callable[..., Any]:
    """autograd.polygamma as PyTorch's torch.polygamma(n, input): two positional arguments are n, then the
    input; the table's form, polygamma(x, n=...) with n by name, and polygamma(x) (n = 1), also work.
    polygamma(x, 2) is never read as the table's order, where polygamma(2, 3.0) would be ambiguous."""

    def polygamma(*args: Any, **given: Any) -> Any:
        if len(args) == 2 and not given:
            n, x = args
            if not is_int(n):
                raise TypeError(
                    f"polygamma(n, input), PyTorch's order: n must be an int, got {type_name(n)}; "
                    "or give n by name, polygamma(x, n=2)"
                )
            return table_function(x, n=n)
        return table_function(*args, **given)

    polygamma.__name__ = polygamma.__qualname__ = "polygamma"
    polygamma.__doc__ = torch_order.__doc__
    return polygamma


GAMMA: tuple[OpDef, ...] = (
    # log|Γ(x)|, +inf at the poles 0, −1, −2, ... and at ±inf (PyTorch's); Γ's sign is not kept (as PyTorch's)
    OpDef(
        "lgamma",
        lambda g, out, x: (g * digamma(x),),
        _on_a_float(forward.lgamma, "lgamma"),
        forward.lgamma,
        (_AWAY_FROM_POLES,),
        "lgamma has a pole at each integer <= 0",
        formulas=("∂lgamma(x)/∂x = ψ(x)",),
    ),
    # −inf at +0.0 and +inf at −0.0 (the limit from each side), NaN at the negative integers (PyTorch's)
    OpDef(
        "digamma",
        lambda g, out, x: (g * _polygamma(x, 1.0),),
        _on_a_float(lambda x: forward.polygamma(0, x), "digamma"),
        lambda x: forward.polygamma(0, x),
        (_AWAY_FROM_POLES,),
        "digamma has a pole at each integer <= 0",
        aliases=("psi",),
        formulas=("∂ψ(x)/∂x = ψ⁽¹⁾(x)",),
    ),
    # ψ⁽ⁿ⁾(x), the nth derivative of digamma; n = 1 by default (PyTorch's has none: torch.polygamma(n, input),
    # which autograd.polygamma(n, x) also takes). At a pole: +inf for odd n; for even n as digamma (PyTorch's
    # polygamma(2, x) is −inf at −0.0 and the negative integers, whose two sides' limits differ: ours NaN)
    OpDef(
        "polygamma",
        lambda g, out, x, *, n: (g * _polygamma(x, n + 1),),
        _on_a_float(lambda x, *, n: forward.polygamma(int(n), x), "polygamma"),
        _tensor(lambda x, *, n: forward.polygamma(n, x)),
        (_AWAY_FROM_POLES,),
        "polygamma has a pole at each integer <= 0",
        params={"n": 1},
        check=_polygamma_check,
        formulas=("∂ψ⁽ⁿ⁾(x)/∂x = ψ⁽ⁿ⁺¹⁾(x)",),
    ),
)

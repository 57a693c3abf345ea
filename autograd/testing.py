"""Hypothesis strategies for property tests of gradients.

    from hypothesis import given
    from autograd import gradcheck
    from autograd.testing import expressions

    @given(expressions())
    def test_gradients(expr):
        assert gradcheck(expr, expr.inputs)

`expressions()` draws random expression graphs over every scalar op, with reused nodes, whose
inputs keep each op inside its domain and away from kinks, so finite differences are valid.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from . import scalar_ops as ops
from .value import Value


def floats(min_value: float = -3.0, max_value: float = 3.0) -> st.SearchStrategy[float]:
    """Finite floats in [min_value, max_value]."""
    return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False)


def values(min_value: float = -3.0, max_value: float = 3.0) -> st.SearchStrategy[Value]:
    """Leaf Values holding finite floats in [min_value, max_value]."""
    return floats(min_value, max_value).map(Value)


@dataclass(frozen=True)
class _Kind:
    """One way to extend an expression: how to write it, how to apply it, which operands it accepts."""

    template: str  # "{0} * {1}", "log({0})", "{0} ** {c}"
    apply: Callable[..., Any]  # (operands..., c) -> result, on floats and on Values alike
    arity: int
    accepts: Callable[[float], bool] = lambda x: True  # guard on the last operand
    constants: tuple[float, ...] = (0.0,)


def _away_from_zero(margin: float) -> Callable[[float], bool]:
    return lambda x: abs(x) >= margin


def _positive(x: float) -> bool:
    return x >= 0.1


KINDS: dict[str, _Kind] = {
    "+": _Kind("{0} + {1}", lambda a, b, c: a + b, 2),
    "-": _Kind("{0} - {1}", lambda a, b, c: a - b, 2),
    "*": _Kind("{0} * {1}", lambda a, b, c: a * b, 2),
    "/": _Kind("{0} / {1}", lambda a, b, c: a / b, 2, _away_from_zero(0.1)),
    "**": _Kind("{1} ** {0}", lambda a, b, c: b**a, 2, _positive),  # base is the guarded operand
    "c+": _Kind("{c} + {0}", lambda a, c: c + a, 1, constants=(-1.5, 2.0)),
    "c-": _Kind("{c} - {0}", lambda a, c: c - a, 1, constants=(1.0, -0.5)),
    "c*": _Kind("{c} * {0}", lambda a, c: c * a, 1, constants=(2.0, -0.5)),
    "c/": _Kind("{c} / {0}", lambda a, c: c / a, 1, _away_from_zero(0.1), constants=(1.0, -2.0)),
    "**int": _Kind("{0} ** {c}", lambda a, c: a**c, 1, constants=(2.0, 3.0)),  # negative bases too
    "**-1": _Kind("{0} ** {c}", lambda a, c: a**c, 1, _away_from_zero(0.1), constants=(-1.0,)),
    "**frac": _Kind("{0} ** {c}", lambda a, c: a**c, 1, _positive, constants=(0.5, 1.5)),
    "c**": _Kind("{c} ** {0}", lambda a, c: c**a, 1, constants=(0.5, 2.0)),
    "neg": _Kind("-{0}", lambda a, c: -a, 1),
    "abs": _Kind("abs({0})", lambda a, c: abs(a), 1, _away_from_zero(0.05)),
    "exp": _Kind("exp({0})", lambda a, c: ops.exp(a), 1),
    "log": _Kind("log({0})", lambda a, c: ops.log(a), 1, _positive),
    "sqrt": _Kind("sqrt({0})", lambda a, c: ops.sqrt(a), 1, _positive),
    "tanh": _Kind("tanh({0})", lambda a, c: ops.tanh(a), 1),
    "sigmoid": _Kind("sigmoid({0})", lambda a, c: ops.sigmoid(a), 1),
    "relu": _Kind("relu({0})", lambda a, c: ops.relu(a), 1, _away_from_zero(0.05)),
    "sin": _Kind("sin({0})", lambda a, c: ops.sin(a), 1),
    "cos": _Kind("cos({0})", lambda a, c: ops.cos(a), 1),
}


@dataclass(frozen=True)
class Expression:
    """A random expression graph. Call it with one Value (or float) per input to build it;
    `inputs` is the point it was drawn at. Its repr lists the steps, one per line."""

    inputs: tuple[float, ...]
    steps: tuple[tuple[str, tuple[int, ...], float], ...]  # (kind, operand positions, constant)

    def __call__(self, *xs: Any) -> Any:
        pool = list(xs)
        for kind, args, c in self.steps:
            pool.append(KINDS[kind].apply(*(pool[i] for i in args), c))
        return pool[-1]

    def __repr__(self) -> str:
        names = [f"x{i}" for i in range(len(self.inputs))]
        given = ", ".join(f"{n}={x!r}" for n, x in zip(names, self.inputs))
        lines = [f"Expression at {given}:"]
        for k, (kind, args, c) in enumerate(self.steps):
            name = f"t{k}"
            lines.append(f"  {name} = " + KINDS[kind].template.format(*(names[i] for i in args), c=c))
            names.append(name)
        lines.append(f"  output {names[-1]}")
        return "\n".join(lines)


@st.composite
def expressions(
    draw: Callable[[st.SearchStrategy[Any]], Any],
    max_inputs: int = 3,
    max_ops: int = 8,
    kinds: Sequence[str] = tuple(KINDS),
    min_value: float = -2.0,
    max_value: float = 2.0,
    bound: float = 1e3,
) -> Expression:
    """Random expression graphs of up to `max_ops` steps over `kinds` (default: every op).

    Each step's operands are drawn from all earlier nodes, so nodes get reused. An op with a
    domain or a kink gets only operands that keep it valid (log of >= 0.1, relu away from 0),
    and a step whose value would exceed `bound` in magnitude is left out, so the drawn point
    is always safe for finite differences.
    """
    n = draw(st.integers(1, max_inputs))
    inputs = tuple(draw(floats(min_value, max_value)) for _ in range(n))
    pool = list(inputs)
    steps = []
    for _ in range(draw(st.integers(1, max_ops))):
        name = draw(st.sampled_from(kinds))
        kind = KINDS[name]
        guarded = [i for i, x in enumerate(pool) if kind.accepts(x)]
        if not guarded:
            continue
        args = tuple(draw(st.integers(0, len(pool) - 1)) for _ in range(kind.arity - 1))
        args += (draw(st.sampled_from(guarded)),)
        c = draw(st.sampled_from(kind.constants))
        try:
            out = kind.apply(*(pool[i] for i in args), c)
        except (ArithmeticError, ValueError):
            continue
        if not math.isfinite(out) or abs(out) > bound:
            continue
        steps.append((name, args, c))
        pool.append(out)
    return Expression(inputs, tuple(steps))

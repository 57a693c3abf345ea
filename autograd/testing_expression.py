"""The random expression graphs of `autograd.testing`'s `expressions()` and `tensor_expressions()`: the
steps they draw from (every op of the table, its forms with a number operand, and the tensor families'
steps) and how a graph grows over earlier nodes while staying safe for finite differences."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

from . import testing_reductions, testing_shapes, testing_tensor
from .op_table import ANYWHERE, ELEMENTWISE, NONZERO, POSITIVE, Domain, OpDef


@dataclass(frozen=True)
class Kind:
    """One way to extend an expression: how to write it, how to apply it, which operands it accepts."""

    template: str  # "{0} * {1}", "log({0})", "{0} ** {c}"
    apply: Callable[..., Any]  # (operands..., c) -> result, on numbers, Values, arrays and Tensors alike
    accepts: tuple[Callable[[Any], bool], ...]  # per operand: where finite differences are valid
    constants: tuple[float, ...] = (0.0,)
    joint: Callable[..., bool] | None = None  # where the operands together keep them valid (maximum: no tie)

    @property
    def arity(self) -> int:
        return len(self.accepts)


def _from_table(d: OpDef) -> Kind:
    """The op table's entry as a step: an operator between two nodes, or a function of its
    operands (`log({0})`, `maximum({0}, {1})`; an op with parameters with their defaults)."""
    if d.symbol:
        return Kind(f"{{0}} {d.symbol} {{1}}", lambda a, b, c, op=d.apply: op(a, b), d.safe, joint=d.joint)
    operands = ", ".join(f"{{{i}}}" for i in range(d.arity))
    # an input without a derivative (gammainc's a) is its domain's middle, a number: a node there would be refused,
    # and its operand's data would still move with the graph's inputs under finite differences
    held = {k: (d.safe[k].lo + d.safe[k].hi) / 2 for k in d.no_derivative}
    return Kind(
        f"{d.name}({operands})",
        lambda *xs, f=d.apply: f(*[held.get(k, x) for k, x in enumerate(xs[:-1])]),
        d.safe,
        joint=d.joint,
    )


_ANY = (ANYWHERE,)
# every op of the table, by its symbol or name, then its forms with a number operand
KINDS: dict[str, Kind] = {d.symbol or d.name: _from_table(d) for d in ELEMENTWISE}
KINDS.update(
    {
        "c+": Kind("{c} + {0}", lambda a, c: c + a, _ANY, constants=(-1.5, 2.0)),
        "c-": Kind("{c} - {0}", lambda a, c: c - a, _ANY, constants=(1.0, -0.5)),
        "c*": Kind("{c} * {0}", lambda a, c: c * a, _ANY, constants=(2.0, -0.5)),
        "c/": Kind("{c} / {0}", lambda a, c: c / a, (NONZERO,), constants=(1.0, -2.0)),
        "**int": Kind("{0} ** {c}", lambda a, c: a**c, _ANY, constants=(2.0, 3.0)),  # negative bases too
        "**-1": Kind("{0} ** {c}", lambda a, c: a**c, (NONZERO,), constants=(-1.0,)),
        "**frac": Kind("{0} ** {c}", lambda a, c: a**c, (POSITIVE,), constants=(0.5, 1.5)),
        "c**": Kind("{c} ** {0}", lambda a, c: c**a, _ANY, constants=(0.5, 2.0)),
    }
)


# Steps that keep a 2-d shape (rows, columns), so that every node can meet every other: each family keeps its own
TENSOR_KINDS: dict[str, Kind] = {
    name: Kind(*kind)
    for name, kind in {**testing_tensor.KINDS, **testing_reductions.KINDS, **testing_shapes.KINDS}.items()
}


@dataclass(frozen=True)
class Expression:
    """A random expression graph. Call it with one Value or Tensor (or number or array) per
    input to build it; `inputs` is the point it was drawn at. A tensor result is summed, so
    the expression is scalar-valued. Its repr lists the steps, one per line."""

    inputs: tuple[Any, ...]
    steps: tuple[tuple[str, tuple[int, ...], float], ...]  # (kind, operand positions, constant)

    def __call__(self, *xs: Any) -> Any:
        pool = list(xs)
        for kind, args, c in self.steps:
            pool.append(ALL_KINDS[kind].apply(*(pool[i] for i in args), c))
        out = pool[-1]
        return out.sum() if getattr(out, "ndim", 0) else out

    def __repr__(self) -> str:
        names = [f"x{i}" for i in range(len(self.inputs))]
        given = ", ".join(f"{n}={np.asarray(x).tolist()!r}" for n, x in zip(names, self.inputs))
        lines = [f"Expression at {given}:"]
        for k, (kind, args, c) in enumerate(self.steps):
            name = f"t{k}"
            lines.append(f"  {name} = " + ALL_KINDS[kind].template.format(*(names[i] for i in args), c=c))
            names.append(name)
        lines.append(f"  output {'sum(' + names[-1] + ')' if np.ndim(self.inputs[0]) else names[-1]}")
        return "\n".join(lines)


ALL_KINDS = {**KINDS, **TENSOR_KINDS}


def floats(min_value: float = -3.0, max_value: float = 3.0) -> st.SearchStrategy[float]:
    """Finite Python floats (float64) in [min_value, max_value]."""
    return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False)


def first_inputs(draw: Callable, kind: Kind, count: int, min_value: float, max_value: float) -> list[float]:
    """`count` floats in [min_value, max_value], each that `kind` (the first step's) takes as an operand drawn
    inside its domain (where that meets the range): acosh's domain, [1.1, 3], is a fifth of [-2, 2], and 82% of
    expressions over acosh alone, their inputs drawn anywhere, had no step (find() of one with a step, over 50
    examples, failed once in a run of the suite)."""
    inputs = []
    for k in range(count):
        inside = _inside(kind.accepts[k], min_value, max_value) if k < kind.arity else None
        inputs.append(draw(inside if inside is not None else floats(min_value, max_value)))
    return inputs


def _inside(domain: Domain, min_value: float, max_value: float) -> st.SearchStrategy[float] | None:
    """Floats in [min_value, max_value] that `domain` accepts, drawn among its stretches between the points it
    avoids (each end moved inward until the domain takes it); None where it takes none of the range."""
    lo, hi = max(min_value, domain.lo), min(max_value, domain.hi)
    cuts = [(p - domain.margin, p + domain.margin) for p in sorted(domain.avoid)]
    stretches, start = [], lo
    for a, b in [*cuts, (math.inf, math.inf)]:
        end = min(a, hi)
        while start <= end and not domain(start):
            start = math.nextafter(start, math.inf)
        while end >= start and not domain(end):
            end = math.nextafter(end, -math.inf)
        if start <= end:
            stretches.append(floats(start, end))
        start = max(start, b)
    return st.one_of(stretches) if stretches else None


def extend(
    draw: Callable, inputs: Sequence[Any], max_ops: int, kinds: Sequence[str], bound: float, first: str | None = None
) -> Expression:
    """Draw up to max_ops steps, each over earlier nodes, skipping any that would leave the safe region (`first`:
    the first step's kind, where the inputs were drawn for it: `first_inputs`)."""
    pool = list(inputs)
    steps = []
    for n in range(draw(st.integers(1, max_ops))):
        name = first if n == 0 and first is not None else draw(st.sampled_from(kinds))
        kind = ALL_KINDS[name]
        allowed = [[i for i, x in enumerate(pool) if guard(x)] for guard in kind.accepts]
        if not all(allowed):
            continue
        if n == 0 and first is not None and len(pool) >= kind.arity:  # the inputs drawn for it, each once
            args = tuple(range(kind.arity))
        else:
            args = tuple(draw(st.sampled_from(ok)) for ok in allowed)
        if kind.joint is not None and not kind.joint(*(pool[i] for i in args)):
            continue
        c = draw(st.sampled_from(kind.constants))
        try:
            with np.errstate(over="raise", divide="raise", invalid="raise"):
                out = kind.apply(*(pool[i] for i in args), c)
        except (ArithmeticError, ValueError):
            continue
        if not np.all(np.isfinite(out)) or np.any(np.abs(out) > bound):
            continue
        steps.append((name, args, c))
        pool.append(out)
    return Expression(tuple(inputs), tuple(steps))

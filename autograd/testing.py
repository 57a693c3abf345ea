"""Hypothesis strategies for property tests of gradients.

    from hypothesis import given
    from autograd import gradcheck
    from autograd.testing import expressions

    @given(expressions())
    def test_gradients(expr):
        assert gradcheck(expr, expr.inputs)

`expressions()` draws random expression graphs over every scalar op, `tensor_expressions()`
over tensors (elementwise ops, reductions, matmul, convolution and max pooling, indexing with
repeated indices, the softmax family...). Nodes get reused, and each op's operands are kept
inside its domain and away from its kinks, so finite differences are valid at the drawn point.
`arrays()`, `tensors()` and `broadcastable_shapes()` draw inputs for checks of single ops, and
`within(domain)` draws inside an op's domain (the op table's `safe`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

try:
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError:  # an optional extra: say which
    raise ImportError("autograd.testing needs hypothesis: pip install chainrule[test]") from None

from . import conv, testing_reductions, testing_shapes
from . import tensor_ops as tops
from .op_table import ANYWHERE, ELEMENTWISE, NONZERO, POSITIVE, Domain, OpDef
from .tensor import Tensor
from .value import Value


def floats(min_value: float = -3.0, max_value: float = 3.0) -> st.SearchStrategy[float]:
    """Finite floats in [min_value, max_value]."""
    return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False)


def values(min_value: float = -3.0, max_value: float = 3.0) -> st.SearchStrategy[Value]:
    """Leaf Values holding finite floats in [min_value, max_value]."""
    return floats(min_value, max_value).map(Value)


def shapes(min_dims: int = 0, max_dims: int = 3, max_side: int = 4) -> st.SearchStrategy[tuple[int, ...]]:
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


def arrays(
    shape: tuple[int, ...] | st.SearchStrategy[tuple[int, ...]] | None = None,
    min_value: float = -3.0,
    max_value: float = 3.0,
    dtype: Any = np.float64,
) -> st.SearchStrategy[np.ndarray]:
    """numpy arrays of finite values in [min_value, max_value], of the given or a drawn shape."""
    return hnp.arrays(dtype, shapes() if shape is None else shape, elements=floats(min_value, max_value))


def tensors(
    shape: tuple[int, ...] | st.SearchStrategy[tuple[int, ...]] | None = None,
    min_value: float = -3.0,
    max_value: float = 3.0,
    dtype: Any = np.float64,
) -> st.SearchStrategy[Tensor]:
    """Leaf Tensors that require grad, holding `arrays(...)`."""
    return arrays(shape, min_value, max_value, dtype).map(lambda a: Tensor(a, requires_grad=True))


def within(domain: Domain, shape: Any = None) -> st.SearchStrategy[Any]:
    """Floats (or, given a shape or a strategy of shapes, float64 arrays) inside an op's `Domain`:
    where its finite differences are valid."""
    lo, hi = max(domain.lo, -3.0), min(domain.hi, 3.0)
    if shape is None:
        return floats(lo, hi).filter(domain)
    return arrays(shape, lo, hi).filter(domain)


def broadcastable_shapes(num_shapes: int = 2, max_dims: int = 3, max_side: int = 3) -> st.SearchStrategy[tuple]:
    """Tuples of shapes that broadcast together, such as ((3, 1), (2, 1, 4))."""
    return hnp.mutually_broadcastable_shapes(num_shapes=num_shapes, max_dims=max_dims, max_side=max_side).map(
        lambda s: s.input_shapes
    )


# ---- the kinds of steps an expression is built from ----


@dataclass(frozen=True)
class _Kind:
    """One way to extend an expression: how to write it, how to apply it, which operands it accepts."""

    template: str  # "{0} * {1}", "log({0})", "{0} ** {c}"
    apply: Callable[..., Any]  # (operands..., c) -> result, on numbers, Values, arrays and Tensors alike
    accepts: tuple[Callable[[Any], bool], ...]  # per operand: where finite differences are valid
    constants: tuple[float, ...] = (0.0,)
    joint: Callable[..., bool] | None = None  # where the operands together keep them valid (maximum: no tie)

    @property
    def arity(self) -> int:
        return len(self.accepts)


def _away_from(points: Sequence[float], margin: float) -> Callable[[Any], bool]:
    return lambda x: all(bool(np.all(np.abs(np.asarray(x) - p) >= margin)) for p in points)


def _distinct_along_last_axis(x: Any) -> bool:
    """max and min have a kink where two entries tie: keep every pair of entries apart."""
    s = np.sort(np.asarray(x), axis=-1)
    return s.shape[-1] < 2 or bool(np.all(np.diff(s, axis=-1) >= 0.05))


def _distinct(x: Any) -> bool:
    return _distinct_along_last_axis(np.ravel(x))


def _from_table(d: OpDef) -> _Kind:
    """The op table's entry as a step: an operator between two nodes, or a function of its
    operands (`log({0})`, `maximum({0}, {1})`; an op with parameters with their defaults)."""
    if d.symbol:
        return _Kind(f"{{0}} {d.symbol} {{1}}", lambda a, b, c, op=d.apply: op(a, b), d.safe, joint=d.joint)
    operands = ", ".join(f"{{{i}}}" for i in range(d.arity))
    return _Kind(f"{d.name}({operands})", lambda *xs, f=d.apply: f(*xs[:-1]), d.safe, joint=d.joint)


_ANY = (ANYWHERE,)
# every op of the table, by its symbol or name, then its forms with a number operand
KINDS: dict[str, _Kind] = {d.symbol or d.name: _from_table(d) for d in ELEMENTWISE}
KINDS.update(
    {
        "c+": _Kind("{c} + {0}", lambda a, c: c + a, _ANY, constants=(-1.5, 2.0)),
        "c-": _Kind("{c} - {0}", lambda a, c: c - a, _ANY, constants=(1.0, -0.5)),
        "c*": _Kind("{c} * {0}", lambda a, c: c * a, _ANY, constants=(2.0, -0.5)),
        "c/": _Kind("{c} / {0}", lambda a, c: c / a, (NONZERO,), constants=(1.0, -2.0)),
        "**int": _Kind("{0} ** {c}", lambda a, c: a**c, _ANY, constants=(2.0, 3.0)),  # negative bases too
        "**-1": _Kind("{0} ** {c}", lambda a, c: a**c, (NONZERO,), constants=(-1.0,)),
        "**frac": _Kind("{0} ** {c}", lambda a, c: a**c, (POSITIVE,), constants=(0.5, 1.5)),
        "c**": _Kind("{c} ** {0}", lambda a, c: c**a, _ANY, constants=(0.5, 2.0)),
    }
)


def _first_column_repeated(b: Any) -> Any:
    return tops.getitem(b, index=(Ellipsis, np.zeros(np.shape(b)[-1], dtype=int)))


def _checkerboard(x: Any) -> np.ndarray:
    return np.indices(np.shape(x)).sum(axis=0) % 2 == 0


def _concatenated_then_sliced(a: Any, b: Any) -> Any:
    n = np.shape(a)[-1]
    return tops.getitem(tops.concatenate(a, b, axis=-1), index=(Ellipsis, slice(1, 1 + n)))


def _cross_entropy_0(logits: Any) -> Any:
    return tops.cross_entropy(logits, labels=np.zeros(np.shape(logits)[0], dtype=int))


def _as_image(a: Any) -> Any:
    """A 2-d operand as one image of one channel, (1, 1, rows, columns)."""
    return a.reshape(1, 1, *np.shape(a))


def _convolved(a: Any, b: Any) -> Any:
    """a convolved with b as the kernel, padded "same": a's shape is kept, and both get gradients."""
    return conv.conv2d(_as_image(a), _as_image(b), padding="same").reshape(np.shape(a))


def _max_pooled(a: Any) -> Any:
    """The maximum over each 3x3 neighbourhood (stride 1, padded): a's shape is kept."""
    return conv.max_pool2d(_as_image(a), 3, stride=1, padding=1).reshape(np.shape(a))


# Steps that keep a 2-d shape (rows, columns), so that every node can meet every other.
TENSOR_KINDS: dict[str, _Kind] = {
    "softmax": _Kind("softmax({0}, axis=-1)", lambda a, c: tops.softmax(a, axis=-1), _ANY),
    "log_softmax": _Kind("log_softmax({0}, axis=0)", lambda a, c: tops.log_softmax(a, axis=0), _ANY),
    "-logsumexp": _Kind(
        "{0} - logsumexp({0}, axis=-1, keepdims=True)",
        lambda a, c: a - tops.logsumexp(a, axis=-1, keepdims=True),
        _ANY,
    ),
    "+sum": _Kind(
        "{0} + sum({1}, axis=-1, keepdims=True)",
        lambda a, b, c: a + tops.sum(b, axis=-1, keepdims=True),
        _ANY * 2,
    ),
    "*mean": _Kind("{0} * mean({1}, axis=0)", lambda a, b, c: a * tops.mean(b, axis=0, keepdims=False), _ANY * 2),
    "*max": _Kind(
        "{0} * max({1}, axis=-1, keepdims=True)",
        lambda a, b, c: a * tops.max(b, axis=-1, keepdims=True),
        (ANYWHERE, _distinct_along_last_axis),
    ),
    "-min": _Kind("{0} - min({1})", lambda a, b, c: a - tops.min(b, axis=None, keepdims=False), (ANYWHERE, _distinct)),
    "reversed": _Kind("{0}[..., ::-1]", lambda a, c: tops.getitem(a, index=(Ellipsis, slice(None, None, -1))), _ANY),
    "+repeated": _Kind("{0} + {1}[..., [0, 0, ...]]", lambda a, b, c: a + _first_column_repeated(b), _ANY * 2),
    "clip": _Kind("clip({0}, -1, 1)", lambda a, c: tops.clip(a, lo=-1.0, hi=1.0), (_away_from([-1.0, 1.0], 0.05),)),
    "where": _Kind("where(checkerboard, {0}, {1})", lambda a, b, c: tops.where(a, b, cond=_checkerboard(a)), _ANY * 2),
    "@": _Kind("({0} @ {1}.T) @ {2}", lambda a, b, d, c: (a @ tops.transpose(b, axes=None)) @ d, _ANY * 3),
    "concatenate": _Kind(
        "concatenate([{0}, {1}], -1)[..., 1:n+1]", lambda a, b, c: _concatenated_then_sliced(a, b), _ANY * 2
    ),
    "stack": _Kind(
        "sum(stack([{0}, {1}]), axis=0)",
        lambda a, b, c: tops.sum(tops.stack(a, b, axis=0), axis=0, keepdims=False),
        _ANY * 2,
    ),
    "astype": _Kind("astype({0}, float64)", lambda a, c: tops.astype(a, dtype=np.dtype(np.float64)), _ANY),
    "+cross_entropy": _Kind("{0} + cross_entropy({1}, labels 0)", lambda a, b, c: a + _cross_entropy_0(b), _ANY * 2),
    "conv2d": _Kind("conv2d({0}, kernel {1}, padding='same')", lambda a, b, c: _convolved(a, b), _ANY * 2),
    "max_pool2d": _Kind("max_pool2d({0}, 3, stride=1, padding=1)", lambda a, c: _max_pooled(a), (_distinct,)),
    "reshape": _Kind(
        "reshape(transpose({0}), shape)",
        lambda a, c: tops.reshape(tops.transpose(a, axes=None), shape=np.shape(a)),
        _ANY,
    ),
}


TENSOR_KINDS.update({name: _Kind(*kind) for name, kind in {**testing_reductions.KINDS, **testing_shapes.KINDS}.items()})


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
            pool.append(_KIND[kind].apply(*(pool[i] for i in args), c))
        out = pool[-1]
        return out.sum() if getattr(out, "ndim", 0) else out

    def __repr__(self) -> str:
        names = [f"x{i}" for i in range(len(self.inputs))]
        given = ", ".join(f"{n}={np.asarray(x).tolist()!r}" for n, x in zip(names, self.inputs))
        lines = [f"Expression at {given}:"]
        for k, (kind, args, c) in enumerate(self.steps):
            name = f"t{k}"
            lines.append(f"  {name} = " + _KIND[kind].template.format(*(names[i] for i in args), c=c))
            names.append(name)
        lines.append(f"  output {'sum(' + names[-1] + ')' if np.ndim(self.inputs[0]) else names[-1]}")
        return "\n".join(lines)


_KIND = {**KINDS, **TENSOR_KINDS}


def _extend(draw: Callable, inputs: Sequence[Any], max_ops: int, kinds: Sequence[str], bound: float) -> Expression:
    """Draw up to max_ops steps, each over earlier nodes, skipping any that would leave the safe region."""
    pool = list(inputs)
    steps = []
    for _ in range(draw(st.integers(1, max_ops))):
        name = draw(st.sampled_from(kinds))
        kind = _KIND[name]
        allowed = [[i for i, x in enumerate(pool) if guard(x)] for guard in kind.accepts]
        if not all(allowed):
            continue
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
    """Random scalar expression graphs of up to `max_ops` steps over `kinds` (default: every op).

    Each step's operands are drawn from all earlier nodes, so nodes get reused. An op with a
    domain or a kink gets only operands that keep it valid (log of >= 0.1, relu away from 0),
    and a step whose value would exceed `bound` in magnitude is left out, so the drawn point
    is always safe for finite differences.
    """
    inputs = [draw(floats(min_value, max_value)) for _ in range(draw(st.integers(1, max_inputs)))]
    return _extend(draw, inputs, max_ops, kinds, bound)


@st.composite
def tensor_expressions(
    draw: Callable[[st.SearchStrategy[Any]], Any],
    max_inputs: int = 3,
    max_ops: int = 6,
    kinds: Sequence[str] = tuple(KINDS) + tuple(TENSOR_KINDS),
    max_side: int = 3,
    min_value: float = -2.0,
    max_value: float = 2.0,
    bound: float = 1e3,
) -> Expression:
    """Random tensor expression graphs: inputs are float64 arrays of one drawn 2-d shape, steps
    are the scalar kinds (elementwise) and `TENSOR_KINDS`; the result is summed to a scalar."""
    shape = (draw(st.integers(1, max_side)), draw(st.integers(1, max_side)))
    inputs = [draw(arrays(shape, min_value, max_value)) for _ in range(draw(st.integers(1, max_inputs)))]
    return _extend(draw, inputs, max_ops, kinds, bound)

"""Hypothesis strategies for property tests of gradients.

    from hypothesis import given, settings
    from autograd.testing import expressions, judged_gradcheck

    @settings(deadline=None)  # a check may take longer than hypothesis' default 200 ms
    @given(expressions())
    def test_gradients(expr):
        assert judged_gradcheck(expr, expr.inputs)

`expressions()` draws random expression graphs over every scalar op, at Python floats,
`tensor_expressions()` over 2-d tensors, float64 unless given another float `dtype` (elementwise
ops, reductions, matmul, convolution and max pooling, indexing with repeated indices, the softmax
family...). Nodes get reused, and each op's operands are kept inside its domain and away from its
kinks, so finite differences are valid at the drawn point. `floats()` and `values()` draw finite
Python floats and Values of them; `arrays()`, `tensors()` and `broadcastable_shapes()` draw inputs
for checks of single ops (your own: `gradcheck(op, [x])`; `layouts=True`: laid out transposed, reversed or strided
too; float64 unless given a float, integer or
bool `dtype`: points, labels, masks), and `within(domain)` floats or float64 arrays inside an op's
domain (the op table's `safe`). `judged_gradcheck` is gradcheck for a property test: a drawn point it cannot
judge is rejected (hypothesis' `reject()`), a wrong rule fails; `judged_gradgradcheck` is gradgradcheck so (a
kink of f's gradient, relu's square at 0, rejected).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .extras import missing_extra

try:
    from hypothesis import currently_in_test_context, reject
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError:  # an optional extra: say which
    raise missing_extra("autograd.testing", "hypothesis", "test") from None

from .check import gradcheck
from .check_numeric import GradcheckError
from .check_second import gradgradcheck
from .op_table import Domain
from .tensor_class import Tensor
from .testing_arguments import checked_kinds, float_dtype
from .testing_expression import ALL_KINDS, KINDS, TENSOR_KINDS, Expression, extend, first_inputs, floats
from .testing_layouts import layouts_of
from .value import Value


def judged_gradcheck(f: Callable[..., Any], inputs: Sequence[Any], **options: Any) -> bool:
    """`gradcheck(f, inputs, **options)` in a property test: a drawn point gradcheck cannot judge (its error's
    `undecided`: f's kink or jump there, as x * |x| at 0 beside other entries, or rounding or bending within
    eps swamping the difference) tells nothing of the rules, and hypothesis rejects it (`reject()`: the test
    draws another); a wrong rule fails as ever. `assert gradcheck(...)` failed a right rule at such points.
    Outside a property test it raises as gradcheck does (hypothesis' reject() there raised UnsatisfiedAssumption,
    the table saying why lost)."""
    __tracebackhide__ = True  # pytest shows the table, not this function's source
    return _judged(gradcheck, f, inputs, **options)


def judged_gradgradcheck(f: Callable[..., Any], inputs: Sequence[Any], *args: Any, **options: Any) -> bool:
    """`gradgradcheck(f, inputs, ...)` in a property test, as judged_gradcheck is gradcheck: a drawn point where f's
    second derivative cannot be judged (a kink of f's gradient: relu's at 0, x * |x|'s) is rejected."""
    __tracebackhide__ = True
    return _judged(gradgradcheck, f, inputs, *args, **options)


def _judged(check: Callable[..., bool], *args: Any, **options: Any) -> bool:
    """check(*args, **options), its error rejecting the drawn point where it is `undecided` in a property test."""
    __tracebackhide__ = True
    try:
        return check(*args, **options)
    except GradcheckError as e:
        if e.undecided and currently_in_test_context():
            reject()
        raise


def values(min_value: float = -3.0, max_value: float = 3.0) -> st.SearchStrategy[Value]:
    """Leaf Values holding finite Python floats in [min_value, max_value]."""
    return floats(min_value, max_value).map(Value)


def shapes(min_dims: int = 0, max_dims: int = 3, max_side: int = 4) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes of min_dims to max_dims axes, each of 1 to max_side entries: () among them by default."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


def arrays(
    shape: tuple[int, ...] | st.SearchStrategy[tuple[int, ...]] | None = None,
    min_value: float = -3.0,
    max_value: float = 3.0,
    dtype: Any = np.float64,
    layouts: bool = False,
) -> st.SearchStrategy[np.ndarray]:
    """numpy arrays of `dtype` (float64 by default) and finite values in [min_value, max_value], of the given
    or a drawn shape (`shapes()`: up to 3 axes of up to 4 entries). Of an integer
    dtype, the integers there that it holds (labels for an op that takes them: `arrays((4,), 0, 2, np.int64)`);
    of bool, either (a mask). With `layouts`, laid out in memory as drawn or transposed, reversed or strided
    (testing_layouts: as x.T reaches an op, where a rule pairing arrays in memory order is wrong); else C order."""
    elements = _elements(dtype, min_value, max_value)
    # integers and bools shrink each entry on its own (hypothesis's fill would shrink them all to one value)
    fill = st.nothing() if np.dtype(dtype).kind in "biu" else None
    drawn = hnp.arrays(dtype, shapes() if shape is None else shape, elements=elements, fill=fill)
    return drawn.flatmap(layouts_of) if layouts else drawn


def _elements(dtype: Any, min_value: float, max_value: float) -> st.SearchStrategy[Any]:
    """What an array of `dtype` holds: floats would fail inside a draw of integers ("cannot be represented")."""
    kind = np.dtype(dtype).kind
    if kind == "b":
        return st.booleans()
    if kind in "iu":  # within the dtype's range too: the default -3 is no uint8
        held = np.iinfo(dtype)
        lo = held.min if min_value < held.min else math.ceil(min_value)
        hi = held.max if max_value > held.max else math.floor(max_value)
        if lo > hi:
            raise ValueError(f"arrays: no {np.dtype(dtype)} lies in [{min_value}, {max_value}]")
        return st.integers(lo, hi)
    if kind != "f":
        raise TypeError(f"arrays: dtype must be a float, integer or bool dtype, got {np.dtype(dtype)}")
    return floats(min_value, max_value)


def tensors(
    shape: tuple[int, ...] | st.SearchStrategy[tuple[int, ...]] | None = None,
    min_value: float = -3.0,
    max_value: float = 3.0,
    dtype: Any = np.float64,
    layouts: bool = False,
) -> st.SearchStrategy[Tensor]:
    """Leaf Tensors holding `arrays(...)` (`layouts`: in memory layouts other than C order too), which require grad
    where they are floats (integers and bools cannot, as in PyTorch: labels, masks)."""
    return arrays(shape, min_value, max_value, dtype, layouts).map(
        lambda a: Tensor(a, requires_grad=a.dtype.kind == "f", dtype=a.dtype)
    )


def within(domain: Domain, shape: Any = None) -> st.SearchStrategy[Any]:
    """Floats (or, given a shape or a strategy of shapes, float64 arrays) inside an op's `Domain`:
    where its finite differences are valid. Built once for each domain and shape (a property test draws
    an operand's strategy per example); a strategy is immutable, so one serves every caller."""
    try:
        hash((domain, shape))
    except TypeError:  # a list for a shape, or a Domain avoiding a list: built anew each time
        return _within(domain, shape)
    # keyed by repr too: (2.0,) equals (2,) and True 1, and one's strategy (refused at a draw) served the other
    return _within_cached(domain, shape, repr(shape))


def _within(domain: Domain, shape: Any) -> st.SearchStrategy[Any]:
    lo, hi = max(domain.lo, -3.0), min(domain.hi, 3.0)
    if lo > hi:  # a domain wholly outside [-3, 3]: its stretch of width 6 nearest 0
        lo, hi = (
            (domain.lo, min(domain.hi, domain.lo + 6.0)) if lo > 3.0 else (max(domain.lo, domain.hi - 6.0), domain.hi)
        )
    if shape is None:
        return floats(lo, hi).filter(domain)
    return arrays(shape, lo, hi).filter(domain)


_within_cached = functools.lru_cache(maxsize=1024)(lambda domain, shape, _: _within(domain, shape))  # bounded


def broadcastable_shapes(num_shapes: int = 2, max_dims: int = 3, max_side: int = 3) -> st.SearchStrategy[tuple]:
    """Tuples of shapes that broadcast together, such as ((3, 1), (2, 1, 4))."""
    return hnp.mutually_broadcastable_shapes(num_shapes=num_shapes, max_dims=max_dims, max_side=max_side).map(
        lambda s: s.input_shapes
    )


# ---- the kinds of steps an expression is built from ----


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
    """Random scalar expression graphs of up to `max_ops` steps over `kinds` (default: every op), at 1 to
    `max_inputs` Python floats in [min_value, max_value] (call one with Values to build its graph).

    Each step's operands are drawn from all earlier nodes, so nodes get reused. An op with a
    domain or a kink gets only operands that keep it valid (log of >= 0.1, relu away from 0),
    and a step whose value would exceed `bound` in magnitude is left out, so the drawn point
    is always safe for finite differences. The first step's kind is drawn first, and its operands,
    the first inputs, inside its domain: every expression has a step, but where an op needs its
    operands apart (maximum's, not tied) and they are drawn too close.
    """
    kinds = checked_kinds("expressions", kinds, KINDS, max_inputs, max_ops, bound, TENSOR_KINDS)
    first = draw(st.sampled_from(kinds))  # the first step's kind: the inputs it takes are drawn in its domain
    count = draw(st.integers(min(KINDS[first].arity, max_inputs), max_inputs))  # its operands apart, where it may
    inputs = first_inputs(draw, KINDS[first], count, min_value, max_value)
    return extend(draw, inputs, max_ops, kinds, bound, first)


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
    broadcast: bool = True,
    dtype: Any = np.float64,
) -> Expression:
    """Random tensor expression graphs: inputs are 2-d arrays of `dtype` (float64, or another float dtype:
    np.float32) and finite values in [min_value, max_value], of one drawn shape (rows, columns), or with
    `broadcast` (the first input aside) of a shape that broadcasts to it, (1, columns), (rows, 1) or
    (1, 1), so that elementwise steps broadcast and their gradients sum back; steps are the scalar kinds
    (elementwise) and `TENSOR_KINDS`, each kept where its value is finite in `dtype` and within `bound`;
    the result is summed to a scalar. (gradcheck checks float32 inputs in float64, warning so.)"""
    kinds = checked_kinds("tensor_expressions", kinds, ALL_KINDS, max_inputs, max_ops, bound)
    dtype = float_dtype("tensor_expressions", dtype)
    rows, columns = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    shapes = [(rows, columns), (1, columns), (rows, 1), (1, 1)] if broadcast else [(rows, columns)]
    count = draw(st.integers(1, max_inputs))
    inputs = [
        draw(arrays(draw(st.sampled_from(shapes)) if k else (rows, columns), min_value, max_value, dtype))
        for k in range(count)
    ]
    return extend(draw, inputs, max_ops, kinds, bound)

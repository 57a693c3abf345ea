"""Every tensor op against central finite differences in float64, over drawn shapes and values."""

import cases_fold
import cases_pool
import cases_reductions
import cases_shapes
import numpy as np
import pytest
from budget import PER_OP, examples, per_op
from cases_parameters import PARAMETER_CASES
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd import (
    Tensor,
    concatenate,
    cross_entropy,
    grad,
    gradcheck,
    multi_margin_loss,
    nll_loss,
    stack,
    tensor_ops,
    topological_order,
    where,
)
from autograd.conv import conv2d, conv3d, conv_transpose2d, conv_transpose3d, max_pool2d, max_pool3d
from autograd.op_table import ELEMENTWISE, POSITIVE, Domain
from autograd.testing import arrays, broadcastable_shapes, judged_gradcheck, shapes, tensor_expressions, within

BINARY = {d.symbol or d.name: d for d in ELEMENTWISE if d.arity == 2}  # every binary op of the table
SHAPES, SMALL_SHAPES = shapes(), shapes(max_dims=2, max_side=2)
# 0 to 3 axes of up to 2: a unary op's second derivative is elementwise, and its central differences cost two
# first-derivative graphs an element (64 elements of SHAPES' largest made it a tenth of the default run's CPU)
SECOND_SHAPES = shapes(max_side=2)
# each operand's strategy built once for a domain and shape: hypothesis validates a strategy on its first draw, and
# one built anew for each example was validated anew (0.5 ms an example, a tenth of this file's CPU)


def _weights(x):
    """Distinct weights of x's shape, none 0, so a sum over x does not hide a permuted gradient nor leave an
    element out (a weight 0 left element 0 unchecked, and its difference of 0 "cannot judge" beside large ones)."""
    return np.arange(1, x.size + 1, dtype=float).reshape(x.shape)  # none 0: each element is in the sum


@pytest.mark.parametrize("name", BINARY)
@per_op
def test_broadcasting_binary_op_matches_finite_differences(name, data):
    d = BINARY[name]
    pair = data.draw(broadcastable_shapes())
    a, b = (data.draw(within(domain, shape)) for domain, shape in zip(d.safe, pair))
    assume(d.valid(a, b))  # away from a tie or a jump where the inputs meet
    full, varied = d.varied([a, b])  # an input without a derivative is held (gammainc's a)
    assert gradcheck(lambda *xs: (d.apply(*full(*xs)) * 1.5).sum(), varied)


@pytest.mark.parametrize("name", BINARY)
@per_op
def test_numbers_on_either_side(name, data):
    """op(tensor, number) and op(number, tensor), each number inside its input's domain."""
    d = BINARY[name]
    left, right = (next(c for c in (1.5, -0.75, 0.5) if domain(c)) for domain in d.safe)
    # where the inputs together must keep off ties or jumps, a few entries, so that most draws keep off all
    drawn = SMALL_SHAPES if d.joint else SHAPES
    a, b = data.draw(within(d.safe[0], drawn)), data.draw(within(d.safe[1], drawn))
    assume(d.valid(a, right) and d.valid(left, b))
    forms = [lambda a: d.apply(a, right).sum(), lambda b: d.apply(left, b).sum()]
    forms, inputs = zip(*[(f, x) for k, (f, x) in enumerate(zip(forms, [a, b])) if d.differentiable(k)])
    assert gradcheck(lambda *xs: sum(f(x) for f, x in zip(forms, xs)), list(inputs))


# every unary op of the table, drawn inside its domain, then the tensor-only ones
UNARY = {d.name: (getattr(Tensor, d.name), d.safe[0]) for d in ELEMENTWISE if d.arity == 1}
UNARY.update(
    {
        case: (lambda x, name=name, params=params: getattr(x, name)(**params), domain)
        for case, (name, params, domain) in PARAMETER_CASES.items()
    }
)
UNARY.update(
    {
        "clip": (lambda x: x.clip(-1.0, 0.5), Domain(avoid=(-1.0, 0.5), margin=0.01)),
        "x ** 2": (lambda x: x**2, Domain()),
        "x ** 0.5": (lambda x: x**0.5, POSITIVE),
        "T": (lambda x: x.T * _weights(x.T), Domain()),
        "reshape": (lambda x: x.reshape(-1) * np.arange(x.size), Domain()),
        "softmax": (lambda x: x.softmax(axis=-1) * _weights(x) if x.ndim else x.exp(), Domain()),
        "log_softmax": (lambda x: x.log_softmax(axis=0) * _weights(x) if x.ndim else x.exp(), Domain()),
    }
)


# each property of an op draws tests/budget.py's PER_OP examples for it (fewer for slow series)
@pytest.mark.parametrize("name", UNARY)
@per_op
def test_unary_op_matches_finite_differences(name, data):
    f, domain = UNARY[name]
    assert gradcheck(lambda t: f(t).sum(), [data.draw(within(domain, SHAPES))])


@pytest.mark.parametrize("name", UNARY)
@per_op
def test_unary_op_second_derivative(name, data):
    """f'' through the rule's own graph (create_graph), each element weighted differently. Not of
    f(t)**2: for fast-growing ops (exp, sinh, exp2) its derivative 2 f f' reaches ~1e3 an element,
    and the central difference of a sum that large (rounding ~1e-16 of it, over eps=1e-6) cannot
    resolve its small elements."""
    f, domain = UNARY[name]
    x = data.draw(within(domain, SECOND_SHAPES))
    first = grad(lambda t: f(t).sum())
    assert gradcheck(lambda t: (first(t) * _weights(t)).sum(), [x])


@st.composite
def reduction_cases(draw, distinct: bool):
    """An array with an axis argument that fits it (None, one axis, or two); with `distinct`,
    its values are at least 0.1 apart, keeping max and min away from ties."""
    shape = draw(shapes(min_dims=1))
    ndim = len(shape)
    axis = draw(
        st.one_of(
            st.none(),
            st.integers(-ndim, ndim - 1),
            st.lists(st.integers(0, ndim - 1), min_size=2, max_size=2, unique=True).map(tuple)
            if ndim >= 2
            else st.none(),
        )
    )
    if distinct:
        order = draw(st.permutations(range(int(np.prod(shape)))))
        x = (np.array(order, dtype=float) * 0.1 - 1.0).reshape(shape)
    else:
        x = draw(arrays(shape))
    return x, axis


@pytest.mark.parametrize("reduction", ["sum", "mean", "max", "min", "logsumexp"])
@given(data=st.data(), keepdims=st.booleans())
def test_reduction_over_any_axes(reduction, data, keepdims):
    x, axis = data.draw(reduction_cases(distinct=reduction in ("max", "min")))
    f = lambda t: getattr(t, reduction)(axis=axis, keepdims=keepdims)  # noqa: E731
    assert f(Tensor(x)).shape == np.sum(x, axis=axis, keepdims=keepdims).shape
    assert gradcheck(lambda t: (f(t) ** 2).sum(), [x])


def test_max_shares_the_gradient_between_ties():
    x = Tensor(np.array([1.0, 3.0, 3.0]), requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5]


MATMUL_SHAPES = [
    ((3,), (3,)),
    ((3,), (3, 2)),
    ((2, 3), (3,)),
    ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)),
    ((3,), (5, 3, 2)),
    ((5, 2, 3), (3,)),
    ((1, 2, 3), (4, 3, 2)),
    ((1, 3), (3, 1)),
    ((3, 1), (1, 2)),
]


# ten shapes, each drawn as often as one op's property (1.4 s a shape at 50 examples)
@pytest.mark.parametrize("sa, sb", MATMUL_SHAPES)
@examples(*PER_OP["ordinary"])
@given(data=st.data())
def test_matmul_matrix_vector_and_batched(sa, sb, data):
    a, b = data.draw(arrays(sa)), data.draw(arrays(sb))
    assert gradcheck(lambda a, b: ((a @ b) ** 2).sum(), [a, b])
    assert gradcheck(lambda a: ((a @ b) ** 2).sum(), [a])  # with a constant on the other side
    assert gradcheck(lambda b: ((a @ b) ** 2).sum(), [b])


@given(x=arrays((4, 3)), rows=st.lists(st.integers(0, 3), min_size=1, max_size=6))
def test_indexing_with_slices_and_repeated_integer_arrays(x, rows):
    index = np.array(rows)
    weights = np.arange(len(rows) * 3).reshape(len(rows), 3)
    assert gradcheck(lambda t: (t[index] * weights).sum() + (t[1:, ::2] ** 2).sum() + t[-1, 0], [x])


def test_repeated_indices_accumulate():
    x = Tensor(np.zeros(3), requires_grad=True)
    x[np.array([0, 0, 2, 0])].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


@given(a=arrays((2, 3)), b=arrays((2, 1)), c=arrays((2, 3)))
def test_concatenate_stack_where(a, b, c):
    weights = np.arange(8).reshape(2, 4)
    assert gradcheck(lambda a, b: (concatenate([a, b], axis=1) * weights).sum(), [a, b])
    assert gradcheck(lambda a, c: (stack([a, c * 2], axis=-1) ** 2).sum(), [a, c])
    mask = np.array([[True, False, True], [False, False, True]])
    assert gradcheck(lambda a, b: (where(mask, a, b) ** 2).sum(), [a, b])  # b broadcasts


@given(logits=arrays((4, 3), -10, 10), labels=arrays((4,), 0, 2.99).map(lambda a: a.astype(int)))
def test_cross_entropy_matches_finite_differences_and_its_definition(logits, labels):
    assert gradcheck(lambda t: cross_entropy(t, labels), [logits])
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    assert cross_entropy(Tensor(logits), labels).item() == pytest.approx(-log_p[np.arange(4), labels].mean())


@pytest.mark.parametrize("scale", [1e3, -1e3])
def test_softmax_family_is_finite_for_large_logits(scale):
    x = Tensor(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, -1.0]]) * scale, requires_grad=True)
    parts = [x.softmax(axis=1), x.log_softmax(axis=1), x.logsumexp(axis=1), cross_entropy(x, [0, 2]).reshape(1)]
    for part in parts:
        assert np.all(np.isfinite(part.data))
        (part * 1.0).sum().backward()
        assert np.all(np.isfinite(x.grad))
        x.grad = None
    shifted = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, -1.0]]) * scale
    expected = np.max(shifted, axis=1) + np.log(np.exp(shifted - np.max(shifted, axis=1, keepdims=True)).sum(axis=1))
    assert np.allclose(x.logsumexp(axis=1).data, expected)


@given(tensor_expressions())
def test_random_tensor_graphs_with_reuse_match_finite_differences(expr):
    assert judged_gradcheck(expr, expr.inputs)


@given(tensor_expressions(max_ops=4))
def test_random_tensor_graphs_second_derivatives(expr):
    first = grad(expr, argnums=tuple(range(len(expr.inputs))))

    def squared_gradient(*xs):
        return sum(((g * g).sum() for g in first(*xs)), 0 * xs[0].sum())

    assert judged_gradcheck(squared_gradient, expr.inputs)


X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]])  # (2, 3), its entries distinct (max and min: no ties)
IMAGES = np.linspace(-1.0, 1.5, 2 * 4 * 3 * 4).reshape(2, 4, 3, 4)[..., ::-1] ** 3  # (batch, channels, h, w), distinct
KERNELS = np.linspace(-0.8, 0.9, 6 * 2 * 2 * 3).reshape(6, 2, 2, 3)  # (out, in / groups 2, kh, kw)
FLAT = dict(stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1)  # the ops' own parameters
VOLUMES = np.linspace(-1.0, 1.5, 2 * 4 * 3 * 2 * 3).reshape(2, 4, 3, 2, 3)[..., ::-1] ** 3  # (batch, c, d, h, w)
KERNELS_3D = np.linspace(-0.8, 0.9, 4 * 2 * 2 * 1 * 2).reshape(4, 2, 2, 1, 2)  # (out, in / groups 2, kd, kh, kw)
ROW = np.array([0.5, -2.0, 1.25])  # broadcasts against X
INDEX = np.array([1, 0, 1, 1])  # a repeated index
# every tensor-only op of the table (tests/test_op_table.py checks that none is missing), as users
# call it, at a point inside its domain; the cases above and tests/test_torch_reference_*.py go deeper
TENSOR_ONLY = {
    "matmul": (lambda a, b: a @ b, [X, X.T * 2]),
    "clip": (lambda t: t.clip(-0.75, 1.0), [X]),
    "sum": (lambda t: t.sum(axis=1), [X]),
    "mean": (lambda t: t.mean(axis=0, keepdims=True), [X]),
    "max": (lambda t: t.max(axis=-1), [X]),
    "min": (lambda t: t.min(), [X]),
    "logsumexp": (lambda t: t.logsumexp(axis=1), [X]),
    "softmax": (lambda t: t.softmax(axis=0), [X]),
    "log_softmax": (lambda t: t.log_softmax(axis=-1), [X]),
    "cross_entropy": (lambda t: cross_entropy(t, [2, 0]), [X]),
    "nll_loss": (lambda t: nll_loss(t, [2, 0], weight=np.abs(ROW), reduction="none") * t[:, 0], [X]),  # g depends on t
    # labels [0, 2], margin 1.25: one term short of its margin (z = -0.25), three met away from 0; p = 2 and
    # the factor t[:, 0]: a second derivative of every kind
    "multi_margin_loss": (
        lambda t: multi_margin_loss(t, [0, 2], p=2, margin=1.25, weight=np.abs(ROW), reduction="none") * t[:, 0],
        [X],
    ),
    "astype": (lambda t: t.astype(np.float64) * t, [X]),
    "reshape": (lambda t: t.reshape(3, 2), [X]),
    "transpose": (lambda t: t.transpose(-1, 0), [X]),
    "getitem": (lambda t: t[INDEX[:3], 1:], [X]),
    "concatenate": (lambda a, b: concatenate([a, b], axis=-1), [X, X * 3]),
    "stack": (lambda a, b: stack([a, b], axis=1), [X, X * 3]),
    "where": (lambda a, b: where(X > 0, a, b), [X, ROW]),
    "sum_to": (lambda t: tensor_ops.sum_to(t, shape=(1, 3)), [X]),
    "broadcast_to": (lambda t: tensor_ops.broadcast_to(t, shape=(2, 3)), [ROW]),
    "index_add": (lambda t: tensor_ops.index_add(t, index=INDEX, shape=(2, 3)), [np.arange(12.0).reshape(4, 3) / 4]),
    "conv2d": (lambda x, w: conv2d(x, w, stride=(1, 2), padding=(1, 2), dilation=(2, 1), groups=2), [IMAGES, KERNELS]),
    "conv_transpose2d": (
        lambda u, w: conv_transpose2d(u, w, stride=2, padding=(1, 0), output_padding=1, groups=2),
        [IMAGES[:, :2, :2], KERNELS[:2] * 1.5],
    ),
    "conv2d_weight": (
        lambda x, g: tensor_ops.conv2d_weight(x, g, kernel=(2, 3), **FLAT),
        [IMAGES, IMAGES[:, :3, :2, :2]],
    ),
    # a pool's windows are the point, each plane pooled alone: two planes, not eight (a quarter of the differences)
    "max_pool2d": (lambda t: max_pool2d(t, 2, stride=1, padding=1), [IMAGES[:1, :2]]),
    "conv3d": (
        lambda x, w: conv3d(x, w, stride=(1, 2, 1), padding=(1, 0, 1), dilation=(1, 1, 2), groups=2),
        [VOLUMES, KERNELS_3D],
    ),
    "conv_transpose3d": (
        lambda u, w: conv_transpose3d(u, w, stride=(2, 1, 2), padding=(1, 0, 0), output_padding=(1, 0, 1), groups=2),
        [VOLUMES[:, :, :2], KERNELS_3D * 1.5],
    ),
    "conv3d_weight": (
        lambda x, g: tensor_ops.conv3d_weight(
            x, g, kernel=(2, 1, 2), stride=(1, 1, 1), padding=((0, 0),) * 3, dilation=(1, 1, 1), groups=1
        ),
        [VOLUMES, VOLUMES[:, :3, :2, :, :2]],
    ),
    "max_pool3d": (lambda t: max_pool3d(t, 2, stride=1, padding=1), [VOLUMES[:1, :2]]),  # two planes, as max_pool2d
    "max_pool2d_grad": (  # overlapping windows: one element is the maximum of several
        lambda g: tensor_ops.max_pool2d_grad(g, index=np.array([[0, 0], [1, 0]]), shape=(4,), overlapping=True),
        [X[:, :2]],
    ),
}

TENSOR_ONLY |= cases_reductions.GRADCHECK | cases_shapes.GRADCHECK | cases_fold.GRADCHECK | cases_pool.GRADCHECK


@pytest.mark.parametrize("name", TENSOR_ONLY)
def test_tensor_only_op_first_and_second_derivatives(name):
    f, inputs = TENSOR_ONLY[name]
    squared = lambda *ts: (f(*ts) ** 2).sum()  # noqa: E731 (squared: the gradient depends on the values)
    out = f(*(Tensor(x, requires_grad=True) for x in inputs))
    assert tensor_ops.OPS[name] in {node.op for node in topological_order(out)}, f"the case does not use {name}"
    assert gradcheck(squared, inputs)
    first = grad(squared, argnums=tuple(range(len(inputs))))
    assert gradcheck(lambda *ts: sum((g * _weights(g)).sum() for g in first(*ts)), inputs)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.int32, np.int64, np.uint64])
def test_cross_entropy_refuses_every_label_outside_the_classes_in_every_integer_dtype(dtype):
    """The labels' check reads them as unsigned in one reduction: a negative label of any width, and
    the largest of each dtype, must still be refused, and in-range labels pass."""
    logits = Tensor(np.zeros((3, 4)), requires_grad=True)
    info = np.iinfo(dtype)
    assert np.isclose(cross_entropy(logits, np.array([0, 3, 1], dtype)).item(), np.log(4))
    for bad in {4, info.max, -1 if info.min < 0 else 5, info.min if info.min < 0 else 6}:
        with pytest.raises(ValueError, match=rf"label {bad} \(row 1\) is not a class"):
            cross_entropy(logits, np.array([0, bad, 1], dtype))

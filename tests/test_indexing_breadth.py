"""Tensor's indexing and linear-algebra methods against PyTorch, over drawn shapes, dims and
indices: gather scatter_add masked_fill one_hot tril triu diag diagonal trace einsum outer
tensordot dot, boolean masks and index Tensors; forward, gradient and second derivative,
float64 and float32 (tests/torch_reference.py); then the errors a call that cannot be right gets."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch_reference import DTYPES, EXAMPLES, F, assert_close, check, torch  # without torch: skipped

import autograd
from autograd import ShapeError, Tensor, gradcheck
from autograd.testing import arrays, shapes


def _long(index):
    return torch.from_numpy(np.asarray(index, dtype=np.int64))


@st.composite
def along_a_dim(draw, fits_src=False):
    """A shape, a dim, and an index of as many dims, no longer than the shape but along dim, with
    entries in range along dim; with fits_src, also a src shape at least as long as the index."""
    shape = draw(shapes(1, 3, 4))
    d = draw(st.integers(-len(shape), len(shape) - 1))
    index_shape = tuple(draw(st.integers(1, 4 if i == d % len(shape) else n)) for i, n in enumerate(shape))
    index = draw(hnp.arrays(np.int64, index_shape, elements=st.integers(0, shape[d] - 1)))
    src = tuple(k + draw(st.integers(0, 1)) for k in index_shape) if fits_src else None
    return shape, d, index, src


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), case=along_a_dim())
def test_gather(dtype, data, case):
    shape, d, index, _ = case
    x = data.draw(arrays(shape), label="x")
    check(lambda t: t.gather(d, index), lambda t: t.gather(d, _long(index)), [x], dtype)
    check(lambda t: autograd.gather(t, d, Tensor(index)), lambda t: torch.gather(t, d, _long(index)), [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), case=along_a_dim(fits_src=True))
def test_scatter_add(dtype, data, case):
    """Against PyTorch with src of the index's shape; a longer src (only its first entries are
    added) against PyTorch's forward and finite differences: PyTorch's own backward refuses it."""
    shape, d, index, src_shape = case
    x, src = data.draw(arrays(shape), label="x"), data.draw(arrays(index.shape), label="src")
    check(lambda t, s: t.scatter_add(d, index, s), lambda t, s: t.scatter_add(d, _long(index), s), [x, src], dtype)
    longer = data.draw(arrays(src_shape), label="longer src")
    expected = torch.from_numpy(x).scatter_add(d, _long(index), torch.from_numpy(longer)).numpy()
    assert_close("forward, longer src", autograd.scatter_add(x, d, index, longer).data, expected, np.float64)
    weights = np.arange(x.size).reshape(shape)
    assert gradcheck(lambda t, s: (t.scatter_add(d, index, s) * weights).sum(), [x, longer])


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape=shapes(1, 3, 3))
def test_masked_fill_and_boolean_masks(dtype, data, shape):
    mask_shape = tuple(n if data.draw(st.booleans()) else 1 for n in shape[data.draw(st.integers(0, len(shape))) :])
    mask = data.draw(hnp.arrays(bool, mask_shape), label="mask")
    x = data.draw(arrays(shape), label="x")
    check(lambda t: t.masked_fill(mask, -2.5), lambda t: t.masked_fill(torch.from_numpy(mask), -2.5), [x], dtype)
    full = data.draw(hnp.arrays(bool, shape), label="full mask")
    check(lambda t: t[Tensor(full)], lambda t: t[torch.from_numpy(full)], [x], dtype)
    rows = data.draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=1, max_size=5), label="rows")
    check(lambda t: t[Tensor(np.array(rows))], lambda t: t[_long(rows)], [x], dtype)


@given(labels=st.lists(st.integers(0, 4), max_size=6), extra=st.integers(0, 2))
def test_one_hot(labels, extra):
    labels = np.array(labels, dtype=np.int64).reshape(-1, 1)
    classes = int(labels.max(initial=0)) + 1 + extra
    expected = F.one_hot(torch.from_numpy(labels), classes).numpy()
    out = autograd.one_hot(labels, classes)
    assert out.dtype == np.float32 and not out.requires_grad
    np.testing.assert_array_equal(out.data, expected)
    if labels.size:
        np.testing.assert_array_equal(autograd.one_hot(labels).data, F.one_hot(torch.from_numpy(labels)).numpy())


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape=shapes(2, 3, 4), k=st.integers(-4, 4))
def test_tril_and_triu(dtype, data, shape, k):
    x = data.draw(arrays(shape), label="x")
    check(lambda t: t.tril(k), lambda t: t.tril(k), [x], dtype)
    check(lambda t: autograd.triu(t, k), lambda t: torch.triu(t, k), [x], dtype)


@pytest.mark.parametrize("dtype", [bool, np.int64, np.int32, np.uint8, np.float16])
@pytest.mark.parametrize("upper", [True, False], ids=["triu", "tril"])
def test_tril_and_triu_keep_a_mask_or_integers_dtype(dtype, upper):
    """torch.triu(torch.ones(t, t, dtype=torch.bool), 1), a causal mask as tutorials build it, came out float64 0/1:
    attention took it for an additive float mask (+1 on the hidden logits; 0.95 off torch's weights)."""
    x = (np.arange(24).reshape(2, 3, 4) % 3).astype(dtype)
    for k in (-1, 0, 1):
        ours = autograd.triu(Tensor(x, dtype=dtype), k) if upper else Tensor(x, dtype=dtype).tril(k)
        theirs = torch.triu(torch.from_numpy(x), k) if upper else torch.from_numpy(x).tril(k)
        assert ours.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape=shapes(1, 2, 4), k=st.integers(-3, 3))
def test_diag(dtype, data, shape, k):
    x = data.draw(arrays(shape), label="x")
    check(lambda t: t.diag(k), lambda t: torch.diag(t, k), [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape=shapes(2, 4, 4), offset=st.integers(-3, 3))
def test_diagonal_and_trace(dtype, data, shape, offset):
    n = len(shape)
    d1, d2 = data.draw(st.lists(st.integers(-n, n - 1), min_size=2, max_size=2, unique_by=lambda d: d % n))
    x = data.draw(arrays(shape), label="x")
    check(lambda t: t.diagonal(offset, d1, d2), lambda t: t.diagonal(offset, d1, d2), [x], dtype)
    diagonal_sum = lambda t: t.diagonal(offset, d1, d2).sum(-1)  # noqa: E731 (numpy's trace)
    check(lambda t: autograd.trace(t, offset, d1, d2), diagonal_sum, [x], dtype)
    assert_close("numpy's trace", Tensor(x).trace(offset, d1, d2).data, np.trace(x, offset, d1, d2), dtype)
    if n == 2:
        check(lambda t: t.trace(), torch.trace, [x], dtype)


EINSUMS = [
    ("ij,jk->ik", (2, 3), (3, 4)),
    ("bij,bjk->bik", (2, 2, 3), (2, 3, 2)),
    ("ii->", (3, 3)),
    ("ii->i", (3, 3)),
    ("iij,jk->i", (3, 3, 2), (2, 4)),
    ("ij->ji", (2, 3)),
    ("ji", (2, 3)),  # implicit output: alphabetical, so a transpose
    ("ij,jk", (2, 3), (3, 2)),
    ("i,j->ij", (2,), (3,)),
    ("ij,j->i", (2, 3), (3,)),
    ("ij,kl->", (2, 3), (2, 2)),
    ("i,i,i->", (4,), (4,), (4,)),
    ("ij,ij->ij", (1, 3), (2, 3)),  # a length of 1 broadcasts
    ("...ij,...jk->...ik", (2, 1, 2, 3), (3, 3, 2)),
    ("b...,b->...", (2, 3, 2), (2,)),
    ("ab,bc,cd,de->ae", (2, 3), (3, 2), (2, 2), (2, 3)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", EINSUMS, ids=[e[0] for e in EINSUMS])
def test_einsum(dtype, case):
    subscripts, *shapes_ = case
    rng = np.random.default_rng(len(subscripts))
    xs = [rng.uniform(-2, 2, s) for s in shapes_]
    check(lambda *ts: autograd.einsum(subscripts, *ts), lambda *ts: torch.einsum(subscripts, *ts), xs, dtype)
    check(lambda *ts: autograd.einsum(subscripts, list(ts)), lambda *ts: torch.einsum(subscripts, ts), xs, dtype)


@st.composite
def einsums(draw):
    """Subscripts over letters of drawn lengths: 1 to 3 operands of 0 to 3 letters each (a letter
    may repeat in one: a diagonal), and an output of distinct letters among them."""
    lengths = dict(zip("abcd", draw(st.lists(st.integers(1, 3), min_size=4, max_size=4))))
    terms = draw(st.lists(st.text("abcd", max_size=3), min_size=1, max_size=3))
    used = sorted(set("".join(terms)))
    output = draw(st.permutations(used).flatmap(lambda p: st.integers(0, len(p)).map(lambda k: "".join(p[:k]))))
    return ",".join(terms) + "->" + output, [tuple(lengths[c] for c in t) for t in terms]


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), case=einsums())
def test_einsum_drawn(dtype, data, case):
    subscripts, shapes_ = case
    xs = [data.draw(arrays(s), label=f"x{i}") for i, s in enumerate(shapes_)]
    check(lambda *ts: autograd.einsum(subscripts, *ts), lambda *ts: torch.einsum(subscripts, *ts), xs, dtype)


TENSORDOTS = [
    ((2, 3, 4), (3, 4, 2), 2),
    ((2, 3), (3, 2), 1),
    ((2, 3), (4,), 0),
    ((2, 3, 4), (4, 2, 3), ([1, 2], [2, 0])),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sa, sb, dims", TENSORDOTS, ids=str)
def test_tensordot_outer_dot(dtype, sa, sb, dims):
    rng = np.random.default_rng(5)
    a, b = rng.uniform(-2, 2, sa), rng.uniform(-2, 2, sb)
    check(lambda a, b: autograd.tensordot(a, b, dims), lambda a, b: torch.tensordot(a, b, dims), [a, b], dtype)
    check(
        lambda a, b: a.outer(b[..., 0]), lambda a, b: torch.outer(a.reshape(-1), b[..., 0].reshape(-1)), [a, b], dtype
    )
    v, w = a.reshape(-1)[:4], b.reshape(-1)[:4]
    check(lambda v, w: autograd.dot(v, w), torch.dot, [v, w], dtype)


@pytest.mark.parametrize(
    "sa, sb", [((2, 3), (3, 4)), ((2, 3, 4), (4,)), ((4,), (2, 4, 3)), ((2, 3), ()), ((2, 3, 4), (2, 4, 2))]
)
def test_dot_is_numpys_dot(sa, sb):
    rng = np.random.default_rng(6)
    a, b = rng.uniform(-2, 2, sa), rng.uniform(-2, 2, sb)
    assert_close("numpy's dot", Tensor(a).dot(b).data, np.dot(a, b), np.float64)
    weights = np.arange(np.size(np.dot(a, b))).reshape(np.shape(np.dot(a, b)))
    assert gradcheck(lambda a, b: (autograd.dot(a, b) * weights).sum(), [a, b])


# ---- the errors of calls that cannot be right ----

M = Tensor(np.zeros((2, 3)))
I2 = np.array([[0, 1], [1, 0]])
ERRORS = [
    (lambda: M[np.array([True, False, True])], IndexError, "boolean index did not match"),
    (lambda: M[Tensor([0, 1])], IndexError, "integers or booleans, got dtype float32"),
    (lambda: M.gather(1, np.array([0, 1])), ShapeError, "as many dims"),
    (lambda: M.gather(1, np.zeros((3, 1), dtype=int)), ShapeError, "each no longer \\(but dim 1\\)"),
    (lambda: M.gather(1, I2 * 3), IndexError, "index 3 is out of range for a dim of length 3"),
    (lambda: M.gather(0, -I2), IndexError, "index -1 is out of range"),
    (lambda: M.gather(1, I2 * 1.0), TypeError, "integer indices"),
    (lambda: M.scatter_add(0, I2, np.zeros((2, 1))), ShapeError, "src of shape \\(2, 1\\)"),
    (lambda: M.scatter_add(0, I2 * 2, np.zeros((2, 2))), IndexError, "index 2 is out of range"),
    (lambda: M.masked_fill(np.zeros((2, 3)), 1.0), TypeError, "boolean mask"),
    (lambda: M.masked_fill(np.zeros((3,), bool)[:2], 1.0), ShapeError, "does not broadcast to \\(2, 3\\)"),
    (lambda: M.masked_fill(np.zeros((2, 3), bool), np.ones(3)), ValueError, "one number"),
    (lambda: autograd.one_hot(np.array([0, 3]), 3), ValueError, "label 3 is not a class of 3"),
    (lambda: autograd.one_hot(np.array([0.0])), TypeError, "integer indices"),
    (lambda: Tensor(np.zeros(3)).tril(), ValueError, "2 dims or more"),
    (lambda: Tensor(np.zeros((2, 2, 2))).diag(), ValueError, "a vector or a matrix"),
    (lambda: M.diagonal(0, 1, -1), ValueError, "more than once"),
    (lambda: autograd.einsum("ij,jk->ik", M), ValueError, "names 2 operands, got 1"),
    (lambda: autograd.einsum("i1->i", M), ValueError, "letters, commas"),
    (lambda: autograd.einsum("ijk->i", M), ValueError, "operand 0 has 2 dims"),
    (lambda: autograd.einsum("ij,ij->i", M, M.T), ShapeError, "letter 'i' stands for dims of lengths 2 and 3"),
    (lambda: autograd.einsum("ii->i", M), ShapeError, "repeats in operand 0"),
    (lambda: autograd.einsum("ij->k", M), ValueError, "distinct letters of the operands"),
    (lambda: autograd.tensordot(M, M, 1), ShapeError, "differ in length"),
    (lambda: autograd.tensordot(M, M, ([0], [0, 1])), ValueError, "same length"),
]


@pytest.mark.parametrize("call, error, words", ERRORS, ids=[e[2] for e in ERRORS])
def test_a_call_that_cannot_be_right_raises_one_clear_error(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_an_index_tensor_is_a_constant():
    x = Tensor(np.arange(4.0), requires_grad=True)
    index = Tensor(np.array([3, 3, 0]))
    x[index].sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 0.0, 2.0] and index.grad is None

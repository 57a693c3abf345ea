"""Tensor's shape and movement methods against PyTorch, over drawn shapes and dims: view permute
transpose (both meanings) flatten unflatten squeeze unsqueeze expand broadcast_to flip roll repeat
tile pad split chunk; forward, gradient and second derivative, float64 and float32
(tests/torch_reference.py); then the errors a call that cannot be right gets."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from torch_reference import DTYPES, EXAMPLES, F, check, torch  # without torch: skipped

import autograd
from autograd import ShapeError, Tensor
from autograd.testing import arrays, shapes


def _dim(ndim):
    """A dim of a tensor of ndim dims, possibly counted from the end (0-d tensors take 0 and -1)."""
    n = max(ndim, 1)
    return st.integers(-n, n - 1)


def _run(data, shape_strategy, dtype, chain, reference):
    x = data.draw(arrays(shape_strategy), label="x")
    check(chain, reference, [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape=shapes(0, 4, 4))
def test_view_and_permute(dtype, data, shape):
    order = data.draw(st.permutations(range(len(shape))), label="order")
    order = tuple(a - len(shape) if data.draw(st.booleans()) else a for a in order)
    _run(data, shape, dtype, lambda t: t.permute(*order).view(-1), lambda t: t.permute(order).reshape(-1))
    _run(data, shape, dtype, lambda t: t.permute(order), lambda t: t.permute(order))


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape=shapes(0, 4, 4).filter(lambda s: len(s) != 2))
def test_transpose_of_two_dims_swaps_them_as_pytorch(dtype, data, shape):
    a, b = data.draw(_dim(len(shape)), label="a"), data.draw(_dim(len(shape)), label="b")
    _run(data, shape, dtype, lambda t: t.transpose(a, b), lambda t: t.transpose(a, b))
    _run(data, shape, dtype, lambda t: autograd.transpose(t, a, b), lambda t: torch.transpose(t, a, b))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("a, b", [(1, 0), (-1, 0), (1, -2), (-1, -2), (0, 0), (1, 1), (-1, 1)])
def test_transpose_of_a_matrix_where_both_meanings_agree(dtype, a, b):
    x = np.arange(6.0).reshape(2, 3) / 5 - 0.3
    check(lambda t: t.transpose(a, b), lambda t: t.transpose(a, b), [x], dtype)


@pytest.mark.parametrize("a, b", [(0, 1), (-2, -1), (0, -1), (-2, 1)])
def test_transpose_0_1_of_a_matrix_is_ambiguous_and_names_the_fix(a, b):
    with pytest.raises(ValueError, match=r"ambiguous.*swapaxes\(0, 1\).*\.T.*permute\(1, 0\)"):
        Tensor(np.zeros((2, 3))).transpose(a, b)
    assert Tensor(np.zeros((2, 3))).transpose((a, b)).shape == (2, 3)  # one sequence: numpy's order


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape=shapes(0, 4, 3))
def test_flatten(dtype, data, shape):
    n = len(shape)
    start = data.draw(_dim(n), label="start")
    end = data.draw(_dim(n).filter(lambda e: e % max(n, 1) >= start % max(n, 1)), label="end")
    _run(data, shape, dtype, lambda t: t.flatten(start, end), lambda t: t.flatten(start, end))
    _run(data, shape, dtype, lambda t: autograd.flatten(t), torch.flatten)


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape=shapes(1, 3, 4))
def test_unflatten(dtype, data, shape):
    d = data.draw(_dim(len(shape)), label="dim")
    n = shape[d]
    k = data.draw(st.sampled_from([k for k in range(1, n + 1) if n % k == 0]), label="k")
    sizes = data.draw(st.sampled_from([(k, n // k), (-1, k), (n // k, -1), (1, n, 1)]), label="sizes")
    _run(data, shape, dtype, lambda t: t.unflatten(d, sizes), lambda t: t.unflatten(d, sizes))


@st.composite
def shapes_with_ones(draw, min_dims=0):
    return tuple(draw(st.lists(st.sampled_from([1, 1, 2, 3]), min_size=min_dims, max_size=4)))


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape=shapes_with_ones())
def test_squeeze_and_unsqueeze(dtype, data, shape):
    n = len(shape)
    _run(data, shape, dtype, lambda t: t.squeeze(), lambda t: t.squeeze())
    d = data.draw(_dim(n), label="dim")
    _run(data, shape, dtype, lambda t: t.squeeze(d), lambda t: t.squeeze(d))  # a dim not of length 1 stays
    if n:
        ds = tuple(data.draw(st.sets(st.integers(0, n - 1), min_size=1), label="dims"))
        _run(data, shape, dtype, lambda t: autograd.squeeze(t, ds), lambda t: torch.squeeze(t, ds))
    u = data.draw(st.integers(-n - 1, n), label="new dim")
    _run(data, shape, dtype, lambda t: t.unsqueeze(u), lambda t: t.unsqueeze(u))


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape=shapes_with_ones(), lead=st.lists(st.integers(1, 3), max_size=2))
def test_expand_and_broadcast_to(dtype, data, shape, lead):
    target = tuple(lead) + tuple(data.draw(st.integers(1, 3)) if n == 1 else n for n in shape)
    kept = tuple(lead) + tuple(-1 if data.draw(st.booleans()) else t for t in target[len(lead) :])
    _run(data, shape, dtype, lambda t: t.expand(*kept), lambda t: t.expand(kept))
    _run(data, shape, dtype, lambda t: autograd.broadcast_to(t, target), lambda t: torch.broadcast_to(t, target))


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape=shapes(0, 4, 3))
def test_flip(dtype, data, shape):
    n = len(shape)
    dims = tuple(data.draw(st.sets(st.integers(0, n - 1)), label="dims")) if n else ()
    dims = tuple(d - n if data.draw(st.booleans()) else d for d in dims)
    _run(data, shape, dtype, lambda t: t.flip(*dims), lambda t: t.flip(dims or tuple(range(n))))
    _run(data, shape, dtype, lambda t: autograd.flip(t, dims), lambda t: torch.flip(t, dims))  # () flips none


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape=shapes(1, 3, 4))
def test_roll(dtype, data, shape):
    n = len(shape)
    dims = data.draw(st.lists(_dim(n), min_size=1, max_size=3), label="dims")
    shifts = data.draw(st.lists(st.integers(-6, 6), min_size=len(dims), max_size=len(dims)), label="shifts")
    flat = data.draw(st.integers(-7, 7), label="flat shift")
    _run(data, shape, dtype, lambda t: t.roll(shifts, dims), lambda t: t.roll(shifts, dims))
    _run(data, shape, dtype, lambda t: autograd.roll(t, flat), lambda t: torch.roll(t, flat))


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape=shapes(0, 3, 3))
def test_repeat_and_tile(dtype, data, shape):
    reps = lambda size: st.lists(st.integers(0, 3), min_size=size, max_size=size + 2).map(tuple)  # noqa: E731
    repeats = data.draw(reps(len(shape)), label="repeat")
    tiles = data.draw(reps(0), label="tile")  # fewer than the dims too: numpy pads them with ones
    _run(data, shape, dtype, lambda t: t.repeat(*repeats), lambda t: t.repeat(*repeats) if repeats else t)
    _run(data, shape, dtype, lambda t: autograd.tile(t, tiles), lambda t: torch.tile(t, tiles))


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape=shapes(1, 4, 3), value=st.sampled_from([0.0, -1.5]))
def test_pad(dtype, data, shape, value):
    n = len(shape)
    widths = data.draw(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=n, max_size=n))
    flat = data.draw(st.lists(st.integers(0, 2), min_size=2, max_size=2 * n).filter(lambda p: len(p) % 2 == 0))
    _run(data, shape, dtype, lambda t: autograd.pad(t, flat, value=value), lambda t: F.pad(t, flat, value=value))
    as_torch = [w for pair in widths[::-1] for w in pair]  # numpy's pairs, first dim first, as PyTorch's flat pad
    _run(data, shape, dtype, lambda t: autograd.pad(t, widths, value=value), lambda t: F.pad(t, as_torch, value=value))


def _joined(pieces, cat):
    """The pieces flattened, each weighted by its place, joined: one output to compare."""
    return cat([p.reshape(-1) * (i + 1) for i, p in enumerate(pieces)])


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape=shapes(1, 3, 5))
def test_split_and_chunk(dtype, data, shape):
    d = data.draw(_dim(len(shape)), label="dim")
    n = shape[d]
    size = data.draw(st.integers(1, n + 1), label="split size")
    cuts = sorted(data.draw(st.lists(st.integers(0, n), max_size=3), label="cuts"))
    sizes = list(np.diff([0, *cuts, n]))
    chunks = data.draw(st.integers(1, n + 1), label="chunks")
    x = data.draw(arrays(shape), label="x")
    for how in (size, sizes):
        pieces, expected = Tensor(x).split(how, d), torch.from_numpy(x).split(how, d)
        assert [p.shape for p in pieces] == [tuple(e.shape) for e in expected]
        check(
            lambda t, how=how: _joined(t.split(how, d), autograd.concatenate),
            lambda t, how=how: _joined(t.split(how, d), torch.cat),
            [x],
            dtype,
        )
    assert [p.shape for p in autograd.chunk(x, chunks, d)] == [
        tuple(e.shape) for e in torch.from_numpy(x).chunk(chunks, d)
    ]
    check(
        lambda t: _joined(t.chunk(chunks, d), autograd.concatenate),
        lambda t: _joined(t.chunk(chunks, d), torch.cat),
        [x],
        dtype,
    )


def test_split_relates_to_numpys_split_as_documented():
    x = np.arange(10.0)
    for ours, numpys in zip(Tensor(x).split([3, 4, 3]), np.split(x, [3, 7])):
        np.testing.assert_array_equal(ours.data, numpys)
    for ours, numpys in zip(Tensor(x).chunk(5), np.split(x, 5)):
        np.testing.assert_array_equal(ours.data, numpys)


def test_chunk_and_split_of_an_empty_dim_as_pytorch():
    x = np.zeros((2, 0))
    for pieces, expected in [
        (Tensor(x).chunk(3, 1), torch.from_numpy(x).chunk(3, 1)),
        (Tensor(x).split(2, 1), torch.from_numpy(x).split(2, 1)),
    ]:
        assert [p.shape for p in pieces] == [tuple(e.shape) for e in expected]


# ---- the errors of calls that cannot be right ----

M = Tensor(np.zeros((2, 3)))
ERRORS = [
    (lambda: M.permute(0), ValueError, "order of all 2 dims"),
    (lambda: M.permute(0, 0), ValueError, "more than once"),
    (lambda: M.permute(0, 2), np.exceptions.AxisError, "dim 2 is out of range"),
    (lambda: M.transpose(0, 1, 2), ValueError, "order of all 2 dims"),
    (lambda: Tensor(np.zeros((2, 3, 4))).transpose(0, 3), np.exceptions.AxisError, "dim 3"),
    (lambda: M.flatten(1, 0), ValueError, "start_dim 1 comes after end_dim 0"),
    (lambda: M.unflatten(1, (2, 2)), ShapeError, "do not make dim 1 of length 3"),
    (lambda: M.unflatten(1, (-1, -1)), ShapeError, "sizes"),
    (lambda: M.squeeze(2), np.exceptions.AxisError, "dim 2"),
    (lambda: M.unsqueeze(3), np.exceptions.AxisError, "dim 3"),
    (lambda: M.expand(2, 4), ShapeError, "cannot be broadcast to"),
    (lambda: M.expand(3), ShapeError, "one per dim"),
    (lambda: M.expand(-1, 2, 3), ShapeError, "not -1"),
    (lambda: M.broadcast_to((3, 3)), ShapeError, "cannot be broadcast"),
    (lambda: M.flip(0, 0), ValueError, "more than once"),
    (lambda: M.roll((1, 2), (0,) * 3), ValueError, "same length"),
    (lambda: M.roll((1, 2)), TypeError, "one int shift"),
    (lambda: M.repeat(2), ValueError, "each of the 2 dims"),
    (lambda: M.tile(-1), ValueError, "non-negative"),
    (lambda: M.split([1, 1], 1), ShapeError, "do not add up to dim 1's length 3"),
    (lambda: M.split(0), ValueError, "positive"),
    (lambda: M.chunk(0), ValueError, "positive int"),
    (lambda: autograd.pad(M, (1, 1, 1)), ValueError, "pairs"),
    (lambda: autograd.pad(M, ((1, -1), (0, 0))), ValueError, "numpy.s pad_width is non-negative, got .*to crop"),
    (lambda: autograd.pad(M, ((1, 1),) * 3), ValueError, "one \\(before, after\\) pair per dim"),
    (lambda: autograd.pad(M, (1, 1), mode="mirror"), ValueError, "mode must be one of 'constant', 'reflect'"),
    (
        lambda: autograd.pad(np.ones((2, 3)), (3, 0), mode="reflect"),
        ShapeError,
        "axis 1 of length 3 by 3, more than its 2",
    ),
    (lambda: autograd.pad(np.ones((2, 3)), (4, 0), mode="circular"), ShapeError, "by 4, more than its 3 allow"),
    (lambda: autograd.pad(M, (1, 1), "reflect", 3.0), ValueError, "mode='reflect' fills with x's own .* got 3.0"),
    (lambda: autograd.pad(M, (1, 1), "circular", np.nan), ValueError, "mode='circular' .* takes no value, got nan"),
    (lambda: autograd.pad(M, (1, 1), "replicate", [0]), ValueError, "mode='replicate' .* takes no value, got"),
    (  # numpy's arange of more than 2**63 - 1 entries was empty: a (2, 0) result
        lambda: autograd.pad(M, (2**62, 2**62), "replicate"),
        ShapeError,
        r"axis 1 of length 3 to 9223372036854775811 entries, more than an array holds \(2\*\*63 - 1\)",
    ),
]


@pytest.mark.parametrize("call, error, words", ERRORS, ids=[e[2] for e in ERRORS])
def test_a_call_that_cannot_be_right_raises_one_clear_error(call, error, words):
    with pytest.raises(error, match=words):
        call()


@pytest.mark.parametrize("value", [None, 0, 0.0, -0.0, False])
@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_a_mode_that_takes_no_value_takes_pytorch_s_default_of_0(mode, value):
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(autograd.pad(x, (1, 2), mode, value).data, autograd.pad(x, (1, 2), mode).data)


def test_numpy_pad_width_forms():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(autograd.pad(x, 1).data, np.pad(x, 1))
    np.testing.assert_array_equal(autograd.pad(x, ((1, 2),)).data, np.pad(x, ((1, 2),)))
    np.testing.assert_array_equal(autograd.pad(x, (1, 2)).data, np.pad(x, ((0, 0), (1, 2))))  # a flat pair: PyTorch's
    padded = autograd.pad(x, ((0, 1), (2, 0)), value=7.0)
    np.testing.assert_array_equal(padded.data, np.pad(x, ((0, 1), (2, 0)), constant_values=7.0))

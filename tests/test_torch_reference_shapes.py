"""chainrule's shape and indexing ops against PyTorch: reshape, transpose (negative axes, cycles),
getitem (ints, slices, integer arrays with repeats, boolean masks), concatenate, stack, where,
and the internal sum_to, broadcast_to and index_add; forward, gradient and second derivative,
float64 and float32. Comparison: tests/torch_reference.py."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch_reference import DTYPES, EXAMPLES, check, torch  # without torch: skipped

import autograd
from autograd import tensor_ops
from autograd.testing import arrays, broadcastable_shapes, shapes


@st.composite
def reshapes(draw):
    shape = draw(shapes(0, 3, 4))
    size = int(np.prod(shape))
    splits = [(size // k, k) for k in range(1, size + 1) if size % k == 0]
    targets = [(-1,), (size,), shape[::-1], (1,) + shape, shape + (1,), *splits, *[(-1, k) for _, k in splits]]
    return shape, draw(st.sampled_from(targets))


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shapes_=reshapes())
def test_reshape(dtype, data, shapes_):
    shape, target = shapes_
    x = data.draw(arrays(shape), label="x")
    check(lambda t: t.reshape(target), lambda t: t.reshape(target), [x], dtype)


@st.composite
def permutations(draw):
    """A shape and axes for transpose: None, or a permutation with some axes counted from the end."""
    shape = draw(shapes(0, 4, 4))
    n = len(shape)
    if draw(st.booleans()):
        return shape, None
    order = draw(st.permutations(range(n)))
    return shape, tuple(a - n if draw(st.booleans()) else a for a in order)


def torch_permute(axes):
    return lambda t: t.permute(tuple(reversed(range(t.dim()))) if axes is None else axes)


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape_axes=permutations())
def test_transpose(dtype, data, shape_axes):
    shape, axes = shape_axes
    x = data.draw(arrays(shape), label="x")
    check(lambda t: t.transpose(axes), torch_permute(axes), [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "shape, axes",
    [
        ((3, 3, 3, 3), (-2, -1, 1, 0)),
        ((2, 3, 4, 5), (-2, -1, 1, 0)),
        ((2, 3, 4, 5), (3, -4, -3, 2)),
        ((2, 3, 4), (1, 2, 0)),  # the two 3-cycles
        ((2, 3, 4), (2, 0, 1)),
        ((2, 3, 4), (-1, 0, 1)),
        ((2, 3, 4), (-2, -1, -3)),
        ((3, 3, 3), (-1, -3, -2)),
        ((2, 3), (-1, -2)),
        ((2, 3, 4), None),
    ],
    ids=str,
)
def test_transpose_named_cases(dtype, shape, axes):
    x = np.random.default_rng(3).uniform(-2, 2, shape)
    check(lambda t: t.transpose(axes), torch_permute(axes), [x], dtype)
    if axes is not None:  # the same, axes given one by one
        check(lambda t: t.transpose(*axes), torch_permute(axes), [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("a, b", [(0, 1), (-1, 0), (-1, -3), (1, -2)], ids=str)
def test_swapaxes_and_T(dtype, a, b):
    x = np.random.default_rng(4).uniform(-2, 2, (2, 3, 4))
    check(lambda t: t.swapaxes(a, b), lambda t: t.transpose(a, b), [x], dtype)
    check(lambda t: t[0].T, lambda t: t[0].permute(1, 0), [x], dtype)


# ---- indexing ----


@st.composite
def indices(draw):
    """A shape and a numpy index into it: every kind of index Tensor.__getitem__ takes."""
    shape = draw(shapes(1, 3, 4))
    n0, n = shape[0], len(shape)
    ints = st.integers(-n0, n0 - 1)
    repeated = st.lists(ints, min_size=1, max_size=6).map(np.array)  # repeats are likely
    bounds = st.one_of(st.none(), st.integers(-n0 - 1, n0 + 1))
    kinds = {
        "int": ints,
        "slice": st.builds(slice, bounds, bounds, st.sampled_from([None, 1, 2, 3])),
        "reversed slice": st.builds(slice, bounds, bounds, st.sampled_from([-1, -2])),
        "int array": repeated,
        "int array, last axis": st.lists(st.integers(0, shape[-1] - 1), min_size=1, max_size=6).map(
            lambda i: (Ellipsis, np.array(i))
        ),
        "bool mask": hnp.arrays(bool, shape),
        "bool rows": hnp.arrays(bool, (n0,)),
        "new axis": st.just((None, Ellipsis, slice(0, 1))),
    }
    if n >= 2:
        kinds["int array, slice"] = repeated.map(lambda i: (i, slice(1, None)))
        kinds["two int arrays"] = st.lists(st.tuples(ints, st.integers(0, shape[1] - 1)), min_size=1, max_size=5).map(
            lambda pairs: (np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs]))
        )
        kinds["int, slice"] = st.tuples(ints, st.builds(slice, st.none(), st.none(), st.sampled_from([1, -1])))
    kind = draw(st.sampled_from(sorted(kinds)))
    return shape, draw(kinds[kind])


def _parts(index):
    return index if isinstance(index, tuple) else (index,)


def torch_getitem(index):
    """torch indexes as numpy does, except slices with a negative step, which it refuses: those
    gather by the flat positions numpy's index picks."""

    def take(t):
        if any(isinstance(p, slice) and (p.step or 1) < 0 for p in _parts(index)):
            flat = np.arange(t.numel()).reshape(tuple(t.shape))[index].copy()
            return t.reshape(-1)[torch.from_numpy(flat)]
        parts = tuple(torch.from_numpy(p) if isinstance(p, np.ndarray) else p for p in _parts(index))
        return t[parts if isinstance(index, tuple) else parts[0]]

    return take


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape_index=indices())
def test_getitem(dtype, data, shape_index):
    shape, index = shape_index
    x = data.draw(arrays(shape), label="x")
    check(lambda t: t[index], torch_getitem(index), [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape_index=indices())
def test_index_add(dtype, data, shape_index):
    """The internal op behind getitem's gradient, on its own: g added into zeros at the index
    (a repeated index adds up)."""
    shape, index = shape_index
    flat = np.array(np.arange(int(np.prod(shape))).reshape(shape)[index])  # positions of g's elements
    g = data.draw(arrays(flat.shape), label="g")

    def reference(t):
        out = torch.zeros(int(np.prod(shape)), dtype=t.dtype).index_add(
            0, torch.from_numpy(flat).reshape(-1), t.reshape(-1)
        )
        return out.reshape(shape)

    check(lambda t: tensor_ops.index_add(t, index=index, shape=shape), reference, [g], dtype)


# ---- joining and choosing ----


@st.composite
def concatenations(draw):
    base = draw(shapes(1, 3, 3))
    axis = draw(st.integers(-len(base), len(base) - 1))
    lengths = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    return [base[: axis % len(base)] + (k,) + base[axis % len(base) + 1 :] for k in lengths], axis


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shapes_axis=concatenations())
def test_concatenate(dtype, data, shapes_axis):
    shapes_, axis = shapes_axis
    xs = [data.draw(arrays(s), label=f"x{i}") for i, s in enumerate(shapes_)]
    check(lambda *ts: autograd.concatenate(ts, axis=axis), lambda *ts: torch.cat(ts, dim=axis), xs, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shape=shapes(0, 3, 3), count=st.integers(1, 3))
def test_stack(dtype, data, shape, count):
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)), label="axis")
    xs = [data.draw(arrays(shape), label=f"x{i}") for i in range(count)]
    check(lambda *ts: autograd.stack(ts, axis=axis), lambda *ts: torch.stack(ts, dim=axis), xs, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), three=broadcastable_shapes(3, max_dims=3, max_side=3), y_number=st.booleans())
def test_where(dtype, data, three, y_number):
    cond = data.draw(hnp.arrays(bool, three[0]), label="cond")
    x = data.draw(arrays(three[1]), label="x")
    if y_number:  # a number on one side
        check(
            lambda x: autograd.where(cond, x, -0.5),
            lambda x: torch.where(torch.from_numpy(cond), x, -0.5),
            [x],
            dtype,
        )
    else:
        y = data.draw(arrays(three[2]), label="y")
        check(
            lambda x, y: autograd.where(cond, x, y),
            lambda x, y: torch.where(torch.from_numpy(cond), x, y),
            [x, y],
            dtype,
        )


# ---- the broadcasting helpers every broadcasting rule uses ----


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), pair=broadcastable_shapes(2, max_dims=3, max_side=3))
def test_sum_to_and_broadcast_to(dtype, data, pair):
    small = pair[0]
    big = np.broadcast_shapes(*pair)
    x = data.draw(arrays(big), label="x")
    check(lambda t: tensor_ops.sum_to(t, shape=small), lambda t: t.sum_to_size(small), [x], dtype)
    y = data.draw(arrays(small), label="y")
    check(lambda t: tensor_ops.broadcast_to(t, shape=big), lambda t: torch.broadcast_to(t, big), [y], dtype)

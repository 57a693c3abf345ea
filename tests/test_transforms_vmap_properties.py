"""Properties of autograd.vmap over drawn expressions (elementwise steps, reductions, products with a fixed
matrix) on drawn shapes, mapped axes and stacking axes: vmap(f)(x) is the stack of f at each index, exactly
(the same numbers, computed the same way); any in_axes is axis 0 of the moved array; two arguments map along
axes of their own; and the gradient through vmap is the loop's."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import grad, vmap
from autograd.testing import arrays

MATRICES = {n: np.random.default_rng(n).normal(size=(n, 2)) for n in range(1, 5)}
STEPS = {  # name: (applies to a rank, the step), on arrays and Tensors alike
    "sin": (lambda rank: True, autograd.sin),
    "tanh": (lambda rank: True, autograd.tanh),
    "square": (lambda rank: True, lambda a: a * a / 4.0),
    "exp": (lambda rank: True, lambda a: autograd.exp(a / 3.0)),
    "sum of the last axis": (lambda rank: rank >= 1, lambda a: a.sum(axis=-1)),
    "max of the last axis": (lambda rank: rank >= 1, lambda a: a.max(axis=-1)),
    "mean": (lambda rank: True, lambda a: a.mean()),
    "matmul": (lambda rank: rank >= 1, lambda a: a @ MATRICES[a.shape[-1]]),
}
RANKS = {"sum of the last axis": -1, "max of the last axis": -1, "mean": None}  # how a step changes the rank


@st.composite
def expressions(draw, rank):
    """A function of one array of `rank` dims (sides up to 4): up to 4 steps, and the rank of its output."""
    names = []
    for _ in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from([n for n, (fits, _) in STEPS.items() if fits(rank)]))
        names.append(name)
        rank = 0 if RANKS.get(name, 0) is None else rank + RANKS.get(name, 0)

    def f(a):
        for name in names:
            a = STEPS[name][1](a)
        return a

    f.__name__ = " then ".join(names)
    return f, rank


@st.composite
def mapped(draw):
    """(f, x, in_axes, out_axes, out_rank): x holds a batch of f's inputs along axis in_axes."""
    shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=2))
    f, out_rank = draw(expressions(len(shape)))
    in_axis = draw(st.integers(-len(shape) - 1, len(shape)))
    batch = list(shape)
    batch.insert(in_axis % (len(shape) + 1), draw(st.integers(1, 4)))
    x = draw(arrays(tuple(batch), -2.0, 2.0))
    return f, x, in_axis, draw(st.integers(-out_rank - 1, out_rank)), out_rank


def stacked_loop(f, x, in_axis, out_axis):
    return np.stack([f(np.take(x, i, axis=in_axis)) for i in range(x.shape[in_axis])], axis=out_axis)


@given(mapped())
def test_vmap_is_the_stack_of_f_at_each_index(case):
    f, x, in_axis, out_axis, _ = case
    got = vmap(f, in_axes=in_axis, out_axes=out_axis)(x)
    np.testing.assert_array_equal(got, stacked_loop(f, x, in_axis, out_axis), err_msg=f.__name__)


@given(mapped())
def test_any_in_axes_is_axis_0_of_the_moved_array(case):
    f, x, in_axis, _, _ = case
    moved = np.moveaxis(x, in_axis, 0).copy()
    np.testing.assert_array_equal(vmap(f, in_axes=in_axis)(x), vmap(f)(moved), err_msg=f.__name__)


@given(mapped(), st.data())
def test_two_arguments_map_along_axes_of_their_own(case, data):
    f, x, in_axis, out_axis, _ = case
    size = x.shape[in_axis]
    other_axis = data.draw(st.sampled_from([None, 0, 1, -1]))
    y = data.draw(arrays((size, 2) if other_axis == 0 else (2, size), -2.0, 2.0))
    if other_axis is None:
        y = y[0]
    g = lambda a, b: f(a) * b.sum()
    got = vmap(g, in_axes=(in_axis, other_axis), out_axes=out_axis)(x, y)
    ys = [y if other_axis is None else np.take(y, i, axis=other_axis) for i in range(size)]
    expected = np.stack([g(np.take(x, i, axis=in_axis), ys[i]) for i in range(size)], axis=out_axis)
    np.testing.assert_array_equal(got, expected, err_msg=f.__name__)


@given(mapped())
def test_the_gradient_through_vmap_is_the_loops(case):
    f, x, in_axis, out_axis, _ = case
    weights = np.random.default_rng(0).normal(size=stacked_loop(f, x, in_axis, out_axis).shape)
    through_vmap = grad(lambda x: (vmap(f, in_axes=in_axis, out_axes=out_axis)(x) * weights).sum())(x)
    w_at = np.moveaxis(weights, out_axis, 0)  # each index's weights
    size = x.shape[in_axis]
    by_loop = grad(
        lambda x: sum((f(x[(slice(None),) * (in_axis % x.ndim) + (i,)]) * w_at[i]).sum() for i in range(size))
    )(x)
    np.testing.assert_allclose(through_vmap, by_loop, rtol=1e-12, atol=1e-14, err_msg=f.__name__)

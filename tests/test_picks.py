"""take_along_dim (numpy's take_along_axis) and scatter without PyTorch: first and second derivatives against
finite differences over drawn shapes, dims and indices (repeats and negative indices included, float64), who wins
a repeated place and where its gradient goes, the errors (raised before anything is made), numpy's spellings, and
compiled steps (PyTorch's answers: test_torch_diff_picks)."""

import warnings

import numpy as np
import pytest
from compile_faithful_cases import assert_same, check_replayed
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from test_scans import first_and_second

import autograd
import nn
from autograd import ShapeError, Tensor, gradcheck
from autograd.testing import shapes

FLOATS = st.floats(-2, 2)


@st.composite
def indices_along(draw, shape, dim, low=False):
    """Indices into dim `dim` of `shape` (repeats likely), each other dim no longer (scatter's); with `low`, from -n
    and each other dim 1 or shape's, broadcast (take_along_dim's)."""
    n = shape[dim]
    other = (lambda s: st.sampled_from([1, s])) if low else (lambda s: st.integers(1, s))
    index_shape = tuple(draw(other(s)) if d != dim else draw(st.integers(0, 4)) for d, s in enumerate(shape))
    return draw(hnp.arrays(np.int64, index_shape, elements=st.integers(-n if low else 0, n - 1)))


@st.composite
def shape_and_dim(draw):
    shape = draw(shapes(1, 3, 3))
    return shape, draw(st.integers(-len(shape), len(shape) - 1))


@given(data=st.data(), case=shape_and_dim())
def test_take_along_dim_derivatives_agree_with_finite_differences(data, case):
    shape, dim = case
    x = data.draw(hnp.arrays(np.float64, shape, elements=FLOATS), label="x")
    index = data.draw(indices_along(shape, dim % len(shape), low=True), label="index")
    first_and_second(lambda t: t.take_along_dim(index, dim) * t.take_along_dim(index, dim).sin(), x)


@given(data=st.data(), case=shape_and_dim())
def test_scatter_derivatives_agree_with_finite_differences(data, case):
    shape, dim = case
    x = data.draw(hnp.arrays(np.float64, shape, elements=FLOATS), label="x")
    index = data.draw(indices_along(shape, dim % len(shape)), label="index")
    src = data.draw(hnp.arrays(np.float64, index.shape, elements=FLOATS), label="src")
    assert gradcheck(lambda t, s: (t.scatter(dim, index, s) ** 3).sum(), [x, src])
    assert gradcheck(lambda t: (t.scatter(dim, index, value=0.5) ** 3).sum(), [x])


def test_scatter_writes_the_last_of_repeated_places_and_sends_it_alone_the_gradient():
    x = Tensor(np.zeros(3), requires_grad=True)
    src = Tensor(np.array([1.0, 2.0, 3.0, 4.0]), requires_grad=True)
    out = x.scatter(0, np.array([2, 0, 2, 2]), src)
    np.testing.assert_array_equal(out.data, [2.0, 0.0, 4.0])  # place 2 written thrice: the last write, 4.0, stays
    (out * Tensor(np.array([10.0, 20.0, 30.0]))).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 20.0, 0.0])  # 0 where written over (PyTorch's)
    np.testing.assert_array_equal(src.grad, [0.0, 10.0, 0.0, 30.0])  # PyTorch 2.13: [30, 10, 30, 30]


def test_scatter_takes_a_number_as_its_value_in_the_inputs_dtype_and_a_larger_src_in_part():
    x = Tensor(np.arange(6, dtype=np.float32).reshape(2, 3), requires_grad=True)
    out = x.scatter(1, np.array([[2], [0]]), 7.5)
    assert out.dtype == np.float32 and out.tolist() == [[0.0, 1.0, 7.5], [7.5, 4.0, 5.0]]
    assert x.scatter(1, np.array([[2], [0]]), value=7.5).tolist() == out.tolist()
    src = Tensor(np.arange(10.0, 18.0, dtype=np.float32).reshape(2, 4), requires_grad=True)  # torch: of x's dtype
    out = x.scatter(0, np.array([[1, 0]]), src)  # src's entries beyond index's shape are not read
    assert out.tolist() == [[0.0, 11.0, 2.0], [10.0, 4.0, 5.0]]
    out.sum().backward()
    np.testing.assert_array_equal(src.grad, [[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])


def test_scatter_takes_a_0d_tensor_as_its_value_and_writes_into_a_0d_tensor_as_pytorch():
    x = Tensor(np.zeros(3), requires_grad=True)
    for keywords in (
        {"src": Tensor(np.array(5.0), requires_grad=True)},
        {"value": Tensor(np.array(5.0), requires_grad=True)},
    ):
        out = x.scatter(0, np.array([1, 2]), **keywords)  # PyTorch 2.13: [0, 5, 5], a 0-d src taken as the value
        assert out.tolist() == [0.0, 5.0, 5.0]
        (out * Tensor(np.array([10.0, 20.0, 30.0]))).sum().backward()
        assert next(iter(keywords.values())).grad == 50.0  # the sum over the places written
    one = Tensor(np.array(1.0), requires_grad=True)
    for out in (one.scatter(0, np.array(0), Tensor(np.array(5.0))), one.scatter(-1, np.array(0), value=5.0)):
        assert out.shape == () and out.item() == 5.0  # PyTorch's tensor(5.)
    with pytest.raises(IndexError, match="index 1 is out of range for a dim of length 1"):
        one.scatter(0, np.array(1), 5.0)


def test_take_along_dim_broadcasts_counts_negative_indices_from_the_end_and_flattens_without_a_dim():
    x = np.arange(6.0).reshape(2, 3)
    assert Tensor(x).take_along_dim(np.array([[-1, 0, 1, 0]]), 1).tolist() == [[2, 0, 1, 0], [5, 3, 4, 3]]
    assert Tensor(x).take_along_dim(np.array([[5, 0]])).tolist() == [5.0, 0.0]  # dim=None: flattened, as torch
    column = np.arange(3.0).reshape(3, 1)
    assert autograd.take_along_dim(column, np.array([[0, 1], [2, 2]]), 0).tolist() == [[0, 1], [2, 2]]
    assert Tensor(np.array(4.0)).take_along_dim(np.array(0), 0).item() == 4.0


def test_take_along_axis_is_numpys_function_and_np_take_along_axis_dispatches_to_it():
    x = np.arange(12.0).reshape(3, 4)
    index = np.array([[3, 0], [1, -1], [2, 2]])
    for got in (autograd.take_along_axis(Tensor(x), index, 1), np.take_along_axis(Tensor(x), index, axis=1)):
        np.testing.assert_array_equal(got.data, np.take_along_axis(x, index, 1))
    np.testing.assert_array_equal(autograd.take_along_axis(x, np.array([11, 0]), None).data, [11.0, 0.0])
    with pytest.raises(ValueError, match="with axis=None the indices are 1-d"):
        autograd.take_along_axis(x, index, None)
    t = Tensor(x, requires_grad=True)
    np.take_along_axis(t, index, -1).sum().backward()
    np.testing.assert_array_equal(t.grad, [[1, 0, 0, 1], [0, 1, 0, 1], [0, 0, 2, 0]])


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda t: t.take_along_dim(np.array([[3]]), 1), IndexError, r"index 3 is out of range .* from -3 to 2"),
        (lambda t: t.take_along_dim(np.array([[-4]]), 1), IndexError, r"index -4 is out of range"),
        (lambda t: t[:, :0].take_along_dim(np.array([[0]]), 1), IndexError, r"length 0 \(it has no entries\)"),
        (lambda t: t.take_along_dim(np.array([0]), 1), ShapeError, r"indices of 1 dims for an input of 2"),
        (lambda t: t.take_along_dim(np.array([[0]] * 3), 1), ShapeError, r"do not broadcast .* other than dim 1"),
        (lambda t: t.take_along_dim(np.array([[0.0]]), 1), TypeError, r"integer indices"),
        (lambda t: t.take_along_dim(np.array([[0]]), 2), IndexError, r"dim 2 is out of range"),
        (lambda t: t.scatter(1, np.array([[3]]), 1.0), IndexError, r"index 3 is out of range .* from 0 to 2"),
        (lambda t: t.scatter(1, np.array([[-1]]), 1.0), IndexError, r"index -1 is out of range"),
        (lambda t: t.scatter(0, np.array([[0, 0, 0, 0]]), 1.0), ShapeError, r"does not fit the input"),
        (lambda t: t.scatter(0, np.array([[0, 0]]), np.ones((1, 1))), ShapeError, r"does not fit src"),
        (lambda t: t.scatter(0, np.array([[0]])), TypeError, r"src .* or value=, one of them"),
        (lambda t: t.scatter(0, np.array([[0]]), 1.0, value=2.0), TypeError, r"one of them"),
        (lambda t: t.scatter(0, np.array([[0]]), value=[[2.0]]), TypeError, r"value= is one number .* as src"),
        (lambda t: t.scatter(-3, np.array([[0]]), 1.0), IndexError, r"dim -3 is out of range"),
    ],
)
def test_bad_indices_and_dims_are_clear_errors(call, error, words):
    t = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    with pytest.raises(error, match=words):
        call(t)
    assert t.tolist() == [[0, 1, 2], [3, 4, 5]] and t.grad is None


OPS = {
    "take_along_dim": lambda w, s, i: w.take_along_dim(i, 0),
    "scatter": lambda w, s, i: w.scatter(0, i, s),
    "scatter value": lambda w, s, i: w.scatter(0, i, value=2.0) * s,
}
INDICES = [np.array([[0, 1, 1], [1, 0, 0]]), np.array([[1, 1, 0], [0, 0, 1]]), np.array([[0, 0, 0], [1, 1, 1]])]


def _scenario(compile, op, indices):
    w = Tensor(np.arange(6.0).reshape(2, 3) / 10, requires_grad=True)
    s = Tensor(np.ones((2, 3)), requires_grad=True)
    opt = nn.SGD([w, s], lr=0.1)

    def step(index):
        opt.zero_grad()
        out = op(w, s, index)
        loss = (out * out * Tensor(np.arange(1.0, 7.0).reshape(2, 3))).sum()
        loss.backward()
        return loss.item()

    run = compile(step)
    return [run(index) for index in indices]


@pytest.mark.parametrize("name", OPS)
def test_a_compiled_step_replays_a_fixed_index_and_follows_one_that_changes(name, monkeypatch):
    check_replayed(lambda compile: _scenario(compile, OPS[name], [INDICES[0]] * 4), monkeypatch)
    eager = _scenario(lambda f: f, OPS[name], INDICES * 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a step whose index changes may run eagerly: its numbers are eager's
        assert_same(_scenario(autograd.compile, OPS[name], INDICES * 2), eager)

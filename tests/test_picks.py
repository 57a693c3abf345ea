"""take_along_dim (numpy's take_along_axis) and scatter without PyTorch: first and second derivatives against
finite differences over drawn shapes, dims and indices (repeats and negative indices included, float64), who wins
a repeated place and where its gradient goes, the errors (raised before anything is made), numpy's spellings, and
compiled steps (PyTorch's answers: test_torch_diff_picks)."""

import re
import warnings

import numpy as np
import pytest
from budget import examples
from compile_faithful_cases import assert_same, check_refused, check_replayed
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from test_scans import distinct_and_dim, first_and_second

import autograd
import nn
from autograd import ShapeError, Tensor, gradcheck
from autograd.testing import shapes

FLOATS = st.floats(-2, 2)
SEVERAL = examples(20)  # properties that check several calls (each a first and second gradcheck) an example


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
    src = Tensor(np.arange(10.0, 18.0).reshape(2, 4), requires_grad=True)
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


@SEVERAL
@given(case=distinct_and_dim(max_side=3), k=st.integers(1, 3), keepdim=st.booleans())
def test_order_statistics_derivatives_agree_with_finite_differences(case, k, keepdim):
    x, dim = case
    k = min(k, x.shape[dim])
    first_and_second(lambda t: t.kthvalue(k, dim, keepdim).values * t.sum(), x)
    first_and_second(lambda t: t.median(dim, keepdim).values * t.sum(), x)
    first_and_second(lambda t: t.median() * t, x)


def test_median_is_the_lower_middle_entry_and_ties_share_its_gradient():
    x = Tensor(np.array([4.0, 1.0, 2.0, 3.0]), requires_grad=True)
    assert x.median().item() == 2.0  # numpy's np.median: 2.5
    tied = Tensor(np.array([1.0, 2.0, 2.0, 2.0]), requires_grad=True)
    tied.median().backward()
    np.testing.assert_array_equal(tied.grad, [0.0, 1 / 3, 1 / 3, 1 / 3])  # PyTorch's median() too


def test_median_and_kthvalue_along_a_dim_pick_by_stable_rank_and_send_the_picked_entry_the_gradient():
    x = Tensor(np.array([[2.0, 1.0, 2.0, 2.0], [5.0, 3.0, 3.0, 0.0]]), requires_grad=True)
    values, indices = x.kthvalue(2, 1)
    assert values.tolist() == [2.0, 3.0] and indices.tolist() == [0, 1]  # of equal entries, the first one's turn
    values, indices = x.median(dim=1, keepdim=True)
    assert values.tolist() == [[2.0], [3.0]] and indices.tolist() == [[0], [1]]
    (values * Tensor(np.array([[10.0], [20.0]]))).sum().backward()
    np.testing.assert_array_equal(x.grad, [[10.0, 0, 0, 0], [0, 20.0, 0, 0]])


def test_median_is_nan_at_the_first_nan_and_kthvalue_ranks_nan_above_every_number():
    x = Tensor(np.array([[3.0, 1.0, np.nan, np.nan], [4.0, 1.0, 1.0, 0.0]]))
    assert np.isnan(x.median().item())
    values, indices = x.median(1)
    assert np.isnan(values.data[0]) and values.data[1] == 1.0 and indices.tolist() == [2, 1]
    assert x.kthvalue(2, 1).values.tolist() == [3.0, 1.0] and x.kthvalue(4, 1).indices.tolist() == [3, 0]


def test_order_statistics_of_a_0d_tensor_and_of_no_entries():
    values, indices = Tensor(np.array(3.0)).median(0)
    assert values.item() == 3.0 and indices.item() == 0
    assert Tensor(np.array(3.0)).kthvalue(1).values.item() == 3.0
    assert np.isnan(Tensor(np.zeros(0)).median().item())  # PyTorch's: NaN
    assert Tensor(np.zeros((0, 3))).median(1).values.shape == (0,)
    assert Tensor(np.array([3, 1, 2], np.int16)).median().item() == 2


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda t: t.kthvalue(4, 1), ValueError, r"k=4 is out of range for dim 1 of length 3 \(k goes from 1 to 3\)"),
        (lambda t: t.kthvalue(0), ValueError, r"k=0 is out of range"),
        (lambda t: t.kthvalue(1.5), TypeError, r"k must be an int"),
        (
            lambda t: t[0, 0].kthvalue(2),
            ValueError,
            r"k=2 is out of range for dim -1 of length 1 \(k goes from 1 to 1\)",
        ),
        (lambda t: t[0, 0].kthvalue(0, 0), ValueError, r"k=0 is out of range"),
        (lambda t: t.kthvalue(1, 2), IndexError, r"dim 2 is out of range"),
        (lambda t: t.median(-3), IndexError, r"dim -3 is out of range"),
        (lambda t: t.median(keepdim=True), TypeError, r"keepdim=True needs a dim"),
        (lambda t: t[:, :0].median(1), ValueError, r"dim 1 is empty, it has no median"),
        (lambda t: Tensor(np.zeros(0, int)).median(), ValueError, r"median\(\) of an empty int64 tensor"),
    ],
)
def test_bad_ranks_and_dims_are_clear_errors(call, error, words):
    t = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    with pytest.raises(error, match=words):
        call(t)


@pytest.mark.parametrize("name", ["median(dim=)", "kthvalue(dim=)", "quantile"])
def test_a_compiled_step_does_not_replay_a_rank_read_off_the_numbers(name, monkeypatch):
    pick = {
        "median(dim=)": lambda t: t.median(0).values,
        "kthvalue(dim=)": lambda t: t.kthvalue(2, 0).values,
        "quantile": lambda t: t.quantile(0.3),
    }[name]

    def scenario(compile):
        w = Tensor(np.zeros(3), requires_grad=True)
        opt = nn.SGD([w], lr=0.1)

        def step(x):
            opt.zero_grad()
            loss = pick(w + Tensor(x)) * 2.0
            loss.backward()
            return loss.item()

        run = compile(step)
        return [run(np.array(x)) for x in ([1.0, 3.0, 2.0], [1.0, 5.0, 2.0], [3.0, 1.0, 2.0])]

    assert check_refused(scenario, re.escape(name) + " finds (where|an order)", monkeypatch) == 0


@SEVERAL
@given(case=distinct_and_dim(max_side=3), q=st.lists(st.floats(0, 1), min_size=1, max_size=3), keepdim=st.booleans())
def test_quantile_derivatives_agree_with_finite_differences(case, q, keepdim):
    x, dim = case
    for how in ("linear", "midpoint", "nearest"):
        first_and_second(lambda t, how=how: t.quantile(q, dim, keepdim, interpolation=how) * t.sum(), x)
    first_and_second(lambda t: t.quantile(q[0]) * t, x)


def test_quantile_interpolates_between_the_sorted_entries_about_its_rank():
    x = Tensor(np.array([[1.0, 5.0, 3.0, 2.0], [0.0, np.nan, 1.0, 2.0]]), requires_grad=True)
    q = x.quantile(0.4, dim=1)  # rank 1.2 of [1, 2, 3, 5]: 2 + 0.2·(3 − 2)
    np.testing.assert_allclose(q.data[0], 2.2, rtol=1e-15)
    assert np.isnan(q.data[1])
    q.sum().backward()
    np.testing.assert_allclose(x.grad, [[0, 0, 0.2, 0.8], [0, 1, 0, 0]])  # the NaN row: its NaN (PyTorch's)
    assert x.quantile([0.1, 0.5], dim=1, keepdim=True).shape == (2, 2, 1) and x.quantile(0.3).shape == ()
    line = Tensor(np.array([1.0, 5.0, 3.0, 2.0]))
    assert line.quantile([0, 1 / 3, 0.5, 0.75, 1], interpolation="nearest").tolist() == [1, 2, 3, 3, 5]
    assert line.quantile(0.5, interpolation="lower").item() == 2 and line.quantile(0.5, interpolation="higher") == 3
    assert Tensor(np.array([1.0, np.inf])).quantile(0.0).item() == 1.0  # not 1 + 0·inf


def test_np_median_and_np_quantile_are_numpys_through_quantile():
    x = np.array([[4.0, 1.0, 2.0, 3.0], [0.0, 5.0, 1.0, 1.0]])
    t = Tensor(x, requires_grad=True)
    median = np.median(t, axis=1)  # numpy's: the mean of the middle two, [2.5, 1.0] (Tensor.median: [2, 1])
    np.testing.assert_array_equal(median.data, np.median(x, axis=1))
    median.sum().backward()
    np.testing.assert_array_equal(t.grad, [[0, 0, 0.5, 0.5], [0, 0, 0.5, 0.5]])
    got = np.quantile(t, [0.25, 0.6], axis=0, method="nearest", keepdims=True)
    np.testing.assert_array_equal(got.data, np.quantile(x, [0.25, 0.6], axis=0, method="nearest", keepdims=True))
    with pytest.raises(TypeError, match="does not take out="):
        np.median(t, out=np.zeros(2))


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda t: t.quantile(1.5), ValueError, r"q must lie in \[0, 1\], got 1.5"),
        (lambda t: t.quantile([0.5, np.nan]), ValueError, r"got nan"),
        (lambda t: t.quantile([[0.5]]), TypeError, r"a number or a 1-d list"),
        (lambda t: t.quantile(0.5, interpolation="cubic"), ValueError, r"one of linear, lower"),
        (lambda t: t.quantile(0.5, dim=2), IndexError, r"dim 2 is out of range"),
        (lambda t: t[:, :0].quantile(0.5, dim=1), ValueError, r"quantile of no entries"),
        (lambda t: t.astype(int).quantile(0.5), TypeError, r"needs a float tensor"),
        (lambda t: t.quantile(Tensor(np.array(0.5), requires_grad=True)), TypeError, r"q is a constant"),
    ],
)
def test_bad_quantiles_are_clear_errors(call, error, words):
    with pytest.raises(error, match=words):
        call(Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True))

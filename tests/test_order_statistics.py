"""median, kthvalue and quantile without PyTorch: first and second derivatives against finite differences over
drawn shapes, dims and ranks (float64), the lower median and ties sharing its gradient, stable ranks along a dim,
NaNs, 0-d and empty tensors, numpy's np.median and np.quantile, the errors, and compiled steps, which run these
eagerly (PyTorch's answers: test_torch_diff_picks)."""

import re

import numpy as np
import pytest
from budget import examples
from compile_faithful_cases import check_refused
from hypothesis import given
from hypothesis import strategies as st
from test_scans import distinct_and_dim, first_and_second

import nn
from autograd import Tensor

SEVERAL = examples(20)  # properties that check several calls (each a first and second gradcheck) an example


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

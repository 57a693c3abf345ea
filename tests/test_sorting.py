"""sort, argsort, topk, index_select and narrow without PyTorch: gradients against finite
differences, integer and bool entries, numpy's np.sort, clear errors, and compile's refusal of an
order read off the numbers (PyTorch's answers: test_torch_reference_sorting)."""

import numpy as np
import pytest
from compile_faithful_cases import check_refused

import autograd
import nn
from autograd import ShapeError, Tensor, gradcheck


@pytest.mark.parametrize(
    "f",
    [
        lambda x: x.sort(dim=0).values * np.arange(12.0).reshape(3, 4),
        lambda x: x.sort(descending=True).values.cumsum(axis=1),
        lambda x: x.topk(2, dim=0, largest=False).values ** 2,
        lambda x: np.sort(x, axis=None) * np.arange(12.0),
        lambda x: x.index_select(1, [3, 0, 3]).exp(),
        lambda x: x.narrow(0, 1, 2).sin(),
    ],
    ids=["sort", "descending", "topk", "np.sort", "index_select", "narrow"],
)
def test_gradients_agree_with_finite_differences(f):
    x = np.random.default_rng(1).permutation(12).reshape(3, 4) * 0.3 - 1.5  # no ties: a smooth point
    assert gradcheck(lambda t: f(t).sum(), [x])


def test_the_gradient_goes_to_the_entry_each_value_came_from():
    x = Tensor(np.array([2.0, 7.0, 2.0, -1.0]), requires_grad=True)
    values, indices = x.topk(3)
    (values * Tensor(np.array([10.0, 20.0, 30.0]))).sum().backward()
    assert indices.tolist() == [1, 0, 2]  # of the tied 2s, the first first
    np.testing.assert_array_equal(x.grad, [20.0, 10.0, 30.0, 0.0])


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int64, bool])
def test_integers_and_bools_sort_both_ways_without_wrapping(dtype):
    info = np.iinfo(dtype) if dtype is not bool else None
    x = np.array([0, 1, 0, 1], dtype) if info is None else np.array([info.min, info.max, 0, info.min], dtype)
    for descending in (False, True):
        values, indices = Tensor(x).sort(descending=descending)
        expected = np.argsort(-x.astype(np.float64) if descending else x, kind="stable")
        np.testing.assert_array_equal(indices.data, expected)
        np.testing.assert_array_equal(values.data, x[expected])
        assert values.dtype == x.dtype


def test_np_sort_sorts_as_numpy_and_refuses_order():
    x = np.array([[3.0, np.nan, 1.0], [0.0, -2.0, 5.0]])
    for axis in (-1, 0, None):
        np.testing.assert_array_equal(np.sort(Tensor(x), axis=axis).data, np.sort(x, axis=axis))
    with pytest.raises(TypeError, match="order="):
        np.sort(Tensor(x), order="a")


def test_np_sort_of_a_0d_tensor_is_numpys():
    """numpy has no axis -1 of a 0-d array to sort along (it gave the tensor back); axis=None sorts its one entry."""
    with pytest.raises(np.exceptions.AxisError, match="axis -1 is out of bounds for a 0-d tensor: give axis=None"):
        np.sort(Tensor(np.array(3.0)))
    assert np.sort(Tensor(np.array(3.0)), axis=None).tolist() == np.sort(np.array(3.0), axis=None).tolist() == [3.0]


def test_the_functions_are_the_methods():
    x = np.array([[3.0, 1.0], [0.0, 2.0]])
    assert autograd.sort(x, dim=0).indices.tolist() == [[1, 0], [0, 1]]
    assert autograd.argsort(x).tolist() == [[1, 0], [0, 1]]
    assert autograd.topk(x, 1).values.tolist() == [[3.0], [2.0]]
    assert autograd.index_select(x, 0, 1).tolist() == [[0.0, 2.0]]
    assert autograd.narrow(x, 1, -1, 1).tolist() == [[1.0], [2.0]]


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda x: x.topk(4), ValueError, "k=4 is out of range for dim -1 of length 3"),
        (lambda x: x.topk(-1), ValueError, "k=-1 is out of range"),
        (lambda x: x.topk(1.0), TypeError, "k must be an int"),
        (lambda x: x.topk(True), TypeError, "k must be an int"),
        (lambda x: x.sort(descending="yes"), TypeError, "descending"),
        (lambda x: x.topk(1, largest=None), TypeError, "largest"),
        (lambda x: x.sort(dim=2), np.exceptions.AxisError, "dim 2 is out of range"),
        (lambda x: x.argsort(0, axis=1), TypeError, "pass one"),
        # stable is keyword-only, as PyTorch's (positional, it was taken)
        (lambda x: x.sort(0, False, True), TypeError, "positional argument"),
        (lambda x: x.argsort(0, False, True), TypeError, "positional argument"),
        (lambda x: x[0, 0].topk(0), ValueError, "0-d tensor"),
        (lambda x: x.index_select(0, [[0]]), ShapeError, "1-d index"),
        (lambda x: x.index_select(0, [-1]), IndexError, "index -1 is out of range"),
        (lambda x: x.index_select(1, [3]), IndexError, "index 3 is out of range"),
        (lambda x: x.index_select(0, [0.0]), TypeError, "integer indices"),
        (lambda x: x[0, 0].index_select(0, [0]), ShapeError, "0-d"),
        (lambda x: x[0, 0].narrow(0, 0, 1), ShapeError, "0-d"),
        (lambda x: x.narrow(0, 0.5, 1), TypeError, "ints"),
    ],
)
def test_bad_arguments_get_one_clear_error(call, error, words):
    with pytest.raises(error, match=words):
        call(Tensor(np.arange(6.0).reshape(2, 3)))


ORDERED = {  # y in order, by each spelling: autograd's functions and np.sort forward to the method
    "sort": lambda y: y.sort().values,
    "topk": lambda y: y.topk(3).values,
    "argsort": lambda y: y[y.argsort()],
    "autograd.sort": lambda y: autograd.sort(y).values,
    "autograd.topk": lambda y: autograd.topk(y, 3).values,
    "autograd.argsort": lambda y: y[autograd.argsort(y)],
    "np.sort": np.sort,
}


@pytest.mark.parametrize("ordered", ORDERED.values(), ids=ORDERED.keys())
def test_a_compiled_step_does_not_replay_an_order_read_off_the_numbers(ordered, monkeypatch):
    # the order on the two recorded calls is the same, on the third another: a replay would keep it
    # (autograd.sort and np.sort did: their frames, autograd's, hid the read from compile, 13 for 10)
    def scenario(compile):
        w = Tensor(np.zeros(3), requires_grad=True)
        opt = nn.SGD([w], lr=0.0)
        weights = Tensor(np.array([3.0, 2.0, 1.0]))

        def step(x):
            opt.zero_grad()
            y = w + Tensor(x)
            loss = (ordered(y) * weights).sum()
            loss.backward()
            return loss.item()

        run = compile(step)
        return [run(np.array(x)) for x in ([3.0, 1.0, 2.0], [5.0, 1.0, 2.0], [1.0, 2.0, 3.0])]

    # named: the function that found the order (np.sort forwards to sort)
    assert check_refused(scenario, r"(sort|topk|argsort) finds an order .* replay would reuse", monkeypatch) == 0

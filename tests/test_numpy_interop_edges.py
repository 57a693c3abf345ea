"""numpy's and PyTorch's spellings on Tensors at their edges (an audit of them): list operands, which
results share memory, readings the two libraries give differently, and numpy's own refusals."""

import operator
import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value


def test_a_list_operand_is_numpys_array_of_it_not_rounded_to_float32():
    """It went through the constructor (float32): 1.5e-9 off in float64, 16777217 read as 16777216."""
    t = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    np.testing.assert_array_equal((t + [0.1, 0.2]).data, np.array([1.0, 2.0]) + [0.1, 0.2])
    assert (t + [16777217.0, 0.0]).data[0] == 16777218.0
    assert autograd.einsum("i,i", t, [0.1, 0.2]).item() == np.dot([1.0, 2.0], [0.1, 0.2])
    assert (Tensor(np.array([1, 2])) + [3, 4]).dtype == np.int64  # numpy's dtype, as numpy promotes it
    with pytest.raises(TypeError, match=r"cannot combine a Tensor with list \['a', 'b'\]"):
        t + ["a", "b"]


def test_tile_and_repeat_by_one_copy_as_numpy_and_pytorch_do():
    """A read-only view of x: it followed later writes to x, and a write to it raised numpy's bare error."""
    for copy in (lambda x: x.repeat(1), lambda x: x.tile(1, 1), lambda x: autograd.tile(x, 1)):
        x = Tensor(np.arange(4.0))
        r = copy(x)
        x[0] = 100.0
        r[..., 1] = 5.0
        assert r.data.tolist() in ([0.0, 5.0, 2.0, 3.0], [[0.0, 5.0, 2.0, 3.0]])


def test_readings_numpy_and_pytorch_give_differently_are_refused():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    with pytest.raises(ValueError, match=r"sum\(dim=\(\)\) is ambiguous: PyTorch reduces over every dim"):
        x.sum(dim=())
    assert x.sum(axis=()).shape == (2, 3)  # numpy's spelling keeps numpy's reading
    for name in ("var", "std"):
        for torch_words in ({"dim": 1}, {"keepdim": True}, {"dim": None}):
            with pytest.raises(
                TypeError, match=rf"{name}\(\) with (dim=|keepdim=|an axis by position) but no correction="
            ):
                getattr(x, name)(**torch_words)
        with pytest.raises(TypeError, match=r"with an axis by position but no correction="):
            getattr(x, name)(1)  # numpy reads ddof=0, PyTorch correction=1
    assert x.std(dim=1, correction=1).data.tolist() == [1.0, 1.0]


def test_numpy_functions_refuse_what_numpy_refuses():
    t3 = Tensor(np.arange(3.0))
    cases = [
        (lambda: np.expand_dims(t3, 5), np.exceptions.AxisError, "dim 5 is out of range"),
        (lambda: np.expand_dims(t3, (0, 0)), ValueError, "appears more than once"),
        (lambda: np.squeeze(Tensor(np.ones((2, 1))), 0), ValueError, "axis 0 of shape \\(2, 1\\) has length 2"),
        (lambda: np.linalg.norm(t3, "fro"), ValueError, "'fro' is the norm of a matrix"),
        (lambda: np.linalg.norm(Tensor(np.ones((2, 2, 2))), "fro"), ValueError, "'fro' is the norm of a matrix"),
        (lambda: np.add.accumulate(Tensor(np.ones((2, 2))), axis=None), ValueError, "does not allow multiple axes"),
        (lambda: np.where(t3 > 1, t3), ValueError, "either both or neither of x and y"),
        (
            lambda: np.max(Tensor(np.ones((2, 0))), axis=1),
            ValueError,
            r"over axis 1, which is empty: the largest of no entries",
        ),
    ]
    for call, error, words in cases:
        with pytest.raises(error, match=words):
            call()
    assert np.expand_dims(t3, (0, -1)).shape == (1, 3, 1) and np.expand_dims(t3, np.int64(1)).shape == (3, 1)
    assert np.squeeze(Tensor(2.0), 0).shape == () and np.squeeze(Tensor(np.ones((1, 2))), np.int64(0)).shape == (2,)
    assert np.flip(t3, np.int64(0)).tolist() == [2.0, 1.0, 0.0]
    assert np.float_power(Tensor(np.ones(2, np.float32)), 2).dtype == np.float64  # numpy's: always float64


def test_clip_takes_min_and_max_and_tensor_bounds():
    """A Tensor bound was refused, naming maximum and minimum; it is taken as torch 2.13's clamp takes it
    (tests/test_torch_functions.py compares it with torch's), by np.clip too."""
    t = Tensor(np.array([-1.0, 2.0]), requires_grad=True)
    assert t.clip(min=0.0).data.tolist() == [0.0, 2.0] and t.clip(max=1.0).data.tolist() == [-1.0, 1.0]
    lo = Tensor(np.zeros(2), requires_grad=True)
    clipped = np.clip(t, lo, 1.0)
    assert clipped.data.tolist() == [0.0, 1.0] and t.clamp(min=lo).data.tolist() == [0.0, 2.0]
    clipped.sum().backward()
    assert t.grad.tolist() == [0.0, 0.0] and lo.grad.tolist() == [1.0, 0.0]


def test_pytorch_spellings_a_port_uses():
    """From porting PyTorch snippets: size(dim), mask operators, F.softmax(dim=), nn.Softmax(dim=)."""
    import nn
    from nn import functional as F

    x = Tensor(np.ones((4, 3, 2)))
    assert x.size == 24 and x.size() == (4, 3, 2) and x.size(0) == 4 and x.view(x.size(0), -1).shape == (4, 6)
    m, n = Tensor(np.array([True, False, True])), Tensor(np.array([True, True, False]))
    assert (m & n).tolist() == [True, False, False] and (m | n).tolist() == [True, True, True]
    assert (m ^ n).tolist() == [False, True, True] and (~m).tolist() == [False, True, False]
    assert (np.array([False, True, True]) & m).tolist() == [False, False, True]
    z = Tensor(np.array([[1.0, 2.0]]))
    for probabilities in (F.softmax(z, dim=1), nn.Softmax(dim=1)(z), F.log_softmax(z, dim=1).exp()):
        np.testing.assert_allclose(probabilities.data, [[0.26894142, 0.73105858]], rtol=1e-6)


def test_a_list_of_integers_float32_would_round_is_refused():
    """Tensor([16777217]) became 16777216.0 without a word (PyTorch keeps int64)."""
    with pytest.raises(ValueError, match=r"integers beyond 2\*\*24 do not fit float32"):
        Tensor([16777217])
    assert Tensor([16777217], dtype=np.int64).tolist() == [16777217] and Tensor([3, 4]).dtype == np.float32


def test_the_gradient_of_a_nan_maximum_is_nan_throughout_without_a_warning():
    """Which entry NaN beats is unknown, and every share depends on it (docs/edge-points.md): NaN to all,
    made on purpose, with no 0/0 warning (NaN equals nothing, so the maximum's entries are 0 of 0)."""
    t = Tensor(np.array([1.0, np.nan, 3.0]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t.max().backward()
    assert np.isnan(t.grad).all()


@pytest.mark.parametrize("array", [np.array(2.0), np.array([2.0, -0.5])], ids=["0-d", "1-d"])
@pytest.mark.parametrize("symbol", ["+", "-", "*", "/", "**"])
def test_a_value_and_an_array_give_the_same_in_either_order(array, symbol):
    """`x * arr` refused (MixedNodes: 'use a number or a Value') where `arr * x` gave numpy's answer,
    each element's op on the Value (a Value for a 0-d array; found by a helper's audit): both orders
    now give numpy's."""
    apply = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}[symbol]
    x = Value(3.0)
    left, right = apply(x, array), apply(array, x)
    elements = lambda r: [r] if isinstance(r, Value) else list(r)  # noqa: E731
    assert [v.data for v in elements(left)] == [apply(3.0, a) for a in array.ravel()]
    assert [v.data for v in elements(right)] == [apply(a, 3.0) for a in array.ravel()]
    elements(left)[0].backward()
    a = float(array.ravel()[0])
    assert x.grad == pytest.approx((apply(3.0 + 1e-6, a) - apply(3.0 - 1e-6, a)) / 2e-6, rel=1e-6)


def test_a_value_s_named_methods_refuse_an_array_and_its_in_place_operators_take_numpy_s_answer():
    """The operators' NotImplemented is theirs alone: x.maximum(arr) returned the NotImplemented object
    itself, and `x += arr` failed on it (found by a review)."""
    from autograd.graph_errors import MixedNodes

    x = Value(3.0)
    for name in ("maximum", "minimum", "atan2", "hypot", "fmod", "logaddexp"):
        with pytest.raises(MixedNodes, match=f"{name}: cannot combine a Value with ndarray"):
            getattr(x, name)(np.array(2.0))
    x += np.array(2.0)
    assert isinstance(x, Value) and x.data == 5.0

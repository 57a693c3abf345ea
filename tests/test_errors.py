"""Bad input gets one clear error that names the op and the value."""

import math

import numpy as np
import pytest

import autograd
import nn
from autograd import AnomalyError, ShapeError, Tensor, Value, detect_anomaly


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: Value("3"), TypeError, r"Value needs a real number, got str '3'"),
        (lambda: Value(Value(1.0)), TypeError, r"a Value is already a node"),
        (lambda: Value(1.0) * "x", TypeError, r"\*: cannot combine a Value with str 'x'"),
        (lambda: "x" + Value(1.0), TypeError, r"\+: cannot combine a Value with str 'x'"),
        (lambda: Value(0.0).log(), ValueError, r"log\(0.0\) is undefined: log needs a positive input"),
        (lambda: Value(-1.0).log(), ValueError, r"log\(-1.0\) is undefined"),
        (lambda: Value(-1.0).sqrt(), ValueError, r"sqrt\(-1.0\) is undefined: sqrt needs a non-negative"),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, r"0.0 \*\* -1.0 is undefined"),
        (lambda: Value(1.0) / 0, ZeroDivisionError, r"1.0 / 0.0 is undefined: division by zero"),
        (lambda: 2 / Value(0.0), ZeroDivisionError, r"2.0 / 0.0 is undefined"),
        (lambda: Value(-8.0) ** (1 / 3), ValueError, r"\(-8.0\) \*\* 0.333\d* is undefined: a negative base"),
        (lambda: Value(1000.0).exp(), OverflowError, r"exp\(1000.0\) overflows: the result is too large"),
        (lambda: Value(math.inf).sin(), ValueError, r"sin\(inf\) is undefined"),
        (lambda: Tensor(Value(1.0)), TypeError, r"got a Value; a Tensor holds numbers, not Values \(v.data is"),
        (lambda: Tensor([Value(1.0), Value(2.0)]), TypeError, r"got list holding Values: a Tensor holds numbers"),
        (lambda: nn.Linear(2, 1)([Value(1.0), Value(2.0)]), TypeError, r"Linear: .* holding Values: .* \(nn.MLP\)"),
        # a loss left unreduced, read as a number: it was numpy's "can only convert an array of size 1"
        (lambda: Tensor([1.0, 2.0]).item(), ValueError, r"\.item\(\) of a tensor of shape \(2,\).*t\.sum\(\)"),
        (
            lambda: float(Tensor([1.0, 2.0])),
            ValueError,  # PyTorch's type (it was a TypeError)
            r"^float\(\) of a tensor of shape \(2,\).*t\.sum\(\)",
        ),  # no fix named
        # a micrograd Value in a Tensor op, either side: each names the fix
        (lambda: Tensor([1.0]) * Value(2.0), TypeError, r"^\*: cannot combine a Tensor with a Value: .*v\.data"),
        (lambda: Value(2.0) + Tensor([1.0]), TypeError, r"^\+: cannot combine a Value with Tensor .*v\.data"),
        # a micrograd model's outputs to a function of Tensors: it said only "cannot combine a Tensor with list [...]"
        (lambda: autograd.cross_entropy([Value(1.0), Value(2.0)], 1), TypeError, r"list holding Values: .*nn.Linear"),
        (lambda: Tensor([1.0]) + [Value(1.0), Value(2.0)], TypeError, r"^\+: .*list holding Values: a Tensor holds"),
    ],
)
def test_bad_input_gets_a_clear_error(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_anomaly_mode_names_the_first_op_with_a_nan_result():
    inf = Value(math.inf)
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"inf - inf gave nan in the forward pass"):
        inf - inf


def test_anomaly_mode_names_the_first_op_with_an_infinite_result():
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"1e\+308 \* 10.0 gave inf"):
        Value(1e308) * 10


def test_anomaly_mode_names_the_op_whose_gradient_is_nan():
    a, b = Value(-2.0), Value(3.0)
    y = (a**b) * 2
    with (
        detect_anomaly(),
        pytest.raises(AnomalyError, match=r"backward of \(-2.0\) \*\* 3.0 gave nan as the gradient of input 1"),
    ):
        y.backward()


def test_without_anomaly_mode_nan_flows_silently():
    y = Value(math.inf) - Value(math.inf)
    assert math.isnan(y.data)


def test_anomaly_mode_is_off_again_after_the_block():
    with detect_anomaly():
        pass
    assert math.isnan((Value(math.inf) - Value(math.inf)).data)


@pytest.mark.parametrize(
    "call, words",
    [
        (
            lambda: Tensor(np.zeros((5, 3))) @ Tensor(np.zeros((4, 2))),
            "the first's last dim, 3, to be the second's next",
        ),
        (
            lambda: Tensor(np.zeros((2, 3))) @ Tensor(np.zeros(4)),
            "the first's last dim, 3, to be the second's only dim",
        ),
        (lambda: Tensor(np.zeros((2, 3, 4))) @ Tensor(np.zeros((5, 4, 6))), r"before the last two, \(2,\) and \(5,\)"),
    ],
)
def test_a_matrix_products_shapes_are_told_by_the_dims_that_disagree(call, words):
    """numpy's words spoke of its gufunc's signature, "(n?,k),(k,m?)->(n?,m?)", and of remapped shapes."""
    with pytest.raises(ShapeError, match=words) as caught:
        call()
    assert "gufunc" not in str(caught.value) and "remapped" not in str(caught.value)


@pytest.mark.parametrize("name", ["max", "min", "amax", "amin"])
def test_the_largest_of_an_empty_axis_is_refused_in_the_methods_own_words(name):
    """amax(dim=0) of a (0, 3) tensor said "max(array of shape (0, 3)) is undefined: zero-size array to
    reduction operation maximum which has no identity", numpy's words, naming max."""
    t = Tensor(np.zeros((0, 3)))
    call = (lambda: getattr(t, name)(dim=0)) if name.startswith("a") else (lambda: getattr(t, name)(axis=0))
    with pytest.raises(ValueError, match=rf"^{name}\(\) of a tensor of shape \(0, 3\) over axis 0, which is empty"):
        call()
    assert getattr(t, name)(**({"dim": 1} if name.startswith("a") else {"axis": 1})).shape == (0,)  # no entries


def test_an_axis_given_twice_is_named_with_its_article():
    with pytest.raises(ValueError, match=r"^sum\(\): an axis appears more than once in \(0, 0\)"):
        Tensor(np.zeros((2, 3))).sum(axis=(0, 0))


def test_an_underflow_numpy_was_told_to_raise_is_named_an_underflow():
    """Under np.errstate(under="raise") exp(-1000) of an array raised "is undefined: the result is too large for
    a float", exp's domain message, which says the opposite of what happened."""
    with np.errstate(under="raise"), pytest.raises(FloatingPointError, match=r"exp\(array\(-1000\.\)\) underflows"):
        autograd.exp(np.array(-1000.0))

"""Bad operands of autograd's functions: one clear error of the right type, naming the function and
the value, and nothing changed; never a number computed from a misread argument (a bool as an axis,
bytes as a shape, a float as true where nonzero, a complex number's real part)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from cpu_time import cpu_seconds_at_most

import autograd
from autograd import Tensor, Value
from autograd.op_table import ELEMENTWISE
from autograd.rule_functions import where as rules_where

X = Tensor([1.0, 2.0, 3.0])
M = Tensor(np.arange(9.0).reshape(3, 3))


# ---- t.data = ... refuses what Tensor() refuses, and changes nothing ----


@pytest.mark.parametrize(
    "data, words",
    [
        (np.array(["a", "b"]), "dtype <U1"),
        (np.array([1 + 1j, 2]), "dtype complex128"),
        (np.array([None, 1.0], dtype=object), "dtype object"),
        (["a", "b"], "dtype <U1"),
        (np.array([1, 2]), "only floating-point tensors can require gradients"),
        (np.array([True, False]), "only floating-point tensors can require gradients"),
    ],
)
def test_data_assignment_refuses_what_tensor_refuses_and_changes_nothing(data, words):
    t = Tensor([1.0, 2.0], requires_grad=True)
    before, version = t.data, t._version
    with pytest.raises(TypeError, match=words):
        t.data = data
    assert t.data is before and t.dtype == np.float32 and t._version == version


def test_data_assignment_refuses_a_ragged_list_as_tensor_does_and_changes_nothing():
    t = Tensor([1.0, 2.0], requires_grad=True)
    before, version = t.data, t._version
    with pytest.raises(ValueError, match="Tensor.data: the list has rows of different lengths"):
        t.data = [[1.0], [1.0, 2.0]]
    assert t.data is before and t._version == version


def test_data_assignment_of_integers_to_a_constant_stays_allowed_as_in_the_constructor():
    t = Tensor([1.0, 2.0])
    t.data = np.array([3, 4])
    assert t.dtype == np.int64 and t.data.tolist() == [3, 4]


# ---- pad's value: a real number, as PyTorch's float ----


@pytest.mark.parametrize("value", [1 + 2j, np.complex128(1), "3", Value(1.0), Tensor(1.0)])
def test_pad_refuses_a_value_that_is_no_real_number(value):
    with pytest.raises(TypeError, match="pad"):
        autograd.pad(Tensor(np.ones(2)), (1, 1), value=value)


def test_pad_with_value_none_pads_with_zero_as_pytorch():  # numpy would pad with NaN
    ours = autograd.pad(Tensor(np.ones(2)), (1, 1), value=None)
    np.testing.assert_array_equal(ours.data, F.pad(torch.ones(2, dtype=torch.float64), (1, 1), value=None).numpy())


def test_pad_with_a_bool_value_pads_with_one_as_pytorch():
    ours = autograd.pad(Tensor(np.ones(2)), (1, 1), value=True)
    np.testing.assert_array_equal(ours.data, F.pad(torch.ones(2, dtype=torch.float64), (1, 1), value=True).numpy())


# ---- where's condition is boolean ----


@pytest.mark.parametrize("cond", [None, "no", 1.0, Tensor([0.5, 0.0, 2.0]), np.array([1, 0, 2]), [1.0, 0.0, 1.0]])
def test_where_refuses_a_condition_that_is_not_boolean(cond):
    with pytest.raises(TypeError, match="where needs a boolean condition"):
        autograd.where(cond, X, 0.0)


@pytest.mark.parametrize(
    "cond", [np.array([True, False, True]), [True, False, True], Tensor(np.array([True, False, True])), np.True_, True]
)
def test_where_takes_every_boolean_condition(cond):
    out = autograd.where(cond, X, 0.0)
    np.testing.assert_array_equal(out.data, np.where(autograd.raw(cond), X.data, 0.0))


def test_the_rules_where_refuses_a_number_as_condition():
    with pytest.raises(TypeError, match="where needs a boolean condition"):
        rules_where(1.0, 2.0, cond=0.5)
    with pytest.raises(TypeError, match="where needs a boolean condition"):
        rules_where(np.ones(2), 0.0, cond=np.array([0.5, 0.0]))
    assert rules_where(1.0, 2.0, cond=np.False_) == 2.0


# ---- the elementwise functions take real numbers only ----

_FUNCTION_CALLS = {
    "tanh of a numpy complex": (lambda: autograd.tanh(np.complex128(1j)), "tanh"),
    "exp of a numpy complex": (lambda: autograd.exp(np.complex128(1j)), "exp"),
    "relu of a complex array": (lambda: autograd.relu(np.array([1 + 1j, -1])), "relu"),
    "maximum of a complex array": (lambda: autograd.maximum(np.array([1 + 1j, -1]), 0.0), "maximum"),
    "leaky_relu of a complex array": (lambda: autograd.leaky_relu(np.array([1 + 1j]), 0.1), "leaky_relu"),
    "relu of None": (lambda: autograd.relu(None), "relu"),
    "exp of a str": (lambda: autograd.exp("a"), "exp"),
    "gelu of a list": (lambda: autograd.gelu([1.0, 2.0]), "gelu"),
    "exp2 of None": (lambda: autograd.exp2(None), "exp2"),
    "maximum with None": (lambda: autograd.maximum(None, 1.0), "maximum"),
    "add of two lists": (lambda: autograd.add([1.0], [2.0]), "add"),
    "isnan of a str": (lambda: autograd.isnan("a"), "isnan"),
}


@pytest.mark.parametrize("call, name", _FUNCTION_CALLS.values(), ids=_FUNCTION_CALLS.keys())
def test_an_elementwise_function_refuses_what_is_no_real_number_naming_itself(call, name):
    with pytest.raises(TypeError, match=f"^{name} takes real numbers"):
        call()


_UNARY = {n for n in autograd.FUNCTIONS if n.startswith("is")} | {
    name for d in ELEMENTWISE if d.arity == 1 for name in (d.name, *d.aliases)
}


@pytest.mark.parametrize("name", sorted(autograd.FUNCTIONS))
def test_every_function_refuses_none_str_and_lists_in_one_message(name):
    function = autograd.FUNCTIONS[name]
    for bad in (None, "a", [1.0, 2.0], np.complex128(1j)):
        with pytest.raises(TypeError, match="takes real numbers"):
            function(bad) if name in _UNARY else function(bad, 1.0)


def test_the_functions_still_take_numbers_values_arrays_and_tensors():
    assert autograd.exp(np.float32(0.0)) == 1.0 and autograd.exp(True) == np.e
    assert autograd.relu(Value(-1.0)).data == 0.0
    np.testing.assert_array_equal(autograd.relu(np.array([-1, 2])), [0, 2])
    np.testing.assert_array_equal(autograd.relu(Tensor([-1.0, 2.0])).data, [0.0, 2.0])
    # a list beside a Tensor is an operand, as in `t + [1, 2]`
    np.testing.assert_array_equal(autograd.maximum(Tensor([-1.0, 2.0]), [0.0, 3.0]).data, [0.0, 3.0])
    np.testing.assert_array_equal(np.maximum(Tensor([-1.0, 2.0]), [0.0, 3.0]).data, [0.0, 3.0])


# ---- dims and offsets are ints; cat has no dim=None ----

_BAD_DIMS = {
    "stack axis=True": lambda: autograd.stack([X, X], axis=True),
    "stack axis=1.0": lambda: autograd.stack([X, X], axis=1.0),
    "cat dim=None": lambda: autograd.cat([X, X], dim=None),
    "cat dim=True": lambda: autograd.cat([X, X], dim=True),
    "concatenate axis=None": lambda: autograd.concatenate([X, X], axis=None),
    "tril True": lambda: autograd.tril(M, True),
    "tril 0.5": lambda: autograd.tril(M, 0.5),
    "triu 1.0": lambda: M.triu(1.0),
    "diag True": lambda: autograd.diag(X, True),
    "diag of a matrix 0.5": lambda: autograd.diag(M, 0.5),
    "diagonal True": lambda: M.diagonal(True),
    "trace 1.5": lambda: M.trace(1.5),
}


@pytest.mark.parametrize("call", _BAD_DIMS.values(), ids=_BAD_DIMS.keys())
def test_a_bool_a_float_or_none_as_a_dim_or_offset_is_refused(call):
    with pytest.raises(TypeError, match="an int, got"):
        call()


def test_an_axis_out_of_range_in_cat_names_it():
    with pytest.raises(np.exceptions.AxisError, match="cat: dim 10"):
        autograd.cat([X, X], dim=10)
    with pytest.raises(np.exceptions.AxisError, match="stack: dim"):
        autograd.stack([X, X], axis=10**400)


def test_numpy_ints_stay_dims_and_offsets():
    assert autograd.stack([X, X], axis=np.int64(1)).shape == (3, 2)
    np.testing.assert_array_equal(autograd.tril(M, np.int64(-1)).data, np.tril(M.data, -1))


# ---- bytes are no sequence of ints or tensors ----

_BYTES = {
    "full": lambda: autograd.full(b"\x02\x03", 1.0),
    "zeros": lambda: autograd.zeros(b"\x02"),
    "randint size": lambda: autograd.randint(0, 3, b"\x02"),
    "stack": lambda: autograd.stack(b"ab"),
    "cat": lambda: autograd.cat(bytearray(b"ab")),
    "pad": lambda: autograd.pad(X, b"\x01\x01"),
    "cat of None": lambda: autograd.cat(None),
}


@pytest.mark.parametrize("call", _BYTES.values(), ids=_BYTES.keys())
def test_bytes_or_none_where_a_shape_or_tensors_belong_are_refused(call):
    with pytest.raises(TypeError, match="got (bytes|bytearray|NoneType)"):
        call()


# ---- adaptive_avg_pool2d of any size, at once ----


def test_adaptive_pooling_to_an_output_no_memory_holds_fails_at_once():
    with cpu_seconds_at_most(1.0):
        with pytest.raises(MemoryError, match="adaptive_avg_pool2d: an output of shape"):
            autograd.adaptive_avg_pool2d(Tensor(np.ones((1, 1, 4, 4))), 10**8)
        with pytest.raises(ValueError, match="adaptive_avg_pool2d: too many values"):
            autograd.adaptive_avg_pool2d(Tensor(np.ones((1, 1, 4, 4))), 10**400)


def test_adaptive_pooling_makes_a_few_nodes_whatever_the_number_of_windows():
    x = Tensor(np.arange(9.0).reshape(1, 1, 3, 3), requires_grad=True)
    y = autograd.adaptive_avg_pool2d(x, (1000, 2))
    assert len(autograd.backward_order(y.sum())) < 30  # one node per window before: thousands
    expected = F.adaptive_avg_pool2d(torch.tensor(x.data), (1000, 2)).numpy()
    np.testing.assert_array_equal(y.data, expected)


# ---- a Value given to a function of Tensors: MixedNodes, as Tensor + Value ----

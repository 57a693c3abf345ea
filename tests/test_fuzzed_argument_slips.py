"""Slips a fuzzer of every public callable found (tests/test_public_callables_fuzz.py runs it): each was an error
of the wrong type or in numpy's or Python's words, or a bool taken as a number; each is now one error naming
the function."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import ShapeError, Tensor, Value


def labels() -> Tensor:
    return Tensor(np.array([0, 2]))


@pytest.mark.parametrize("number", [2, 1.5, True])
def test_a_number_at_the_left_of_at_is_a_shape_error_as_at_the_right(number) -> None:
    """`2 @ t` was AttributeError: 'int' object has no attribute 'dtype' (`t @ 2` a ShapeError)."""
    t = Tensor(np.ones((2, 2)))
    with pytest.raises(ShapeError, match="@"):
        number @ t
    with pytest.raises(ShapeError, match="@"):
        t @ number


@pytest.mark.parametrize("num_classes", ["3", b"3", None, 3.0, 2.5, np.float64(3), [3], np.timedelta64(3)])
def test_one_hot_num_classes_that_is_no_int_is_a_type_error(num_classes) -> None:
    """num_classes="3" was numpy's "ufunc 'greater_equal' did not contain a loop", None Python's '>=' words,
    3.0 Python's "'float' object cannot be interpreted as an integer"."""
    with pytest.raises(TypeError, match="one_hot: num_classes must be an int"):
        autograd.one_hot(labels(), num_classes)


@pytest.mark.parametrize("num_classes", [True, False])
def test_one_hot_num_classes_that_is_a_bool_is_a_type_error(num_classes) -> None:
    """True was read as a count: "label 2 is not a class of True (classes 0 to 0)", or numpy's "an integer is
    required" for labels [0]."""
    with pytest.raises(TypeError, match="one_hot: num_classes must be an int"):
        autograd.one_hot(Tensor(np.array([0])), num_classes)


@pytest.mark.parametrize("given", [(labels(), -3), (labels(), 0), (np.zeros(0, np.int64), 0)])
def test_one_hot_num_classes_below_minus_one_or_zero_is_a_value_error(given) -> None:
    """0 was taken: no labels gave a (0, 0) tensor, a label "label 0 is not a class of 0 (classes 0 to -1)"; the
    CHANGELOG said at least 1, torch refuses both."""
    with pytest.raises(ValueError, match=r"one_hot: num_classes must be at least 1 \(or -1"):
        autograd.one_hot(*given)


def test_quantile_of_a_value_level_names_quantile() -> None:
    """t.quantile(Value(0.5)) was AttributeError: 'Value' object has no attribute 'requires_grad'."""
    with pytest.raises(TypeError, match="quantile"):
        Tensor(np.arange(6.0)).quantile(Value(0.5))


@pytest.mark.parametrize("other", [None, object(), {"a": 1}, np.array([None, 1.0], dtype=object)])
def test_value_logical_xor_of_no_number_is_a_type_error_naming_it(other) -> None:
    """Value(0.5).logical_xor(None) was AttributeError: 'float' object has no attribute 'logical_xor'."""
    with pytest.raises(TypeError, match="logical_xor"):
        Value(0.5).logical_xor(other)


@pytest.mark.parametrize(
    "name, call",
    [
        ("argsort", lambda x: autograd.argsort(x)),
        ("flip", lambda x: autograd.flip(x, 0)),
        ("reshape", lambda x: autograd.reshape(x, (1,))),
        ("transpose", lambda x: autograd.transpose(x, 0, 0)),
        ("tril", lambda x: autograd.tril(x)),
        ("dot", lambda x: autograd.dot(x, Tensor([1.0]))),
        ("outer", lambda x: autograd.outer(Tensor([1.0]), x)),
        ("sort", lambda x: autograd.sort(x)),
        ("pad", lambda x: autograd.pad(x, (1, 1))),
        ("tile", lambda x: autograd.tile(x, (2,))),
    ],
)
@pytest.mark.parametrize("junk", [None, "ab", [1.0, None], {"a": 1}], ids=repr)
def test_a_function_given_no_numbers_names_itself_not_tensor(name, call, junk) -> None:
    """autograd.argsort(None) was "Tensor(): tensors hold bool, integer or floating-point numbers, not dtype
    object": the constructor the function used, not the function, was named (29 functions so)."""
    with pytest.raises(TypeError, match=rf"^{name}\b") as caught:
        call(junk)
    assert "Tensor()" not in str(caught.value)


@pytest.mark.parametrize("weight", [np.datetime64("2020-01-01"), np.timedelta64(3), "x", None, 1 + 2j], ids=repr)
def test_lerp_weight_that_is_no_number_names_lerp(weight) -> None:
    """t.lerp(u, np.datetime64(...)) was numpy's "ufunc 'absolute' did not contain a loop"; None Python's words
    for abs(None)."""
    with pytest.raises(TypeError, match="lerp: weight"):
        Tensor([1.0, 2.0]).lerp(Tensor([3.0, 4.0]), weight)


@pytest.mark.parametrize(
    "call",
    [
        lambda n: autograd.avg_pool1d(Tensor(np.ones((1, 2, 8))), 2, stride=n),
        lambda n: autograd.avg_pool2d(Tensor(np.ones((1, 2, 4, 4))), 2, stride=n),
        lambda n: autograd.max_pool1d(Tensor(np.ones((1, 2, 8))), 2, stride=n),
    ],
)
@pytest.mark.parametrize("n", [2**63, 10**400, np.uint64(2**64 - 1)], ids=repr)
def test_a_pooling_stride_beyond_int64_is_one_window(call, n) -> None:
    """stride=2**63 was "Python int too large to convert to C long" (OverflowError) from numpy's arange: a stride
    past the input is one window, as stride=8 on 8 entries is."""
    assert np.array_equal(call(n).data, call(8).data)


@pytest.mark.parametrize("n", [2**63, 10**400, np.uint64(2**64 - 1)], ids=repr)
def test_max_unpool_stride_beyond_any_array_is_refused_naming_it(n) -> None:
    """max_unpool1d's output for stride=2**63 (a plane beyond int64) was numpy's OverflowError naming nothing."""
    with pytest.raises((ValueError, MemoryError), match="max_unpool1d"):
        autograd.max_unpool1d(Tensor(np.ones((1, 1, 2))), Tensor(np.array([[[0, 1]]])), 2, stride=n)


@pytest.mark.parametrize("retain", ["yes", 1, 0.0, np.zeros(0)], ids=repr)
def test_retain_graph_that_is_no_flag_names_the_function(retain) -> None:
    """The refusal "retain_graph (True, False or None) takes True or False" named neither gradients nor backward."""
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="^gradients: retain_graph"):
        autograd.gradients((x * x).sum(), [x], retain_graph=retain)
    with pytest.raises(TypeError, match="^backward: retain_graph"):
        (x * x).sum().backward(retain_graph=retain)


@pytest.mark.parametrize("values", [1.0, 70000.0, [1.0, 1e300], (3.0,)], ids=repr)
def test_made_infinite_takes_a_number_or_a_list_as_an_array(values) -> None:
    """autograd.made_infinite(70000.0, np.float16) was AttributeError: 'float' object has no attribute 'astype'."""
    kind = np.dtype(np.float16 if np.max(values) < 1e300 else np.float32)
    with np.errstate(over="ignore"):
        expected = np.isinf(np.asarray(values).astype(kind))
    assert np.array_equal(autograd.made_infinite(values, kind), expected)


@pytest.mark.parametrize("op", [lambda a, b: a & b, lambda a, b: a | b, lambda a, b: a ^ b, lambda a, b: a << b])
@pytest.mark.parametrize("other", [True, 1, np.array([True, False])], ids=repr)
def test_a_mask_operator_on_floats_names_itself_and_the_dtypes(op, other) -> None:
    """Tensor([1.5, 2.0]) & True was numpy's "ufunc 'bitwise_and' not supported for the input types, and the inputs
    could not be safely coerced ... ''safe''" (PyTorch refuses floats too, naming bitwise_and)."""
    with pytest.raises(TypeError, match=r"^(&|\||\^|<<): .*float64.*bools or integers"):
        op(Tensor(np.array([1.5, 2.0])), other)


@pytest.mark.parametrize(
    "name, call",
    [
        ("rand", lambda **k: autograd.rand(2, **k)),
        ("randn", lambda **k: autograd.randn(2, **k)),
        ("randint", lambda **k: autograd.randint(0, 3, (2,), **k)),
        ("rand_like", lambda **k: autograd.rand_like(Tensor([1.0, 2.0]), **k)),
        ("randn_like", lambda **k: autograd.randn_like(Tensor([1.0, 2.0]), **k)),
    ],
)
@pytest.mark.parametrize("option", [{"generator": "x"}, {"requires_grad": "yes"}], ids=repr)
def test_random_tensors_name_themselves_in_their_refusals(name, call, option) -> None:
    """rand_like(t, generator="x") said "rand: generator= takes ...", and requires_grad="yes" of any of them said
    "requires_grad must be True or False", naming no function."""
    with pytest.raises(TypeError, match=rf"^{name}: "):
        call(**option)

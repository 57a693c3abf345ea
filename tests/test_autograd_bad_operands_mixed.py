"""Bad operands, continued: a Value given to a function of Tensors (MixedNodes), ragged and too-deep lists
(the constructor's message, naming the function), and the same rules where they were once written apart."""

import numpy as np
import pytest
from test_autograd_bad_operands import M, X

import autograd
import nn
from autograd import Tensor, Value
from autograd.graph_errors import MixedNodes

V = Value(1.0)
_WITH_A_VALUE = {
    "conv1d": lambda: autograd.conv1d(V, Tensor(np.ones((1, 1, 1)))),
    "conv2d": lambda: autograd.conv2d(V, Tensor(np.ones((1, 1, 1, 1)))),
    "conv2d weight": lambda: autograd.conv2d(Tensor(np.ones((1, 1, 2, 2))), V),
    "conv2d bias": lambda: autograd.conv2d(Tensor(np.ones((1, 1, 2, 2))), Tensor(np.ones((1, 1, 1, 1))), V),
    "conv_transpose2d": lambda: autograd.conv_transpose2d(V, Tensor(np.ones((1, 1, 1, 1)))),
    "conv_transpose1d": lambda: autograd.conv_transpose1d(V, Tensor(np.ones((1, 1, 1)))),
    "pad reflect": lambda: autograd.pad(V, (1, 1), mode="reflect"),
    "max_pool2d": lambda: autograd.max_pool2d(V, 2),
    "avg_pool2d": lambda: autograd.avg_pool2d(V, 2),
    "adaptive_avg_pool2d": lambda: autograd.adaptive_avg_pool2d(V, 2),
    "max_pool1d": lambda: autograd.max_pool1d(V, 2),
    "avg_pool1d": lambda: autograd.avg_pool1d(V, 2),
    "adaptive_avg_pool1d": lambda: autograd.adaptive_avg_pool1d(V, 2),
    "dot": lambda: X.dot(V),
    "dot function": lambda: autograd.dot(V, X),
    "outer": lambda: X.outer(V),
    "masked_fill": lambda: X.masked_fill(np.array([True, False, True]), V),
    "scatter_add": lambda: X.scatter_add(0, np.array([0]), V),
    "einsum": lambda: autograd.einsum("i,i", V, X),
    "zeros_like": lambda: autograd.zeros_like(V),
}


@pytest.mark.parametrize("call", _WITH_A_VALUE.values(), ids=_WITH_A_VALUE.keys())
def test_a_value_given_to_a_function_of_tensors_is_mixed_nodes(call):
    with pytest.raises(MixedNodes, match="cannot combine a Tensor with a Value"):
        call()


# ---- ragged lists: Tensor()'s message, a ValueError as numpy's and PyTorch's ----

RAGGED = [[1.0], [1.0, 2.0]]
_RAGGED = {
    "conv2d": lambda: autograd.conv2d(RAGGED, Tensor(np.ones((1, 1, 1, 1)))),
    "max_pool2d": lambda: autograd.max_pool2d(RAGGED, 1),
    "masked_fill": lambda: X.masked_fill(RAGGED, 0.0),
    "where's condition": lambda: autograd.where(RAGGED, X, 0.0),
    "zeros_like": lambda: autograd.zeros_like(RAGGED),
    "full_like": lambda: autograd.full_like(RAGGED, 1.0),
    "stack": lambda: autograd.stack([RAGGED, X]),
    "one_hot": lambda: autograd.one_hot(RAGGED),
    "gather's index": lambda: M.gather(0, RAGGED),
    "cross_entropy's labels": lambda: autograd.cross_entropy(M, RAGGED),
    "an operator's operand": lambda: X + RAGGED,
    "where's operand": lambda: autograd.where(X > 0, RAGGED, 0.0),
    "rand_like": lambda: autograd.rand_like(RAGGED),
    "randn_like": lambda: autograd.randn_like(RAGGED),
    "backward's seed": lambda: (Tensor(np.ones(2), requires_grad=True) * 2).backward(RAGGED),
    "clip's bound": lambda: Tensor(np.ones((2, 2))).clamp(RAGGED),
    "reshape": lambda: autograd.reshape(RAGGED, (3,)),
    "np.dot": lambda: np.dot(X, RAGGED),
    "an index": lambda: X[RAGGED],
    "expand_as": lambda: X.expand_as(RAGGED),
    ".grad": lambda: setattr(Tensor(np.ones((2, 2)), requires_grad=True), "grad", RAGGED),
}


@pytest.mark.parametrize("call", _RAGGED.values(), ids=_RAGGED.keys())
def test_a_ragged_list_gets_the_constructors_message(call):
    with pytest.raises(ValueError, match=": the list has rows of different lengths, which make no array"):
        call()


def test_a_ragged_list_is_named_by_the_function_it_was_given_to():
    with pytest.raises(ValueError, match="^reshape: the list has rows"):
        autograd.reshape(RAGGED, (3,))
    with pytest.raises(ValueError, match="^cross_entropy: target has rows of different lengths"):
        nn.functional.cross_entropy(M, RAGGED)


def test_a_list_nested_deeper_than_numpy_takes_is_named():
    nested = 1.0
    for _ in range(70):
        nested = [nested]
    with pytest.raises(ValueError, match="^mse_loss: the target"):
        nn.functional.mse_loss(Tensor(np.zeros(1)), nested)


def test_what_numpy_cannot_make_numbers_of_stays_a_type_error():
    with pytest.raises(TypeError, match="Tensor\\(\\) needs numbers, got text"):
        Tensor("abc", dtype=float)
    with pytest.raises(TypeError, match="Tensor\\(\\) needs numbers, got dict"):
        Tensor({}, dtype=float)


# ---- the same rules where they were still written apart ----


@pytest.mark.parametrize("like", [autograd.rand_like, autograd.randn_like])
@pytest.mark.parametrize("bad", [None, "ab"])
def test_random_like_functions_refuse_what_tensor_refuses(like, bad):
    with pytest.raises(TypeError, match=like.__name__):
        like(bad)


def test_numpys_sum_of_a_tensor_takes_a_flag_for_keepdims():
    with pytest.raises(TypeError, match="keepdims takes True or False"):
        np.sum(Tensor(np.ones(3)), keepdims="no")


def test_a_pooling_error_cuts_a_huge_kernel_size():
    with pytest.raises(autograd.ShapeError) as caught:
        autograd.max_pool2d(Tensor(np.ones((1, 1, 4, 4))), 10**400)
    assert len(str(caught.value)) < 400


def test_a_list_beside_an_array_is_taken_as_numpy_takes_it():
    np.testing.assert_array_equal(autograd.add(np.ones(2), [1.0, 2.0]), [2.0, 3.0])


def test_an_array_or_list_given_to_a_method_is_taken_as_an_operator_takes_it():
    """dot, outer and scatter_add made their array operand a Tensor(), which turns float16 into float32
    and keeps a list float32, where `t * array` keeps numpy's dtype (float16; a list is float64)."""
    half = Tensor(np.ones(3, np.float16), dtype=np.float16)
    for operand in (np.ones(3, np.float16), [1.0, 2.0, 3.0]):
        expected = (half * operand).dtype
        assert half.dot(operand).dtype == half.outer(operand).dtype == expected
        assert half.scatter_add(0, np.array([0, 1, 2]), operand).dtype == expected
    assert half.dot(2.0).dtype == (half * 2.0).dtype == np.float16  # a Python number stays weak (a review's find)

"""What the forty-first session's argument checks (the fuzzer of public callables) must not take away or garble:
arguments that worked before them (a label of None, a dtype named as a string "torch.float64", tensordot's dims
as an array, lerp's bool weight in the tensor's dtype), the operator a refusal of a reflected mask operator names,
and the right error type for a comparison with what numpy cannot compare."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch

import autograd
from autograd import Tensor, Value


def test_a_label_of_none_is_no_label_as_before():
    assert Value(1.0, label=None).label == ""
    assert Tensor([1.0], label=None).label == ""
    with pytest.raises(TypeError, match="label must be a str"):
        Tensor([1.0], label=3)


@pytest.mark.parametrize("name", ["torch.float64", "torch.float32", "float64"])
def test_a_dtype_named_by_torchs_string_is_read_as_before(name):
    want = np.dtype(name.removeprefix("torch."))
    assert autograd.zeros(2, dtype=name).dtype == want
    assert Tensor([1.0], dtype=name).dtype == want


def test_tensordots_dims_as_an_array_or_a_tensor_pairs_the_dims_as_a_list_does():
    a, b = Tensor(np.arange(6.0).reshape(2, 3)), Tensor(np.arange(12.0).reshape(3, 4))
    want = autograd.tensordot(a, b, dims=[[1], [0]]).data
    for dims in (np.array([[1], [0]]), Tensor(np.array([[1], [0]])), torch.tensor([[1], [0]])):
        np.testing.assert_array_equal(autograd.tensordot(a, b, dims=dims).data, want)
    with pytest.raises(TypeError, match="tensordot: dims"):
        autograd.tensordot(a, b, dims=np.array([1.5, 0.5]))


@pytest.mark.parametrize("weight", [True, False, np.bool_(True)])
def test_lerps_bool_weight_keeps_the_tensors_dtype_as_pytorchs(weight):
    start, end = np.array([1.0, 2.0, 3.0], np.float32), np.array([4.0, -1.0, 0.5], np.float32)
    got = Tensor(start).lerp(Tensor(end), weight)
    want = torch.lerp(torch.tensor(start), torch.tensor(end), bool(weight)).numpy()
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got.data, want)


def test_matmuls_forward_calls_no_numpy_function_of_pythons_per_product():
    """An eager step's overhead: the forward of `x @ W` (three per MLP step) reads its operands' dims and dtypes as
    attributes. np.ndim there added two Python calls a product (chainrule_step at batch 1: 835 calls, not 826)."""
    from autograd.op_table_matmul import _matmul, _product

    a, b = np.ones((1, 4), np.float32), np.ones((4, 3), np.float32)

    def numpy_calls(f):
        seen: list[str] = []

        def tracer(frame, event, arg):
            if event == "call" and "numpy" in frame.f_code.co_filename:
                seen.append(frame.f_code.co_name)

        sys.setprofile(tracer)
        try:
            f(a, b)
        finally:
            sys.setprofile(None)
        return seen

    assert numpy_calls(_matmul) == numpy_calls(_product)  # the product's own alone (np.inner's dispatcher)

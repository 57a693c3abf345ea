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
from autograd import Tensor, Value, repr_of


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


def test_a_reflected_mask_operators_refusal_names_its_operator():
    t = Tensor(np.array([1.0, 2.0, 3.0], np.float32))
    m = t > 1
    for do, symbol in ((lambda: 1.5 & m, "&"), (lambda: 2 << t, "<<"), (lambda: 1.5 ^ m, "^")):
        with pytest.raises(TypeError) as e:
            do()
        assert str(e.value).startswith(f"{symbol}: ") and "a comparison" not in str(e.value)
    with pytest.raises(TypeError, match=r"^\|: ") as e:
        [1.5, 2.0, 3.0] | m
    assert "Field elements" not in str(e.value)  # numpy reading the list as a structured dtype


def test_a_numpy_scalars_mask_operator_on_a_float_tensor_is_refused_in_chainrules_words():
    m = Tensor(np.array([True, False]))
    with pytest.raises(TypeError) as e:
        np.float64(1.5) & m
    assert "bitwise_and" in str(e.value) and "not supported for the input types" not in str(e.value)


@pytest.mark.parametrize("method", ["__lt__", "lt", "__ge__"])
def test_a_comparison_with_a_torch_tensor_is_a_type_error_naming_the_operator(method):
    t = Tensor(np.array([1.0, 2.0, 3.0], np.float32))
    try:
        result = getattr(t, method)(torch.tensor(2.0))
    except TypeError as e:  # refused: in chainrule's words, naming what to give
        assert "torch.Tensor" in str(e) and "bools or integers" not in str(e)
    else:
        want = getattr(torch.tensor(t.data), method)(torch.tensor(2.0)).numpy()
        np.testing.assert_array_equal(result.data, want)


def test_repr_of_what_nests_too_deep_gives_no_wrong_depth():
    d: dict = {}
    for _ in range(3000):
        d = {"a": d}
    deep: list = [1.0]
    for _ in range(3000):
        deep = [deep]
    assert "nested 0 deep" not in repr_of(d) and "dict" in repr_of(d)
    assert "nested 1 deep" not in repr_of([1, deep])
    assert "3001 deep" in repr_of(deep)


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


@pytest.mark.parametrize("order", [[1], np.timedelta64(2), np.array([1, 2]), 1j])
def test_norms_order_of_no_real_number_is_a_type_error(order):
    """Guarantees: a wrong type is a TypeError (PyTorch's: "must be Number, not list"); -inf or 3 stay ValueErrors."""
    with pytest.raises(TypeError, match=r"^norm\(\): ord must be"):
        Tensor(np.ones(3)).norm(p=order)
    with pytest.raises(ValueError, match="ord must be 1, 2 or inf"):
        Tensor(np.ones(3)).norm(p=3)


def _nested(depth: int = 100) -> list:
    x: list = [0]
    for _ in range(depth):
        x = [x]
    return x


def test_nns_array_refusals_name_the_argument_in_a_sentence():
    """nn's as_array glued numpy's words to the argument's name: "nll_loss: the label list setting an array element
    with a sequence..." (the module forwards the fuzzer had no baseline for)."""
    import nn

    scores = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=r"^nll_loss: the label list (is|makes|cannot)") as e:
        nn.functional.nll_loss(scores, _nested())
    assert "list setting" not in str(e.value)


def test_gaussian_nll_losss_ragged_var_is_refused_naming_it():
    import nn

    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=r"^gaussian_nll_loss: var .*rows of different lengths"):
        nn.functional.gaussian_nll_loss(x, Tensor(np.ones((2, 3))), [[1.0, 2.0], [3.0]])


@pytest.mark.parametrize("device", [np.zeros(0), np.zeros((1, 1, 1, 1, 2)), np.array(["a", "b"]), 1.5])
def test_a_device_of_no_devices_type_is_a_type_error_naming_the_function(device):
    """device= (main's merge of s41-M): an array was numpy's "truth value of an array ... is ambiguous"."""
    with pytest.raises(TypeError, match=r"^arange: a device is a str, an int or a torch.device"):
        autograd.arange(3, device=device)
    assert autograd.zeros(2, device="cpu").shape == (2,)

"""Tensor() of numbers its dtype cannot hold is refused, naming the number and the fix: numpy's cast made a finite
number infinity with a warning alone (PyTorch's tensor() does it silently), and Python ints beyond every integer
dtype were refused as if the list held a None or a ragged row."""

import re

import numpy as np
import pytest

import autograd
from autograd import Tensor


@pytest.mark.parametrize("data", [[1.0, 1e300], 1e39, [[1.0], [-1e40]], (2, 3.4028236e38)])
def test_python_floats_beyond_float32_are_refused_not_made_infinity(data) -> None:
    with pytest.raises(ValueError, match=r"does not fit float32 \(largest 3\.4028235e\+38\).*dtype=np\.float64"):
        Tensor(data)
    assert np.isfinite(Tensor(data, dtype=np.float64).data).all()  # the fix it names


@pytest.mark.parametrize(
    ("data", "dtype"),
    [([1e300], np.float32), (np.array([1e300]), np.float32), ([70000.0], np.float16), (np.array([1e5]), "float16")],
)
def test_data_beyond_a_float_dtype_asked_for_is_refused(data, dtype) -> None:
    with pytest.raises(ValueError, match=rf"does not fit {np.dtype(dtype)} .* stored as infinity"):
        Tensor(data, dtype=dtype)


@pytest.mark.parametrize("data", [[1.0, float("inf")], [3.4028235e38], [-3.4028235e38]])
def test_infinity_given_and_the_largest_float32_are_kept(data) -> None:
    """Only a finite number made infinity is refused: infinity itself, and float32's largest, are what they are."""
    assert Tensor(data).data.tolist() == np.array(data, np.float32).tolist()
    assert Tensor([65504.0, -np.inf], dtype=np.float16).data.tolist() == [65504.0, -np.inf]


def test_a_cast_keeps_ieee_infinity_as_torch_does() -> None:
    """An explicit cast of a Tensor is not data given: `.float()` of 1e300 is infinity, as torch's is."""
    with np.errstate(over="ignore"):
        assert Tensor(np.array([1e300])).float().data.tolist() == [np.inf]


@pytest.mark.parametrize("data", [[2**200], [1, 2**70], [[1], [2**64]], [-(2**63) - 1]])
def test_python_ints_beyond_every_integer_dtype_are_named(data) -> None:
    """They made an array of objects, refused as "is there a None, or a list of another length?"."""
    with pytest.raises(ValueError, match=r"the integer -?\d+ is beyond int64's and uint64's range.*dtype=np\.float64"):
        Tensor(data)
    assert Tensor(data, dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize(
    ("write", "dtype", "value"),
    [
        (lambda t, v: t.__setitem__(0, v), np.float32, 1e300),
        (lambda t, v: t.__setitem__(slice(None), np.array([v, 1.0])), np.float32, 1e39),
        (lambda t, v: t.__setitem__(1, v), np.float16, 70000.0),
        (lambda t, v: autograd.where(Tensor([True, False]), t, v), np.float32, 1e300),
        (lambda t, v: autograd.where(Tensor([True, False]), v, t), np.float16, -1e5),
    ],
    ids=["t[0] = 1e300", "t[:] = array", "float16 t[1]", "where(c, t, 1e300)", "where(c, -1e5, t)"],
)
def test_a_number_written_or_placed_beyond_the_tensors_float_dtype_is_refused(write, dtype, value) -> None:
    """t[0] = 1e300 into float32 stored infinity with numpy's warning alone; PyTorch refuses it ("cannot be
    converted to type float without overflow"), as it refuses where's and fill_'s numbers. The tensor is unchanged."""
    t = Tensor(np.array([1.0, 2.0]), dtype=dtype)
    with pytest.raises(ValueError, match=rf"does not fit {np.dtype(dtype)} \(largest .*infinity"):
        write(t, value)
    assert t.data.tolist() == [1.0, 2.0]
    assert autograd.where(Tensor([True, False]), t, np.inf).data.tolist() == [1.0, np.inf]  # infinity given: kept


@pytest.mark.parametrize(("dtype", "value"), [(np.float32, 1e300), (np.float16, 7e4), (np.int8, 300)])
def test_pads_value_must_fit_the_tensors_dtype(dtype, value) -> None:
    """pad's fill became infinity (1e300 around float32) or a made-up number (300 around int8 was 44), with
    numpy's warning or none; PyTorch refuses both. A fill that fits (2.7 around int8: 2, as torch's) is kept."""
    x = Tensor(np.array([1, 1]), dtype=dtype)
    with pytest.raises(ValueError, match=rf"^pad's value: {re.escape(repr(value))} does not fit {np.dtype(dtype)}"):
        autograd.pad(x, (1, 1), value=value)
    assert autograd.pad(x, (1, 0), value=np.inf if dtype != np.int8 else 2.7).data[0] == (
        2 if dtype == np.int8 else np.inf
    )


@pytest.mark.parametrize(
    ("dtype", "given"), [(np.float32, {"posinf": 1e300}), (np.float16, {"nan": 7e4, "neginf": -1.0})]
)
def test_nan_to_nums_replacements_must_fit_the_tensors_dtype(dtype, given) -> None:
    """posinf=1e300 into float32 gave infinity again, the value asked to be replaced (torch's too, silently); the
    message is the refusal's own, not "nan_to_num(...) is undefined" of the op's domain."""
    x = Tensor(np.array([1.0, np.inf, np.nan, -np.inf]), dtype=dtype, requires_grad=True)
    name = next(iter(given))
    with pytest.raises(ValueError, match=rf"^nan_to_num's {name}: .* does not fit {np.dtype(dtype)} "):
        x.nan_to_num(**given)
    assert np.isfinite(x.nan_to_num(posinf=100.0, neginf=-100.0).data).all()


@pytest.mark.parametrize(
    ("dtype", "bounds", "side"),
    [(np.float32, {"max": 1e300}, "max"), (np.float32, {"min": -1e39}, "min"), (np.int8, {"min": 300}, "min")],
)
def test_clamps_bounds_must_fit_the_tensors_dtype(dtype, bounds, side) -> None:
    """As PyTorch's: clamp(max=1e300) of float32 leaked numpy's "overflow encountered in cast", and int8's
    clamp(min=300) raised numpy's OverflowError in its own words; clamp_ the same, the tensor unchanged."""
    x = Tensor(np.array([1, 2]), dtype=dtype)
    with pytest.raises(ValueError, match=rf"^clip's {side}: .* does not fit {np.dtype(dtype)}"):
        x.clamp(**bounds)
    with pytest.raises(ValueError, match=rf"^clip's {side}: "):
        x.clamp_(**bounds)
    assert x.data.tolist() == [1, 2]
    assert x.clamp(max=np.inf if dtype != np.int8 else 127).data.tolist() == [1, 2]

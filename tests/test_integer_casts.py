"""A cast to an integer dtype never makes a number up: NaN, infinities and values outside the dtype's
range (float or integer, 300 into uint8) are refused by creation's rule (check_fits), naming the cast,
the first such value and the fix, the tensor unchanged; in-range values cast exactly as numpy casts them."""

import re

import numpy as np
import pytest

import autograd
from autograd import Tensor
from autograd.dtype_fits import check_fits

FLOATS = [np.float16, np.float32, np.float64]
INTEGERS = [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64]

CASTS = [  # (the cast, its name in the message, its dtype)
    (lambda t: t.int(), "int()", np.int32),
    (lambda t: t.long(), "long()", np.int64),
    (lambda t: t.astype(int), "astype(int64)", np.int64),
    (lambda t: t.astype(np.uint8), "astype(uint8)", np.uint8),
    (lambda t: t.astype(np.int8), "astype(int8)", np.int8),
]


@pytest.mark.parametrize("source", FLOATS)
@pytest.mark.parametrize("cast, name, dtype", CASTS)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 60000.0, -1.0e4])
def test_a_float_the_integer_dtype_cannot_hold_is_refused_the_tensor_unchanged(source, cast, name, dtype, bad):
    if np.iinfo(dtype).min <= bad <= np.iinfo(dtype).max:
        bad = -np.inf if bad < 0 else np.inf  # -1e4 fits int32 and int64: test their edge below instead
    data = np.array([1.5, bad, np.nan], source)
    t = Tensor(data.copy(), dtype=source)
    with pytest.raises(
        ValueError, match=rf"^{re.escape(name)}: {source(bad).item()} .* {np.dtype(dtype)}.*clip.*isnan"
    ):
        cast(t)
    assert t.dtype == source and np.array_equal(t.data, data, equal_nan=True)


def test_the_first_value_that_does_not_fit_is_named():
    with pytest.raises(ValueError, match=r"^int\(\): 3000000000.0 does not fit int32, which holds -2147483648"):
        Tensor(np.array([[1.0, 2.0], [3e9, np.nan]])).int()


@pytest.mark.parametrize("value, dtype", [(300, np.uint8), (-1, np.uint64), (2**63, np.int64), (40000, np.int16)])
def test_an_integer_that_would_wrap_is_refused(value, dtype):
    """int64 300 into uint8 is 44 in numpy and PyTorch: a number the user never had, refused as full() refuses it."""
    source = np.uint64 if value >= 2**63 else np.int64
    t = Tensor(np.array([0, value], source))
    with pytest.raises(ValueError, match=f"astype\\({np.dtype(dtype)}\\): {value} does not fit"):
        t.astype(dtype)
    assert t.data.tolist() == [0, value]


def test_integers_that_fit_narrower_dtypes_and_bools_cast_as_numpy_casts_them():
    for data, dtype in [([0, 255], np.uint8), ([-(2**63), 2**63 - 1], np.int64), ([True, False], np.int8)]:
        source = np.bool_ if isinstance(data[0], bool) else np.int64
        assert Tensor(np.array(data, source)).astype(dtype).data.tolist() == np.array(data).astype(dtype).tolist()
    assert Tensor(np.array([2**64 - 1], np.uint64)).astype(np.uint64).data.tolist() == [2**64 - 1]


@pytest.mark.parametrize("source", FLOATS)
@pytest.mark.parametrize("dtype", INTEGERS)
def test_the_edges_of_each_range_are_check_fits_own(source, dtype):
    """Floats next to each end of the integer range, and the ends themselves, are refused exactly when
    check_fits (full's rule) refuses them truncated (a cast keeps 255.9 as 255 in uint8, as numpy's and
    PyTorch's); those kept are truncated as numpy truncates them."""
    info, finfo = np.iinfo(dtype), np.finfo(source)
    largest = float(finfo.max)  # a Python float: compared with info's ints exactly, not in float16
    ends = [source(max(info.min, -largest)), source(min(info.max, largest)), source(0), source(-0.5)]
    edges = {e for end in ends for e in (np.nextafter(end, -finfo.max), end, np.nextafter(end, finfo.max))}
    for edge in sorted(edges):
        try:
            check_fits(np.trunc(edge).item(), np.dtype(dtype), "full")
        except ValueError:
            with pytest.raises(ValueError, match="does not fit"):
                Tensor(np.array([edge]), dtype=source).astype(dtype)
        else:
            cast = Tensor(np.array([edge]), dtype=source).astype(dtype).data
            assert cast.dtype == dtype and cast.tolist() == np.array([edge]).astype(dtype).tolist(), edge


@pytest.mark.parametrize("source", FLOATS)
def test_in_range_floats_are_truncated_toward_zero_as_numpy_does(source):
    data = np.array([[-128.9, -1.5, -0.5], [0.0, 0.7, 127.9]], source)
    for dtype in (np.int8, np.int16, np.int32, np.int64):
        cast = Tensor(data, dtype=source).astype(dtype).data
        assert cast.dtype == dtype and np.array_equal(cast, data.astype(dtype))


def test_zero_d_and_empty_tensors():
    assert Tensor(np.float32(2.9), dtype=np.float32).long().data.tolist() == 2
    with pytest.raises(ValueError, match=r"^long\(\): nan cannot be stored in int64"):
        Tensor(np.float64(np.nan), dtype=np.float64).long()
    empty = Tensor(np.zeros((0, 3), np.float16), dtype=np.float16).astype(np.uint8)
    assert empty.shape == (0, 3) and empty.dtype == np.uint8


def test_bool_casts_keep_numpy_and_pytorchs_defined_answer():
    """bool of NaN is True and of infinity True, in numpy and PyTorch: a well-defined answer, not made up."""
    assert Tensor(np.array([np.nan, np.inf, 0.0, -0.0, 1e300])).bool().data.tolist() == [True, True, False, False, True]


def test_an_integer_cast_is_still_a_constant_and_a_float_cast_still_in_the_graph():
    x = Tensor(np.array([1.5, 2.5]), requires_grad=True)
    rounded = x.long()
    assert rounded.op is None and not rounded.requires_grad and rounded.data.tolist() == [1, 2]
    (x * rounded).sum().backward()
    assert x.grad.tolist() == [1.0, 2.0]  # the cast is a constant factor: no gradient through it
    assert x.double().op.name == "astype"


def test_masked_fill_of_a_nan_tensor_into_integers_is_refused():
    t = Tensor(np.array([1, 2, 3]))
    with pytest.raises(ValueError, match="nan cannot be stored in int64"):
        t.masked_fill(np.array([True, False, False]), Tensor(np.float64(np.nan), dtype=np.float64))
    assert t.data.tolist() == [1, 2, 3]


@pytest.mark.parametrize(
    "make",
    [
        lambda: Tensor(np.array([np.nan, 1.0]), dtype=np.int32),
        lambda: Tensor(np.array([300]), dtype=np.uint8),
        lambda: Tensor([3e9], dtype=np.int32),
    ],
    ids=["NaN", "300 into uint8", "3e9 from a list"],
)
def test_the_constructor_refuses_values_its_integer_dtype_cannot_hold(make):
    with pytest.raises(ValueError, match=r"^Tensor\(\): .*(cannot be stored in|does not fit)"):
        make()


def test_the_constructor_truncates_floats_that_fit_as_numpy_does():
    np.testing.assert_array_equal(Tensor(np.array([1.7, -2.5]), dtype=np.int8).numpy(), [1, -2])


@pytest.mark.parametrize(
    "dtype, value",
    [(np.int32, np.array([np.nan, 1.0, 2.0])), (np.int32, 3e9), (np.uint8, [1, 2, 300])],
    ids=["NaN", "3e9", "300 into uint8"],
)
def test_assigning_what_an_integer_tensor_cannot_hold_is_refused_the_tensor_unchanged(dtype, value):
    t = Tensor(np.zeros(3, dtype))
    version = t._version
    with pytest.raises(ValueError, match=r"^t\[i\] = v: "):
        t[:] = value
    np.testing.assert_array_equal(t.numpy(), [0, 0, 0])
    assert t._version == version


@pytest.mark.parametrize("number", [300, -1])
def test_where_refuses_a_python_int_its_integer_tensor_cannot_hold(number):
    t = Tensor(np.array([1, 2], np.uint8))
    mask = np.array([True, False])
    with pytest.raises(ValueError, match=f"^where: {number} does not fit uint8"):
        autograd.where(mask, t, number)
    with pytest.raises(ValueError, match=f"^where: {number} does not fit uint8"):
        autograd.where(mask, number, t)
    np.testing.assert_array_equal(autograd.where(mask, t, 5).numpy(), [1, 5])


def test_a_python_int_beyond_int64_assigned_is_refused_by_name():
    t = Tensor(np.array([1, 2]))
    for v in (2**64, -(2**70)):
        with pytest.raises(ValueError, match=r"^t\[i\] = v: .* does not fit int64"):
            t[0] = v
    assert t.numpy().tolist() == [1, 2]


def test_where_refuses_a_python_int_beside_a_numpy_integer_scalar():
    with pytest.raises(ValueError, match="^where: 300 does not fit int8"):
        autograd.where(np.array([True, False]), np.int8(5), 300)

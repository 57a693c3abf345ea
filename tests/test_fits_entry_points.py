"""Numbers a dtype cannot hold, refused at every entry point by the one rule (autograd/dtype_fits.py), where numpy's
cast made a finite number infinity, wrapped an integer, or raised its own OverflowError naming nothing: Python ints
beyond int64 (2**200, 10**400) and arrays of objects, fill_'s huge int, masked_fill's 0-d tensor of a wider dtype,
a compiled step's cast of its input, nn.init.constant_. Each refusal leaves the tensor as it was."""

import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor

INF32 = r"does not fit float32 \(largest 3\.4028235e\+38\): it would be stored as infinity"


@pytest.mark.parametrize(
    ("data", "dtype", "match"),
    [
        ([2**200], np.float32, rf"an integer of 61 digits {INF32}; pass a wider dtype than float32"),
        ([1.0, 2**70], np.float16, r"an integer of 22 digits does not fit float16|1180591620717411303424 does not fit"),
        (np.array([1e300], dtype=object), np.float32, rf"1e\+300 {INF32}"),
        ([10**400], np.float64, r"an integer of 401 digits does not fit float64 \(largest 1\.7976931e\+308\)"),
        ([2**70], np.int64, r"1180591620717411303424 does not fit int64, which holds"),
    ],
    ids=["2**200 into float32", "2**70 into float16", "object 1e300 into float32", "10**400 into float64", "int64"],
)
def test_python_ints_and_objects_beyond_the_dtype_asked_for_are_refused(data, dtype, match) -> None:
    """numpy made 2**200 and an object array's 1e300 float32 infinity with a warning alone, and raised its own
    OverflowError ("int too large to convert to float", naming nothing) for 10**400 and 2**70 into int64."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=rf"^Tensor\(\): ({match})"):
            Tensor(data, dtype=dtype)


def test_float64_names_no_wider_dtype() -> None:
    """A fix of "a wider dtype" is none where the dtype is float64: nothing wider holds the number."""
    with pytest.raises(ValueError, match=r"float64 \(largest 1\.7976931e\+308\): it would be stored as infinity$"):
        Tensor([10**400], dtype=np.float64)


@pytest.mark.parametrize(
    ("dtype", "value", "match"),
    [
        (np.float32, 2**200, rf"an integer of 61 digits {INF32}; write into a tensor of a wider dtype$"),
        (np.float32, np.array(1e300, dtype=object), rf"1e\+300 {INF32}"),
        (
            np.float64,
            10**400,
            r"an integer of 401 digits does not fit float64 \(largest 1\.7976931e\+308\): it would be stored as "
            r"infinity$",
        ),
    ],
    ids=["2**200 into float32", "object 1e300", "10**400 into float64"],
)
def test_a_huge_python_int_or_object_written_is_refused(dtype, value, match) -> None:
    """t[0] = 2**200 stored infinity in float32 (torch refuses: "Overflow when unpacking long long"); 10**400 raised
    numpy's OverflowError. Nothing is written."""
    t = Tensor(np.array([1.0, 2.0]), dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=rf"^t\[i\] = v: {match}"):
            t[0] = value
    assert t.data.tolist() == [1.0, 2.0] and t._version == 0
    t[1] = 2**70  # one that fits float32 is written, rounded as numpy rounds it
    assert t.data.tolist() == [1.0, float(np.float32(2**70) if dtype == np.float32 else 2.0**70)]


@pytest.mark.parametrize(("dtype", "value"), [(np.int64, 2**70), (np.uint64, 2**64), (np.float32, 2**200)])
def test_fill_of_a_python_int_beyond_the_dtype_says_it_does_not_fit(dtype, value) -> None:
    """t.fill_(2**70) on int64 said "value must be a real number" (a TypeError): it is one, beyond the dtype."""
    t = Tensor(np.array([1, 2]), dtype=dtype)
    with pytest.raises(ValueError, match=rf"^t\.fill_\(value\): .* does not fit {np.dtype(dtype)}"):
        t.fill_(value)
    assert t.data.tolist() == [1, 2]


def test_fill_of_a_python_int_that_fits_a_float_dtype_is_written() -> None:
    t = Tensor(np.array([1.0, 2.0]), dtype=np.float32)
    assert t.fill_(2**70).data.tolist() == [float(np.float32(2**70))] * 2


@pytest.mark.parametrize(
    ("dtype", "value", "match"),
    [
        (np.float32, Tensor(np.array(1e300)), rf"1e\+300 {INF32}"),
        (np.float16, Tensor(np.array(1e5, np.float32)), r"100000\.0 does not fit float16"),
        (np.int8, Tensor(np.array(300)), r"300 does not fit int8"),
    ],
    ids=["float64 into float32", "float32 into float16", "int64 into int8"],
)
def test_masked_fill_of_a_0d_tensor_of_another_dtype_must_fit(dtype, value, match) -> None:
    """masked_fill cast a 0-d tensor's value to the tensor's dtype: 1e300 became infinity, 300 into int8 44;
    torch refuses them ("value cannot be converted to type float without overflow"), as a number here."""
    t = Tensor(np.array([1, 2]), dtype=dtype)
    with pytest.raises(ValueError, match=rf"^masked_fill: {match}"):
        t.masked_fill(np.array([True, False]), value)
    fits = Tensor(np.array(7), dtype=np.float64)
    assert t.masked_fill(np.array([True, False]), fits).data.tolist() == [7, 2]


def _calls(step, values: list[float]) -> list:
    """step(v) for each v, its result's numbers or the error it raised, with compile's warnings kept quiet."""
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # compile's warnings, and numpy's "overflow encountered in cast" of a replay
        for v in values:
            try:
                out.append(step(v).data.tolist())
            except ValueError as e:
                out.append(str(e).split(":")[0])
    return out


@pytest.mark.parametrize("how", ["Tensor(x, dtype=np.float32)", "masked_fill(mask, x)"])
def test_a_compiled_step_refuses_what_eager_refuses(how) -> None:
    """A replay cast a float64 input into float32 unchecked: the 4th call's 1e300 became infinity, where the eager
    call refuses it (Tensor(): ... it would be stored as infinity)."""
    base = Tensor(np.ones(2, np.float32))

    def step(x):
        if how.startswith("Tensor"):
            return Tensor(x, dtype=np.float32) * 2
        return base.masked_fill(np.array([True, False]), Tensor(x))

    values = [np.array([v, 1.0]) if how.startswith("Tensor") else np.array(v) for v in (1.0, 2.0, 3.0, 1e300, 4.0)]
    eager, compiled = _calls(step, values), _calls(autograd.compile(step), values)
    assert eager[3] in ("Tensor()", "masked_fill")
    assert compiled == eager


@pytest.mark.parametrize("data", [[2**64 - 1, -1], [[2**63 + 1], [-5]]])
def test_python_ints_numpy_makes_float_are_refused_not_rounded(data) -> None:
    """numpy makes ints beyond int64 beside a negative one float64, rounding them: Tensor([2**64 - 1, -1]) was
    float32 [1.8446744e+19, -1], 2**64 - 1 rounded silently (torch refuses: "Overflow when unpacking long long"),
    where Tensor([2**25 + 1]) is refused for rounding."""
    with pytest.raises(ValueError, match=r"^Tensor\(\): the integers fit no integer dtype: \d+ is beyond int64"):
        Tensor(data)
    assert Tensor(data, dtype=np.float64).dtype == np.float64  # rounded, as asked


@pytest.mark.parametrize(("dtype", "shown"), [(np.int64, "18446744073709551615"), (np.uint64, "-1")])
def test_python_ints_numpy_makes_float_are_named_as_given_for_an_integer_dtype(dtype, shown) -> None:
    """Tensor([2**64 - 1, -1], dtype=np.int64) named 1.8446744073709552e+19, numpy's float, and asked to replace NaN."""
    message = rf"^Tensor\(\): {shown} does not fit {np.dtype(dtype)}, which holds [^;]*;[^;]*$"  # one fix: no NaN's
    with pytest.raises(ValueError, match=message):
        Tensor([2**64 - 1, -1], dtype=dtype)


def test_a_write_of_python_ints_numpy_makes_float_names_them_as_given() -> None:
    """t[:] = [2**64 - 1, -1] into int64 named numpy's 1.8446744073709552e+19 and asked to replace NaN."""
    t = Tensor(np.array([1, 2]), dtype=np.int64)
    with pytest.raises(
        ValueError, match=r"^t\[i\] = v: 18446744073709551615 does not fit int64, which holds [^;]*;[^;]*$"
    ):
        t[:] = [2**64 - 1, -1]
    assert t.data.tolist() == [1, 2]


@pytest.mark.parametrize(("dtype", "value"), [(np.int8, 127.9), (np.int8, -128.5), (np.uint8, -0.5), (np.uint8, 255.5)])
def test_a_number_written_is_held_to_fill_s_rule(dtype, value) -> None:
    """t[0] = 127.9 into int8 stored 127, where t.fill_(127.9) and full() refuse it, as torch refuses both ("value
    cannot be converted to type int8_t without overflow"); an array's values are cast, truncated, as before."""
    t = Tensor(np.array([1, 2]), dtype=dtype)
    with pytest.raises(ValueError, match=rf"^t\[i\] = v: {value} does not fit {np.dtype(dtype)}, which holds"):
        t[0] = value
    with pytest.raises(ValueError, match=rf"^t\.fill_\(value\): {value} does not fit"):
        t.fill_(value)
    assert t.data.tolist() == [1, 2]
    t[0] = 2.7
    t[1:] = np.array([value])  # an array: cast as numpy and torch cast it
    assert t.data.tolist() == [2, int(value)]

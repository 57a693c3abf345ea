"""What a Tensor holds, made plain: data as an array of a supported dtype, a reduction's axes,
an index with no nodes in it."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from . import compile_record
from .compile_record import RECORDING
from .dtype_fits import check_cast_fits, check_float_fits
from .dtypes import DATA_KINDS, REAL_KINDS, dtype_of
from .graph import Node, raw
from .graph_errors import NOT_BOTH, VALUE_DATA, tensor_with_value
from .type_names import type_name
from .value_lists import holds_values, is_value

FLOAT32 = np.dtype(np.float32)

RAGGED = "the list has rows of different lengths, which make no array: give rows all of one length"
NOT_VALUES = f"a Tensor holds numbers, not Values ({VALUE_DATA}): {NOT_BOTH}"  # Tensor data given Values


def array_of(data: Any, what: str, dtype: Any = None) -> np.ndarray:
    """numpy's array of `data`, with numpy's refusals named for `what`, whose own words name neither the
    function nor the argument: rows of different lengths are a ValueError (as numpy's and PyTorch's),
    anything else numpy cannot make an array of (text for a float dtype, a dict) a TypeError; Values in
    rows of any lengths are the TypeError that says so."""
    try:
        return np.asarray(data, dtype=dtype)
    except (TypeError, ValueError) as e:
        if holds_values(data):  # a micrograd model's outputs: what is wrong is the Values, not the lengths
            raise values_error(data, what) from None
        if isinstance(e, ValueError) and "inhomogeneous" in str(e):  # numpy's word for rows of different lengths
            raise ValueError(f"{what}: {RAGGED}") from None
        raise TypeError(
            f"{what} needs numbers, got {type_name(data)} that numpy cannot make an array of ({e})"
        ) from None


def numbers_array(data: Any, what: str, dtype: Any = None) -> np.ndarray:
    """numpy's array of `data`, which must hold real numbers (bools, integers, floats): text, None,
    complex numbers and objects are one TypeError naming `what` (ragged lists a ValueError). The rule of
    what a Tensor holds, for Tensor() and for everything else that takes tensor data (`.data =`, conv's inputs).
    Text is refused with a dtype too, which numpy would parse ("1.5" as 1.5)."""
    if dtype is not None:
        given = data if isinstance(data, np.ndarray) else array_of(data, what)
        exact = ints_made_float(data, given, what, dtype)
        given = given if exact is None else exact  # checked as the ints they are
        if given.dtype.kind in "USV":
            raise TypeError(f"{what} needs numbers, got text (dtype {given.dtype}): convert it yourself, float(s)")
        # numpy casts NaN and 300 into uint8 silently, and Python ints beyond int64 (an array of objects) into
        # float32 as infinity, or refuses them in its own words (10**400 into float64, 2**70 into int64)
        if (given.dtype.kind in DATA_KINDS or _real_objects(given)) and _is_dtype(dtype):
            check_cast_fits(given, np.dtype(dtype), what)
            check_float_fits(given, np.dtype(dtype), what, f"pass a wider dtype than {np.dtype(dtype)}")
    array = array_of(data, what, dtype)
    if dtype is None:
        ints_made_float(data, array, what, dtype)
    if array.dtype == object and holds_values(array):
        raise values_error(data, what)
    if array.dtype == object:
        check_huge_ints(array, what)
    if array.dtype.kind not in DATA_KINDS:
        raise TypeError(
            f"{what} needs numbers, got {type_name(data)} of dtype {array.dtype}"
            f"{' (is there a None, or a list of another length?)' if array.dtype == object else ''}: "
            "the supported dtypes are bool, integer and floating point (real numbers)"
        )
    return array


def check_huge_ints(array: np.ndarray, what: str) -> None:
    """Refuse Python ints beyond every integer dtype (numpy's array of them holds objects, which were refused as if
    a None or a ragged row were there), naming the first and the fix."""
    huge = next((x for x in array.flat if type(x) is int and not -(2**63) <= x < 2**64), None)
    if huge is not None:
        raise ValueError(
            f"{what}: the integer {huge} is beyond int64's and uint64's range, which no integer dtype holds; give "
            "the data as floats, dtype=np.float64"
        )


def ints_made_float(data: Any, array: np.ndarray, what: str, dtype: Any) -> np.ndarray | None:
    """Python ints beyond int64 beside a negative one (2**64 - 1 and -1), which numpy's array of them makes float64,
    rounding them (PyTorch refuses them): refused without a dtype, naming the first beyond int64; given one, the
    ints themselves (objects), to be checked against it as they are (not as numpy's 1.8446744073709552e+19)."""
    if array.dtype.kind != "f" or not isinstance(data, list | tuple) or not array.size:
        return None
    if not np.max(array) >= 2.0**63 or not _python_ints(data):  # numpy's ints stay ints below (the common case)
        return None
    exact = np.array(data, dtype=object)
    if dtype is not None:
        return exact
    big = next(x for x in exact.flat if x > np.iinfo(np.int64).max)
    raise ValueError(
        f"{what}: the integers fit no integer dtype: {big} is beyond int64's range, and uint64 holds no negative "
        "ones; as floats they would round: give dtype=np.float64 for that"
    )


def _python_ints(data: list | tuple) -> bool:
    """Whether `data` holds Python ints (bools too) and lists and tuples of them alone, read a row at a time."""
    rows = [data]
    while rows:
        items = rows.pop()
        for kind in set(map(type, items)):
            if issubclass(kind, list | tuple):
                rows.extend(x for x in items if type(x) is kind)
            elif not issubclass(kind, int):
                return False
    return True


def _real_objects(array: np.ndarray) -> bool:
    """Whether `array` holds objects that are all real numbers (Python ints beyond int64's range, say)."""
    return array.dtype == object and all(isinstance(x, numbers.Real) for x in array.flat)


def values_error(data: Any, what: str) -> TypeError:
    """The error for `data` that holds Values (holds_values), given to `what`, where numbers go."""
    return TypeError(f"{what} needs numbers, got {type_name(data)} holding Values: {NOT_VALUES}")


def _is_dtype(dtype: Any) -> bool:
    """Whether numpy reads `dtype` as one (what it refuses is refused by array_of, in its words)."""
    try:
        np.dtype(dtype)
    except TypeError:
        return False
    return True


def refuse_value(x: Any, what: str) -> None:
    """MixedNodes if x is a node without a shape (a Value) given to a function of Tensors, as `Tensor + Value`
    says: the two node types do not mix in one op (and the function transforms, catching it, trace again)."""
    if is_value(x):
        raise tensor_with_value(what)


def as_array(data: Any, dtype: Any, what: str = "Tensor()") -> np.ndarray:
    """What Tensor() holds of `data`: numbers_array, with Python's own lists and numbers (and half precision)
    made float32 unless `dtype` says otherwise (a torch dtype read as numpy's); whatever carries a dtype (a
    numpy or torch array, a buffer, numpy numbers in a list) keeps the one numpy reads, as torch.as_tensor
    keeps it: making a float64 one float32 would round it silently (Python's numbers beside float32 ones are
    float32, _beside_narrow_floats). `what` names the caller in the errors."""
    if isinstance(data, Node):
        way = "use .detach() to reuse a Tensor's data" if hasattr(data, "shape") else NOT_VALUES
        raise TypeError(f"{what} needs array data, got a {type_name(data)}; {way}")
    dtype = None if dtype is None else dtype_of(dtype, what)  # named as the dtype's fault, not the data's
    # numbers in the dtype asked: itself, as np.asarray gives it, unchecked (numbers_array's checks are of casts;
    # dtype_of took only real dtypes). numpy's float64 == None holds: a float64 array given no dtype, kept below too
    if data.__class__ is np.ndarray and data.dtype == dtype:
        return data
    if not isinstance(data, np.ndarray) and str(getattr(data, "dtype", "")) == "torch.bfloat16":  # numpy has none:
        data = data.float()  # half precision, made float32 (exactly), as float16 is
    array = numbers_array(data, what, dtype)
    if dtype is not None or array.dtype.kind not in REAL_KINDS:
        return array
    if python_numbers(data):  # Python's numbers: float32, as PyTorch's default
        array = _float32(array, array if array.dtype.kind in "iu" else None, what)
    elif array.dtype.kind == "f" and isinstance(data, list | tuple):
        ints = _beside_narrow_floats(data)
        if ints is not None:  # beside numpy's float32 numbers: float32 too, as they are in NumPy 2's promotion
            array = _float32(array, np.array(ints, dtype=np.int64 if not ints else None), what)
    if array.dtype.kind == "f" and array.dtype.itemsize < 4:
        array = array.astype(np.float32)  # half precision is too coarse to differentiate in
    return array


def refuse_rounded(ints: np.ndarray, what: str, given: str, more: str = "") -> None:
    """ValueError where float32, a dtype chainrule chose (`given`: "lists are given"), would round one of `ints`
    (a token id, a count, a range's end), compared as integers, exactly (in float64, 2**53 + 1 is 2**53)."""
    try:
        with np.errstate(invalid="ignore", over="ignore"):  # past int64's range the cast back is any number
            rounds = np.any(ints.astype(np.float32).astype(ints.dtype) != ints)
    except OverflowError:  # Python's ints (an object array) past float64's range
        rounds = True
    if rounds:
        raise ValueError(
            f"{what}: integers beyond 2**24 do not fit float32, the dtype {given}: pass dtype=np.int64 (token ids, "
            f"counts) or dtype=np.float64{more}"
        )


def _float32(array: np.ndarray, ints: np.ndarray | None, what: str) -> np.ndarray:
    """`array` in float32, refused where one of the integers Python gave (`ints`: a token id, a count) would
    round; compared as integers, exactly (in float64, 2**53 + 1 is 2**53, its float32 too)."""
    if ints is not None:
        refuse_rounded(ints, what, "lists are given", ", or a numpy array")
    check_float_fits(array, FLOAT32, what, "float32 is the dtype Python's numbers are given: pass dtype=np.float64")
    return array.astype(FLOAT32)


def _beside_narrow_floats(data: list | tuple) -> list[int] | None:
    """The Python ints of `data`, where it mixes Python's numbers with numbers that carry a float dtype of at
    most 32 bits (numpy's float32 or float16 numbers and arrays, torch's) and nothing wider: there Python's
    numbers take float32, as NumPy 2's promotion and PyTorch's tensor() read them (numpy's array of the
    list is float64). None where the list mixes nothing so."""
    carried, ints, python, rows, others = set(), [], False, [data], []
    while rows:
        items = rows.pop()
        for kind in set(map(type, items)):  # each kind of item once, in C; lists and ints one by one
            if issubclass(kind, list | tuple):
                rows.extend(x for x in items if type(x) is kind)
            elif issubclass(kind, np.generic):
                carried.add(np.dtype(kind))
            elif issubclass(kind, int | float):  # Python's (numpy's float64, a float, is an np.generic)
                python = True
                ints.extend(x for x in items if type(x) is kind and isinstance(x, int) and not isinstance(x, bool))
            else:  # arrays, torch tensors: their dtypes read only where Python's numbers are beside them
                others.extend(x for x in items if type(x) is kind)
    if not python:
        return None
    carried.update(np.asarray(x).dtype for x in others)
    wide = np.result_type(*carried) if carried else None
    return ints if wide is not None and wide.kind == "f" and wide.itemsize <= 4 else None


def python_numbers(data: Any) -> bool:
    """Whether `data` is Python's own numbers: an int or a float (a subclass too: an IntEnum, a user's
    float), a range, or lists and tuples holding only those and such lists. Those carry no dtype (numpy
    reads them as float64 or int64), so Tensor() gives them its default, float32; anything else in them (a
    numpy number, an array, a torch tensor) carries one."""
    if type(data) in _PYTHON_NUMBERS or isinstance(data, range):
        return True
    if isinstance(data, int | float):  # numpy's float64 is a float subclass, and carries its dtype
        return not isinstance(data, np.generic)
    if not isinstance(data, list | tuple):  # a namedtuple too, as numpy and PyTorch read it
        return False
    # a row at a time, in C: a long list of floats costs little more than numpy's read
    return set(map(type, data)) <= _PYTHON_NUMBERS or all(python_numbers(row) for row in data)


_PYTHON_NUMBERS = {int, float, bool}


def kept(array: Any, given: Any) -> Any:
    """`array`, made of `given`, as an op keeps it for its backward (an index, a mask, labels, a numpy
    operand): a copy where it is the caller's own (`given` an array, or a Tensor whose data it is), so
    that a write into it after the op cannot change the gradient of what the op computed. numpy arrays
    carry no version counter, and an index's Tensor is no input of the op, so nothing else would see it.
    While this thread records a compiled step, the copy is noted as the array it copies: the tape finds
    the step's inputs among what the ops keep, and each replay feeds its call's arrays there."""
    if not isinstance(array, np.ndarray) or not isinstance(given, np.ndarray | Node):
        return array
    copy = array.copy()
    if RECORDING:
        compile_record.kept_copy(array, copy)
    return copy


def raw_index(index: Any) -> Any:
    """An index with its Tensors replaced by their data: an integer Tensor picks entries, a boolean
    one is a mask (both constants: no gradient flows to an index). A float Tensor is refused, as
    numpy refuses float arrays, with the fix: lists make float32 Tensors."""
    if isinstance(index, tuple):
        return tuple(_plain_part(i) for i in index)
    return _plain_part(index)


def _plain_part(part: Any) -> Any:
    if isinstance(part, list):  # numpy's array of it, which the op keeps instead of the caller's list
        array = array_of(part, "an index")
        return array if array.dtype.kind in "biu" else part  # others (floats, []) left to numpy's own words
    if not isinstance(part, Node):
        return kept(part, part)  # an array of integers or booleans copied; ints, slices, None as they are
    data = raw(part)
    if np.result_type(data).kind not in "biu":
        raise IndexError(
            f"an index Tensor must hold integers or booleans, got dtype {np.result_type(data)} "
            "(Tensor() makes lists float32: index with np.array([...]), or .astype(int) first)"
        )
    return kept(data, part)

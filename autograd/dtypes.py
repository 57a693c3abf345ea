"""The numpy dtype kinds chainrule's data and gradients come in: the rule written once."""

import numbers
from typing import Any

import numpy as np

from .type_names import repr_of

DATA_KINDS = "biuf"  # what a Tensor holds: bools, integers, floats (real numbers; no complex, text or objects)
REAL_KINDS = "iuf"  # what a gradient may come in (a rule's, a seed, an assigned .grad) and gradcheck reads: no bools


def numpy_dtype(dtype: Any) -> Any:
    """`dtype` as numpy takes it: a torch dtype (torch.float64) by its name (np.dtype refuses torch's), so that
    every dtype= of chainrule's takes it as nn's layers and model.to do; anything else as it is, for numpy
    to read or refuse. The name's only reading, without importing torch."""
    if isinstance(dtype, str):  # torch's name as a string ("torch.float64", a config's) too
        return dtype.removeprefix("torch.")
    if str(getattr(type(dtype), "__module__", "")).split(".")[0] != "torch":  # str() of a list nested too deep raises
        return dtype
    name = str(dtype)
    return name.removeprefix("torch.") if name.startswith("torch.") else dtype


def known_dtype(dtype: Any, name: str) -> np.dtype:
    """`dtype` as numpy's (a torch dtype by its name), or a TypeError naming `name` and the dtype where numpy
    has none such (torch.bfloat16, a misspelt "flaot32"): numpy's own words name neither, and Tensor()'s
    blamed the data ("got list that numpy cannot make an array of")."""
    if isinstance(dtype, np.dtype):  # Tensor(x, dtype=x.dtype), on each layer's input: no name to read
        return dtype
    try:
        return np.dtype(numpy_dtype(dtype))
    except (TypeError, RecursionError):  # RecursionError: np.dtype of a list nested too deep (read as fields)
        raise TypeError(f"{name}: {repr_of(dtype)} is not a dtype numpy has: give one such as np.float64") from None


def dtype_of(dtype: Any, name: str, default: Any = np.float32) -> np.dtype:
    """A dtype a Tensor holds: bool, integer or floating point (known_dtype); float32 (Tensor's default) if None."""
    kind = known_dtype(default if dtype is None else dtype, name)
    if kind.kind not in DATA_KINDS:
        raise TypeError(f"{name}: tensors hold bool, integer or floating-point numbers, not dtype {kind}")
    return kind


def holds_numbers(x: Any) -> bool:
    """Whether numpy reads `x` (a number, a list, an array) as numbers a Tensor holds: not text, None, complex
    or objects, nor what numpy cannot read (a ragged list). An operator beside anything else gives
    NotImplemented, so that Python's own TypeError (or `==`'s identity) answers."""
    try:
        return np.asarray(x).dtype.kind in DATA_KINDS
    except (TypeError, ValueError):
        return False


def comparable(x: Any) -> bool:
    """Whether numpy compares `x` with a tensor's numbers: numbers (complex ones too, which numpy orders, and
    object arrays of numbers), not text, None, dates or what numpy cannot read (a ragged list): `t < "x"`
    would be numpy's words naming a ufunc's loop, `t < [1, None]` Python's of a float and None."""
    try:
        a = np.asarray(x)
    except (TypeError, ValueError):
        return False
    if a.dtype == object:
        return all(isinstance(v, numbers.Number) for v in a.flat)
    return a.dtype.kind in "biufc"


def floats(x: Any) -> Any:
    """x, an array or numpy number, in floats: integers and bools as numpy's ufuncs compute them (uint8
    and bool in float16, int64 in float64), for a forward of several steps that would otherwise take
    them in integers (−x and x − max wrap around in unsigned ones); floats as they are."""
    return x.astype(np.result_type(x.dtype, np.float16)) if x.dtype.kind in "biu" else x


def no_bools(name: str, *xs: np.ndarray) -> None:
    """Refuse a contraction (matmul, einsum) of bools alone: numpy's sum of products of bools is their logical
    OR of ANDs, True where a count is 2 (einsum("i->", mask) is True, mask.sum() 2); PyTorch refuses them.
    Beside a number (mask @ w) a bool is 0 or 1, and the sum a count: numpy computes it in the number's dtype."""
    for x in xs:  # matmul's forward runs this: a loop on dtype kinds, not all() of a generator of dtype ==
        try:
            kind = x.dtype.kind  # an attribute: no call per product in an eager step's forward
        except AttributeError:  # `2 @ t`: a Python number
            kind = np.asarray(x).dtype.kind
        if kind != "b":
            return
    raise TypeError(
        f"{name} of bool tensors would be a logical OR of ANDs, not a count; make them integers or floats "
        "first (t.astype(int))"
    )

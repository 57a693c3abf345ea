"""Checks of the arguments nn's functions share, one helper per kind (counts, flags, real numbers in a
range, arrays of examples, a layer's input), so that every function refuses the same mistake with the
same words. A layer constructor's factory arguments (dtype, device) and other names: nn.arguments_factory."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

import autograd
from autograd import Node, Tensor, check_ordered, repr_of, type_name

TEXT = (str, bytes, bytearray, memoryview)  # iterable, but no sequence of sizes or items: bytes give their codes
REAL_KINDS = "iuf"  # numpy dtype kinds of real numbers: integers and floats (not bool, complex or text)


def is_int(x: Any) -> bool:
    """Whether x is an int argument, as autograd takes one: a Python or numpy integer, or a 0-d integer
    array, not a bool (True is no count, index or seed)."""
    if isinstance(x, int | np.integer):
        return not isinstance(x, bool | np.timedelta64)  # numpy makes a duration an np.integer
    return isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind in "iu"


def kept_size(value: Any) -> Any:
    """A size option (a stride, a padding, a kernel size) as a module keeps it: an int argument (a numpy
    integer, a 0-d array) as a Python int, and a list, tuple or 1-d array of them as a tuple, so that the
    module holds nothing the caller may change later and shows it as PyTorch does; anything else as
    given (the function it is passed to checks it: "same", a float)."""
    if is_int(value):
        return int(value)
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = list(value)
    if isinstance(value, tuple | list) and value and all(is_int(v) for v in value):
        return tuple(int(v) for v in value)
    return value


def is_real(x: Any) -> bool:
    """Whether x is a real-number argument: a Python or numpy real number (an int among them), not a bool or
    numpy's timedelta64 (a duration, which numpy makes an np.integer and so a numbers.Real)."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool | np.timedelta64)


def one_number(x: Any, bools: bool = False) -> float | None:
    """x as a float when it is one real number: a Python or numpy number (a bool only with `bools`: a
    metric's "right"), or a 0-d array or tensor holding one (a Tensor, a Value, torch's); None for anything
    else (text, None, several numbers). An int too large for a float is infinite, as it would be in the
    arithmetic that follows."""
    x = x.data if isinstance(x, Node) else x
    if not (is_real(x) or bools and isinstance(x, bool)):
        if isinstance(x, TEXT) or not hasattr(x, "__array__"):
            return None
        try:
            a = np.asarray(x)
        except RuntimeError:  # torch's tensor that requires grad refuses numpy; its item() is the number
            a = np.asarray(x.item()) if getattr(x, "ndim", None) == 0 else np.empty(0)
        if a.shape != () or a.dtype.kind not in (REAL_KINDS + "b" if bools else REAL_KINDS):
            return None
        x = a.item()
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def check_axis(owner: str, name: str, axis: Any) -> int:
    """An axis (a dim) as a Python int, refused (TypeError) unless it is an int argument; its range is the
    input's, checked at the call."""
    if not is_int(axis):
        raise TypeError(f"{owner}: {name} must be an int (an axis), got {type_name(axis)} {shown(axis)}")
    return int(axis)


def check_count(owner: str, name: str, n: Any) -> int:
    """A count (a batch size, a number of epochs) as a Python int, refused unless it is an int of at least
    1: a numpy integer kept would compute in its own width (a uint8 batch size of 200 wraps at 256)."""
    if not is_int(n):
        raise TypeError(f"{owner}: {name} must be an int, got {type_name(n)} {shown(n)}")
    if n < 1:
        raise ValueError(f"{owner}: {name} must be at least 1, got {n}")
    return int(n)


def check_choice(owner: str, name: str, value: Any, choices: Iterable[str], also: str = "") -> str:
    """`value` if it is one of the names `choices` (`also`: what else the caller takes, said in the
    message); a TypeError for what is no name (a list would fail as unhashable, an array compare
    elementwise), a ValueError for a name not among them."""
    listed = ", ".join(repr(c) for c in choices) + (f", or {also}" if also else "")
    if not isinstance(value, str):
        raise TypeError(f"{owner}: {name} must be a name, one of {listed}, got {type_name(value)} {shown(value)}")
    if value not in choices:
        raise ValueError(f"{owner}: {name} must be one of {listed}, got {value!r}")
    return value


def check_flag(owner: str, name: str, flag: Any, error: type[Exception] = TypeError) -> bool:
    """`flag` as a Python bool; `error` (TypeError unless the caller follows PyTorch's ValueError, as
    Module.train) naming `owner`'s argument `name` unless it is True or False (numpy's bools too).
    Never judged by truthiness: "False" is a true string, an array has no single truth value."""
    if not isinstance(flag, bool | np.bool_):
        raise error(f"{owner}: {name} must be True or False, got {type_name(flag)} {shown(flag)}")
    return bool(flag)


def as_sequence(owner: str, name: str, items: Any, wanted: str, ordered: bool = True) -> list[Any]:
    """`items` (a list, a tuple, an array) as a list; TypeError, saying the argument must be `wanted`,
    when it is no sequence, is text (bytes would be read as a list of their codes, b"\\x03" as [3]) or a
    Tensor or Value (a Tensor iterates over its rows, new nodes: no list of sizes or parameters), or is
    a set, in no order (check_ordered), unless `ordered` is False: where the order does not count (PyTorch
    takes a set of MultiStepLR's milestones, which are sorted, or of clip_grad_value_'s parameters)."""
    if isinstance(items, (*TEXT, Node)) or not isinstance(items, Iterable):
        raise TypeError(f"{owner}: {name} must be {wanted}, got {type_name(items)} {shown(items)}")
    if ordered:
        check_ordered(owner, name, items)
    return list(items)


def shown(value: Any, width: int = 60) -> str:
    """`value`'s repr for a message, cut to `width` characters (an int of 400 digits, a large array)."""
    text = repr_of(value)  # a list nested too deep for repr: its depth, the refusal still raised
    return text if len(text) <= width else text[: width - 3] + "..."


def layer_input(owner: str, x: Any) -> Tensor:
    """A layer's input as a Tensor: a Tensor as it is; an array or a (nested) list of numbers made
    one, as Linear takes them (numpy's matmul with its weight gives a Tensor), so that a model works
    whatever its first layer. Anything else (a number, None, a Value: micrograd's Neuron takes those)
    is refused with a TypeError naming the layer."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray | list | tuple):
        try:
            return as_input(x)
        except (TypeError, ValueError) as e:  # Tensor()'s refusal (a ValueError for ragged rows), naming the layer
            raise type(e)(f"{owner}: {e}") from None
    raise TypeError(f"{owner} takes a Tensor (or an array of numbers), got {type_name(x)} {shown(x)}")


def as_input(x: Any, copy: bool = True) -> Tensor:
    """Data given to a model as a constant Tensor: a copy of an array, in its own dtype (Tensor() would make
    float16 float32, so a float16 model computed in float32; PyTorch's half model given half data stays
    half), a list as Tensor() makes it (Python's numbers float32; numpy's numbers or arrays in their dtype,
    so rows of float64 arrays make a float32 model compute in float64, as the stacked array would). Copied
    as `w * X` copies X: the array is read at the call, so that a write into it before backward() (a loader
    refilling its batch) changes no gradient; Tensor(X) would share X's memory, which numpy writes into
    unseen. A compiled step feeds each call's array to the copy (autograd.tensor notes it). Not `copy`: the
    array itself, for a batch no one else holds until backward() is done (nn.fit's)."""
    if isinstance(x, np.ndarray):
        return autograd.tensor(x, dtype=x.dtype) if copy else Tensor(x, dtype=x.dtype)
    return Tensor(x)


def check_number(
    owner: str, name: str, x: Any, wanted: str | Callable[[], str], fits: Callable[[Any], bool], integer: bool = False
) -> Any:
    """`x` as a Python int (`integer`) or float, refused in the same words whatever is wrong with it: a
    TypeError for the wrong kind of thing (a str, None, a bool; a float where an integer is wanted), a
    ValueError where `fits` refuses it as a Python number (NaN fails every comparison), or where an int is
    too large for a float (math.isfinite's OverflowError). `wanted` says what would do: "an integer >= 1"
    (or makes that text, when it is only needed for a message)."""
    if not (is_int(x) if integer else is_real(x)):
        raise TypeError(f"{owner}: {name} must be {_text(wanted)}, got {type_name(x)} {shown(x)}")
    try:  # a Python number: numpy's float64 would be a strong type in an optimizer's updates
        number = int(x) if integer else float(x)
    except OverflowError:
        raise ValueError(f"{owner}: {name} must be {_text(wanted)}, got {shown(x)}, too large for a float") from None
    if not fits(number):  # the number as Python shows it: 3, nan, not np.int64(3), np.float64(nan)
        raise ValueError(f"{owner}: {name} must be {_text(wanted)}, got {shown(x.item() if hasattr(x, 'item') else x)}")
    return number


def check_fill(owner: str, name: str, x: Any) -> int | float:
    """A fill value (a padding's) checked as a real number, an integer kept as given: made a float, 2**53 + 1
    filled int64 data as 2**53 and 2**63 - 1 was refused as 9.223372036854776e+18 (the data's dtype checks it)."""
    number = check_number(owner, name, x, "a number", is_real)
    return int(x) if is_int(x) else number


def _text(wanted: str | Callable[[], str]) -> str:
    return wanted if isinstance(wanted, str) else wanted()


def check_at_least_zero(owner: str, name: str, x: Any) -> float:
    """`x` as a float, a finite number >= 0 (a rate, a tolerance), as check_number refuses it."""
    return check_number(owner, name, x, "a finite number >= 0", lambda x: 0 <= x < math.inf)


def check_real(
    owner: str, name: str, x: Any, low: float = -math.inf, high: float = math.inf, high_included: bool = True
) -> float:
    """`x` as a float, refused unless it is a finite real number from `low` to `high` (`high` itself only
    with `high_included`): a noise level, a fraction. NaN and infinities are refused, never drawn with."""
    return check_number(
        owner,
        name,
        x,
        lambda: _range(low, high, high_included),
        lambda x: math.isfinite(x) and low <= x <= high and (high_included or x < high),
    )


def _range(low: float, high: float, high_included: bool) -> str:
    low, high = float(low), float(high)  # a bound given as a Fraction formats as a float
    if math.isinf(high):
        return "a finite number" if math.isinf(low) else f"a finite number of at least {low:g}"
    return f"between {low:g} and {high:g}" if high_included else f"at least {low:g} and below {high:g}"


def as_array(owner: str, name: str, a: Any) -> np.ndarray:
    """`a` as numpy takes it (a list, an array, a Tensor's data given as raw(t)); what numpy refuses in
    its own words, naming neither the function nor the argument (a ragged list, one nested too deep), is a
    ValueError naming them."""
    try:
        return np.asarray(a)
    except ValueError as e:
        why = str(e)
        if "inhomogeneous" in why:  # numpy's word for rows of different lengths
            why = "has rows of different lengths, which make no array: give rows all of one length"
        else:  # numpy's own sentence ("setting an array element with a sequence ..."), after ours
            why = f"makes no array ({why})"
        raise ValueError(f"{owner}: {name} {why}") from None


def as_examples(owner: str, name: str, a: Any) -> np.ndarray:
    """`a` as an array of examples, one per row along axis 0 (a list is taken as numpy takes it);
    refuse what has no rows (a number, a dict) or rows of different lengths."""
    array = as_array(owner, name, a)
    if array.ndim == 0 or array.dtype == object:
        raise TypeError(
            f"{owner}: {name} must be an array of examples, one per row (a numpy array or a list), got {type_name(a)}"
        )
    return array


def read_only(whose: str, instead: str) -> ValueError:
    """The error for a write into read-only data (`whose`, the data named; `instead`, what to do), raised
    before anything changes: numpy refuses it in its bare words ("assignment destination is read-only"),
    and an optimizer's step would have moved the parameters before it by then."""
    return ValueError(f"{whose} is read-only (a broadcast or expand()ed tensor, or an array marked so), {instead}")

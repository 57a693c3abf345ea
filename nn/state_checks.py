"""The checks every state passes before it is loaded, and before nn.save writes it: names that are
unique, entries whose (shape, dtype) match the model's layout (`check_entries`), then values that
are finite, integers that fit, and buffers within their declared ranges (`conform`).
Module.load_state_dict, nn.save, nn.load, nn.export and the optimizers all check with them. Also the
checks of a setting (a number, a pair, a flag) that the optimizers' constructors and their loaded
states share (`checked`, `checked_pair`, `checked_int`, `checked_flag`, `checked_choice`), and layers'
constructors use."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

import numpy as np

import autograd
from autograd import made_infinite, repr_of, type_name

from .arguments import check_flag, check_number, is_int

# What a state must match: each parameter's and buffer's (shape, dtype) by dotted name.
Layout = Mapping[str, tuple[tuple[int, ...], Any]]

# What an entry of a layout is, by its name, for messages: "a parameter", "an optimizer setting".
Describe = Callable[[str], str]

T = TypeVar("T")
INT64_MAX = int(np.iinfo(np.int64).max)  # the largest integer setting a state dict holds


def unique(named: Iterable[tuple[str, T]]) -> Iterator[tuple[str, T]]:
    """`named` as it comes, or ValueError at the first name given twice: two things under one name
    would be one entry of a state dict, and a load would make them share one array."""
    seen: set[str] = set()
    for name, item in named:
        if name in seen:
            raise ValueError(
                f"two different parameters or buffers are both named {name!r}, so a state dict would keep only one "
                "of them; rename one"
            )
        seen.add(name)
        yield name, item


def model_entry(name: str) -> str:
    """What an entry of a model's state is, where the caller knows no better."""
    return "a parameter or buffer"


def check_entries(own: Layout, entries: Layout, what: Describe = model_entry) -> None:
    """Refuse `entries` ((shape, dtype) by name) that do not match the layout `own`: KeyError
    naming missing and unexpected names, ValueError naming a wrong shape or a dtype of the wrong
    kind (real floating point, or integers where `own` has integers: a buffer that counts), and
    what the entry is (`what`: a parameter, a buffer, an optimizer's setting)."""
    # by their text: a key that is no name (1, a tuple) is unexpected too, and sorted beside the names
    missing, unexpected = (sorted(keys, key=str) for keys in (own.keys() - entries.keys(), entries.keys() - own.keys()))
    if missing or unexpected:
        raise KeyError(f"missing {_few(missing)}, unexpected {_few(unexpected)}")
    for name, (need, need_dtype) in own.items():
        shape, dtype = entries[name]
        if tuple(shape) != tuple(need):
            raise ValueError(f"{name} has shape {tuple(shape)}, needs {tuple(need)}")
        fits = _counts(dtype) if _counts(need_dtype) else np.dtype(dtype).kind == "f"
        if not fits:
            wanted = "integers" if _counts(need_dtype) else "floating point"
            raise ValueError(f"{name} has dtype {dtype}; it is {what(name)}, of {wanted}, and nothing else is cast")


def conform(
    own: Layout,
    state: Mapping[str, Any],
    ranges: Mapping[str, tuple[float, float]] | None = None,
    unbounded: Callable[[str], bool] = lambda name: False,
    unset: Callable[[str], bool] = lambda name: False,
    what: Describe = model_entry,
) -> dict[str, np.ndarray]:
    """`state`'s arrays checked against the layout `own` (`check_entries`, then their values: finite,
    or +inf where `unbounded(name)` (a sum of squares that overflowed: what a step makes of a huge
    gradient, and saves), integers that the cast keeps, within the closed range [low, high] that `ranges`
    gives an entry), NaN too where `unset(name)` (a setting's None: Adafactor's eps1), and cast to its dtypes,
    every entry before any is returned; `what` names an entry's kind in messages. Raises KeyError or ValueError."""
    arrays = {name: np.asarray(value) for name, value in state.items()}
    check_entries(own, {name: (a.shape, a.dtype) for name, a in arrays.items()}, what)
    cast = {
        name: _exact(name, a, dtype) if _counts(dtype) else _finite(name, a, dtype, unbounded(name), unset(name))
        for name, (_, dtype) in own.items()
        for a in (arrays[name],)
    }
    for name, (low, high) in (ranges or {}).items():
        outside = int(np.count_nonzero((cast[name] < low) | (cast[name] > high)))
        if outside:
            raise ValueError(
                f"{name} holds {outside} value(s) outside [{low:g}, {high:g}], the range it can take "
                f"(the least {cast[name].min().item()!r}, the greatest {cast[name].max().item()!r})"
            )
    return cast


def checked(owner: Any, name: str, value: Any, below: float = math.inf, up_to: float | None = None) -> float:
    """`value` as a float, a real number in [0, below), or in [0, up_to] where that is given (Adadelta's rho
    may be 1) (NaN is not; numpy's real scalars are), or an error naming `owner`'s argument."""
    if up_to is not None:
        return check_number(type(owner).__name__, name, value, f"in [0, {up_to:g}]", lambda x: 0 <= x <= up_to)
    wanted = "a finite number >= 0" if below == math.inf else f"in [0, {below:g})"
    return check_number(type(owner).__name__, name, value, wanted, lambda x: 0 <= x < below)


def checked_pair(
    owner: Any, name: str, value: Any, below: float, what: str, second_up_to: float | None = None
) -> tuple[float, float]:
    """`value` as a pair of floats, each as `checked` takes it (the second in [0, second_up_to] where that is
    given: Rprop's largest step size may be +inf), or an error naming `owner`'s argument and `what` the pair is
    ("(beta1, beta2)")."""
    if not (isinstance(value, tuple | list) and len(value) == 2):
        raise TypeError(f"{type_name(owner)}: {name} must be a pair {what}, got {repr_of(value)}")
    return checked(owner, name, value[0], below), checked(owner, name, value[1], below, second_up_to)


def checked_flag(owner: Any, name: str, value: Any) -> bool:
    """`value` as a bool: True or False (numpy's too), as nn's every flag (`check_flag`)."""
    return check_flag(type(owner).__name__, name, value)


def checked_int(owner: Any, name: str, value: Any) -> int:
    """`value` as a Python int of at least 1 (a count of iterations, a history's length): an int or numpy
    integer (not a bool, nor a float such as 20.0), or an error naming `owner`'s argument; a ValueError for
    one beyond 2**63 - 1, which a state dict (int64) cannot hold (numpy's OverflowError at every state_dict
    named neither the optimizer nor the setting)."""
    number = check_number(type(owner).__name__, name, value, "an integer >= 1", lambda x: x >= 1, integer=True)
    if number > INT64_MAX:
        raise ValueError(
            f"{type(owner).__name__}: {name} is {number}, beyond the 64-bit integers a state dict holds (at most "
            f"2**63 - 1 = {INT64_MAX}): give {INT64_MAX} or less, which no run reaches either"
        )
    return number


def checked_choice(owner: Any, name: str, value: Any, among: tuple[Any, ...]) -> Any:
    """`value` if it is one of `among` (names, or None): a TypeError naming `owner`'s argument for what is
    neither a str nor None, a ValueError for a name not among them (never taken as the nearest, nor ignored)."""
    listed = " or ".join(repr(c) for c in among)
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{type(owner).__name__}: {name} must be {listed}, got {type_name(value)} {value!r}")
    if not any(value == c if isinstance(c, str) else value is c for c in among):
        raise ValueError(f"{type(owner).__name__}: {name} must be {listed}, got {value!r}")
    return value


def loaded_flag(owner: Any, name: str, value: Any) -> Any:
    """A flag of a state dict, an integer 1 or 0 (its 0-d array's item), as the bool it stands for;
    ValueError for another integer. Anything else is left for `checked_flag` to refuse."""
    if is_int(value):
        if value not in (0, 1):
            raise ValueError(f"{type_name(owner)}: {name} must be True or False (1 or 0), got {value!r}")
        return bool(value)
    return value


def _counts(dtype: Any) -> bool:
    """Whether `dtype` is an integer one, as a buffer that counts (BatchNorm's num_batches_tracked) has."""
    return np.dtype(dtype).kind in "iu"


def _exact(name: str, array: np.ndarray, dtype: Any) -> np.ndarray:
    """`array` cast to the integer `dtype` (a copy), or ValueError if the cast changes a value."""
    cast = array.astype(dtype)
    if not np.array_equal(cast, array):
        raise ValueError(f"{name} holds values that {np.dtype(dtype)} cannot hold")
    return cast


def _finite(name: str, array: np.ndarray, dtype: Any, plus_inf: bool = False, nan: bool = False) -> np.ndarray:
    """`array` cast to `dtype` (a copy), or ValueError if any of it is NaN or infinite there (+inf
    allowed with `plus_inf`, NaN with `nan`), or a finite number of it is not, infinite there: an overflowed square
    is saved as +inf, and a number beyond the dtype is one the model's steps never made (Adam's v of a float64
    model's, 1e300, loaded as inf into a float32 one)."""
    with np.errstate(over="ignore", invalid="ignore"):
        cast = array.astype(dtype)
    finite = np.isfinite(cast)
    if not finite.all():  # a finite number the cast made infinite (1e300 into float32), +inf allowed or not: named
        check_array_fits(
            name, array, np.dtype(dtype), "; load it into a model of a dtype that holds it (model.double())"
        )
    allowed = finite | (cast == np.inf) if plus_inf else finite
    if nan:
        allowed |= np.isnan(cast)
    bad = cast.size - int(np.count_nonzero(allowed))
    if bad:
        what, wanted = ("NaN or -inf", "finite or +inf") if plus_inf else ("NaN or infinite", "finite")
        raise ValueError(f"{name} holds {bad} {what} value(s) as {np.dtype(dtype)}; the numbers must be {wanted}")
    return cast


def check_array_fits(what: str, array: np.ndarray, kind: np.dtype, fix: str = "") -> None:
    """Refuse `array` where a finite number of it would become infinity in the float dtype `kind` (made_infinite),
    naming the first as `check_fits` does, how many more, and `fix`."""
    if kind.kind != "f" or array.dtype.kind not in "iuf":
        return
    beyond = made_infinite(array, kind)
    more = int(np.count_nonzero(beyond)) - 1
    if more >= 0:
        check_fits(what, array[beyond].flat[0].item(), kind, f", and so would {more} more" * (more > 0) + fix)


def check_fits(what: str, value: Any, kind: np.dtype, more: str = "") -> None:
    """Refuse `value` that `kind` cannot hold (1e300 in float32, 300.5 in int8), by autograd's one rule of it
    (autograd.check_fits, which `autograd.full` applies), named for `what` (nn.init's, a state's entry); `more` ends
    the message."""
    autograd.check_fits(value.item() if isinstance(value, np.generic) else value, np.dtype(kind), what, more)


def _few(names: list[str], shown: int = 5) -> str:
    """A list of names for a message, cut after `shown` so a file of thousands stays one line."""
    if not names:
        return "nothing"
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return f"{names[:shown]}{more}"


def check_kind(names: list[str], marker: str, mine: str, prefix: str) -> None:
    """Refuse a state whose entry `marker` + a class name names another class than `mine`, or that has
    none (an optimizer's state: Adam's and AdamW's other names are the same)."""
    kinds = sorted(name.removeprefix(marker) for name in names if name.startswith(marker))
    if not kinds:
        raise KeyError(
            f"missing {prefix + marker + mine!r}, the entry naming the optimizer that saved the state (the same "
            "names fit several kinds); a state saved before chainrule wrote it is refused: its settings are unknown"
        )
    if kinds != [mine]:
        raise ValueError(
            f"it is the state of {' and '.join(kinds)} ({', '.join(prefix + marker + k for k in kinds)}), not of "
            f"{mine}: load it into an optimizer of the kind that saved it"
        )


def check_marker(name: str, value: np.ndarray) -> None:
    """Refuse a kind marker (an optimizer's "kind.Adam", a scheduler's), a checked 0-d integer array,
    whose value is not the 1 a state dict writes: the name says the kind, and the value is not ignored."""
    if int(value) != 1:
        raise ValueError(
            f"{name} holds {int(value)}, not the 1 a state dict writes there: the state was edited or corrupted"
        )

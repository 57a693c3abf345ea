"""How gradcheck reads its inputs: each a point to check, in float64 (a float, a Value, a float array, a
Tensor that requires grad), or a constant passed to f as it is (integers and bools in any form, a Tensor
that does not require grad); and the fresh copies f is given of them."""

from __future__ import annotations

import numbers
import sys
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from .dtypes import REAL_KINDS
from .graph import Node
from .modes import is_real
from .ordered import check_ordered
from .tensor_class import Tensor
from .type_names import OWN_PACKAGES, repr_of, type_name
from .value import Value


def read_inputs(who: str, inputs: Any, eps: float, note: bool = True) -> tuple[list, list[str], list, list[int]]:
    """gradcheck's inputs as a list, their names (a label, or "input i"), their points (`_point`; `note`: warn of
    a float dtype other than float64) and the positions of those checked (not constants), refusing a list of
    none to check (a check of nothing would pass whatever the rules are)."""
    if isinstance(inputs, str | bytes | np.ndarray | Node) or not isinstance(inputs, Iterable):
        raise TypeError(f"{who} takes a list of f's inputs, got {type_name(inputs)}: write {who}(f, [x])")
    check_ordered(who, "inputs", inputs)  # f takes them in order: a set's would swap its arguments
    inputs = list(inputs)
    if not inputs:
        raise ValueError(f"{who} got no inputs: give f's inputs (numbers, Values, arrays or Tensors) to check")
    names = [getattr(x, "label", "") or f"input {i}" for i, x in enumerate(inputs)]
    points = [_point(x, name, eps, note, who) for x, name in zip(inputs, names)]
    checked = [i for i, p in enumerate(points) if not _is_constant(p)]
    if not checked:  # integers alone: no row
        raise ValueError(
            f"{who}: every input is a constant passed to f as it is (integers or bools, in any form: labels, "
            "indices, masks; a Tensor that does not require grad): give the inputs to check as floats (2.0, not 2; "
            "np.array([1.0, 2.0]), not np.array([1, 2])), or Tensors that require grad"
        )
    return inputs, names, points, checked


def _point(x: Any, name: str, eps: float, note: bool = True, who: str = "gradcheck") -> Any:
    """The input as float64: a float for a Value or a float, an array for a Tensor or array of floats (text
    or complex numbers are refused, not read as numbers). Integers and bools, in every form (a Python or
    numpy scalar, an array or Tensor of them, 0-d too: labels, indices, a mask, a count), and a Tensor that
    does not require grad (a target) are a constant: a scalar as it is, an array a Tensor copy of it.
    PyTorch's gradcheck passes what does not require grad to f unchecked (a rule gives it None), as
    floats labels could index nothing, and one rule for every form keeps np.int64(2) and np.array(2) alike.
    An array of another float dtype is warned of where `note` (`_float64_note`; `eps`: the check's step). `who`:
    the check refusing, named in its error."""
    if isinstance(x, numbers.Integral | np.bool_):  # bool is an Integral too
        return x
    if isinstance(x, Tensor | np.ndarray):
        data = np.asarray(x.data if isinstance(x, Tensor) else x)
        if data.dtype.kind in "biu" or (isinstance(x, Tensor) and not x.requires_grad and data.dtype.kind == "f"):
            return Tensor(laid_out_as(data), dtype=data.dtype)
        if data.dtype.kind not in REAL_KINDS:
            raise TypeError(f"{who}: {name} is an array of dtype {data.dtype}; give real numbers (floats)")
        if data.dtype != np.float64 and note:
            note_once_per_line(_float64_note(name, data.dtype, eps))
        return laid_out_as(data, np.float64)
    if isinstance(x, Value):
        return x.data
    if not is_real(x):
        raise TypeError(f"{who}: {name} is {type_name(x)} {repr_of(x)}; give a number, a Value, an array or a Tensor")
    return float(x)


# the lines (file, line, text) noted under the warnings filters list current then (a catch_warnings makes a new one)
_NOTED: dict[str, Any] = {"filters": None, "lines": set()}


def note_once_per_line(text: str) -> None:
    """Warn `text` (a UserWarning) at the first line outside chainrule's packages, the user's call of gradcheck
    (through judged_gradcheck too, where a fixed stacklevel named autograd/testing.py), once per line as
    Python's default filter means to: its registry of lines shown is emptied whenever a filter changes, as
    hypothesis' mapped strategies do at each draw (60 notes in a property test of 60 examples). The lines are
    remembered within one warnings context (a `catch_warnings`, as pytest gives each test: a parametrized test's
    second case saw no note when they were remembered for the process), and only where the filters show the
    note once (Python's registry records only what it showed: a call under "ignore" hid it there for good); a
    filter of "always" or "error" for it still sees every call."""
    frame, level = sys._getframe(1), 2
    while frame.f_back is not None and frame.f_globals.get("__name__", "").partition(".")[0] in OWN_PACKAGES:
        frame, level = frame.f_back, level + 1
    if _action(text, frame.f_globals.get("__name__", ""), frame.f_lineno) in _SHOWN_ONCE:
        if _NOTED["filters"] is not warnings.filters:  # another context: shown afresh, as Python's registry
            _NOTED.update(filters=warnings.filters, lines=set())
        line = (frame.f_code.co_filename, frame.f_lineno, text)
        if line in _NOTED["lines"]:
            return
        _NOTED["lines"].add(line)
    warnings.warn(text, UserWarning, stacklevel=level)


_SHOWN_ONCE = ("default", "module", "once")  # the actions that show a warning and record it as shown


def _action(text: str, module: str, line: int) -> str:
    """What the warning filters do with a UserWarning `text` issued at `line` of `module` (warnings' matching)."""
    for action, message, category, in_module, at in warnings.filters:
        if (
            (message is None or message.match(text))
            and issubclass(UserWarning, category)
            and (in_module is None or in_module.match(module))
            and at in (0, line)
        ):
            return action
    return warnings.defaultaction


def _float64_note(name: str, dtype: np.dtype, eps: float) -> str:
    """What gradcheck does with an input of a float dtype other than float64, and why: it checks in float64."""
    spacing = float(np.finfo(dtype).eps)
    if spacing > np.finfo(np.float64).eps:
        why = (
            f"in {dtype} a difference over eps={eps} would be off by about {100 * spacing / (2 * eps):.2g}% of a slope "
            f"of 1 at 1.0, its spacing there being {spacing:.2g}), so f's rules are checked in float64 arithmetic, "
            f"not in {dtype}'s rounding"
        )
    else:
        why = f"gradcheck computes in float64), so the digits {dtype} keeps beyond float64's are dropped"
    return (
        f"gradcheck: {name} is {dtype}; checking in float64 (f is given float64 copies of it: {why}; give float64 "
        "inputs to check as you mean to, and to silence this"
    )


def _is_constant(point: Any) -> bool:
    """Whether `_point` made this input a constant (a Tensor, an integer or a bool), passed to f as it is and
    not checked: every point it checks is a float or a float64 array."""
    return not isinstance(point, float | np.ndarray)


def unchecked(points: list[Any], names: list[str]) -> str:
    """The lines a failed check's table ends with naming the inputs passed to f as constants (no rows)."""
    return "".join(
        f"\n{name}: not checked, passed to f as it is ({_CONSTANTS.get(np.asarray(p).dtype.kind, 'integers')})"
        for p, name in zip(points, names)
        if _is_constant(p)
    )


_CONSTANTS = {"f": "a Tensor that does not require grad; requires_grad=True checks it", "b": "bools"}


def _copy(point: Any) -> Any:
    """A copy of a point for one call of f, laid out as it was given (`laid_out_as`)."""
    if isinstance(point, Tensor):  # a constant: f gets a copy of its own, which it must leave as it is
        return Tensor(laid_out_as(point.data), dtype=point.dtype)
    return laid_out_as(point) if isinstance(point, np.ndarray) else point


def laid_out_as(a: np.ndarray, dtype: Any = None) -> np.ndarray:
    """A copy of `a` (in `dtype`, or a's) laid out as a is: a transposed, reversed or strided input (x.T, x[::-1],
    x[:, ::2]) reaches f as it was given, as PyTorch's gradcheck gives it, where a C-contiguous copy passed a rule
    wrong only for that layout (one pairing g and x in memory order, ravel('K')). Its strides in elements are a's
    (`_steps`), but a gap wider than the elements before it fill (W[:, :2] of a wide W) is narrowed to as wide: the
    copy spanned W at each call of f (291 s for a 500 x 100000 W, 0.47 s in C order). Where elements share memory
    (a stride of 0: broadcast_to), each gets its own, in a's order (copy(order='K')), as each is moved alone."""
    dtype = a.dtype if dtype is None else np.dtype(dtype)
    if a.flags.c_contiguous or not _apart(a):
        return np.array(a, dtype=dtype, order="K")
    steps = _steps(a)
    low = sum(min(0, k * (n - 1)) for k, n in zip(steps, a.shape))
    high = sum(max(0, k * (n - 1)) for k, n in zip(steps, a.shape))
    memory = np.empty(high - low + 1, dtype=dtype)
    copy = np.lib.stride_tricks.as_strided(memory[-low:], a.shape, [k * dtype.itemsize for k in steps])
    copy[...] = a
    return copy


def _steps(a: np.ndarray) -> list[int]:
    """a's strides in elements (a being `_apart`), each axis's at most twice the span of the axes laid closer (a gap
    kept, not its width: 8 rows of W[:, :2] span 30 elements, not 7 rows of W and 2)."""
    steps = [s // a.itemsize for s in a.strides]
    reach = 1  # the elements the axes laid closer span, as narrowed
    for k in sorted((k for k, n in enumerate(a.shape) if n > 1), key=lambda k: abs(steps[k])):
        steps[k] = int(np.sign(steps[k])) * min(abs(steps[k]), 2 * reach)
        reach = abs(steps[k]) * a.shape[k]
    return steps


def layouts(points: list[Any], names: list[str], checked: list[int]) -> str:
    """The lines a failed check's table ends with naming the checked inputs that reached f in a layout other than C
    order (`layout_words`), so that a drawn failure is reproduced as it was (its numbers in C order may pass)."""
    return "".join(
        f"\n{names[i]}: reached f {layout_words(points[i])}"
        for i in checked
        if isinstance(points[i], np.ndarray) and not points[i].flags.c_contiguous
    )


def layout_words(a: np.ndarray) -> str:
    """How a's elements lie in memory, as a reader would make them: transposed (x.T), reversed along axes (x[::-1]),
    strided (x[:, ::2]), with its strides in elements."""
    steps = tuple(s // a.itemsize for s in a.strides)
    back = [k for k, s in enumerate(steps) if s < 0 and a.shape[k] > 1]
    order = ""
    if back:
        how = f"reversed along ax{'es' if len(back) > 1 else 'is'} {', '.join(map(str, back))}"
    elif a.flags.f_contiguous:
        how, order = "transposed", "Fortran order, "
    else:
        how = "strided"
    return f"{how} ({order}strides {steps} in elements)"


def _apart(a: np.ndarray) -> bool:
    """Whether a's elements lie apart in memory, at strides that are whole elements (a view numpy's slicing or
    transposing makes; not broadcast_to's stride of 0, nor an as_strided overlap): no two share a place."""
    if a.size == 0 or any(s % a.itemsize for s in a.strides):
        return False
    axes = sorted((abs(s) // a.itemsize, n) for s, n in zip(a.strides, a.shape) if n > 1)
    reach = 1  # the elements the axes before span
    for step, n in axes:
        if step < reach:
            return False
        reach = step * n
    return True


def _leaf(point: Any, name: str = "") -> Any:
    """What f is given of a point: a Value or a Tensor that requires grad; a constant as it is."""
    if isinstance(point, Tensor):
        point.label = name
        return point
    if isinstance(point, np.ndarray):
        return Tensor(point, requires_grad=True, label=name)
    return Value(point, name) if isinstance(point, float) else point

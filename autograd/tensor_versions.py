"""A Tensor's data behind a version count: every change made in place (`t.data -= x`, `t[i] = v`,
`t += x`, an optimizer's step) counts, and a graph that used the tensor before refuses to
backward through it. Tensors viewing the same memory (a slice, `.T`, a reshape, `detach()`) share
one count, as in PyTorch: a change through any of them is a change of all. A change to an input whose numbers
the op's rule does not read (add's) is let pass where its shape and dtype are kept (`numbers_unread`), and so is
the change it makes to the op's output that views it (reshape's: `view_of_unread`)."""

from __future__ import annotations

import numbers
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

import numpy as np

from . import compile_read_hooks, compile_record, modes
from .compile_record import RECORDING
from .dtype_fits import check_cast_fits, check_fits, check_float_fits
from .graph import TICKS, WRITES, Node, raw
from .tensor_data import as_array, ints_made_float, numbers_array, raw_index
from .tensor_grad_checks import checked_requires_grad
from .type_names import type_name

_WIDER = "; write into a tensor of a wider dtype"  # the fix of a number its float dtype would make infinity


# while a transform runs f (tracing.trace), weak references to the arrays of the tensors changed in place (and to the
# arrays they view), and to DREW for each draw of autograd.drawn (a generator moved), by id: f is not run a second
# time after a run that changed memory that outlives it (a BatchNorm's running statistics); its own tensors, gone with
# the run, do not stop it, nor are they kept alive by being noted, and each one's note goes with it
class _Noted(threading.local):
    """This thread's notes (`changes`), or None: a transform in another thread notes what its own f changes."""

    changes: dict[int, weakref.ref] | None = None


CHANGED = _Noted()
DREW = np.zeros(0)  # held here, so always outliving f


def changed(data: Any) -> None:
    """Note a change of the array `data` (a tensor's), or a draw (DREW), for the transform running f, if any."""
    seen = CHANGED.changes
    while seen is not None and isinstance(data, np.ndarray):
        if id(data) not in seen:  # its note is dropped when it goes: an id is not reused before
            seen[id(data)] = weakref.ref(data, partial(_forget, seen, id(data)))
        data = data.base  # the memory it views: whoever holds that sees the change too


@contextmanager
def noting() -> Iterator[dict[int, weakref.ref]]:
    """What a transform's run of f inside the block changes in place (nested transforms' changes too) and
    whether it draws (DREW), noted by id in the dict it yields (`changed`, this thread's). On leaving, the notes
    are handed on to a transform running outside this one (its f is the one that ran), and the dict is cleared:
    its notes' callbacks hold it, a cycle the garbage collector would otherwise have to find. tracing.trace's
    and vmap's."""
    outer = CHANGED.changes
    notes: dict[int, weakref.ref] = {}
    CHANGED.changes = notes
    try:
        yield notes
    finally:
        CHANGED.changes = outer
        for ref in list(notes.values()) if outer is not None else ():  # noted again, to be dropped from outer's
            changed(ref())
        notes.clear()


def _forget(seen: dict[int, weakref.ref], key: int, _: weakref.ref) -> None:
    seen.pop(key, None)


class VersionedData:
    """Mixin of Tensor: `.data`, item assignment and `_version`, read from the shared count `_counter`."""

    __slots__ = ()

    @property
    def data(self) -> np.ndarray:
        if RECORDING:  # numbers read in Python while a step is recorded
            compile_read_hooks.read_data(self, into_python=True)
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        """Assigning (also `t.data -= x`) counts as a change: a graph that used t can no longer backward.
        An array over the same memory as before (`t.data -= x` changed it in place; `t.data =
        t.data.reshape(...)` views it) keeps t's count, which its views share: a change through them is
        still seen. Another array gives t a count of its own, leaving the views with the old one, unchanged."""
        if value is self._data:  # `t.data -= x` (an optimizer's step): changed in place, already checked
            self._counter[0] += 1  # _version's setter, inline: two Python calls fewer per parameter and step
            WRITES.at = next(TICKS)
            if CHANGED.changes is not None:
                changed(value)
            if RECORDING:
                compile_record.changed(self)
            return
        # what Tensor() refuses, refused here too, before anything changes: an array is kept as it is
        # (its memory and dtype); anything else is made as Tensor() makes it (a list: float32)
        new = (
            numbers_array(value, "Tensor.data")
            if isinstance(value, np.ndarray)
            else as_array(value, None, "Tensor.data")
        )
        checked_requires_grad(self._requires_grad, new.dtype)  # an integer array cannot hold a gradient
        if np.may_share_memory(new, self._data):
            self._data = new
            self._version += 1
            return
        self._data = new
        self._counter = [self._version + 1]
        WRITES.at = next(TICKS)
        changed(self._data)
        if RECORDING:
            compile_record.changed(self)

    @property
    def _version(self) -> int:
        """How many times the data changed in place: through this tensor, or through any tensor
        viewing the same memory (a slice, a transpose, `detach()`), which shares the count, as in PyTorch."""
        return self._counter[0]

    @_version.setter
    def _version(self, value: int) -> None:
        self._counter[0] = value
        WRITES.at = next(TICKS)  # a backward pass's versions, checked at its start, checked again (graph.WRITES)
        changed(self._data)
        if RECORDING:  # a compiled step being recorded would not replay a change made outside its optimizers
            compile_record.changed(self)

    def __setitem__(self, index: Any, value: Any) -> None:
        write(self, index, value)


def write(t: Any, index: Any, value: Any, what: str = "t[i] = v") -> None:
    """`t[index] = value` (also `t.fill_`, `t.copy_`, `t.zero_`: `what`, the call as written, heads the
    messages), counted as a change: refused where a gradient would be lost while the graph is recorded."""
    if modes.current.grad_enabled and t.requires_grad:
        if RECORDING and compile_record.from_inputs(t):  # a compiled step's input, or made from its
            compile_record.write_as_eagerly(t)  # inputs alone: eagerly no gradient, so assigned
            with modes.no_grad():
                return write(t, index, value, what)
        raise RuntimeError(
            f"{what}: cannot assign into a tensor that requires grad while the graph is recorded; "
            "do it under autograd.no_grad(), or build a new tensor (autograd.where, concatenate)"
        )
    if modes.current.grad_enabled and isinstance(value, Node) and getattr(value, "requires_grad", True):
        if RECORDING and compile_record.from_inputs(value):  # eagerly no gradient: nothing lost, assigned
            with modes.no_grad():
                return write(t, index, value, what)
        raise RuntimeError(
            f"{what}: cannot assign a tensor that requires grad (or a Value) into one that does not while the graph "
            "is recorded: its gradient would be lost. Build the result in the graph (autograd.where, concatenate, "
            "stack), or assign under autograd.no_grad() if no gradient should flow through it"
        )
    check_writable(t, what, "build a new tensor (autograd.where, concatenate), or assign into a copy")
    data = raw(value)
    array = np.asarray(data)
    kind = array.dtype  # object: Python ints beyond int64 (checked below), or None, which numpy stores as NaN
    if kind.kind not in "biufO" or (kind.kind == "O" and not all(isinstance(v, numbers.Real) for v in array.flat)):
        raise TypeError(
            f"{what}: a tensor holds real numbers (bool, integer or floating point), got {type_name(value)} "
            f"{value!r:.60} (numpy's dtype {kind})"
        )
    if isinstance(value, numbers.Real):  # a number, as fill_ and full take it (127.9 is no int8, 1e300 no float32)
        check_fits(value.item() if isinstance(value, np.generic) else value, t._data.dtype, what, _WIDER)
    else:  # an array's values cast: a float truncated into integers, as numpy's and torch's casts
        exact = ints_made_float(value, array, what, t._data.dtype)  # [2**64 - 1, -1]: numpy's float64, as given
        if t._data.dtype.kind in "iu":  # numpy would store NaN, or 300 into uint8, as a made-up number
            check_cast_fits(array if exact is None else exact, t._data.dtype, what)
        check_float_fits(array, t._data.dtype, what, _WIDER.removeprefix("; "))  # 1e300 into float32: inf
    t._data[raw_index(index)] = data
    t._version += 1


def check_writable(t: Any, what: str, instead: str) -> None:
    """Refuse a write into t's data where numpy would refuse it in its own words (its data read-only)."""
    if not t._data.flags.writeable:
        raise ValueError(
            f"{what}: t's data is read-only (an expand()ed or broadcast tensor, whose elements share memory, "
            f"a gradient given to a hook, which returns a new one, or an array marked read-only): {instead}"
        )


def share_count(t: Any, parents: Sequence[Any]) -> None:
    """t's data views a parent's memory (a slice, a transpose, a reshape): one version count for both,
    so a change through either is seen by every graph that used the other."""
    for p in parents:
        if p._data.__class__ is np.ndarray and np.may_share_memory(t._data, p._data):
            t._counter = p._counter
            return


def shares_count(t: Any, source: Any) -> Any:
    """t, now counting its changes with `source` (whose data it holds)."""
    t._counter = source._counter
    return t


def numbers_unread(node: Any, p: Any) -> bool:
    """Whether node's rule reads of its input `p`, changed in place since the forward, only its shape and dtype, and
    those are as they were (OpDef.shape_only: add's, sum's): the gradient is the same; PyTorch's rules, which save
    no such input, pass it too. At each place p has among the inputs (x + x)."""
    made_by = node._made_by
    op = made_by.op
    unread = op.shape_only
    if op.reads_for:  # a `skips` rule: the inputs no gradient it forms reads (OpDef.reads_for)
        read = {k for need, reads in zip(made_by.needs, op.reads_for) if need for k in reads}
        unread = (*unread, *(k for k in range(len(op.reads_for)) if k not in read))
    if not unread:
        return False
    now = p._data
    return all(
        k in unread and np.shape(now) == np.shape(then) and np.result_type(now) == np.result_type(then)
        for k, (q, then) in enumerate(zip(node.parents, made_by.inputs, strict=True))
        if q is p
    )


def view_of_unread(node: Any) -> bool:
    """Whether node's output, changed in place since its op made it, is a view of an input whose change is let pass
    (`numbers_unread`: `v = w.reshape(2, 2)`, `w[1:]`, `w.T`, then `w.add_(10)`; one count): a rule reading the view's
    numbers would read that input's, which its op's mark says it does not (OpDef.shape_only); a node reading the
    view checks it as its input. PyTorch's rules, which save no such view, pass it too."""
    if not node._made_by.op.shape_only:
        return False
    own = node._counter
    return any(p._counter is own and numbers_unread(node, p) for p in node.parents)


def kind_changed(node: Any, p: Any) -> str:
    """What of input p's array changed since node's forward, where its record kept the array (Record.inputs):
    "shape (2,) -> (1, 2)", "dtype float64 -> float32", both, or "" (neither, or not kept)."""
    inputs = getattr(node._made_by, "inputs", None) or ()
    then = next((a for q, a in zip(node.parents, inputs, strict=False) if q is p), None)
    if then is None:
        return ""
    now = p._data
    pairs = (("shape", np.shape(then), np.shape(now)), ("dtype", np.result_type(then), np.result_type(now)))
    return " and ".join(f"{what} {a} -> {b}" for what, a, b in pairs if a != b)

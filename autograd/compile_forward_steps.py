"""A compiled step's forward pass, op by op: each recorded op as one step of the replay's flat list (compile_replay.
Program runs them), its kernel's one numpy call into a buffer kept from call to call (compile_kernels), or a ufunc into
a buffer of its own, or else the op's own forward on its parents' arrays; a user's op's result checked against what
was recorded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .compile_entries import OP, Entry
from .compile_kernels import kernel
from .compile_schedule import ReplayStopped, Step
from .tensor_ops import OPS, check_labels
from .tensor_record import user_forward

# the ops whose public functions check what a replay feeds them (labels), by the names they check them under
_LABELLED = {OPS[name]: name for name in ("cross_entropy", "nll_loss", "multi_margin_loss")}


def buffered(e: Entry, entries: list[Entry]) -> bool:
    """Whether the op may write into a C-contiguous buffer of its own: only where eager's arrays were
    C-contiguous too, its inputs and its output, so that every later op (a sum) meets the layout
    eager gave it, and sums in the same order."""
    return e.kind == OP and e.contiguous and all(entries[p].contiguous for p in e.parents)


def entry_kernel(e: Entry, entries: list[Entry]) -> Any:
    """The entry's kernel, where one applies: a buffered op, its inputs of its own float dtype (compile_kernels)."""
    if not buffered(e, entries) or any(entries[p].dtype != e.dtype for p in e.parents):
        return None
    needs = [entries[p].needs_grad for p in e.parents]
    return kernel(e.op, [entries[p].shape for p in e.parents], e.dtype, e.params, needs)


def forward_step(i: int, e: Entry, k: Any, buffered: bool, arrays: list[Any]) -> Step:
    """The op's forward on its parents' arrays, into slot i, its keyword arguments made from the inputs (`computed`)
    first taken from their entries' arrays (its rule reads the same dict)."""
    step = _forward_only(i, e, k, buffered, arrays)
    if not e.computed:
        return step
    params, computed, recorded = e.params, e.computed, e.shape

    def given_then_step() -> None:
        for name, j in computed:
            params[name] = arrays[j]
        step()
        if arrays[i].shape != recorded:  # a shape that follows those values would not fit the ops after it
            raise ReplayStopped(
                f"op {e.op.name!r} gave shape {arrays[i].shape} on a replay where it was recorded with {recorded}, "
                f"from keyword arguments ({', '.join(name for name, _ in computed)}) made from the step's inputs"
            )

    return given_then_step


def _forward_only(i: int, e: Entry, k: Any, buffered: bool, arrays: list[Any]) -> Step:
    """The op's forward on its parents' arrays, into slot i: its kernel's (its one numpy call made
    directly, where it is one), or (buffered) a ufunc into a buffer of its own, or else the op's
    forward as it is."""
    forward, params, ps = e.op.forward, e.params, e.parents
    if not e.op.built_in:
        forward = _users(e)
    elif k is not None:
        if k.one_call is not None:
            fn, extra, buffer = k.one_call
            return _into(fn, ps, extra, buffer, i, arrays)
        forward, params = k.forward, {}
    elif e.op in _LABELLED:  # its labels, fed anew on each replay, checked as eagerly (its kernel checks them too)
        op_forward, name = forward, _LABELLED[e.op]

        def forward(scores: np.ndarray, **params: Any) -> Any:
            check_labels(scores, params["labels"], params.get("ignore_index"), name)
            return op_forward(scores, **params)

    elif buffered and isinstance(forward, np.ufunc) and not params and forward.nout == 1 and len(ps) == forward.nin:
        return _into(forward, ps, (), np.empty(e.shape, e.dtype), i, arrays)
    if len(ps) == 2 and not params:
        a, b = ps

        def binary() -> None:
            out = forward(arrays[a], arrays[b])
            arrays[i] = out if out.__class__ is np.ndarray else np.asarray(out)

        return binary
    if len(ps) == 1 and not params:
        (a,) = ps

        def unary() -> None:
            out = forward(arrays[a])
            arrays[i] = out if out.__class__ is np.ndarray else np.asarray(out)

        return unary

    def step() -> None:
        out = forward(*[arrays[p] for p in ps], **params)
        arrays[i] = out if out.__class__ is np.ndarray else np.asarray(out)

    return step


def _users(e: Entry) -> Callable[..., np.ndarray]:
    """A user's op's forward as eager runs it (tensor_record.user_forward: read-only views of its inputs), its
    result checked: another shape or dtype than recorded (a forward whose shape follows the numbers) would
    not fit the ops after it, so the replay stops (ReplayStopped) and the call runs eagerly."""
    op, recorded = e.op, (e.shape, e.dtype)

    def forward(*datas: Any, **params: Any) -> np.ndarray:
        out = user_forward(op, datas, params)
        data = out if out.__class__ is np.ndarray else np.asarray(out)
        if (data.shape, data.dtype) != recorded:
            raise ReplayStopped(
                f"the forward of op {op.name!r} gave shape {data.shape}, dtype {data.dtype} on a replay where it "
                f"was recorded with {recorded[0]}, {recorded[1]}: its shape must depend only on its inputs' shapes"
            )
        return data

    return forward


def _into(fn: Callable[..., Any], ps: tuple[int, ...], extra: tuple, buffer: Any, i: int, arrays: list[Any]) -> Step:
    """`fn(*parents' arrays, *extra, out=buffer)`, the buffer slot i's for good."""
    arrays[i] = buffer
    if len(ps) == 2 and not extra:
        a, b = ps
        return lambda: fn(arrays[a], arrays[b], out=buffer)
    if len(ps) == 1 and not extra:
        (a,) = ps
        return lambda: fn(arrays[a], out=buffer)
    if len(ps) == 1 and len(extra) == 1:
        (a,), (c,) = ps, extra
        return lambda: fn(arrays[a], c, out=buffer)
    return lambda: fn(*[arrays[p] for p in ps], *extra, out=buffer)

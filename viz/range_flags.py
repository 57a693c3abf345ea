"""What the processor's flags tell of a float computation's range where no wider value is worked out: that it
underflowed or overflowed at some step (numpy's errstate raising), and, for inputs beyond a long double's range,
the long doubles nearest them to redo it with (stand-ins). Used by widened.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Node, enable_grad

from . import lost_masks
from .beyond_wide import as_decimal
from .number_text import kind


def stand_ins(node: Node, papers: list[Any]) -> list[Any]:
    """Long doubles for `node`'s inputs' `papers`: a value beyond a long double's range (a Decimal, or None where
    only the flags told: beyond on the side its float fell to) stands as the long double nearest it, the least or
    the largest with its sign; which side of a float's range a result lies on is all a stand-in is asked."""
    info, out = np.finfo(lost_masks.WIDE), []
    for p, w in zip(node.parents, papers, strict=True):
        if w is None or np.asarray(w).dtype != object:
            out.append(w)
            continue
        v, data = np.asarray(w).reshape(-1)[0], float(p.data)
        large = np.isinf(data) if v is None else abs(v) > 1
        negative = np.signbit(data) if v is None else v < 0
        size = info.max if large else info.smallest_subnormal
        out.append(np.asarray(-size if negative else size, dtype=lost_masks.WIDE))
    return out


def infinite_on_paper(node: Node, papers: list[Any]) -> bool:
    """Whether an input of `node` is infinite on paper: its float infinite with nothing lost to the range (`papers`
    has None for it: an infinity given, or carried from one). What an op makes of it is no overflow, and the flags
    and stand-ins, which tell only a finite value's side of the range, are not asked (inf * 1e-5 is inf on paper)."""
    return any(w is None and np.isinf(np.asarray(p.data)).any() for p, w in zip(node.parents, papers, strict=True))


def flagged(shown: Any, redo: Callable[[], Any]) -> np.ndarray | None:
    """A one-number value on paper known only by its side of the float's range (None in an object array): where
    `redo`, in the widest float there is, underflows or comes out nonzero no further from 0 than the least float, and
    `shown` is 0; or overflows or comes out finite beyond the largest float, and `shown` is infinite."""
    v, info = float(np.asarray(shown).reshape(-1)[0]), np.finfo(kind(shown))
    flag = range_flag(redo)
    if flag is None and v in (0.0, np.inf, -np.inf):
        try:
            with np.errstate(all="ignore"), enable_grad():
                redone = redo()
                redone = np.asarray(redone.data if isinstance(redone, Node) else redone, dtype=lost_masks.WIDE)
        except Exception:  # noqa: BLE001 (as wide_value)
            return None
        size = abs(redone.reshape(-1)[0])
        # nonzero below the least float where the float is 0 (a stand-in's side): it underflowed on paper
        flag = "underflow" if 0 < size <= info.smallest_subnormal else "overflow" if size > info.max else None
    if (flag == "underflow" and v == 0) or (flag == "overflow" and np.isinf(v)):
        return np.array(None, dtype=object)
    return None


def range_hit(redo: Callable[[], Any]) -> bool:
    """Whether the float computation `redo` is seen to underflow or overflow at some step."""
    return range_flag(redo) is not None


def range_flag(redo: Callable[[], Any]) -> str | None:
    """ "underflow" or "overflow" where the computation `redo` is seen to do so at some step (the processor's flags;
    a step of autograd's that ignores them is not seen); None where neither is seen, or it cannot be redone."""
    try:
        with np.errstate(all="ignore", over="raise", under="raise"), enable_grad():
            redo()
    except FloatingPointError as e:
        # a Value's op says it in its domain's words ("exp(-1e300) is undefined: the result is too large for a
        # float", of an underflow): numpy's own words are its context
        said = f"{e} {e.__context__ or ''}"
        return "underflow" if "underflow" in said else "overflow" if "overflow" in said else None
    except Exception:  # noqa: BLE001 (as wide_value: nothing is told that is not seen)
        return None
    return None


ENTRIES = 4096  # a tensor's entries redone one by one at most: beyond, its flags tell nothing (never a partial count)


def flagged_entries(shown: Any, wide: np.ndarray | None, inputs: list[Any], call: Callable[..., Any]) -> Any:
    """An elementwise op's tensor value on paper where `wide` (long doubles, or None where none is wider) came out 0
    or infinite too: each such entry of float `shown` redone alone, `call` on its entries of `inputs` (Tensors of
    the widest float there is), told by the flags (None, in an object array of Decimals) where it underflowed to 0
    or overflowed; the other entries as `wide` or `shown` has them. `wide` as it is where no entry is so told."""
    a = np.asarray(shown)
    ends = (a == 0) | np.isinf(a)
    if wide is not None:
        w = np.broadcast_to(wide, a.shape)
        ends &= (w == 0) | np.isinf(w)
    where = np.argwhere(ends)
    if not len(where) or len(where) > ENTRIES or range_flag(lambda: call(*inputs)) is None:  # a relu's 0s: no flag
        return wide
    datas = np.broadcast_arrays(*(np.asarray(t.data) for t in inputs))
    told = []
    for index in map(tuple, where):
        entry = [type(t)(d[index], dtype=d.dtype) for t, d in zip(inputs, datas, strict=True)]
        flag, v = range_flag(lambda entry=entry: call(*entry)), float(a[index])
        if (flag == "underflow" and v == 0) or (flag == "overflow" and np.isinf(v)):
            told.append(index)
    if not told:
        return wide
    out = np.empty(a.shape, dtype=object)  # lost_masks reads only the entries a range can have made
    values = a if wide is None else np.broadcast_to(wide, a.shape)
    for index in map(tuple, np.argwhere((np.abs(a) < np.finfo(a.dtype).tiny) | ~np.isfinite(a))):
        out[index] = as_decimal(values[index], finite_only=False)
    for index in told:
        out[index] = None
    return out

"""What a float result lost to its range: an elementwise op's value or gradient worked out again in a wider float
(numpy's long double: 64-bit digits and exponents to 1e±4932 on x86), so that a caption never shows a bare 0 that
underflowed (exp(-1000) is 5.076e-435), an inf that overflowed (sinh(1000)), a subnormal that kept few digits, or a
NaN of a step that overflowed, as though it were the value on paper. Each input counts at its own value on paper (exp(x)
* y of exp(-1000)'s 5.076e-435, not its float 0). Beyond a long double's range, or where it is no wider than a float
(macOS arm64, Windows), one number is worked out in decimals (beyond_wide) or told by the processor's flags alone
(lost_masks). The call that redoes an op: redo_calls; an op of the user's own is redone as itself (own_ops: its
forward and rule in long doubles, never worked out in decimals by its name), and where it cannot be redone so (it
draws noise, or drops the long doubles) nothing is told: never a guess. Words: lost_words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Node, Tensor, Value, enable_grad, vjp

from . import lost_masks
from .beyond_wide import one_beyond
from .lost_masks import suspect
from .node_cache import NodeCache, digest
from .own_ops import widened
from .range_flags import flagged, flagged_entries, infinite_on_paper, range_hit, stand_ins
from .redo_calls import call_of, told


def _wide(result: Any, shape: tuple) -> np.ndarray | None:
    """A wide result as an array of `shape`, or None where the function did not keep long doubles."""
    a = np.asarray(result.data if isinstance(result, Tensor) else result)
    return a if a.dtype == lost_masks.WIDE and a.shape == shape else None


def _inputs(node: Node, of: Any, papers: list[Any] | None = None) -> list[Any]:
    """`node`'s inputs as its call takes them, in float type `of` (None: their own): Tensors of a Tensor's, arrays
    of a Value's; each its value on paper where `papers` (in long doubles) has it, as exp(-1000) for exp(x) * y."""
    datas = [np.asarray(p.data) if w is None else w for p, w in zip(node.parents, papers or _NONE * 99, strict=False)]
    datas = [widened(d, of) if of else d for d in datas]  # integer labels as given (own_ops.floating)
    if isinstance(node, Tensor):
        return [Tensor(d, dtype=d.dtype) for d in datas]
    return datas


_NONE = (None,)


def _papers(node: Node) -> list[Any]:
    """The value on paper of each of `node`'s inputs that its float's range changed (wide_value), else None."""
    return [wide_value(p) for p in node.parents]


# values on paper, each kept for its node's data and its inputs' as they are (an optimizer's step changes a weight
# in place: worked out again) and the wide type it was worked out in
_ON_PAPER = NodeCache()


def _stamp(node: Node) -> tuple[bytes, type]:
    return digest(node), lost_masks.WIDE


def _unworked(node: Node) -> list[Node]:
    """`node` and its inputs' inputs that may have lost something to their range (ops with a 0, an infinity, a NaN
    or a subnormal), whose values on paper are not kept: inputs first, each once (no recursion: a chain of 10,000
    zeros is walked as any other)."""
    order, seen, stack = [], set(), [(node, False)]
    while stack:
        n, done = stack.pop()
        if done:
            order.append(n)
        elif id(n) not in seen and n.op is not None and suspect(n.data) and not _ON_PAPER.has(n, _stamp(n)):
            seen.add(id(n))
            stack.append((n, True))
            stack.extend((p, False) for p in n.parents)
    return order


def wide_value(node: Node) -> np.ndarray | None:
    """`node`'s value on paper where its float lost something to its range (`lost`: only a 0, an infinity, a NaN or
    a subnormal can have), worked out from its inputs' own values on paper (exp(x) * y of exp(-1000)'s): in long
    doubles where an elementwise function of autograd's makes it; for one number beyond a long double's range too,
    in decimals (beyond_wide) or, where no decimal forward exists, what the processor's flags say; else None."""
    if not suspect(node.data) or node.op is None:
        return None
    for n in _unworked(node):
        _ON_PAPER.put(n, _stamp(n), _worked_out(n))
    return _ON_PAPER.get(node)


def _worked_out(node: Node) -> np.ndarray | None:
    """`wide_value` of `node`, its inputs' kept."""
    call, table = call_of(node)
    if call is None:
        return None
    try:
        return told(node, table, _redone(node, call, table))
    except Exception:  # noqa: BLE001 (an op of the user's own that refuses the inputs a redo gives it: nothing told)
        if table:
            raise
        return None


def _redone(node: Node, call: Callable[..., Any], table: bool) -> np.ndarray | None:
    """`_worked_out` of `node`, by `call`, its op again (`table`: the table's)."""
    papers = _papers(node)
    beyond = any(w is not None and np.asarray(w).dtype == object for w in papers)
    wide = None
    if lost_masks.wider() and not beyond:
        try:
            with np.errstate(all="ignore"), enable_grad():
                wide = _wide(call(*_inputs(node, lost_masks.WIDE, papers)), np.shape(node.data))
        except Exception:  # noqa: BLE001 (parameters this function reads otherwise: nothing to tell)
            return None
    floats = lambda: call(*_inputs(node, None))  # noqa: E731 (the float computation again)
    if isinstance(node, Value) and (wide is None or suspect(wide)):  # beyond a long double's range, or none wider
        given = infinite_on_paper(node, papers)
        # an infinity given, carried in long doubles: inf - x·x, where x·x overflowed, is inf on paper, not NaN
        carried = wide if given and wide is not None and np.isinf(wide).all() else None
        # decimals know the table's ops by name: a user's op named "exp" is not worked out as exp
        wide = one_beyond(node.op.name, [p.data for p in node.parents], papers, node.data) if table else None
        if wide is None and given:
            wide = carried
        elif wide is None:
            of = lost_masks.WIDE if lost_masks.wider() else None
            wide = flagged(node.data, lambda: call(*_inputs(node, of, stand_ins(node, papers))))
    elif isinstance(node, Tensor) and node.op.broadcasts and (wide is None or suspect(wide)):  # elementwise: entries
        wider = [None if w is None or np.asarray(w).dtype == object else w for w in papers]
        of = lost_masks.WIDE if lost_masks.wider() else None
        wide = flagged_entries(node.data, wide, _inputs(node, of, wider), call)
    return _if_lost(node.data, wide, floats)


def wide_gradients(
    child: Node, index: int, arriving: Any, passed: Any, local: float | None, arriving_lost: bool = False
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """What `child` sends its `index`-th input for the `arriving` gradient (`passed` as floats), and its local
    derivative `local` (a Value's: for an arriving 1), worked out in long doubles from the same arriving gradient
    and the inputs' values on paper (y's local derivative in exp(x) * y is exp(x)'s); None for each where the
    float lost nothing to its range or nothing can be redone. An input beyond a long double's range stands as its
    nearest long double (`_stand_ins`): what is sent is then told by its side of the float's range alone. An
    infinite arriving gradient is taken as infinite on paper (an infinity given) unless `arriving_lost` says the
    range lost it upstream (`arrived_lost`): what is sent of that overflow overflowed too."""
    if passed is None or not (suspect(passed) or (local is not None and suspect(local))):
        return None, None
    call, table = call_of(child)
    if call is None:
        return None, None
    try:
        found = _sent_wide(child, call, index, arriving, passed, local, arriving_lost)
    except Exception:  # noqa: BLE001 (as _worked_out)
        if table:
            raise
        return None, None
    return told(child, table, found[0]), told(child, table, found[1])


def _sent_wide(
    child: Node,
    call: Callable[..., Any],
    index: int,
    arriving: Any,
    passed: Any,
    local: float | None,
    arriving_lost: bool,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """`wide_gradients`, by `call`, `child`'s op again."""
    papers = _papers(child)
    beyond = any(w is not None and np.asarray(w).dtype == object for w in papers)
    wider = lost_masks.wider()
    wide_type = lost_masks.WIDE if wider else None

    def sent(of: Any, float_type: Any, papers: list[Any] | None = None) -> tuple[Any, Any]:
        """What the pullback to this input alone sends for the arriving gradient, and for 1 where `local` is asked
        (the other inputs held as they are: a matmul's other is not worked out), in float type `of` (None: the
        inputs' own), the op's own value worked out too (exp(800)'s overflow makes its gradient's inf)."""
        inputs = _inputs(child, of, papers)
        pull = vjp(lambda x: call(*inputs[:index], x, *inputs[index + 1 :]), inputs[index])[1]
        ones = np.ones(np.shape(child.data), dtype=float_type)
        return pull(np.asarray(arriving, dtype=float_type))[0], pull(ones)[0] if local is not None else None

    shape = np.shape(passed)
    floats = lambda: sent(None, np.asarray(passed).dtype)  # noqa: E731 (the same in floats)
    wide = unit = None
    if wider and not beyond:
        try:
            with np.errstate(all="ignore"), enable_grad():
                wide, unit = (_wide(x, shape) if x is not None else None for x in sent(wide_type, wide_type, papers))
        except Exception:  # noqa: BLE001 (as wide_value)
            return None, None
    found = [_if_lost(passed, wide, floats), _if_lost(local, unit, floats)]
    # beyond a long double's range, or none wider: what the flags say, near as can be (of an infinity given, nothing)
    if isinstance(child, Value) and not infinite_on_paper(child, papers):
        redo = lambda: sent(wide_type, wide_type or float, stand_ins(child, papers))  # noqa: E731
        carried = bool(np.isinf(arriving)) and not arriving_lost  # what it sends of a given infinity: no overflow
        for k, (shown, w) in enumerate([(None if carried else passed, wide), (local, unit)]):
            if found[k] is None and shown is not None and (w is None or suspect(w)):
                found[k] = flagged(shown, lambda k=k: redo()[k])
    return found[0], found[1]


def arrived_lost(shares: list[Any], total: Any) -> bool:
    """Whether a value's gradient `total`, summed from the edges of backward into it (`shares`, graph.Edge), lost
    something to a float's range on the way there: an infinite share overflowed (1e200 * 1e200), or finite shares
    summed past it (a share that underflowed beside a given infinity is no overflow of the sum)."""
    if any(e.wide_passed is not None and np.isinf(e.passed).any() for e in shares):
        return True
    return bool(np.isinf(total).any()) and all(np.isfinite(e.passed).all() for e in shares)  # a sum's overflow


def wide_sum(terms: list[Any], total: Any) -> np.ndarray | None:
    """The sum of a value's shares `terms` in long doubles, where their float sum `total` lost something to its
    range (finite shares summing to inf), else None."""
    if not suspect(total):
        return None
    with np.errstate(all="ignore"):
        wide = sum(np.asarray(t, dtype=lost_masks.WIDE) for t in terms)
    return _if_lost(total, wide, lambda: sum(terms[1:], terms[0]))


def _if_lost(shown: Any, wide: np.ndarray | None, redo: Callable[[], Any]) -> np.ndarray | None:
    """`wide` where `lost` finds that float `shown` lost something to its range, else None (so that each later look
    at it is quick). A 0 lost "on the way" (where a float holds the value on paper) only where `redo`, the float
    computation again, is seen to underflow or overflow at some step: else rounding may have made it, as the sum
    of [1e16, 1, -1e16], 0 in floats and 1 in long doubles (whose 64 bits hold 1e16 + 1), and it is not told as the
    range's. (An infinity or a NaN of finite numbers is not rounding's: it is told.)"""
    if shown is None or wide is None:
        return None
    masks = lost_masks.lost_masks(shown, wide)
    if "on the way" in masks and (zeros := masks["on the way"] & (np.asarray(shown) == 0)).any():
        if not range_hit(redo):
            wide = np.where(zeros, np.asarray(shown, dtype=lost_masks.WIDE), wide)  # as shown: nothing told
            masks = lost_masks.lost_masks(shown, wide)
    return wide if masks else None

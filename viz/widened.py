"""What a float result lost to its range: an elementwise op's value or gradient worked out again in a wider float
(numpy's long double: 64-bit digits and exponents to 1e±4932 on x86), so that a caption never shows a bare 0 that
underflowed (exp(-1000) is 5.076e-435), an inf that overflowed (sinh(1000)), a subnormal that kept few digits, or a
NaN of a step that overflowed, as though it were the value on paper. Where the long double is no wider than a float
(some platforms), or the op is no elementwise function of autograd's, nothing is told: never a guess."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

import autograd
from autograd import FUNCTIONS, OPERATORS, Node, Tensor, Value, enable_grad, vjp

from .number_text import NUMBER_FIGURES, figures, kind, summary

WIDE = np.longdouble
WIDER = np.finfo(WIDE).maxexp > np.finfo(np.float64).maxexp  # a long double with a float64's range widens nothing


def _function(node: Node) -> Callable[..., Any] | None:
    """The call of autograd that made `node` (its parameters bound); None where no wider float exists, or no public
    function, Tensor method or operator makes this very op (one of the user's own, named as one of autograd's, is
    not redone as autograd's)."""
    if not WIDER or node.op is None or not all(np.asarray(p.data).dtype.kind in "fiub" for p in node.parents):
        return None
    name, params = node.op.name, dict(node.op_params)
    exponent = params.pop("c", None) if name == "**" else None  # a tensor's x ** 3 keeps its 3 as a parameter
    if name in OPERATORS:  # the ops the engines name by their operator ("+", "@"), as autograd's table spells them
        candidates = [OPERATORS[name] if exponent is None else (lambda x: x**exponent)]
    else:
        named = [FUNCTIONS.get(name), getattr(Tensor, name, None) if isinstance(node, Tensor) else None]
        candidates = [*named, getattr(autograd, name, None)]
    calls = [partial(c, **params) for c in candidates if callable(c)]
    key = (id(node.op), isinstance(node, Tensor), exponent is not None)
    if key not in _MADE_BY:  # which candidate makes this op, once found (the op is kept: its id stays its own)
        found = next((k for k, call in enumerate(calls) if _makes(call, node)), None)
        if found is None:
            return None
        _MADE_BY[key] = (node.op, found)
    return calls[_MADE_BY[key][1]]


_MADE_BY: dict[tuple[int, bool, bool], tuple[Any, int]] = {}  # by op id: the op, and its candidate's place


def _makes(call: Callable[..., Any], node: Node) -> bool:
    """Whether `call` on `node`'s own inputs (a constant of a Value's as a number, as it was given) makes `node`'s
    op: the op table's, not another of the same name."""
    tensors = isinstance(node, Tensor)
    try:
        with np.errstate(all="ignore"), enable_grad():
            inputs = [
                Tensor(p.data, requires_grad=True) if tensors else (p.data if p.is_constant else Value(p.data))
                for p in node.parents
            ]
            return getattr(call(*inputs), "op", None) is node.op
    except Exception:  # noqa: BLE001 (another function of that name, reading its arguments otherwise)
        return False


def _wide(result: Any, shape: tuple) -> np.ndarray | None:
    """A wide result as an array of `shape`, or None where the function did not keep long doubles."""
    a = np.asarray(result.data if isinstance(result, Tensor) else result)
    return a if a.dtype == WIDE and a.shape == shape else None


def _inputs(node: Node, of: Any) -> list[Any]:
    """`node`'s inputs as its call takes them, in float type `of` (None: their own): Tensors of a Tensor's, arrays
    of a Value's."""
    datas = [np.asarray(p.data) for p in node.parents]
    if isinstance(node, Tensor):
        return [Tensor(d.astype(of or d.dtype), dtype=of or d.dtype) for d in datas]
    return [d.astype(of) if of else d for d in datas]


def wide_value(node: Node) -> np.ndarray | None:
    """`node`'s value worked out in long doubles, where it is an elementwise function's and its float lost
    something to its range (`lost`: only a 0, an infinity, a NaN or a subnormal can have); else None."""
    if not _suspect(node.data) or (call := _function(node)) is None:
        return None
    try:
        with np.errstate(all="ignore"), enable_grad():
            wide = _wide(call(*_inputs(node, WIDE)), np.shape(node.data))
    except Exception:  # noqa: BLE001 (parameters this function reads otherwise: nothing to tell)
        return None
    return _if_lost(node.data, wide, lambda: call(*_inputs(node, None)))


def wide_gradients(
    child: Node, index: int, arriving: Any, passed: Any, local: float | None
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """What `child` sends its `index`-th input for the `arriving` gradient (`passed` as floats), and its local
    derivative `local` (a Value's: for an arriving 1), worked out in long doubles from the same arriving gradient;
    None for each where the float lost nothing to its range or nothing can be redone."""
    if passed is None or not (_suspect(passed) or (local is not None and _suspect(local))):
        return None, None
    if (call := _function(child)) is None:
        return None, None

    def sent(of: Any, float_type: Any) -> tuple[Any, Any]:
        """What the pullback to this input alone sends for the arriving gradient, and for 1 where `local` is asked
        (the other inputs held as they are: a matmul's other is not worked out), in float type `of` (None: the
        inputs' own), the op's own value worked out too (exp(800)'s overflow makes its gradient's inf)."""
        inputs = _inputs(child, of)
        pull = vjp(lambda x: call(*inputs[:index], x, *inputs[index + 1 :]), inputs[index])[1]
        ones = np.ones(np.shape(child.data), dtype=float_type)
        return pull(np.asarray(arriving, dtype=float_type))[0], pull(ones)[0] if local is not None else None

    shape = np.shape(passed)
    try:
        with np.errstate(all="ignore"), enable_grad():
            wide, unit = (_wide(x, shape) if x is not None else None for x in sent(WIDE, WIDE))
    except Exception:  # noqa: BLE001 (as wide_value)
        return None, None
    floats = lambda: sent(None, np.asarray(passed).dtype)  # noqa: E731 (the same in floats)
    return _if_lost(passed, wide, floats), _if_lost(local, unit, floats)


def wide_sum(terms: list[Any], total: Any) -> np.ndarray | None:
    """The sum of a value's shares `terms` in long doubles, where their float sum `total` lost something to its
    range (finite shares summing to inf), else None."""
    if not _suspect(total):
        return None
    with np.errstate(all="ignore"):
        wide = sum(np.asarray(t, dtype=WIDE) for t in terms)
    return _if_lost(total, wide, lambda: sum(terms[1:], terms[0]))


def _if_lost(shown: Any, wide: np.ndarray | None, redo: Callable[[], Any]) -> np.ndarray | None:
    """`wide` where `lost` finds that float `shown` lost something to its range, else None (so that each later look
    at it is quick). A 0 lost "on the way" (where a float holds the value on paper) only where `redo`, the float
    computation again, is seen to underflow or overflow at some step: else rounding may have made it, as the sum
    of [1e16, 1, -1e16], 0 in floats and 1 in long doubles (whose 64 bits hold 1e16 + 1), and it is not told as the
    range's. (An infinity or a NaN of finite numbers is not rounding's: it is told.)"""
    if shown is None or wide is None:
        return None
    masks = _lost_masks(shown, wide)
    if "on the way" in masks and (zeros := masks["on the way"] & (np.asarray(shown) == 0)).any():
        if not _range_hit(redo):
            wide = np.where(zeros, np.asarray(shown, dtype=WIDE), wide)  # as shown: nothing told
            masks = _lost_masks(shown, wide)
    return wide if masks else None


def _range_hit(redo: Callable[[], Any]) -> bool:
    """Whether the float computation `redo` is seen to underflow or overflow at some step (the processor's flags;
    a step of autograd's that ignores them is not seen); False where it cannot be redone."""
    try:
        with np.errstate(all="ignore", over="raise", under="raise"), enable_grad():
            redo()
    except FloatingPointError:
        return True
    except Exception:  # noqa: BLE001 (as wide_value: nothing is told that is not seen)
        return False
    return False


def _suspect(x: Any) -> bool:
    """Whether a float result has an entry a range can have made: 0, an infinity, a NaN or a subnormal."""
    a = np.asarray(x)
    if a.dtype.kind != "f":
        return False
    return bool(np.any((np.abs(a) < np.finfo(a.dtype).tiny) | ~np.isfinite(a)))


def lost(shown: Any, wide: np.ndarray | None) -> dict[str, int]:
    """How many entries of float `shown` its range changed from `wide`'s (WORDS): "underflowed" (0, on paper
    nearer 0 than half the least float), "overflowed" (infinite, on paper beyond the largest), "subnormal" (with
    fewer digits than 4 figures of paper's), "on the way" (0, infinite or NaN where the float holds the value on
    paper: a step before the result overflowed, as a mean's sum); only those with some."""
    return {} if wide is None else {k: int(v.sum()) for k, v in _lost_masks(shown, wide).items()}


def _lost_masks(shown: Any, wide: np.ndarray) -> dict[str, np.ndarray]:
    """`lost`'s entries of each kind, as masks of `shown`'s shape: only those with some. Worked out on the entries
    that can be any (0, infinite, NaN or subnormal), few of a large gradient's: long doubles are slow."""
    a, of = np.asarray(shown), kind(shown)
    info = np.finfo(of)
    where = (np.abs(a) < info.tiny) | ~np.isfinite(a)
    a, w = a[where], np.broadcast_to(wide, where.shape)[where]
    number, size = np.isfinite(w), np.abs(w)
    with np.errstate(all="ignore"):
        off = np.abs(a.astype(WIDE) - w) > size * WIDE(10.0) ** -NUMBER_FIGURES
    below, beyond = size <= WIDE(info.smallest_subnormal) / 2, size > WIDE(info.max)
    held = number & (w != 0) & ~below & ~beyond
    counts = {
        "underflowed": (a == 0) & (w != 0) & below,
        "overflowed": np.isinf(a) & number & beyond,
        "subnormal": (a != 0) & (np.abs(a) < info.tiny) & number & off,
        "on the way": ((a == 0) | ~np.isfinite(a)) & held,
    }
    masks = {}
    for k, v in counts.items():
        if v.any():
            masks[k] = np.zeros(where.shape, dtype=bool)
            masks[k][where] = v
    return masks


# what each way of losing a value is called: in one number's note, in an array's, after a gradient, and why
WORDS = {
    "underflowed": (
        "underflowed to 0",
        "underflowed to 0",
        "underflowed",
        "nearer 0 than half the least {name}, {least}",
    ),
    "overflowed": ("overflowed", "overflowed to an infinity", "overflowed", "beyond the largest {name}, {largest}"),
    "subnormal": (
        "rounded to a subnormal",
        "are subnormal",
        "subnormal",
        "below {tiny} a {name} is subnormal, a multiple of {least} with fewer digits",
    ),
    "on the way": (
        "came out {shown}",
        "came out 0, infinite or NaN",
        "lost on the way",
        "a step of its float computation underflowed or overflowed, though a {name} holds the value on paper",
    ),
}


def wide_text(x: Any) -> str:
    """A long double to NUMBER_FIGURES figures: 5.076e-435, which a float64 would write as 0."""
    v = WIDE(np.asarray(x).reshape(-1)[0])
    if np.finfo(np.float64).tiny <= abs(v) <= np.finfo(np.float64).max:  # a float64 holds it with all its digits
        return figures(float(v), NUMBER_FIGURES)
    text = np.format_float_scientific(v, precision=NUMBER_FIGURES - 1, trim="-", exp_digits=2)
    return text.replace(".e", "e")  # trim="-" leaves "1.e-400" where the figures after the point were all 0


def lost_note(shown: Any, wide: np.ndarray | None, told: tuple[str, ...] = ()) -> str:
    """Why float `shown` is not its value on paper `wide`, in words: one number's ("underflowed to 0: on paper
    5.076e-435, nearer 0 than half the least float, 4.941e-324"), or an array's counts, but for the kinds already
    `told` (WORDS' keys); "" where nothing (else) was lost."""
    counts = {k: n for k, n in lost(shown, wide).items() if k not in told}
    if not counts:
        return ""
    of = kind(shown)
    info = np.finfo(of)
    bounds = (info.smallest_subnormal, info.tiny, info.max)
    least, tiny, largest = (figures(float(x), NUMBER_FIGURES, of) for x in bounds)
    known = {"name": "float" if of is np.float64 else of.__name__, "least": least, "tiny": tiny, "largest": largest}
    known["shown"] = summary(shown)
    if np.size(shown) == 1:
        one, _, _, why = WORDS[next(iter(counts))]
        return f"{one.format(**known)}: on paper {wide_text(wide)}, {why.format(**known)}"
    size = np.size(shown)
    return "; ".join(
        f"{n:,} of {size:,} {WORDS[word][1]}: {WORDS[word][3].format(**known)}" for word, n in counts.items()
    )


def lost_tag(shown: Any, wide: np.ndarray | None) -> str:
    """A short word after a gradient a head names: " (underflowed)", " (2 of 3 underflowed)", or ""."""
    counts = lost(shown, wide)
    if not counts:
        return ""
    if np.size(shown) == 1:
        return f" ({WORDS[next(iter(counts))][2]})"
    return " (" + ", ".join(f"{n:,} of {np.size(shown):,} {WORDS[w][2]}" for w, n in counts.items()) + ")"


def gradient_lost(e: Any) -> str:
    """What an edge of backward (graph.Edge) lost to the range of its floats, after its rule: "; the local
    derivative underflowed to 0: on paper 5.076e-435, ..." (a Value's, whose product the equation works out),
    or "; what it sends: 1 of 3 underflowed to 0 (...)"; "" where nothing was lost."""
    if note := lost_note(e.local, e.wide_local) if e.local is not None else "":
        return f"; the local derivative {note}"
    if note := lost_note(e.passed, e.wide_passed) if e.local is None else "":
        return f"; what it sends: {note}"
    return ""


def edge_tag(e: Any) -> str:
    """What an edge of backward lost, short enough for its label: " (the local derivative underflowed: on paper
    5.076e-435)" of a Value's, " (1 of 3 underflowed)" of a tensor's; "" where nothing was lost."""
    if e.local is not None and (counts := lost(e.local, e.wide_local)):
        return f" (the local derivative {WORDS[next(iter(counts))][2]}: on paper {wide_text(e.wide_local)})"
    return lost_tag(e.passed, e.wide_passed) if e.local is None else ""

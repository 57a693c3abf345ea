"""What a float result lost to its range: an elementwise op's value or gradient worked out again in a wider float
(numpy's long double: 64-bit digits and exponents to 1e±4932 on x86), so that a caption never shows a bare 0 that
underflowed (exp(-1000) is 5.076e-435), an inf that overflowed (sinh(1000)), a subnormal that kept few digits, or a
NaN of a step that overflowed, as though it were the value on paper. Where the long double is no wider than a float
(some platforms), or the op is no elementwise function of autograd's, nothing is told: never a guess."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import FUNCTIONS, Node, Tensor, vjp

from .number_text import NUMBER_FIGURES, figures, kind

WIDE = np.longdouble
WIDER = np.finfo(WIDE).maxexp > np.finfo(np.float64).maxexp  # a long double with a float64's range widens nothing
# the operators the engines name by their symbol, as autograd's functions of the op table name them
_FUNCTION_OF = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "power"}


def _function(node: Node) -> tuple[Any, list[np.ndarray], dict[str, Any]] | None:
    """The function of autograd that made `node`, its inputs in long doubles, and its keyword parameters; None
    where there is none to redo (a reduction, a matmul, an op of the user's own) or no wider float to redo it in."""
    if not WIDER or node.op is None:
        return None
    function = FUNCTIONS.get(_FUNCTION_OF.get(node.op.name, node.op.name))
    if function is None or not all(np.asarray(p.data).dtype.kind in "fiub" for p in node.parents):
        return None
    inputs = [np.asarray(p.data, dtype=WIDE) for p in node.parents]
    params = dict(node.op_params)
    if node.op.name == "**" and "c" in params:  # a tensor's x ** 3 keeps its 3 as a parameter
        inputs.append(np.asarray(params.pop("c"), dtype=WIDE))
    return function, inputs, params


def _wide(result: Any, shape: tuple) -> np.ndarray | None:
    """A wide result as an array of `shape`, or None where the function did not keep long doubles."""
    a = np.asarray(result.data if isinstance(result, Tensor) else result)
    return a if a.dtype == WIDE and a.shape == shape else None


def wide_value(node: Node) -> np.ndarray | None:
    """`node`'s value worked out in long doubles, where it is an elementwise function's and its float lost
    something (a 0, an infinity, a NaN or a subnormal: only those need it); else None."""
    found = _function(node)
    if found is None or not _suspect(node.data):
        return None
    function, inputs, params = found
    try:
        with np.errstate(all="ignore"):
            return _wide(function(*inputs, **params), np.shape(node.data))
    except Exception:  # noqa: BLE001 (parameters this function reads otherwise: nothing to tell)
        return None


def wide_gradients(
    child: Node, index: int, arriving: Any, passed: Any, local: float | None
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """What `child` sends its `index`-th input for the `arriving` gradient (`passed` as floats), and its local
    derivative `local` (a Value's: for an arriving 1), worked out in long doubles from the same arriving gradient;
    None for each where the float lost nothing or nothing can be redone."""
    found = _function(child)
    if found is None or passed is None or not (_suspect(passed) or (local is not None and _suspect(local))):
        return None, None
    function, inputs, params = found
    shape = np.shape(passed)
    try:
        with np.errstate(all="ignore"):
            _, pull = vjp(lambda *xs: function(*xs, **params), *inputs)
            wide = _wide(pull(np.asarray(arriving, dtype=WIDE))[index], shape)
            unit = _wide(pull(np.ones(np.shape(child.data), dtype=WIDE))[index], shape) if local is not None else None
    except Exception:  # noqa: BLE001 (as wide_value)
        return None, None
    return wide, unit


def _suspect(x: Any) -> bool:
    """Whether a float result has an entry a range can have made: 0, an infinity, a NaN or a subnormal."""
    a = np.asarray(x)
    if a.dtype.kind != "f":
        return False
    return bool(np.any((np.abs(a) < np.finfo(a.dtype).tiny) | ~np.isfinite(a)))


def lost(shown: Any, wide: np.ndarray | None) -> dict[str, int]:
    """How many entries of float `shown` its range changed from `wide`'s: "underflowed" (0, on paper not),
    "overflowed" (infinite, on paper finite), "subnormal" (with fewer digits than 4 figures of paper's), "nan"
    (on paper a number); only those with some."""
    if wide is None:
        return {}
    a, of = np.asarray(shown), kind(shown)
    info = np.finfo(of)
    w = np.broadcast_to(wide, a.shape)
    number = np.isfinite(w)
    with np.errstate(all="ignore"):
        off = np.abs(a.astype(WIDE) - w) > np.abs(w) * WIDE(10.0) ** -NUMBER_FIGURES
    counts = {
        "underflowed": (a == 0) & (w != 0) & number & (np.abs(w) < info.tiny),
        "overflowed": np.isinf(a) & number,
        "subnormal": (a != 0) & (np.abs(a) < info.tiny) & number & off,
        "nan": np.isnan(a) & number,
    }
    return {k: int(v.sum()) for k, v in counts.items() if v.any()}


def wide_text(x: Any) -> str:
    """A long double to NUMBER_FIGURES figures: 5.076e-435, which a float64 would write as 0."""
    v = WIDE(np.asarray(x).reshape(-1)[0])
    if np.finfo(np.float64).tiny <= abs(v) <= np.finfo(np.float64).max:  # a float64 holds it with all its digits
        return figures(float(v), NUMBER_FIGURES)
    text = np.format_float_scientific(v, precision=NUMBER_FIGURES - 1, trim="-", exp_digits=2)
    return text.replace(".e", "e")  # trim="-" leaves "1.e-400" where the figures after the point were all 0


def lost_note(shown: Any, wide: np.ndarray | None) -> str:
    """Why float `shown` is not its value on paper `wide`, in words: one number's ("underflowed: on paper
    5.076e-435, nearer 0 than half the least float, 4.941e-324"), or an array's counts; "" where nothing was lost."""
    counts = lost(shown, wide)
    if not counts:
        return ""
    of = kind(shown)
    info, name = np.finfo(of), "float" if of is np.float64 else of.__name__
    least, tiny, largest = (
        figures(float(x), NUMBER_FIGURES, of) for x in (info.smallest_subnormal, info.tiny, info.max)
    )
    why = {
        "underflowed": f"nearer 0 than half the least {name}, {least}",
        "overflowed": f"beyond the largest {name}, {largest}",
        "subnormal": f"below {tiny} a {name} is subnormal, a multiple of {least} with fewer digits",
        "nan": "a step of the float computation overflowed or underflowed",
    }
    if np.size(shown) == 1:
        word = next(iter(counts))
        told = {
            "underflowed": "underflowed to 0",
            "overflowed": "overflowed",
            "subnormal": "rounded to a subnormal",
            "nan": "came out NaN",
        }
        return f"{told[word]}: on paper {wide_text(wide)}, {why[word]}"
    size = np.size(shown)
    told = {
        "underflowed": "underflowed to 0",
        "overflowed": "overflowed to an infinity",
        "subnormal": "are subnormal",
        "nan": "are NaN where on paper a number",
    }
    return "; ".join(f"{n:,} of {size:,} {told[word]}: {why[word]}" for word, n in counts.items())


def lost_tag(shown: Any, wide: np.ndarray | None) -> str:
    """A short word after a gradient a head names: " (underflowed)", " (2 of 3 underflowed)", or ""."""
    counts = lost(shown, wide)
    if not counts:
        return ""
    words = {"underflowed": "underflowed", "overflowed": "overflowed", "subnormal": "subnormal", "nan": "NaN"}
    if np.size(shown) == 1:
        return f" ({words[next(iter(counts))]})"
    return " (" + ", ".join(f"{n:,} of {np.size(shown):,} {words[w]}" for w, n in counts.items()) + ")"


def gradient_lost(e: Any) -> str:
    """What an edge of backward (graph.Edge) lost to the range of its floats, after its rule: "; the local
    derivative underflowed to 0: on paper 5.076e-435, ..." (a Value's, whose product the equation works out),
    or "; what it sends: 1 of 3 underflowed to 0 (...)"; "" where nothing was lost."""
    if note := lost_note(e.local, e.wide_local) if e.local is not None else "":
        return f"; the local derivative {note}"
    if note := lost_note(e.passed, e.wide_passed) if e.local is None else "":
        return f"; what it sends: {note}"
    return ""

"""What a float result lost to its range, in words: a caption's note ("underflowed to 0: on paper 5.076e-435,
nearer 0 than half the least float, 4.941e-324"), a drawing's tag, an edge's; from its value on paper (lost_masks)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

from . import lost_masks
from .lost_masks import lost
from .number_text import NUMBER_FIGURES, figures, float_name, kind, summary

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
    "made NaN": (
        "came out nan",
        "came out NaN",
        "out of range",
        "beyond a {name}'s range, where a step of its float computation made NaN (inf - inf, 0 × inf)",
    ),
}


def wide_text(x: Any) -> str:
    """A value on paper to NUMBER_FIGURES figures: a long double's 5.076e-435, which a float64 would write as 0, or
    a Decimal's 3.56e-43430, beyond a long double too; "" where it is not known (None: only the flags told)."""
    v = np.asarray(x).reshape(-1)[0]
    if v is None:
        return ""
    if isinstance(v, Decimal) and v == 0:  # x·x - x·x of x·x's 1e+600: 0E+581 exactly
        return "0"
    if isinstance(v, Decimal):
        mantissa, _, exponent = f"{v:.{NUMBER_FIGURES - 1}e}".partition("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent):+03d}"
    v = lost_masks.WIDE(v)
    if np.finfo(np.float64).tiny <= abs(v) <= np.finfo(np.float64).max:  # a float64 holds it with all its digits
        return figures(float(v), NUMBER_FIGURES)
    text = np.format_float_scientific(v, precision=NUMBER_FIGURES - 1, trim="-", exp_digits=2)
    return text.replace(".e", "e")  # trim="-" leaves "1.e-400" where the figures after the point were all 0


def on_paper(wide: Any, why: str) -> str:
    """ "on paper 5.076e-435, nearer 0 than ..." (`why`), or, where only the processor's flags told what happened
    (beyond a long double's range too, or none wider), `why` and that its value is not worked out."""
    if text := wide_text(wide):
        return f"on paper {text}, {why}"
    if lost_masks.wider():
        return f"on paper {why} (how far is not worked out here: beyond a long double's range too)"
    return f"on paper {why} (how far is not worked out here: this platform's long double is no wider than a float)"


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
    known = {"name": float_name(of), "least": least, "tiny": tiny, "largest": largest}
    known["shown"] = summary(shown)
    if np.size(shown) == 1:
        one, _, _, why = WORDS[next(iter(counts))]
        return f"{one.format(**known)}: {on_paper(wide, why.format(**known))}"
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
        paper = f": on paper {text}" if (text := wide_text(e.wide_local)) else ""
        return f" (the local derivative {WORDS[next(iter(counts))][2]}{paper})"
    return lost_tag(e.passed, e.wide_passed) if e.local is None else ""


def gradient_tags(flows: list[list[Any]], grads: dict[int, Any]) -> dict[int, str]:
    """By value id, a short word after a gradient `grads` shows where its float's range changed it, from the shares
    its edges of backward (`flows`) sent: " (underflowed)" where y's 0 in exp(x) * y is exp(-1000)'s 5.076e-435 on
    paper; a value with one share as that share's tag, with more (one number) where each share is 0 and one
    underflowed, or the total is infinite and a share overflowed; nothing where the shares do not add up to the
    gradient shown (a .grad kept from other passes)."""
    shares: dict[int, list[Any]] = {}
    for e in (e for flow in flows for e in flow):
        shares.setdefault(id(e.parent), []).append(e)
    tags = {}
    for key, edges in shares.items():
        shown = grads.get(key)
        with np.errstate(all="ignore"):
            total = sum((e.passed for e in edges[1:]), edges[0].passed)
        if shown is None or not np.array_equal(np.asarray(total), np.asarray(shown), equal_nan=True):
            continue
        if len(edges) == 1:
            tags[key] = lost_tag(edges[0].passed, edges[0].wide_passed)
        elif np.size(shown) == 1:
            kinds = {k for e in edges for k in lost(e.passed, e.wide_passed)}
            v = float(np.asarray(shown).reshape(-1)[0])
            zeros = v == 0 and all(float(np.asarray(e.passed).reshape(-1)[0]) == 0 for e in edges)
            word = "underflowed" if zeros and "underflowed" in kinds else ""
            word = "overflowed" if np.isinf(v) and "overflowed" in kinds else word
            tags[key] = f" ({WORDS[word][2]})" if word else ""
    return {k: t for k, t in tags.items() if t}

"""What a drawing puts on values and edges: records (data, grad, the finite-difference check, a
tensor's histograms), their fill colours, edge labels (the chain rule as an equation, shapes,
broadcasting) and the notes under a drawing."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Node, Tensor

from .check_verdicts import AGREE, DISAGREE, KINK, KINK_DISAGREE, TOO_SMALL, UNDEFINED, UNMEASURED, Check
from .colours import MISSING
from .graph import Edge, broadcast, broadcast_summed
from .long_names import Names
from .lost_words import edge_tag, lost_tag
from .number_text import ARRAY_FIGURES, NUMBER_FIGURES, digits, figures, kind, numbers, rounded, spread, summary
from .paper import product_equation
from .rules import local_rule, op_name, summed_back, symbol
from .text import FIELD_COLUMNS, escape, escape_field, escape_html, wrapped
from .widened import wide_value

NOT_COMPUTED = "not computed"
HIDDEN = object()  # gradients are not drawn
BARS = "▁▂▃▄▅▆▇█"
CONSTANT_LOOK = {
    "color": "gray55",
    "fontcolor": "gray35",
    "fontsize": "9",
    "height": "0.2",
    "margin": "0.04,0.02",
}  # a constant's small grey box
STALE_NOTE = (  # under a drawing of Values whose data changed after its forward (kept.changed_since_forward fills it)
    "a value changed after the forward pass: {changed} (an update such as w.data += -0.1 * w.grad): the values "
    "computed from it are from before the change, and each grad is the .grad backward gave there. Run the forward "
    "again to draw the new point"
)
AGAIN = "drawn again: data and grad on its own box"  # repeats.py's copies
AGAIN_LOOK = {"style": "dashed,filled", "fillcolor": "gray96", "color": "gray40"}
# what can have put a .grad other than the gradient drawn there (kept.kept_cause): passes of this root (a whole
# number of times it), a 0 where it is not, or any other number; and the words beside it in a record
PASSES, ZEROED, SET = "passes", "zeroed", "set"
KEPT_BY_PASSES, KEPT_BY_HAND = "earlier passes added", "set by hand or by another root's backward"


def record(
    node: Node,
    name: str,
    grad: Any,
    step: int | None,
    check: Check | None = None,
    detail: bool = False,
    kept: Any = MISSING,
    kept_cause: str = PASSES,
    data: str | None = None,
    partial: tuple[int, int] | None = None,
    grad_tag: str = "",
    slip: bool = False,
) -> str:
    """A value's record: name (with its step number), a tensor's shape and dtype, data, grad, and
    optionally its finite-difference check, (`detail`) a histogram of a tensor's data and grad, and
    (`kept`) its `.grad` where that is not the gradient shown, with what put it there (`kept_cause`:
    backward passes added up, else a hand or another root's backward), crossed (`slip`) where its check's
    finite difference disagrees with it; `data` the data field's text, if not the node's own; `partial`,
    where the grad is a sum of some of the value's shares, how many of how many; `grad_tag`, what the
    float's range did to the grad (" (underflowed)")."""
    detail = detail and np.size(node.data) > 1
    fields = [record_title(name, step)] if (name or step) else []
    if isinstance(node, Tensor):
        fields.append(f"{node.shape} {node.dtype}")
    fields.append(escape(data if data is not None else data_text(node)))
    if detail:
        fields.append("data " + histogram(node.data))
    if grad is not HIDDEN:
        alike = check_figures(check) if check is not None and not check.compared else None  # as its check reads
        fields.append(escape(grad_text(grad, partial, alike) + grad_tag))
        if detail and grad is not MISSING:
            fields.append("grad " + histogram(grad))
        if kept is not MISSING:
            why = KEPT_BY_PASSES if kept_cause == PASSES else KEPT_BY_HAND
            fields.append(f".grad {escape(summary(kept))}{' ✗' if slip else ''} ({why})")
    if check is not None:  # a check's why, as long as a paragraph, in lines: a box never as wide as its text
        fields.append("\\n".join(escape(line) for line in wrapped(check_text(check), FIELD_COLUMNS)))
    return "{ " + " | ".join(fields) + " }"


def record_title(name: str, step: int | None) -> str:
    """A record's first field: the value's name, with its step of backward where it is numbered ("#3 x")."""
    name = escape_field(name)
    return f"#{step} {name}".strip() if step else name


def again(name: str, step: int | None) -> str:
    """The record of a value drawn again beside a far use (repeats.py): its name, as its own box says it, and
    where its numbers are; no numbers of its own, which a player's step or update would have to keep alike."""
    return "{ " + record_title(name, step) + " | " + escape(AGAIN) + " }"


def data_text(node: Node, n: int | None = None) -> str:
    """A value's data field, "data 0.5" (`n` figures, as `summary`: a sum's input, sum_figures), with what its
    float's range did to it where it is an elementwise op's: "data 0 (underflowed)" of exp(-1000), whose value on
    paper is 5.076e-435 (the captions say it)."""
    return f"data {summary(node.data, signed_zero=True, n=n)}{lost_tag(node.data, wide_value(node))}"


def grad_text(grad: Any, partial: tuple[int, int] | None = None, n: int | None = None) -> str:
    """A gradient's field, "grad 0.5" (`n` figures, as `summary`), "grad not computed" where none has arrived
    (MISSING); while only some of a value's shares have arrived (`partial`: how many, of how many), their sum
    is not yet ∂root/∂value, and says so: "grad 1 so far (1 of 2 shares)"."""
    if grad is MISSING:
        return f"grad {NOT_COMPUTED}"
    so_far = f" so far ({partial[0]} of {partial[1]} shares)" if partial else ""
    return f"grad {summary(grad, n=n)}{so_far}"


def check_text(check: Check) -> str:
    """ "numeric -1.5 ✓", or what backward gave beside a numeric value it disagrees with; at a kink both
    one-sided slopes; where nothing can be judged, why. A tensor's says how it was compared, and where one
    element or block did not agree, which, with its numbers: "in 32 blocks of up to 32 elements; elements
    [96:128] along a direction: numeric 5.3 ✗ backward 5.1" (a block's numbers are no record's)."""
    if check.compared and check.verdict == AGREE:
        return f"numeric agrees {check.compared} ✓"
    along = f"{check.compared}; {check.part}: " if check.compared else ""
    shown = check_figures(check)  # the figures backward's number takes: all here take them
    a, n = _reading(check.analytic, shown), _reading(check.numeric, shown) if check.numeric is not None else ""
    if check.slopes is not None:
        left, right = (_reading(s, shown) for s in check.slopes)
        slopes = f"a kink: slope {left} from the left, {right} from the right"
        if check.verdict == KINK:
            return f"{along}{slopes}; backward takes {a}, {check.detail} ✓"
        return f"{along}{slopes} ✗ backward {a}"
    if check.verdict == AGREE:
        return f"numeric {n} ✓"
    if check.verdict == DISAGREE:
        return f"{along}numeric {n} ✗ backward {a}" + (f" ({check.detail})" if check.detail else "")
    if check.verdict == TOO_SMALL:
        resolve = summary(check.resolution)
        return f"{along}numeric {n}, backward {a}: too small to judge against the finite difference's error, ±{resolve}"
    return f"{along}numeric: cannot judge here ({check.detail})"


def check_figures(check: Check) -> int:
    """The figures a check's numbers (and its Value's grad) are written with: backward's (`digits`), or more
    where an agreeing pair would read apart only by lying either side of a rounding's boundary: a grad of
    1.0625, a tie, read "1.062" and its finite difference, a hair above, "1.063" ✓; now both "1.0625"."""
    a, n = float(check.analytic), check.numeric
    shown = digits(a, NUMBER_FIGURES)
    if check.verdict != AGREE or n is None or not np.isfinite(a) or a == 0:
        return shown
    while shown < 17 and _reading(a, shown) != _reading(n, shown):
        if abs(a - n) >= 10.0 ** (np.floor(np.log10(abs(a))) - shown + 1) / 2:  # apart by more than a rounding
            break
        shown += 1
    return shown


def numeric_text(check: Check) -> str:
    """A check's measured number as its label writes it: with the figures of backward's beside it."""
    return _reading(check.numeric, check_figures(check))


def _reading(v: float, n: int) -> str:
    """A measured or compared number to the `n` figures backward's gradient is written with (`digits`: 4, more
    where 4 would show a whole number it is not), so that the two read alike: "grad 0.999999996 | numeric
    0.999999996", not "numeric 1". Not more than the gradient's: a finite difference is good to about 1e-10
    of itself, so the extra figures a near-whole one would get (15.999999999 beside 16) would be its noise."""
    v = float(v) + 0.0  # + 0.0: a -0 reads 0, as in summary
    return rounded(f"{v:.{n}g}", v, n)  # its zeros as figures writes them: "grad 1.000e+06 | numeric 1.000e+06"


def check_summary(checks: dict[int, Check], names: dict[int, str]) -> str:
    """One line under a checked drawing: at how many leaves the finite differences agree, and which
    disagree, find a kink, are too small to judge or cannot judge backward."""
    total = len(checks)
    parts = []
    for verdicts, words in _SUMMARY:
        found = [names[i] for i, c in checks.items() if c.verdict in verdicts]
        if found:
            at = (
                "the only leaf"
                if total == 1
                else "both leaves"
                if len(found) == total == 2
                else f"all {total} leaves"
                if len(found) == total
                else f"{len(found)} of {total} leaves"
            )
            parts.append(words.format(at=at, names=", ".join(found)))
    return "finite differences " + "; ".join(parts)


_SUMMARY = (  # the verdicts counted together, and how the summary line says it
    ((DISAGREE, KINK_DISAGREE), "disagree with backward at {at}: {names}"),
    ((AGREE,), "agree with backward at {at}"),
    ((KINK,), "find a kink at {at}, where backward may take either one-sided slope or one between: {names}"),
    ((TOO_SMALL,), "are too small to judge against their error at {at}: {names}"),
    ((UNDEFINED,), "cannot be taken at {at}, where the root is undefined beside the value: {names}"),
    ((UNMEASURED,), "cannot judge backward at {at}: {names}"),
)


def histogram(x: Any) -> str:
    """A tensor's values as bars over their range (at most eight), "▁▃█▅▂▁▁▂ [-1.2, 3.4]"; equal ones as their
    value. Its numbers are written as the min and max beside it (`summary`: 3 figures, more where those would
    show a whole number the value is not or a min and max that differ alike, a zero unsigned), so the two never
    disagree."""
    of, a = kind(x), numbers(x).ravel()  # its numbers written as numbers of its own type
    a = a[np.isfinite(a)] + 0.0  # + 0.0 makes -0.0 a 0
    if a.size == 0:
        return "no finite values"
    lo, hi = a.min(), a.max()
    if lo == hi:
        return f"all {figures(lo, ARRAY_FIGURES, of)}"
    bins = min(len(BARS), a.size)  # no more bins than values
    # each value's place in [lo, hi] as a fraction, binned by hand: np.histogram refuses a range narrower than
    # its bins can split in floats (0 to 5e-324) and one wider than the largest float (-1.7e308 to 1.7e308),
    # where halves first keep hi - lo finite (the values are huge then, and halving them exact)
    with np.errstate(over="ignore"):
        span = hi - lo
    place = (a - lo) / span if np.isfinite(span) else (a / 2 - lo / 2) / (hi / 2 - lo / 2)
    counts = np.bincount(np.minimum((place * bins).astype(int), bins - 1), minlength=bins)
    bars = "".join(BARS[int(np.ceil(c / counts.max() * (len(BARS) - 1)))] for c in counts)
    low, _, high = spread(a, ARRAY_FIGURES, of)  # the summary's min and max: "[0.1, 0.1]" would contradict the bars
    return f"{bars} [{low}, {high}]"


def constant(node: Node, names: Names) -> str:
    """A constant's data only: a number, or a tensor's label (as `names`, drawn_names, writes it), shape, dtype and
    summary."""
    data = escape(summary(node.data, signed_zero=True))  # 1 / -0 is -inf
    if not isinstance(node, Tensor) or np.size(node.data) == 1:
        return data
    fields = [escape_field(label)] if (label := names.label(node)) else []
    return "{ " + " | ".join([*fields, f"{node.shape} {node.dtype}", data]) + " }"


def chain_rule(e: Edge, names: Names, root: Node, shared: bool = False, figures: int | None = None) -> str:
    """The chain rule on an edge of backward, an HTML-like label: ∂L/∂w = ∂L/∂n · ∂n/∂w, then the numbers,
    "= 0.5 × 2 = 1" (tensors: the gradient passed, its shape, and whether broadcasting summed it), then
    the op's rule for this input where it has one. A value used more than once (`shared`: x * x, or x
    in two ops) gets a share along each edge, said so: "share of ∂L/∂x via input 1 of *", written with
    `figures` figures (share_figures: the shares add up to the value's grad as drawn)."""
    root_name, n, w = (symbol(names[id(x)]) for x in (root, e.child, e.parent))
    if shared:
        rows = [f"share of ∂{root_name}/∂{w} via input {e.index + 1} of {op_name(e.child, names)}"]
    else:
        rows = [f"∂{root_name}/∂{w} = ∂{root_name}/∂{n} · ∂{n}/∂{w}"]
    rows.append(numbers_row(e, figures))
    rule = local_rule(e.child, e.index, names)
    cells = [_cell(row) for row in rows]
    if summed := summed_back(e.parent, e.child):
        cells.append(_cell(f"Σ {summed}", "darkorange3"))
    if rule:
        cells.append(_cell(rule, "gray40", 8))
    return "<" + '<table border="0" cellborder="0" cellspacing="0" cellpadding="0">' + "".join(cells) + "</table>>"


def numbers_row(e: Edge, n: int | None = None) -> str:
    """The numbers of an edge's chain rule (its label's second row), "= 0.5 × 2 = 1" (the gradient sent with `n`
    figures: share_figures), with what underflowed or overflowed; the player replaces it at each training step."""
    if e.local is not None:
        return f"= {product_equation([e.arriving, e.local], e.passed, n)}{edge_tag(e)}"
    return f"= {summary(e.passed, n=n)} of shape {np.shape(e.parent.data)}{edge_tag(e)}"


def shape_label(e: Edge) -> dict[str, str]:
    """A forward tensor edge's label, the input's shape ("(3,) broadcast to (2, 3)", in orange where backward
    sums the gradient back; a constant's in its grey: it takes no gradient)."""
    if broadcast(e):
        colour = "darkorange3" if broadcast_summed(e) else CONSTANT_LOOK["color"]
        return {
            "label": f"{e.parent.shape} broadcast to {e.child.shape}",
            "fontsize": "9",
            "fontcolor": colour,
            "color": colour,
        }
    return {"label": str(e.parent.shape), "fontsize": "9"}


def _cell(text: str, color: str | None = None, size: int | None = None) -> str:
    body = escape_html(text)
    if color or size:
        attrs = (f' color="{color}"' if color else "") + (f' point-size="{size}"' if size else "")
        body = f"<font{attrs}>{body}</font>"
    return f"<tr><td>{body}</td></tr>"


def node_key(node: Node) -> str:
    """A node's name in the DOT source: unique while the graph lives (html.py renames them by position)."""
    return str(id(node))

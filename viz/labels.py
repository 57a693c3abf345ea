"""The text a drawing puts on values and edges: records (data, grad, the finite-difference check, a
tensor's histograms) and edge labels (the chain rule as an equation, shapes, broadcasting)."""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from autograd import Node, Tensor

from .graph import Edge, broadcast_summed, summary
from .numeric import Check

NOT_COMPUTED = "not computed"
MISSING = object()  # no gradient has reached the node
HIDDEN = object()  # gradients are not drawn
BARS = "▁▂▃▄▅▆▇█"


def record(node: Node, name: str, grad: Any, step: int | None, check: Check | None = None, detail: bool = False) -> str:
    """A value's record: name (with its step number), a tensor's shape and dtype, data, grad, and
    optionally its finite-difference check and (`detail`) a histogram of a tensor's data and grad."""
    name, detail = escape(name), detail and np.size(node.data) > 1
    fields = [f"#{step} {name}".strip() if step else name] if (name or step) else []
    if isinstance(node, Tensor):
        fields.append(f"{node.shape} {node.dtype}")
    fields.append("data " + escape(summary(node.data)))
    if detail:
        fields.append("data " + histogram(node.data))
    if grad is not HIDDEN:
        fields.append("grad " + (NOT_COMPUTED if grad is MISSING else escape(summary(grad))))
        if detail and grad is not MISSING:
            fields.append("grad " + histogram(grad))
    if check is not None:
        fields.append(escape(check_text(check)))
    return "{ " + " | ".join(fields) + " }"


def shown_params(node: Node) -> list[str]:
    """The parameters of the call that made `node`, where they are numbers or words and the op is
    called by name (`negative_slope=0.2`, `axis=1`): what a learner needs to redo the forward."""
    if not node.op.name.isidentifier():  # an operator: its constant is drawn as an input
        return []
    params = node.op_params.items()
    return [f"{k}={v!r}" for k, v in params if isinstance(v, int | float | str) and not isinstance(v, bool)]


def op_title(node: Node) -> str:
    """The op's name with its parameters (`leaky_relu(negative_slope=0.2)`, `sum(axis=1)`)."""
    shown = shown_params(node)
    return f"{node.op.name}({', '.join(shown)})" if shown else node.op.name


def check_text(check: Check) -> str:
    """ "numeric -1.5 ✓", or what backward gave beside a numeric value it disagrees with."""
    along = "along a random direction: " if check.direction else ""
    if check.numeric is None:
        return f"numeric: undefined at ±h ({check.problem})"
    if check.agrees:
        return f"{along}numeric {summary(check.numeric)} ✓"
    return f"{along}numeric {summary(check.numeric)} ✗ backward {summary(check.analytic)}"


def histogram(x: Any) -> str:
    """A tensor's values as bars over their range (at most eight), "▁▃█▅▂▁▁▂ [-1.2, 3.4]"; equal ones as their value."""
    a = np.asarray(x, dtype=np.float64).ravel()
    a = a[np.isfinite(a)]
    if a.size == 0:
        return "no finite values"
    lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        return f"all {lo:.3g}"
    counts = np.histogram(a, bins=min(len(BARS), a.size), range=(lo, hi))[0]  # no more bins than values
    bars = "".join(BARS[int(np.ceil(c / counts.max() * (len(BARS) - 1)))] for c in counts)
    return f"{bars} [{lo:.3g}, {hi:.3g}]"


def constant(node: Node) -> str:
    """A constant's data only: a number, or a tensor's label, shape, dtype and summary."""
    if not isinstance(node, Tensor) or np.size(node.data) == 1:
        return escape(summary(node.data))
    fields = [escape(node.label)] if node.label else []
    return "{ " + " | ".join([*fields, f"{node.shape} {node.dtype}", escape(summary(node.data))]) + " }"


def chain_rule(e: Edge, names: dict[int, str], root: Node) -> str:
    """The chain rule on an edge of backward, an HTML-like label: ∂L/∂w = ∂L/∂n · ∂n/∂w, then the numbers,
    "= 0.5 × 2 = 1" (tensors: the gradient passed, its shape, and whether broadcasting summed it), then
    the op's rule for this input where it has one."""
    root_name, n, w = (symbol(names[id(x)]) for x in (root, e.child, e.parent))
    rows = [f"∂{root_name}/∂{w} = ∂{root_name}/∂{n} · ∂{n}/∂{w}"]
    if e.local is not None:
        rows.append(f"= {term(e.arriving)} × {term(e.local)} = {summary(e.passed)}")
    else:
        rows.append(f"= {summary(e.passed)} of shape {np.shape(e.parent.data)}")
    formulas = e.child.op.formulas
    cells = [_cell(row) for row in rows]
    if broadcast_summed(e):
        cells.append(_cell(f"Σ summed back from {e.child.shape} to {e.parent.shape}", "darkorange3"))
    if e.index < len(formulas):
        cells.append(_cell(formulas[e.index], "gray40", 8))
    return "<" + '<table border="0" cellborder="0" cellspacing="0" cellpadding="0">' + "".join(cells) + "</table>>"


def shape_label(e: Edge) -> dict[str, str]:
    """A forward tensor edge's label, the input's shape ("(3,) broadcast to (2, 3)" in orange)."""
    if broadcast_summed(e):
        orange = {"fontcolor": "darkorange3", "color": "darkorange3"}
        return {"label": f"{e.parent.shape} broadcast to {e.child.shape}", "fontsize": "9", **orange}
    return {"label": str(e.parent.shape), "fontsize": "9"}


def symbol(name: str) -> str:
    """A name as it stands in ∂a/∂b: in brackets when it is an expression ("(x1*w1 + x2*w2)")."""
    return name if name.replace("_", "").replace("#", "").replace(".", "").isalnum() else f"({name})"


def term(x: Any) -> str:
    """A number as a factor of a product: a negative one in brackets."""
    text = summary(x)
    return f"({text})" if text.startswith("-") else text


def escape(text: str) -> str:
    """Text safe inside a graphviz record label."""
    for ch in '\\{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text


def _cell(text: str, color: str | None = None, size: int | None = None) -> str:
    body = html.escape(text)
    if color or size:
        attrs = (f' color="{color}"' if color else "") + (f' point-size="{size}"' if size else "")
        body = f"<font{attrs}>{body}</font>"
    return f"<tr><td>{body}</td></tr>"

"""Which entries of f's output a failing row is off in: a row of an output of several numbers weighs a block
of its entries (check_outputs), so its analytic and numeric slopes are of a sum no one computed, and name no
entry. For the first failing rows, each entry of the row's block is compared alone: its numeric slope from
f at x +- eps (two more calls of f), its analytic one from a backward pass seeded with that entry alone
(one per entry of the block, on failure only): `entries_off` writes those lines under the table."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from .check_jacobian import entry_gradients, off_alone
from .check_numeric import output, rounded_step
from .check_outputs import element_value, moved
from .check_rounding import output_dtype
from .check_verdict import Row, agrees, failing
from .graph import Node, raw
from .graph_order import topological_order
from .hand_built import HandWritten
from .type_names import OWN_PACKAGES

_ROWS = 3  # failing rows broken down
_ENTRIES = 3  # entries named per row, furthest off first

FIX = (
    "fix: the derivative rule (backward) of an op f uses gives a wrong slope there, between a failing row's input "
    "element and f's output; where f uses several ops, check each alone, gradcheck(op, [x]) at its own inputs, "
    "to find it"
)


def entry_lines(
    failing: list[Row],
    column: Callable[[tuple, slice], np.ndarray],
    at_shift: Callable[[tuple, float], np.ndarray],
    step: Callable[[tuple], Callable[[float], float]],
    output: tuple[tuple, np.dtype],
    tolerances: tuple[float, float, float],
    every: bool = False,
) -> list[str]:
    """Lines naming, for each of the first failing rows (`failing`, whose `at` is (input position among those
    checked, index), and `block` its entries), the entries off alone (check_jacobian's `off_alone`; `every`: the
    entries with the largest slopes, off or not, for a row that cannot be judged): `column(at, block)`, the
    entries' analytic slopes in that element; `at_shift(at, shift)`, f's output (float64) at the point moved by
    shift there; `step(at)`, that element's shift as it rounds; `output`: f's output's shape and dtype."""
    eps, atol, rtol = tolerances
    shape, dtype = output
    lines = []
    for r in failing[:_ROWS]:
        block = r.block or slice(0, int(np.prod(shape, dtype=int)))
        analytic, moved = column(r.at, block), step(r.at)
        ends = (at_shift(r.at, eps).ravel()[block], at_shift(r.at, -eps).ravel()[block], moved(eps) - moved(-eps))
        # 1e8 + x was named beside the entry off: a dtype's eps of each end's size allows a few roundings
        numeric, errors, _, off_mask = off_alone(analytic, ends, dtype, atol, rtol)
        off = np.flatnonzero(off_mask)
        size = np.maximum(np.abs(analytic), np.abs(numeric))
        moving = np.flatnonzero(size > 0)  # an entry 0 beside 0 tells nothing
        shown = (
            moving[np.argsort(-size[moving], kind="stable")] if every else off[np.argsort(-errors[off], kind="stable")]
        )
        for j in shown[:_ENTRIES]:
            entry = np.unravel_index(block.start + j, shape)
            lines.append(
                f"  {r.label}: f[{', '.join(map(str, entry))}] analytic {analytic[j]:.8g}, numeric {numeric[j]:.8g}, "
                f"abs error {errors[j]:.3g}"
            )
    return lines


def columns(out: Node, leaves: list[Node], jacobian: list[np.ndarray] | None) -> Callable[[tuple, slice], np.ndarray]:
    """`column(at, block)`: the analytic slopes of f's output entries `block` in element at = (leaf position,
    index), read off the Jacobian gradcheck keeps (check_jacobian's `jacobian`), or, beyond its budget, from a
    backward pass per entry of the block, kept for the block's other rows."""
    kept: dict[tuple[int, int], list] = {}

    def column(at: tuple, block: slice) -> np.ndarray:
        k, index = at
        if jacobian is not None:
            return jacobian[k][(block, *index)]
        key = (block.start, block.stop)
        if key not in kept:
            kept[key] = [entry_gradients(out, leaves, j) for j in range(*key)]
        return np.array([float(grads[k][index]) for grads in kept[key]])

    return column


def entries_off(
    f: Callable[..., Any],
    points: list[Any],
    out: Any,
    leaves: tuple[list[Node], list[int], list[np.ndarray] | None],
    rows: list,
    tols: tuple,
) -> str:
    """Where rows fail outright and f's result has a graph: for several numbers, the lines naming the entries
    the first failing rows are off in (check_entries); and the fix. "" otherwise. `leaves`: those checked, their
    inputs' positions, and their Jacobians (None beyond check_jacobian's budget)."""
    leaves, checked, jacobian = leaves
    eps, atol, rtol = tols
    wrong = failing(rows, atol, rtol)
    if not isinstance(out, Node) or out.is_constant or not (wrong or np.size(raw(out)) > 1):
        return ""
    if np.size(raw(out)) == 1:  # the row is of f's one number: the table names it
        return f"\n{fix(out, wrong)}"
    # a row that cannot be judged weighs its entries (its numbers are of sum(w * f)): their own slopes, each alone
    shown = wrong or [r for r in rows if not agrees(r, atol, rtol) and not r.undifferentiable]
    if not shown:
        return ""

    def element(at: tuple) -> tuple:  # (input, index) of an element, from its input's position among the checked
        return checked[at[0]], at[1]

    try:  # f and the rules ran at these points for the rows: a failure here would cost the table, not tell
        lines = entry_lines(
            [r._replace(at=(checked.index(r.at[0]), r.at[1])) for r in shown],
            columns(out, leaves, jacobian),
            lambda at, shift: moved(f, points, element(at), shift, eps, output),
            lambda at: rounded_step(element_value(points, element(at))),
            (np.shape(out.data), output_dtype(out)),
            tols,
            every=not wrong,
        )
    except (ArithmeticError, ValueError):
        lines = []
    if not wrong:
        head = "the entries of f's output the first rows that cannot be judged weigh, each alone (its own slopes):"
        return "\n".join(["", head, *lines]) if lines else ""
    head = (
        "entries of f's output the first failing rows are off in, each alone (its analytic slope by its own backward):"
    )
    return "\n".join(["", *([head, *lines] if lines else []), fix(out, wrong)])


def fix(out: Node, wrong: list[Row], f: str = "f", element: str = "input element and f's output") -> str:
    """The fix line of a failing check: naming the ops of the user's own in f's graph (`your_rule`: not the engine's,
    nor nn's), a gradient of 0 where f moves (a rule returning None or 0 for an input it uses), and f alike at x +- eps
    where the rule gives a slope (a forward keeping a cache, or a slope where f is flat or turns); FIX where f uses
    none. `f` and `element` say what is checked (gradcheck_params: "the loss", "parameter element and the loss")."""
    names = sorted({node.op.name for node in topological_order(out) if your_rule(node)})
    if not names:
        return FIX
    dropped = [r.label for r in wrong if r.analytic == 0 and r.numeric != 0]
    none = (
        f"; its gradient is 0 where {f} moves ({', '.join(dropped[:3])}): does a rule return None or 0 for an input it "
        "uses?"
        if dropped
        else ""
    )
    still = [r.label for r in wrong if r.numeric == 0 and r.analytic != 0]
    if still and len(still) == len(wrong):  # f alike at x +- eps at every failing row: a cache, a flat f, a turn
        none += (
            f"; {f} took the same value at x + eps and x - eps where the rule gives a slope ({', '.join(still[:3])}): "
            f"a rule giving a slope where {f} is flat or turns (x * x at 0), or a forward that does not compute from "
            "the numbers it is given (a cache, a global)"
        )
    if len(names) == 1:
        return (
            f"fix: the derivative rule (backward) of your op {names[0]!r}, the one op of yours {f} uses, gives a wrong "
            f"slope there, between a failing row's {element}{none}"
        )
    return (
        f"fix: the derivative rule (backward) of one of your ops {f} uses ({', '.join(map(repr, names))}) gives a "
        f"wrong slope there{none}; check each alone, gradcheck(op, [x]) at its own inputs, to find it"
    )


def your_rule(node: Node) -> bool:
    """Whether node's op has a rule of the user's: one not written in chainrule's packages (nn's losses are Ops too,
    and their inner ops, logit_term, were named "your ops"), whatever its forward (one's own rule may pair the
    table's); a node built by hand, whose rule is its author's _backward (HandWritten runs it), is too."""
    if node.op is None:
        return False
    rule = node.op.vjp
    if isinstance(rule, HandWritten):
        return True
    while isinstance(rule, functools.partial):
        rule = rule.func
    return (getattr(rule, "__module__", None) or "").partition(".")[0] not in OWN_PACKAGES

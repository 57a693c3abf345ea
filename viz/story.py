"""An Explanation told as lines of arithmetic: each path with the local derivative of each edge and
their product, then the total, the gradient backward gives."""

from __future__ import annotations

from decimal import localcontext
from typing import TYPE_CHECKING, Any

from autograd import Tensor

from .lost_words import lost_note, lost_tag
from .number_text import ARRAY_FIGURES, as_read, finite, summary
from .on_paper import EXACT, alike, mean_written, means_add_up
from .paper import product_equation, rounded_away
from .rules import broadcast_words, local_rule, op_name, symbol, term
from .widened import wide_gradients

if TYPE_CHECKING:
    from .explain import Explanation, Path, Step
    from .long_names import Names


def tell(e: Explanation, told: dict[tuple[int, int], str] | None = None) -> str:
    """The story of `e`, one line per fact. `told`: each scalar edge's line (its local derivative and rule), by (id
    of the op's output, input index), kept by a caller that tells many explanations of one graph with one `names`
    (a page tells every value's, whose paths share edges: a 32-step RNN's page wrote each of its 288 edges' lines
    56 times over, about two thirds of the page's time)."""
    told = {} if told is None else told
    name = e.names.get
    root, node = name(id(e.root), "the root"), name(id(e.node), "the node")
    grad = f"∂{symbol(root)}/∂{symbol(node)}"
    tensors = isinstance(e.root, Tensor)
    if e.node is e.root:
        return f"{node} is the root: {grad} = {summary(e.total)}, the seed backward starts with"
    head = f"{grad} (shape {e.node.shape})" if tensors else grad
    measure = "the gradient {} carries" if tensors else "the product of the local derivatives along {}"
    if e.count == 1:
        lines = [
            f"{head} = {summary(e.total)}: one path leads from {node} up to {root}; this is {measure.format('it')}."
        ]
    else:
        paths = f"the {e.count:,} paths from {node} up to {root}"
        lines = [f"{head} = {summary(e.total)}: the sum over {paths} of {measure.format('each')}."]
    if tensors:
        lines.append(
            "On tensors each local derivative is a Jacobian, which backward never builds: each op's pullback "
            "applies it to the gradient arriving. So each path is told by what it carries, the seed at "
            f"{root} pulled back through each op along it."
        )
    grouped = e.count > len(e.paths)
    others = e.count - len(e.paths)
    if grouped:
        how = "largest" if not tensors else "first found following the larger gradient at each op, largest"
        listed = f"The {len(e.paths)} {how} are listed" if len(e.paths) > 1 else f"The {how} is listed"
        rest = f"the other {others:,} are summed" if others > 1 else "the other one is summed"
        lines.append(f"{listed}; {rest}.")
    # tensors: the figures that make the shares' means, as written, add up to the total's, as the total line says
    means = mean_figures([*(p.product for p in e.paths), *([e.rest] if grouped else [])], e.total) if tensors else None
    added = [e.paths[k].product for k in e.added or range(len(e.paths))]  # as backward adds them
    written = sum(added[1:], added[0]) if e.paths else None  # what `listed` adds up to, as written
    # each path's product written with the figures that add up to the total, as the total line adds them
    shares = alike(added, written, sum) if e.paths and not tensors and not grouped else None
    for k, path in enumerate(e.paths, 1):
        lines.append(f"path {k}: " + " → ".join(name(id(n), "?") for n in path.nodes))
        lines += _tensor_steps(e, path, means) if tensors else _scalar_steps(e, path, told, shares)
    listed = sum_of(added, written, shares) if e.paths else ""
    if grouped:
        other = f"the other {others:,} paths" if others > 1 else "the other path"
        above = f"the {len(e.paths)} paths above" if len(e.paths) > 1 else "the path above"
        shown = sum(p.product for p in e.paths)
        if finite(shown) and finite(e.rest) and finite(e.total):
            written = shown + e.rest
            n = alike([shown, e.rest], written, sum) or means  # the figures that add up as written
            together = " together" if others > 1 else ""
            lines.append(f"{other}: {summary(e.rest, n=n)}{together} (the total minus {above})")
            listed = f"{summary(shown, n=n)} ({above}) + {term(e.rest, n=n)} ({other})"
            added, shares = [shown, e.rest], n  # the two terms told, whose sum on paper may land halfway
        else:  # inf - inf: the split would read "nan + nan = inf"
            lines.append(f"{other}: not told apart, as the paths' sums are too large for a float")
            listed = ""
    # the terms told as floats add them, beside their sum on paper: the listed paths' products, or those summed and
    # the rest ("0.8815 (the path above) + 0.304 (the other path) = 1.185" is 1.1855 on paper, halfway)
    on_paper = rounded_away(added, written, shares) if e.paths and not tensors and listed else ""
    if tensors and e.count > 1:  # arrays: their summaries do not add up, the arrays do
        lines.append(
            f"total: the paths' shares added element by element, {summary(e.total, n=means)} = {grad}, the gradient "
            "backward gives (each array is told by its min, mean and max: the means add up, the minima and maxima need "
            "not)"
        )
    elif e.count > 1 and listed and as_read(summary(written)) != as_read(summary(e.total)):
        # backward sums at each value along the way, then multiplies: (p + q)·k, not p·k + q·k, and rounds so
        lines.append(
            f"total: {listed} = {summary(written)}{on_paper}, which backward, adding the shares at each value "
            f"along the paths, rounds to {summary(e.total)} = {grad}, the gradient it gives"
        )
    elif e.count > 1 and listed:
        lines.append(f"total: {listed} = {summary(e.total)}{on_paper} = {grad}, the gradient backward gives")
    else:
        lines.append(f"total: {summary(e.total)} = {grad}, the gradient backward gives")
    return "\n".join(lines)


def sum_of(terms: list, total: Any, n: int | None = None) -> str:
    """Numbers added, as written: "-1 + (-2)", each negative one bracketed but the first, each with the figures
    that add up to `total` as it is written (`alike`: on paper, exactly), or `n` where given (share_figures: the
    figures each share is written with elsewhere, which add up to every sum of them so far)."""
    n = n if n is not None else alike(terms, total, sum)
    return " + ".join([summary(terms[0], n=n), *(term(t, n=n) for t in terms[1:])])


def _rule(step: Step, names: Names) -> str:
    """Which input of which op the edge is, and the op's rule for it (in the story's `names`) where it says it."""
    where, formula = (
        f"input {step.index + 1} of {op_name(step.output, names)}",
        local_rule(step.output, step.index, names),
    )
    return f"{where}: {formula}" if formula else where


def _scalar_steps(e: Explanation, path: Path, told: dict[tuple[int, int], str], n: int | None) -> list[str]:
    """Each step's local derivative (its line kept in `told`, by edge: tell); then their product (with `n`
    figures: those that add up to the total), each factor with the figures that multiply out to it as written
    (`product_equation`: 2 × 0.41997 beside ∂#2/∂#3 = 0.42)."""
    lines = []
    for s in path.steps:
        if (edge := (id(s.output), s.index)) not in told:
            told[edge] = _scalar_step(s, e.names)
        lines.append(told[edge])
    if len(path.steps) > 1:
        lines.append(f"    product: {product_equation([s.local for s in path.steps], path.product, n)}")
    else:
        lines.append(f"    product: {summary(path.product, n=n)}")
    return lines


def _scalar_step(s: Step, names: Names) -> str:
    """A step's local derivative and the op's rule; where the op takes the input more than once (x * x), the
    step is one input's share of the op's derivative, said so (∂(x*x)/∂x is 2x, not x)."""
    out, into = (symbol(names.get(id(n), "?")) for n in (s.output, s.input))
    shared = sum(p is s.input for p in s.output.parents) > 1
    local = f"∂{out}/∂{into}'s share through input {s.index + 1}" if shared else f"∂{out}/∂{into}"
    unit = wide_gradients(s.output, s.index, 1.0, s.local, s.local)[1]  # exp(-1000)'s 0, on paper 5.076e-435
    lost = f" ({note})" if (note := lost_note(s.local, unit)) else ""
    return f"    {local} = {summary(s.local)}{lost}    ({_rule(s, names)})"


def mean_figures(shares: list, total: Any) -> int | None:
    """The figures (ARRAY_FIGURES or more) that write arrays `shares` and their sum `total` so that the shares' means
    as written add up to the total's as written (`means_add_up`): "mean 0.211" twice, -0.0284 and 0.333 beside a
    total's "mean 0.728" (0.7266 on paper) read as a slip where the story says the means add up. None where
    ARRAY_FIGURES do (or none do: NaNs, infinities)."""
    for n in range(ARRAY_FIGURES, 18):
        *terms, result = written = [mean_written(x, n) for x in [*shares, total]]
        if any(w is None for w in written):
            return None
        with localcontext(EXACT):
            if means_add_up(sum(terms), result):
                return None if n == ARRAY_FIGURES else n
    return None


def _tensor_steps(e: Explanation, path: Path, n: int | None = None) -> list[str]:
    name = e.names.get
    lines = [f"    at {name(id(path.nodes[-1]), '?')}: {summary(path.carried[-1])} (the seed)"]
    arriving = path.carried[-1]
    for s, carried in zip(reversed(path.steps), reversed(path.carried[:-1])):
        summed = broadcast_words(s.input, s.output, name(id(s.input), "?"), e.names)
        lost = lost_tag(
            carried, wide_gradients(s.output, s.index, arriving, carried, None)[0]
        )  # " (1 of 3 underflowed)"
        lines.append(f"    through {_rule(s, e.names)}, {name(id(s.input), '?')} gets {summary(carried)}{lost}{summed}")
        arriving = carried
    lines.append(f"    this path's share of {name(id(e.root), '?')}'s gradient: {summary(path.product, n=n)}")
    return lines

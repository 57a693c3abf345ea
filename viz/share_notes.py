"""A value's shares added, as written: "x.grad = 1 + 3.502e+300 + (-3.502e+300) = 0 (on paper 1: a float keeps
about 16 significant digits, ...)", the line a caption writes as a share arrives, and the note every picture
drawing a sum of shares that does not add up as written carries (`Shares.unsummed`: rounded along the way), under
a drawing or a frame, beside the player's drawing while it shows that sum: one text, so each says it alike. A
tensor's shares are told by their means ("x.grad's mean = 1 + 1e+16 + (-1e+16) = 0 (on paper 1: ...)"), and a box
sum of two numbers that the float rounded in the same words (`sum_notes`: "s = 1e+16 + 3 = 10000000000000004")."""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any

from autograd import Node

from .graph import Edge
from .number_text import NUMBER_FIGURES, kind, summary
from .on_paper import EXACT, MEAN, one_numbers
from .paper import rounded_as_added, rounded_away
from .story import sum_of
from .sum_figures import SIGNS, Shares

if TYPE_CHECKING:
    from .steps import Pass


def shares_added(name: str, terms: list, total: Any, n: int | None = None, shown: int | None = None) -> str:
    """ "x.grad = 2 + 2 = 4": one-number shares `terms` with `n` figures (share_figures; summary's where None), their
    sum `total` with `shown`, and where they do not add up to it on paper, why (`rounded_away`)."""
    return _added(f"{name}.grad", terms, total, n, shown)


def sum_told(name: str, terms: list, total: Any, n: int | None = None, shown: int | None = None) -> str:
    """A value's shares added as `shares_added` writes them, or a tensor's by their means (`means_added`)."""
    if one_numbers(terms):
        return shares_added(name, terms, total, n, shown)
    return means_added(name, terms, total, n)


def means_added(name: str, terms: list, total: Any, n: int | None = None) -> str:
    """ "x.grad's mean = 1 + 1e+16 + (-1e+16) = 0 (on paper 1: ...)": tensor shares `terms` by their means as
    written (with `n` figures: share_figures'), whose sum on paper is not the mean of their sum `total` as
    written, the floats having rounded along the way."""
    texts = [MEAN.search(summary(t, n=n)).group(1) for t in terms]
    with localcontext(EXACT):
        paper = sum(map(Decimal, texts), Decimal(0))
    added = " + ".join([texts[0], *(f"({t})" if t.startswith("-") else t for t in texts[1:])])
    of, mean = kind(total), MEAN.search(summary(total)).group(1)
    return f"{name}.grad's mean = {added} = {mean} (on paper {summary(float(paper))}: {rounded_as_added(terms, of)})"


def _added(name: str, terms: list, total: Any, n: int | None, shown: int | None) -> str:
    added = sum_of(terms, total, n or NUMBER_FIGURES)
    return f"{name} = {added} = {summary(total, n=shown)}{rounded_away(terms, total, n, shown)}"


def sum_notes(off: list[Node], figures: dict[int, int], names: dict[int, str]) -> list[str]:
    """The notes of a drawing whose boxes write sums of two numbers that no figures make add up (`added_up`'s `off`,
    the float having rounded: s = 1e16 + 3 is 10000000000000004), in the words a share's sum is told with: "s =
    1e+16 + 3 = 10000000000000004 (on paper 10000000000000003: ...)"."""
    notes = []
    for node in off:
        a, b = (float(p.data) for p in node.parents)
        n = max((figures.get(id(p), 0) for p in node.parents), default=0) or None
        terms = [a, SIGNS[node.op.name] * b]
        notes.append(_added(names.get(id(node)) or summary(node.data), terms, node.data, n, figures.get(id(node))))
    return notes


def unsummed_notes(
    flows: list[list[Edge]], grads: dict[int, Any], names: dict[int, str], shares: Shares, shown: dict[int, int]
) -> list[str]:
    """The notes of a drawing whose edges carry the shares sent in `flows` and whose boxes the sums `grads` (by id;
    `shown`: the figures of those written with more than summary's): a value's shares added, where they do not add
    up to its grad as drawn."""
    sent: dict[int, list[Edge]] = {}
    for e in (e for flow in flows for e in flow):
        sent.setdefault(id(e.parent), []).append(e)
    return [
        sum_told(names[i], [e.passed for e in edges], grads[i], shares.figures.get(i), shown.get(i))
        for i, edges in sent.items()
        if len(edges) in shares.unsummed.get(i, ())
    ]


def unsummed_steps(run: Pass) -> list[list[Any]]:
    """The player's notes of sums of shares that do not add up as drawn: each as [the first slider step that draws
    it, the step that draws the next sum instead (None: none does), the note]."""
    told: list[list[Any]] = []
    open_at: dict[int, list[Any]] = {}
    terms: dict[int, list[Any]] = {}
    for step, (k, running, _, _) in enumerate(run.filling(), 1):  # slider step s shows backward's s-th done
        for e in run.flows[k]:
            terms.setdefault(id(e.parent), []).append(e.passed)
        for i in dict.fromkeys(id(e.parent) for e in run.flows[k]):  # x * x: both shares drawn at once
            if i in open_at:
                open_at.pop(i)[1] = step
            if len(terms[i]) in run.shares.unsummed.get(i, ()):
                added = sum_told(run.names[i], terms[i][:], running[i], run.shares.figures.get(i))
                open_at[i] = [step, None, added]
                told.append(open_at[i])
    return told

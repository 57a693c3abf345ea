"""The figures a drawing writes a sum's inputs with, so that the boxes add up as drawn: micrograd's neuron drew b =
6.8813735870195432 as "data 6.881" beside x1*w1 + x2*w2 "data -6" and their sum n "data 0.8814", where 6.881 - 6 is
0.881: the sum's last figure came from nowhere drawn. Where a sum is written to a finer place than an input (it
cancelled), its inputs take the figures that add up to it as written, as a caption's terms do (on_paper.alike):
b reads 6.8814. Elsewhere a last figure off by one (1.234 + 2.345 drawn 3.58) is rounding as any reader knows it,
but not one halfway (0.8955 + 1.548 beside 2.443 is 2.4435 on paper, which a learner rounds to 2.444): as a
caption's terms, those inputs take the figures that add up to the sum as drawn (0.89549 + 1.548).
A rounding op's input (frac's, a remainder's dividend) written as a whole number that it is not takes the figures
that show its fraction, which the op's stairs (and check=True's verdict on them) depend on: floor's x = 1e13 + 0.5
read "1.000e+13", now "10000000000000.5".
The gradient of a value used more than once is a sum too, of the shares backward sends it (`share_figures`)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from functools import cache

import numpy as np

from autograd import Node, Value

from .graph import Edge
from .number_text import ARRAY_FIGURES, NUMBER_FIGURES, finite, summary
from .on_paper import (
    EXACT,
    HALFWAY,
    alike,
    alike_on_paper,
    as_written,
    halfway,
    mean_written,
    means_add_up,
    miss,
    one_numbers,
    term_written,
)
from .whole_floats import rounds  # rounding ops: where between whole numbers their input lies decides them

SIGNS = {"+": 1.0, "-": -1.0}  # a sum of two numbers: the sign its second input is added with


def added_up(order: list[Node]) -> tuple[dict[int, int], list[Node]]:
    """By value id: the figures (more than `summary`'s own) to write the inputs of each sum or difference of two
    numbers in `order` (root first, as backward takes them: a sum is met before its inputs, so that one written
    with more figures is added up to as written) so that they add up to it as written, where it is written to a
    finer place than one of them. Only where the float arithmetic gives the value drawn (a user's op named "+"
    that computes anything else is left alone). With them, the sums that no figures make add up, the float having
    rounded (1e16 + 3 is 10000000000000004, written so where it is added up to), which a drawing says
    (share_notes.sum_notes)."""
    figures: dict[int, int] = {}
    off: list[Node] = []
    for node in order:
        sign = SIGNS.get(node.op.name) if isinstance(node, Value) and node.op is not None else None
        if sign is None or len(node.parents) != 2:
            continue
        a, b = (float(p.data) for p in node.parents)
        if a + sign * b != node.data or not all(map(finite, (a, b, node.data))):
            continue
        shown = figures.get(id(node))
        finer = _place(node.data, shown) < max(_place(a), _place(b))
        if not finer and not _halfway(a, sign * b, node.data, shown):  # no finer than its inputs: rounding, as read
            continue
        n, paper = alike_on_paper([a, sign * b], node.data, sum, shown=shown)
        off += [node] if paper is not None else []
        for p in node.parents if n else ():
            figures[id(p)] = max(figures.get(id(p), 0), n)
    for node in order:
        # floor's input, frac's, a remainder's dividend (1e13 + 0.5 % 3 is 1.5): a Value's, or a one-number tensor's
        # (more are told apart by their min and max)
        if rounds(node) and np.size(node.data) == 1:
            p = node.parents[0]
            if np.size(p.data) == 1 and (n := _fraction_shown(float(np.asarray(p.data, dtype=float).reshape(-1)[0]))):
                figures[id(p)] = max(figures.get(id(p), 0), n)
    return figures, off


@dataclass(frozen=True)
class Shares:
    """What `share_figures` finds of the shares backward sends each value: by value id, the figures (more than
    `summary`'s own) they are written with, and the counts of first shares whose sum, so written, does not add up
    to the sum the floats gave as written (rounded along the way: 7.619e-151 + 7.619e-151 + 1 + (-1) is 0, on paper
    1.524e-150), which every picture drawing that sum says (share_notes)."""

    figures: dict[int, int] = field(default_factory=dict)
    unsummed: dict[int, frozenset[int]] = field(default_factory=dict)


def share_figures(flows: list[list[Edge]], shown: dict[int, int] | None = None) -> Shares:
    """The figures (more than `summary`'s own) to write the shares backward sends each value (`flows`: the edges
    each node sends, in backward's order), on its edges and in captions, so that they add up to its gradient as
    written: x * x's two shares drawn "1.828e-07" beside its grad "3.655e-07" read as a slip (1.8276e-07 each,
    3.6552e-07); "1.8276e-07" do not. So too each sum of the shares sent so far (the player's and the frames'
    "grad 1.828e-07 so far", a caption's "x.grad = 0 + 1.828e-07"); the sums that no figures make add up, apart
    (`Shares`). `shown`: by id, the figures a gradient is written with where more than summary's (a checked
    leaf's, `check_figures`)."""
    shares: dict[int, list] = {}
    for e in (e for flow in flows for e in flow):
        shares.setdefault(id(e.parent), []).append(e.passed)
    shown = shown or {}
    found = {i: _share_figures(terms, shown.get(i)) for i, terms in shares.items() if len(terms) > 1 or i in shown}
    return Shares(
        {i: n for i, (n, _) in found.items() if n}, {i: frozenset(off) for i, (_, off) in found.items() if off}
    )


def _share_figures(terms: list, shown: int | None) -> tuple[int | None, list[int]]:
    """The fewest figures (from `shown`, else summary's; None for summary's own) that write `terms` so that each sum
    of the first of them (added as backward adds them, in floats) is on paper as it is written, the whole with
    `shown` figures, but a sum that the floats themselves, added exactly, miss (rounded along the way: 1 +
    3.5e+300 + (-3.5e+300) is 0, 1 on paper, which its caption tells), which no figures make add up: of those, a
    sum that some figures bring to halfway in its last figure is written so (-665.08 + (-924.27) beside -1589.3,
    whose floats add up exactly a hair past -1589.35: "-665.1 + (-924.3)" is a whole unit off). Where none do,
    `alike`'s closest for the whole sum. With them, the counts of first terms whose sum so written does not add up
    to the floats' as written (rounded along the way, or no figures make it)."""
    if not one_numbers(terms):  # arrays, written by their min, mean and max: of those, the means add up
        return _mean_figures(terms)
    with np.errstate(all="ignore"):
        sums = list(itertools.accumulate(terms))
    if not all(map(finite, sums)):
        return None, []
    last = len(terms) - 1  # the first share alone too: the player writes it "grad 0.8385 so far", not 0.83855
    with localcontext(EXACT):  # no figures make a sum rounded along the way add up: the others' are not its
        exact = itertools.accumulate(Decimal(float(np.asarray(t, dtype=float).reshape(-1)[0])) for t in terms)
        kept = [k for k, e in enumerate(exact) if miss(e, sums[k], shown if k == last else None) <= 0]
    figures = range(shown or NUMBER_FIGURES, 18)
    at = cache(lambda n: _misses(terms, sums, n, shown))  # each count's misses, worked out once where asked
    rounded = [k for k in range(len(terms)) if k not in kept]
    # of those rounded along the way, the sums some figures bring to halfway (-665.08 + (-924.27): 5 do)
    near = [k for k in rounded if any(at(n)[k] <= HALFWAY for n in figures)]
    # else, where no figures make each sum add up, the fewest that leave none beyond halfway, which its note tells
    # ("grad -2.099 so far" beside -2.0995, and -2.0995 + (-0.0011) = -2.101; 4 figures drew -2.099 + (-0.0011))
    found = next((n for n in figures if _fits(at(n), kept, near, 0)), None)
    found = found or next((n for n in figures if _fits(at(n), kept, near, HALFWAY)), None)
    n = found if found is not None else alike(terms, sums[-1], sum, shown)
    misses = at(n or NUMBER_FIGURES)
    return (None if n == NUMBER_FIGURES else n), [k + 1 for k, m in enumerate(misses) if m > 0]


def _misses(terms: list, sums: list, n: int, shown: int | None) -> list[Decimal]:
    """How far each sum of the first `terms`, written with `n` figures and added on paper, misses the floats' sum as
    written (the whole with `shown` figures): `miss`, 0 or less where it adds up, HALFWAY where it lies halfway."""
    with localcontext(EXACT):
        on_paper = list(itertools.accumulate(term_written(t, n) for t in terms))
        return [miss(on_paper[k], sums[k], shown if k == len(terms) - 1 else None) for k in range(len(terms))]


def _fits(misses: list[Decimal], kept: list[int], near: list[int], slack: Decimal | int) -> bool:
    """Whether the sums `kept` miss by `slack` at most (0: they add up as written; HALFWAY: or lie halfway), and
    those `near` lie halfway at most."""
    return all(misses[k] <= slack for k in kept) and all(misses[k] <= HALFWAY for k in near)


def _mean_figures(terms: list) -> tuple[int | None, list[int]]:
    """Tensors' shares: the fewest figures (more than ARRAY_FIGURES) that write their means so that they add up to
    the mean of each sum of them as written (the grad's, `summary`): x's shares in tanh(x*w) + x*x + sin(x) + ...,
    drawn "mean -0.383", 0.196 twice, 0.679 and -0.161 beside "grad ... mean 0.528", add up to 0.527. None where
    ARRAY_FIGURES do or none do, or for NaNs and infinities (whose means are no numbers to add). Where none do (the
    floats rounded along the way: shares of means 1, 1e+16 and -1e+16 sum to 0), the counts of first shares whose
    means, with ARRAY_FIGURES, do not add up, as `_share_figures` gives a number's."""
    with np.errstate(all="ignore"):
        of = np.result_type(*terms, np.float16)  # as backward adds them: float32 shares in float32 (1 + 1e8 is 1e8)
        sums = list(itertools.accumulate(np.asarray(t, dtype=of) for t in terms))
    if not all(np.isfinite(s).all() for s in sums):
        return None, []
    totals = [mean_written(s, None) for s in sums]
    for n in range(ARRAY_FIGURES, 18):
        with localcontext(EXACT):
            on_paper = list(itertools.accumulate(mean_written(t, n) for t in terms))
            added = [means_add_up(paper, total) for paper, total in zip(on_paper, totals)]
            if n == ARRAY_FIGURES:
                off = [k + 1 for k, fits in enumerate(added) if not fits]
            if all(added):
                return None if n == ARRAY_FIGURES else n, []
    return None, off


def _halfway(a: float, b: float, total: float, shown: int | None) -> bool:
    """Whether a and b as drawn add up, on paper, halfway in the last figure of `total` as drawn, where a learner
    rounds the other way than the float did (as a caption's `alike` counts it a miss): 0.8955 + 1.548 beside
    2.443 is 2.4435, which reads 2.444."""
    with localcontext(EXACT):
        on_paper = Decimal(summary(a)) + Decimal(summary(b))
    # a float halfway itself (0.5 + 2.125 = 2.625, written 2.62 to even) is the figures' rounding, as `alike` reads it
    return halfway(on_paper, as_written(total, shown)) and on_paper != Decimal(total)


def _fraction_shown(x: float) -> int | None:
    """The fewest figures (more than `summary`'s own) that write `x`, a number between whole ones, as one: None where
    its own do ("0.5") or it is whole. Its place between the stairs is what a rounding op of it does."""
    if not finite(x) or x.is_integer() or not _whole(summary(x)):
        return None
    return next((n for n in range(NUMBER_FIGURES + 1, 18) if not _whole(summary(x, n=n))), None)


def _whole(text: str) -> bool:
    """Whether a number as written reads as a whole one: "1.000e+13", "3", not "0.5"."""
    return (d := Decimal(text)) == d.to_integral_value()


def _place(x: float, n: int | None = None) -> int:
    """The power of ten of the last figure of finite `x` as written with `n` figures (`summary`): 6.881's -3."""
    return int(Decimal(summary(x, n=n)).as_tuple().exponent)

"""Where a name drawn shortened (text.shortened: its start … its end) is whole: in a note under the drawing (a PNG
has no tooltips), in the SVG's tooltips, on hover in the player's page (its title=), and in explain's text."""

from __future__ import annotations

import re
from collections import Counter

from graphviz.quoting import NoHtml

from autograd import Node

from .graph import Graph, constant_label, numbered_names, op_texts, value_steps
from .text import shortened, tooltip, visible, visible_path

NOTE_HEAD = "names shortened (…) in the drawing, whole:"


def whole_named(graph: Graph, names: dict[int, str]) -> dict[int, str]:
    """`names` (numbered_names, by id) with each shortened name whole, the "#k" that tells it apart kept: "enc…out#3"
    is "encoder.layers.0.attention.out#3". explain's text, which no drawing's width bounds, names values so."""
    return {i: _whole(graph.names.get(i, ""), shown) for i, shown in names.items()}


def module_names(graph: Graph) -> dict[str, str]:
    """Each module's path (by the path) as its cluster or box is labelled: shortened where long, and two shortened
    alike numbered apart in the order of their paths, a number in them read as a number ("model.encoder.laye…attn.
    out_proj#1" and "#2", layers 2 and 10): the same in every drawing of the model, whatever order backward meets
    them in, so that each box is told apart and the note names it whole. A path shortened as a value's name, a
    constant's label or an op's text is, is numbered too, by a number no value's "#k" (its step) has."""
    paths = sorted(set(graph.owner.values()), key=_numbers_as_numbers)
    short = {path: shortened(visible_path(path)) for path in paths}
    if not short:
        return short
    others = _short_names(graph)
    alike, seen = Counter(short.values()), Counter()
    for path, shown in short.items():
        if alike[shown] > 1 or (shown != visible_path(path) and shown in others):
            seen[shown] += 1
            while f"{shown}#{seen[shown]}" in others:  # a value's "#1" and a module's stood for two things
                seen[shown] += 1
            short[path] = f"{shown}#{seen[shown]}"
    return short


def _short_names(graph: Graph) -> set[str]:
    """The names a drawing of `graph` shows but modules': values' (numbered_names), and each with its step after it
    (the root drawn "X" is step 1: a module's "X#1" would read as the root), constants' labels, ops' texts."""
    stepped = {f"{shortened(graph.names[i])}#{k}" for i, k in value_steps(graph).items() if graph.names[i]}
    consts = {constant_label(n) for n in graph.order if id(n) in graph.consts}
    return set(numbered_names(graph).values()) | stepped | consts | {shortened(t) for t in op_texts(graph.order)}


def _numbers_as_numbers(path: str) -> list[tuple[int, str]]:
    """A path's sort key: its runs of digits as numbers ("layers.2" before "layers.10"), by their digits' count
    and then the digits (int() refuses more than 4,300 digits)."""
    parts = re.split(r"(\d+)", path)  # text, digits, text, ...
    return [(len(part.lstrip("0")), part.lstrip("0")) if k % 2 else (0, part) for k, part in enumerate(parts)]


def whole_names(graph: Graph, names: dict[int, str], nodes: list[Node] | None = None) -> dict[str, str]:
    """Every name a drawing of `graph` shows shortened, with its whole text (two ops' texts or constants' labels
    shortened alike, which nothing numbers apart, joined by "or"): values' names (`names`, numbered_names),
    constants' labels, ops' names and their keywords' words, of `nodes` (those drawn; None: all), and the modules'
    paths (`module_names`)."""
    nodes = graph.order if nodes is None else nodes
    found = [(names[id(n)], _whole(graph.names[id(n)], names[id(n)])) for n in nodes if id(n) in names]
    found += [(constant_label(n), visible(n.label)) for n in nodes if id(n) in graph.consts and constant_label(n)]
    found += [(shown, visible_path(path)) for path, shown in module_names(graph).items()]
    found += [(shortened(t), t) for t in sorted(op_texts(nodes))]
    whole: dict[str, list[str]] = {}
    for shown, text in found:
        if shown != text and text not in whole.setdefault(shown, []):
            whole[shown].append(text)
    return {shown: " or ".join(wholes) for shown, wholes in whole.items()}


def note(whole: dict[str, str]) -> str:
    """The note under a drawing giving each shortened name whole (`whole_names`), a line each (dot.paragraphs
    wraps a long one): "" where none is."""
    return "\n".join([NOTE_HEAD, *(f"{shown} is {text}" for shown, text in whole.items())]) if whole else ""


def tip(shown: str, whole: dict[str, str]) -> dict[str, NoHtml]:
    """A node's or a cluster's tooltip attribute giving its name (`shown`, as drawn) whole, where it is shortened."""
    return {"tooltip": tooltip(whole[shown])} if shown in whole else {}


def told_tip(text: str, whole: dict[str, str], attribute: str = "tooltip") -> dict[str, NoHtml]:
    """A tooltip attribute (an op's, an edge label's `labeltooltip`) giving whole each shortened name found in
    `text`, "x…y is (its whole)" a line each; {} where none is."""
    told = "\n".join(f"{shown} is {full}" for shown, full in named_in(text, whole).items())
    return {attribute: tooltip(told)} if told else {}


def named_in(text: str, whole: dict[str, str]) -> dict[str, str]:
    """The shortened names of `whole` (`whole_names`) that `text` names, with their whole text ("x…y#1" is not
    named in "x…y#12")."""
    return {shown: full for shown, full in whole.items() if re.search(re.escape(shown) + r"(?!\d)", text)}


def _whole(given: str, shown: str) -> str:
    """A value's name as drawn (`shown`: shortened, with its "#k" where told apart) with its whole text (`given`)."""
    short = shortened(given)
    return given + shown[len(short) :] if given and short != given and shown.startswith(short) else shown

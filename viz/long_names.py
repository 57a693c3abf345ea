"""Every name a drawing writes, decided in one place: values' names, ops' texts and constants' labels (drawn_names)
and modules' paths (module_names), shortened (text.shortened: its start … its end) and those alike numbered apart;
and where a name drawn shortened is whole: in a note under the drawing (a PNG has no tooltips), in the SVG's
tooltips, on hover in the player's page (its title=), and in explain's text."""

from __future__ import annotations

import re
from collections import Counter

from graphviz.quoting import NoHtml

from autograd import Node

from .graph import Graph, constant_label, numbered_names, op_texts, value_steps
from .text import shortened, tooltip, visible, visible_path

NOTE_HEAD = "names shortened (…) in the drawing, whole:"


class Names(dict[int, str]):
    """What a drawing of a graph writes for its values and its user's texts (`drawn_names`): each value's name, by
    id (numbered_names), and `texts`, each op's name, keyword and word (graph.op_texts) and each constant's label,
    from the text (`visible`) to how it is written: shortened and numbered apart, or (`whole_named`) whole."""

    def __init__(self, values: dict[int, str], texts: dict[str, str]) -> None:
        super().__init__(values)
        self.texts = texts

    def text(self, given: str) -> str:
        """An op's name, keyword or word (quoted) or a constant's label, as written here."""
        return self.texts[visible(given)]

    def label(self, node: Node) -> str:
        """A constant's label as written here, where it is drawn by it (`constant_label`); "" where by its number."""
        return self.text(node.label) if constant_label(node) else ""


def drawn_names(graph: Graph) -> Names:
    """Each value's name and each user's text (`Names`) as a drawing of `graph` writes them, the one place that
    decides them (modules' paths: module_names, which numbers them apart from these): an op's name, keyword or word
    and a constant's label shortened alike another (two ops' names, an op's and a constant's, two constants') are
    numbered apart in their order, "model_encoder_laye…ut_projection#1" and "#2", by numbers no value's "#k" has;
    a value's name shortened as one of them is is numbered by its step (numbered_names)."""
    values = numbered_names(graph)
    # a one-number constant is drawn by its number (`constant_label`): its label, written whole where told, numbers none
    labels = {visible(n.label) for n in graph.order if id(n) in graph.consts and constant_label(n)}
    texts = sorted(op_texts(graph.order) | labels, key=_numbers_as_numbers)
    return Names(values, _numbered({text: text for text in texts}, _value_names(graph, values)))


def whole_named(graph: Graph, names: Names) -> Names:
    """`names` (drawn_names) with each shortened name whole, the "#k" that tells a value apart kept: "enc…out#3"
    is "encoder.layers.0.attention.out#3", and each op's text and constant's label whole. explain's text and the
    errors, which no drawing's width bounds, name so."""
    values = {i: _whole(graph.names.get(i, ""), shown) for i, shown in names.items()}
    return Names(values, {text: text for text in names.texts})


def module_names(graph: Graph, names: Names) -> dict[str, str]:
    """Each module's path (by the path) as its cluster or box is labelled (`visible_path`): shortened where long,
    and two shortened alike numbered apart in the order of their paths, a number in them read as a number ("model.
    encoder.laye…attn.out_proj#1" and "#2", layers 2 and 10): the same in every drawing of the model, whatever order
    backward meets them in, so that each box is told apart and the note names it whole. A path shortened as a
    value's name, a constant's label or an op's text is drawn (`names`, drawn_names) is numbered too, by a number
    no value's "#k" (its step) has."""
    paths = sorted(set(graph.owner.values()), key=_numbers_as_numbers)
    return _numbered(
        {path: visible_path(path) for path in paths}, _value_names(graph, names) | set(names.texts.values())
    )


def _numbered(whole: dict[str, str], others: set[str]) -> dict[str, str]:
    """Each of `whole` (by key, its whole text) as drawn: shortened, and numbered "#k" in the keys' order where
    another shortens alike or, shortened, it reads as one of `others` (names drawn besides), by a number that
    makes it none of `others`."""
    short = {key: shortened(text) for key, text in whole.items()}
    alike, seen = Counter(short.values()), Counter()
    for key, shown in short.items():
        if alike[shown] > 1 or (shown != whole[key] and shown in others):
            seen[shown] += 1
            while f"{shown}#{seen[shown]}" in others:  # a value's "#1" and this "#1" stood for two things
                seen[shown] += 1
            short[key] = f"{shown}#{seen[shown]}"
    return short


def _value_names(graph: Graph, values: dict[int, str]) -> set[str]:
    """The names a drawing of `graph` gives its values (`values`, numbered_names), and each with its step after it
    (the root drawn "X" is step 1: an op's or a module's "X#1" would read as the root)."""
    stepped = {f"{shortened(graph.names[i])}#{k}" for i, k in value_steps(graph).items() if graph.names[i]}
    return set(values.values()) | stepped


def _numbers_as_numbers(path: str) -> list[tuple[int, str]]:
    """A path's sort key: its runs of digits as numbers ("layers.2" before "layers.10"), by their digits' count
    and then the digits (int() refuses more than 4,300 digits)."""
    parts = re.split(r"(\d+)", path)  # text, digits, text, ...
    return [(len(part.lstrip("0")), part.lstrip("0")) if k % 2 else (0, part) for k, part in enumerate(parts)]


def whole_names(graph: Graph, names: Names, nodes: list[Node] | None = None) -> dict[str, str]:
    """Every name a drawing of `graph` shows shortened, with its whole text: values' names, constants' labels, ops'
    names and their keywords' words (`names`, drawn_names), of `nodes` (those drawn; None: all), and the modules'
    paths (`module_names`). Two drawn alike, which the numbering leaves only where a text given is itself another's
    short form ("enc…out#1"), are joined by "or": the line says so, where one whole would hide it."""
    nodes = graph.order if nodes is None else nodes
    found = [(names[id(n)], _whole(graph.names[id(n)], names[id(n)])) for n in nodes if id(n) in names]
    found += [(names.label(n), visible(n.label)) for n in nodes if id(n) in graph.consts and names.label(n)]
    found += [(shown, visible_path(path)) for path, shown in module_names(graph, names).items()]
    found += [(names.texts[t], t) for t in sorted(op_texts(nodes))]  # each visible already
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
    named in "x…y#12", nor "x…y" in "x…y#3", a value numbered apart from an op drawn "x…y")."""
    return {shown: full for shown, full in whole.items() if shown in text and _named(shown, text)}


def _named(shown: str, text: str) -> bool:
    """Whether `text` names `shown`, not as the start of a longer name ("x…y#12", "x…y#3"): player.js's wholeIn
    reads a page's texts by the same rule."""
    return re.search(re.escape(shown) + r"(?!#?\d)", text) is not None


def _whole(given: str, shown: str) -> str:
    """A value's name as drawn (`shown`: shortened, with its "#k" where told apart) with its whole text (`given`)."""
    short = shortened(given)
    return given + shown[len(short) :] if given and short != given and shown.startswith(short) else shown

"""The texts of a player page told once (html.py): a caption's words are the same at every training step,
only its numbers change; and the explanations of the values (as `explain` tells them) share most of their
lines, as every path through an edge tells that edge's local derivative alike. All of it is written in the page's
script as JSON (`script_json`)."""

from __future__ import annotations

import json
import re
from typing import Any

_N = r"\d+(?:\.\d+)?(?:e[+-]\d+)?"
NUMBER = re.compile(rf"(?<![\w.#])(?:\(-{_N}\)|-?{_N})")  # in a caption, a factor "(-3)" too; not the 1 of "x1", "#1"
_SPLIT = re.compile(f"({NUMBER.pattern})")  # words and numbers in turn: NUMBER's split and findall in one pass


def _parts(text: str) -> tuple[list[str], list[str]]:
    """`text`'s words split around its numbers (NUMBER.split) and its numbers (NUMBER.findall), read once."""
    parts = _SPLIT.split(text)
    return parts[0::2], parts[1::2]


def by_numbers(numbers: list[dict[str, Any]], key: str) -> list[list[str]]:
    """Texts told once, by their numbers: the first training step's texts under `key` split around their
    numbers are returned (the templates), and each step's text is replaced by its numbers where its words
    are the template's (else it stays whole). Training steps differ in numbers only, so the page carries
    the words once."""
    templates = [_parts(text)[0] for text in numbers[0][key]]
    for step in numbers:
        split = (_parts(text) for text in step[key])
        step[key] = [
            found if words == template else text for (words, found), text, template in zip(split, step[key], templates)
        ]
    return templates


def by_lines(numbers: list[dict[str, Any]]) -> list[list[str]]:
    """The explanations told once, by their lines: each training step's distinct lines (`lines`: a line's
    words, by index into the returned list of words split around numbers, then its numbers), and per
    value the indexes of its lines (`explained`) and the edges of its paths (`paths`), each None where it
    is the first step's (the page reads that one then)."""
    words: dict[tuple[str, ...], int] = {}
    first: dict[str, list] = {}
    for t, step in enumerate(numbers):
        table: dict[str, int] = {}  # this step's distinct lines, by index
        refs = [[table.setdefault(line, len(table)) for line in text.split("\n")] for text in step["explained"]]
        split = (_parts(line) for line in table)
        step["lines"] = [[words.setdefault(tuple(w), len(words)), *found] for w, found in split]
        step["explained"] = refs
        for key in ("explained", "paths"):
            theirs = first.setdefault(key, step[key])
            step[key] = step[key] if t == 0 else [None if a == b else a for a, b in zip(step[key], theirs)]
    return [list(w) for w in words]


def script_json(value: Any) -> str:
    """JSON to embed in a <script>: with <, > and & as \\u escapes, no text in it (a label such as
    "</script>" or "<!--<script>") can end the script or switch the HTML parser's state."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

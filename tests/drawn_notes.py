"""A drawing's DOT source with its notes unwrapped, for tests that look for a note's words: the notes under a drawing
wrap at NOTE_COLUMNS (dot.paragraphs), a line break ("\\l") where a space was, and a check's why in its value's box
at FIELD_COLUMNS (labels.record, "\\n"), so a note's words are found across its lines."""

import re


def unwrapped(drawing) -> str:
    """`drawing.source` with each line break inside its notes and boxes a space again (and none after a note's last
    line)."""
    source = re.sub(r'(?<!\\)\\l(?=")', "", re.sub(r'(?<!\\)\\l(?!")', " ", drawing.source))
    return re.sub(r"(?<!\\)\\n", " ", source)

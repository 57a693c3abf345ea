"""A user's text (labels, parameter and module names) as viz writes it: control characters made visible,
a long name shortened to a fixed width, and escaped for graphviz, so that what a drawing, a caption or the page
shows is the text given."""

from __future__ import annotations

import html
import re
import unicodedata

import graphviz

LINE_BREAK = "⏎"
# graphviz drops a line break inside a record and refuses a NUL (dot exits with a syntax error), and a
# caption would break its line there: each is shown as a symbol instead, the same in DOT, SVG and the page
_LINE_BREAKS = ("\r\n", "\r", "\n", "\u2028", "\u2029")  # \r\n first: one break, one ⏎
_CONTROL_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)} | {0x7F: "␡"}  # ␀ for NUL, ␉ for a tab
_NO_PICTURE = "�"  # the C1 controls (U+0080 to U+009F) have no symbol of their own
# the marks, embeddings, overrides and isolates that reorder the text after them (a right-to-left override in
# "w\u202e" turned the caption's "x gets -9.216e-05" into "50-e612.9- steg x"): no symbol either
_REORDERING = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
# half of a UTF-16 pair, alone (os.fsdecode of a file name's byte 0xff gives "\udcff"): no character, and UTF-8
# cannot write it (dot's input and the player's page raised UnicodeEncodeError)
_SURROGATES = range(0xD800, 0xE000)


def visible(text: str) -> str:
    """`text` with each line break as ⏎ and each other control character as its Unicode control picture
    (␀ for NUL, ␉ for a tab), and each that reorders the text after it (right-to-left marks), or is half of a
    UTF-16 pair alone, as �, and each space at its start or end as ␣: one line of visible characters, in their
    order, wherever viz writes it."""
    for br in _LINE_BREAKS:
        text = text.replace(br, LINE_BREAK)
    if not text.isprintable():  # the common case, printable, has nothing to replace
        text = "".join(_CONTROL_PICTURES.get(ord(c), _NO_PICTURE if _unwritable(ord(c)) else c) for c in text)
    return _isolated(_ENDS.sub(lambda m: SPACE * len(m.group()), text))


SPACE = "␣"  # a space at a name's start or end, which no one sees: "w " and "w" were drawn alike ("w * w")
_ENDS = re.compile(r"^\s+|\s+$")


def visible_path(path: str) -> str:
    """A dotted path (a module's, a parameter's) as viz writes it: `visible`, and each part's spaces at its ends as ␣
    too, so that a layer named "w " reads "w␣" in its box and "w␣.W" in its weight's record, one way."""
    return _PART_ENDS.sub(lambda m: SPACE * len(m.group()), visible(path))


_PART_ENDS = re.compile(r"(?<=\.)\s+|\s+(?=\.)")


def spaces_told(*texts: str) -> str:
    """What ␣ stands for, said after a message that names `texts` as `visible` writes them, where it wrote one:
    " (␣ is a space at a name's start or end)"; else "". A reader of "the Value w␣" cannot know it otherwise."""
    marked = any(visible(text).count(SPACE) > text.count(SPACE) for text in texts)
    return f" ({SPACE} is a space at a name's start or end)" if marked else ""


def _unwritable(code: int) -> bool:
    """Whether a character has no picture of its own and is shown as �: a C1 control, one that reorders the text
    after it, a lone surrogate."""
    return 0x80 <= code < 0xA0 or code in _REORDERING or code in _SURROGATES


def _isolated(text: str) -> str:
    """Text holding right-to-left letters between an isolate's ends (U+2068, U+2069), so that it reads right to
    left within them and moves nothing around it: "∂#3/∂משקל = 3.072e-05 × 2" read "∂#3/∂3.072 = משקלe-05 × 2"."""
    if text.isascii() or not any(unicodedata.bidirectional(c) in ("R", "AL") for c in text):
        return text
    return f"{_OPENS}{text}{_CLOSES}"


# what `_isolated` puts around a right-to-left text: an isolate's ends, and marks for graphviz, which knows no isolate
_OPENS, _CLOSES = "\u200e\u2068", "\u2069\u200e"
ISOLATE_MARKS = _OPENS + _CLOSES[0]

NAME_COLUMNS = 32  # the widest a name is drawn, in columns of a fixed-width font (a wide CJK character takes 2)
ELISION = "…"
_HEAD = 18  # the columns a shortened name keeps of its start; the rest, after the …, of its end
_JOINED = ("Mn", "Mc", "Me")  # marks drawn on the character before them (an accent, a variation selector)
_ZWJ = "\u200d"  # joins the characters either side into one (👩\u200d💻)


def shortened(name: str) -> str:
    """A name (`visible`'s) as drawn: whole up to NAME_COLUMNS columns, else its start and end with … between, at that
    width (a 195-character label drew a box 4,521 pixels wide); a character is never parted from its marks. Two
    names alike at both ends are told apart where they are drawn (long_names.drawn_names), and whole in tooltips and
    notes."""
    if len(name) * 2 <= NAME_COLUMNS:  # no character takes more than 2 columns
        return name
    clusters = _clusters(name)
    if sum(map(_columns, clusters)) <= NAME_COLUMNS:
        return name
    head, tail = _fitting(clusters, _HEAD), _fitting(clusters[::-1], NAME_COLUMNS - _HEAD - 1)
    return "".join(clusters[:head]) + ELISION + "".join(clusters[len(clusters) - tail :])


def quoted(word: str) -> str:
    """A word (an op's parameter) between the quotes Python's repr takes for it: "it's", 'mean'; np.str_("mean")'s
    repr, np.str_('mean'), is not its text's."""
    quote = repr(str(word))[0]
    return f"{quote}{word}{quote}"


def drawn(name: str) -> str:
    """A user's name (a label, a module's path, an op's name or keyword) as a drawing writes it: visible, shortened."""
    return shortened(visible(name))


NOTE_COLUMNS = 72  # a note under a drawing wraps at this many columns, about 410 points: a one-op graph is 406 wide
FIELD_COLUMNS = 48  # a box's field of text (a check's why) wraps at this many: about a box of four numbers wide


def wrapped(text: str, columns: int) -> list[str]:
    """`text` in lines of at most `columns` columns, broken at spaces (the spaces a line breaks at are dropped); a word
    wider than a line (a long name) starts where it is and breaks where the line ends, a character kept with its
    marks. A note under a drawing so reads as a paragraph, never as wide as its text."""
    lines, used = [""], 0
    for k, word in enumerate(text.split(" ")):
        clusters = _clusters(word)
        width = sum(map(_columns, clusters))
        if k and (lines[-1] or len(lines) == 1):  # the space before the word, unless a line breaks at it
            fits = used + 1 + width <= columns
            starts_here = width > columns and clusters and used + 1 + _columns(clusters[0]) <= columns
            if fits or starts_here:
                lines[-1] += " "
                used += 1
            else:
                lines.append("")
                used = 0
        for cluster in clusters:
            if lines[-1] and used + _columns(cluster) > columns:
                lines.append("")
                used = 0
            lines[-1] += cluster
            used += _columns(cluster)
    return _isolated_lines([line.rstrip(" ") for line in lines[:-1]] + lines[-1:])  # all of a run broken at


def _isolated_lines(lines: list[str]) -> list[str]:
    """`lines` with an isolate (`_isolated`) a break parts closed at the line's end and opened again at the next
    line's start: a line starting with right-to-left letters reads right to left ("w.data +=" drawn "=+ w.data")."""
    parted = False
    for k, line in enumerate(lines):
        line = _OPENS + line if parted else line
        parted = line.count("\u2068") > line.count("\u2069")
        lines[k] = line + _CLOSES if parted else line
    return lines


def _clusters(text: str) -> list[str]:
    """`text` as the characters a reader sees, each with the marks drawn on it and what a joiner adds to it."""
    clusters: list[str] = []
    for c in text:
        if clusters and (unicodedata.category(c) in _JOINED or c == _ZWJ or clusters[-1].endswith(_ZWJ)):
            clusters[-1] += c
        else:
            clusters.append(c)
    return clusters


def _columns(cluster: str) -> int:
    """The columns a character takes: 2 a wide one (CJK, most emoji), 0 a format character (a right-to-left mark)."""
    c = cluster[0]
    if unicodedata.category(c) == "Cf":
        return 0
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


def _fitting(clusters: list[str], columns: int) -> int:
    """How many of `clusters`, from the first, fit in `columns`."""
    used = 0
    for k, cluster in enumerate(clusters):
        used += _columns(cluster)
        if used > columns:
            return k
    return len(clusters)


def escape(text: str) -> str:
    """Text safe inside a graphviz label, drawn as it is: a record's separators and a label's escapes
    (\\\\ { } | < > ") backslashed, and & as &amp; since graphviz decodes entities in labels ("&amp;" would
    be drawn "&")."""
    text = text.replace("&", "&amp;")
    for ch in '\\{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text


def tooltip(text: str) -> graphviz.quoting.NoHtml:
    """Text for a graphviz tooltip, shown as it is: & as &amp; (graphviz decodes entities there) and each backslash
    as four, which its escapes (\\N for the node's name) take back to one; never read as an HTML-like label."""
    return graphviz.nohtml(text.replace("&", "&amp;").replace("\\", "\\" * 4))


def escape_field(text: str) -> str:
    """Text safe inside a field of a graphviz record, as `escape`, each space after another a no-break
    space: a record draws a run of spaces as one ("a   b" as "a b"), a no-break space as it is; and each space
    before the field's first ASCII character, which a record drops as a leading one ("שלום עולם" drawn "שלוםעולם")."""
    text = re.sub(r"(?<= ) ", "\u00a0", escape(text))
    lead = re.match(r"[^!-~]*", text).group()  # up to the first printable ASCII character but a space
    return lead.replace(" ", "\u00a0") + text[len(lead) :]


def escape_html(text: str) -> str:
    """Text safe inside an HTML-like graphviz label: & < > " as entities, and each backslash doubled, as
    graphviz reads a backslash there as its own escape too (\\G, \\N, \\T, \\H, \\E, \\L stand for the
    graph's, a node's, an edge's names: a label "\\Gamma" was drawn "%3amma")."""
    return html.escape(text.replace("\\", "\\\\"))

"""Every note under a drawing wraps at NOTE_COLUMNS, flush left: a note reads as a paragraph, never as wide as its
text. The note that a leaf's data changed after the forward pass (276 characters on one line) drew y = a * b, 406
points wide, 1,573 wide; two notes of a .grad set by hand 801 -> 1,404; a collapsed model's data-changed note
608 -> 1,745; the colour key 396 -> 465; a frame of backward_steps, its caption above, 507 -> 1,066. A check's why,
written in its value's box, wraps too, at FIELD_COLUMNS: (w - 3)**2 at its minimum drew its graph 2,163 points
wide for one line of 231 characters in w's box (1,249 now)."""

import re
import unicodedata

import numpy as np
import pytest

import nn
import viz
from autograd import Tensor, Value
from viz.text import FIELD_COLUMNS, NOTE_COLUMNS, wrapped


def columns(text: str) -> int:
    wide = lambda c: 2 if unicodedata.east_asian_width(c) in "WF" else 1  # noqa: E731
    return sum(0 if unicodedata.category(c) in ("Mn", "Mc", "Me", "Cf") else wide(c) for c in text)


def width(svg: str) -> int:
    return int(re.search(r'<svg width="(\d+)pt"', svg).group(1))


def small(label: str = "a") -> tuple[Value, Value]:
    a, b = Value(2.0, label=label), Value(-3.0, label="b")
    y = a * b
    y.label = "y"
    y.backward()
    return y, a


def changed():
    y, a = small()
    a.data += 0.5  # the lecture's update, then a drawing
    return viz.draw(y)


def nonfinite():
    x = Value(1e200, label="x")
    y = x * x
    y.backward()
    return viz.draw(y)


def set_by_hand():
    y, a = small()
    a.grad = 7.0
    return viz.draw(y, check=True)


def two_passes():
    y, a = small()
    y.backward()
    return viz.draw(y)


def collapsed_and_changed():
    model = nn.Linear(2, 1, seed=0)
    loss = model(Tensor(np.ones((1, 2)))).sum()
    loss.backward()
    model.W.data += 0.1
    return viz.draw(loss, modules=model, collapse=True, show_grads=False)


NOTES = {
    "changed": changed,
    "first NaN or infinity": nonfinite,
    "step key": lambda: viz.draw(small()[0], backward=True),
    "checks": lambda: viz.draw(small()[0], check=True),
    "set by hand, checked": set_by_hand,
    "two passes": two_passes,
    "colours": lambda: viz.draw(small()[0], color_by_grad=True),
    "long name": lambda: viz.draw(small("encoder.layers.0.self_attention.query_projection.weight")[0]),
    "collapsed and changed": collapsed_and_changed,
}


@pytest.mark.parametrize("make", NOTES.values(), ids=NOTES.keys())
def test_a_note_is_at_most_note_columns_wide_and_widens_a_small_drawing_little(make):
    drawing = make()
    label = re.search(r'\blabel="((?:[^"\\]|\\.)*)" labelloc=b', drawing.source).group(1)
    lines = re.split(r"(?<!\\)\\l", label)[:-1]  # each line flush left, the last ended too
    assert lines and all(columns(line.replace("\\", "")) <= NOTE_COLUMNS for line in lines)
    bare = drawing.copy()
    bare.body = [line for line in bare.body if "labelloc=b" not in line]  # the drawing without its notes
    assert width(drawing.pipe(format="svg").decode()) <= 1.1 * width(bare.pipe(format="svg").decode())


def test_a_frames_caption_wraps_too():
    y, _ = small()
    y.backward()  # a second pass: the first frame's caption tells of the .grad it added
    frame = next(iter(viz.backward_steps(y)))
    assert ".grad adds up every backward pass" in frame.caption
    assert width(frame._repr_svg_()) == width(frame.drawing.pipe(format="svg").decode())


@pytest.mark.parametrize("columns_", [7, 40, NOTE_COLUMNS])
def test_wrapped_breaks_at_spaces_and_a_word_wider_than_a_line_where_the_line_ends(columns_):
    prose = "a value changed after the forward pass: a * b holds -6 from it, and gives -7.5 now (w.data += 1)"
    lines = wrapped(prose, columns_)
    assert all(columns(line) <= columns_ for line in lines)
    assert " ".join(lines) == prose or columns_ < max(len(w) for w in prose.split())  # broken at spaces only
    assert all(len(a) + 1 + len(b.split(" ")[0]) > columns_ for a, b in zip(lines, lines[1:]))  # each line full
    name = "encoder.layers.0.self_attention.query_projection.weight" * 3
    lines = wrapped(f"x…y is {name}", columns_)
    assert re.sub("^x…y is ?", "", "".join(lines)) == name and all(columns(line) <= columns_ for line in lines)
    assert lines[0].startswith("x…y is ") or columns_ < 9  # the name starts where it is, not on a line of its own
    assert wrapped("漢字漢字漢字 漢字", 7) == ["漢字漢", "字漢字", "漢字"]  # two columns each


def test_a_line_break_inside_a_right_to_left_name_keeps_each_line_in_its_order():
    """A Hebrew label is drawn between an isolate's ends and left-to-right marks (text.visible), so that it moves
    nothing around it; a note broken inside it left the next line starting with Hebrew, which then read right to
    left: "b * ‎⁨משקל … בתוך" and "הרשת⁩‎ holds -6 from it, ... (an update such as w.data +=" drawn "=+  holds -6 from
    it, ... such as w.dataהרשת". Each line now closes what it opened, and the next opens it again."""
    a, w = Value(2.0, label="b"), Value(-3.0, label="משקל ראשון של השכבה השנייה בתוך הרשת")
    y = a * w
    y.backward()
    w.data += 0.5
    label = re.search(r'\blabel="((?:[^"\\]|\\.)*)" labelloc=b', viz.draw(y).source).group(1)
    lines = re.split(r"(?<!\\)\\l", label)[:-1]
    parted = [k for k, line in enumerate(lines) if "השנייה" not in line and "הרשת" in line]
    assert parted, lines  # the name is broken across lines here
    for line in lines:
        outside = re.sub("\u200e\u2068[^\u2069]*\u2069\u200e", "", line)
        assert not any(unicodedata.bidirectional(c) in ("R", "AL", "FSI", "PDI") for c in outside), line


def test_a_checks_why_in_a_box_wraps_at_field_columns():
    w = Value(3.0, label="w")
    loss = (w - 3) ** 2  # at its minimum every rule's number is 0: the check says at length why it cannot tell
    loss.backward()
    drawing = viz.draw(loss, backward=True, check=True)
    record = re.search(r'label="\{ w \| (.*?) \}"', drawing.source).group(1)
    why = record.split(" | ")[-1].split("\\n")
    assert len(why) > 2 and "tell the rules apart" in " ".join(why)
    assert all(columns(line) <= FIELD_COLUMNS for line in why)
    assert width(drawing.pipe(format="svg").decode()) < 1300


@pytest.mark.parametrize("spaces", [2, 5])
def test_a_run_of_spaces_a_line_breaks_at_is_dropped_whole(spaces):
    """The note's line ended in the run's spaces but one ("x  x … x " then "x  x …"): a key line ending in spaces."""
    text = "a" * 70 + " " * spaces + "b" * 10
    assert wrapped(text, NOTE_COLUMNS) == ["a" * 70, "b" * 10]
    lines = wrapped("x  " * 60, NOTE_COLUMNS)
    assert all(line == line.rstrip() for line in lines[:-1]) and "".join(lines).count("x") == 60

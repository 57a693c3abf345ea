"""What a drawing writes is what was given: a tensor record's histogram uses the figures of the min,
mean and max beside it (it wrote "all 1" beside "min 0.99999", "all -0" beside "min 0"), and labels
with a NUL (dot refused the whole drawing), line breaks (dropped) or "&amp;" (drawn "&") are shown as
given, the same in DOT, SVG, captions and the page."""

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from test_viz_player import page_data

import viz
from autograd import Tensor, Value
from viz.html import page_html
from viz.rules import symbol
from viz.steps import backward_pass
from viz.text import drawn, visible

SVG = "{http://www.w3.org/2000/svg}"


def texts(drawing) -> list[str]:
    return [t.text or "" for t in ET.fromstring(drawing.pipe(format="svg")).iter(SVG + "text")]


def record_of(words: list[str], name: str) -> list[str]:
    """The texts of the record that starts with `name`, up to the next record's first field."""
    start = words.index(name)
    return words[start : start + 6]


def test_a_histogram_writes_its_numbers_as_the_min_and_max_beside_it():
    t = Tensor(np.array([0.99999, 0.99999]), requires_grad=True, label="t")
    u = Tensor(np.array([-0.0, -0.0, 1e-5, 2.0]), requires_grad=True, label="u")
    r = (t * 1.0).sum() + (u * -0.0).sum()
    r.backward()
    words = texts(viz.draw(r, tensor_detail=True))
    assert record_of(words, "t")[2:4] == ["data min 0.99999 mean 0.99999 max 0.99999", "data all 0.99999"]
    u_record = record_of(words, "u")
    assert u_record[2:6] == ["data min 0 mean 0.5 max 2", "data █▁▁▄ [0, 2]", "grad min 0 mean 0 max 0", "grad all 0"]
    assert "data min 0 mean 0 max 0" in words and "data all 0" in words  # u * -0.0: its -0s and 0s


@pytest.mark.parametrize(
    "label, drawn",
    [
        ("\x00", "␀"),  # dot refused every drawing and page: CalledProcessError
        ("a\nb", "a⏎b"),  # the line break was dropped: "ab"
        ("q\r", "q⏎"),
        ("a\r\nb", "a⏎b"),
        ("a\tb", "a␉b"),
        ("&amp;", "&amp;"),  # graphviz decoded it: "&"
        ("&lt;x&", "&lt;x&"),
        ("{a|b} \\N <b>", "{a|b} \\N <b>"),
        ("w\u202e", "w�"),  # right-to-left override: the caption after it read "x gets -9.216e-05" as "50-e612.9-"
        ("w\u2067x", "w�x"),  # a right-to-left isolate, as the override
        ("\u200fw", "�w"),  # a right-to-left mark
        ("w\udcff", "w�"),  # a lone surrogate (os.fsdecode of a file name's byte 0xff): UnicodeEncodeError in dot
        ("w ", "w␣"),  # a space at an end: "w " and "w" were drawn alike, w * (w ) read w * w, whose derivative is 2w
        (" w", "␣w"),
        ("w\u3000", "w␣"),  # an ideographic space
    ],
)
def test_a_label_is_drawn_as_given_everywhere(label, drawn):
    x, w = Value(2.0, label=label), Value(-3.0, label="w")
    o = (x * w).tanh()
    o.label = "o"
    o.backward()
    for options in ({}, {"backward": True}, {"check": True}, {"number": True}):
        fields = [t for t in texts(viz.draw(o, **options)) if t.endswith(drawn)]  # the record's, a rule's "= w␣"
        assert any(t.removeprefix("#4 ") == drawn for t in fields), options
    frame = list(viz.backward_steps(o))[-1]
    assert frame.caption.startswith(f"step 4 of 4: {drawn} has its gradient")
    titled = [t.text for t in ET.fromstring(frame._repr_svg_()).iter(SVG + "text")]
    assert titled[0].startswith(f"step 4 of 4: {drawn} has its gradient")
    assert str(viz.explain(o, x)).split(" = ")[0] in (f"∂o/∂{drawn}", f"∂o/∂({drawn})")
    assert drawn in page_data(page_html(o))["names"]


def test_a_tensor_constants_label_and_a_note_are_drawn_as_given():
    c = Tensor(np.ones(3), label="c&amp;\n")
    t = Tensor(np.ones(3), requires_grad=True, label="t\x00")
    r = (t * c).sum()
    r.backward()
    r.backward()  # t.grad holds two passes: the note names t
    words = texts(viz.draw(r))
    assert "c&amp;⏎" in words
    assert any(w.startswith(".grad is not the gradient drawn at t␀") for w in words)


def test_a_right_to_left_label_moves_nothing_around_it():
    """A Hebrew label drew "∂#3/∂משקל = 3.072e-05 × 2" as "∂#3/∂3.072 = משקלe-05 × 2" in the player and swapped the
    operands of "∂(משקל·x)/∂x = משקל" in a PNG: the browser and graphviz reorder the neutral signs and numbers beside
    right-to-left letters. The label is written between an isolate's ends and left-to-right marks, which keep the
    text around it in its order; a left-to-right label is written as it is."""
    w, x = Value(-3.0, label="משקל"), Value(2.0, label="x")
    y = (w * x).tanh()
    y.label = "y"
    y.backward()
    kept = "\u200e\u2068משקל\u2069\u200e"
    assert all("משקל" not in line or kept in line for c in backward_pass(y).captions for line in c.split("\n"))
    assert kept in viz.draw(y, backward=True).source and kept in str(viz.explain(y, w))
    assert "משקל" not in viz.draw(y).source.replace(kept, "")
    assert "\u2068" not in viz.draw(Value(1.0, label="é") * x).source
    # a name still, not an expression: no brackets ("∂y/∂(משקל)" since the isolate's marks were not letters)
    assert str(viz.explain(y, w)).startswith(f"∂y/∂{kept} = ") and f"∂({kept})" not in str(viz.explain(y, w))
    assert symbol(visible("tanh(משקל)")) == visible("tanh(משקל)")  # a call, as round(y) is


@pytest.mark.parametrize("title, shown", [("a\x00b", "a␀b"), ("two\nlines", "two⏎lines"), ("w\u202e = 1", "w� = 1")])
def test_a_pages_title_is_shown_as_given_as_labels_are(title, shown):
    """save_html's title went into the page as it was: a NUL read "�" (the browser's), a line break was lost in the
    heading, a right-to-left override reversed it. It is written as labels are."""
    x = Value(2.0, label="x")
    y = x * x
    y.backward()
    page = page_html(y, title=title)
    assert f"<title>{shown}</title>" in page and f"<h1>{shown}</h1>" in page


@pytest.mark.parametrize(
    "name, shown", [("tw\u202eice", "tw�ice"), ("a\udcffb", "a�b"), ("a\x00b", "a␀b"), ("כפול", "\u2068כפול\u2069")]
)
def test_an_ops_name_is_shown_as_labels_are(name, shown):
    """An op of one's own named with a NUL made dot refuse the drawing and the page (CalledProcessError), one with
    half a UTF-16 pair raised UnicodeEncodeError, a right-to-left override reversed the captions after it, and a
    Hebrew name moved the numbers beside it: labels were cleaned (visible), op names were not."""
    from autograd import Op

    twice = Op(name, lambda a: 2 * a, lambda g, out, a: (2 * g,))
    x = Value(1.5, label="x")
    y = twice(x) * 3.0
    y.label = "y"
    y.backward()
    drawn = viz.draw(y, backward=True)
    drawn.pipe(format="svg")
    told = [
        drawn.source,
        str(viz.explain(y, x)),
        "\n".join(step.caption for step in viz.backward_steps(y)),
        page_html(y),
    ]
    for text in told:
        assert shown in text and not any(c in text for c in ("\u202e", "\udcff", "\x00"))


@pytest.mark.parametrize(
    "word, shown",
    [
        ("tw\u202eice", "'tw�ice'"),
        ("a\udcffb", "'a�b'"),
        ("a\x00b", "'a␀b'"),
        ("כפול", "\u200e\u2068'כפול'\u2069\u200e"),
    ],
)
def test_an_ops_text_parameter_is_shown_as_labels_are(word, shown):
    """An op of one's own given a word (mode='tw\\u202eice') drew it by repr, unlike labels and op names: escapes
    ('tw\\\\u202eice') where a label shows �, and a Hebrew word not isolated, moving the numbers beside it."""
    import numpy as np

    from autograd import Op, Tensor

    scale = Op("scale", lambda a, mode="x": 2 * a, lambda g, out, a, mode="x": (2 * g,))
    x = Tensor(np.array([1.5, 2.0]), requires_grad=True, label="x")
    y = (scale(x, mode=word) * 3.0).sum()
    y.label = "y"
    y.backward()
    drawn = viz.draw(y, backward=True)
    drawn.pipe(format="svg")
    for text in (drawn.source, page_html(y)):
        assert f"mode={shown}" in text.replace("&#39;", "'")
        assert not any(c in text for c in ("\u202e", "\udcff", "\x00", "\\u202e", "\\udcff", "\\x00"))


def test_a_numpy_word_given_to_an_op_is_quoted_as_a_word():
    """A word taken from an array, np.str_("mean"), was drawn mode=nmeann: quoted by the first character of its
    repr, np.str_('mean'); and, long, named whole under the drawing so too."""
    from autograd import Op

    scale = Op("scale", lambda a, mode="x": 2 * a, lambda g, out, a, mode="x": (2 * g,))
    x = Tensor(np.array([1.5, 2.0]), requires_grad=True, label="x")
    long = "a_rather_long_word_given_to_it_" * 2
    for word in ("mean", long):
        y = (scale(x, mode=np.array([word])[0]) * 3.0).sum()
        y.label = "y"
        y.backward()
        for text in (viz.draw(y, backward=True).source, page_html(y)):
            assert f"mode={drawn(repr(word))}" in text.replace("&#39;", "'"), word
    assert repr(long) in viz.draw(y).source


@pytest.mark.parametrize("label", ["שלום עולם", "é a b", "漢字 名前", "Ω  x"])
def test_a_space_after_a_first_letter_outside_ascii_is_drawn(label):
    """Graphviz's record drops each space before the field's first ASCII letter, taking it for a leading one:
    "שלום עולם" was drawn "שלוםעולם", "é a b" "éa b", "漢字 名前" "漢字名前"."""
    x = Value(2.0, label=label)
    y = x * 3.0
    y.backward()
    for options in ({}, {"backward": True}):
        assert visible(label) in [t.replace("\xa0", " ") for t in texts(viz.draw(y, **options))], options


def test_a_name_with_a_space_at_an_end_stands_in_a_rule_unbracketed():
    """Its ␣ is no operator: "∂(w·(w␣))/∂w = (w␣)" read as if w␣ were an expression."""
    assert symbol(visible("w ")) == "w␣" and symbol(visible(" w")) == "␣w" and symbol("a b") == "(a b)"


def test_a_name_with_a_space_at_an_end_numbered_apart_stands_in_a_rule_unbracketed():
    """Two values labelled "w " are drawn w␣#2 and w␣#3, and a rule read "∂((w␣#3)·(w␣#2))/∂(w␣#2) = (w␣#3)"
    where two labelled "w" read "∂(w#3·w#2)/∂w#2 = w#3"."""
    a, b = Value(2.0, label="w "), Value(3.0, label="w ")
    y = a * b
    y.label = "y"
    y.backward()
    rules = [t for t in texts(viz.draw(y, backward=True)) if t.startswith("∂")]
    assert "∂(w␣#3·w␣#2)/∂w␣#2 = w␣#3" in rules and not any("(w␣#2)" in t or "(w␣#3)" in t for t in rules), rules


def test_a_module_path_with_a_space_at_an_end_is_drawn_one_way():
    """A layer named "w " was drawn "w␣" as its box and "w .W" in its weight's record, a bare space: one path, two
    ways. Each part of a path now shows its spaces at its ends alike, in the box, the records and the page."""
    from test_viz_long_names import Deep

    model = Deep("w ")
    loss = model(Tensor(np.ones((1, 2)))).sum()
    for collapse in (False, True):
        words = [t.replace("\xa0", " ") for t in texts(viz.draw(loss, modules=model, collapse=collapse))]
        assert "w␣" in words and not any("w ." in t for t in words), words
    assert "w␣.W" in texts(viz.draw(loss, modules=model))
    data = page_data(page_html(loss, modules=model))
    assert "w␣.W" in data["names"] and not any("w ." in name for name in data["names"])

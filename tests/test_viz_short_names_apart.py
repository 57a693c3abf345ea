"""Each short name a drawing shows stands for one thing: a module's path shortened as a value's label, an op's name
or a constant's label is, is numbered apart from them, and a value so is numbered as a constant's alike would be.
The note under the drawing said "X is A or B", and a cluster and a record both read "…#1"."""

import re
import time

import numpy as np
import pytest
from test_viz_long_names import Deep, Twins, note_lines, told
from test_viz_player import page_data

import viz
from autograd import Op, Tensor, topological_order
from viz.html import page_html
from viz.text import shortened

PATHS = [f"model_encoder_layers_{k}_self_attention_output_projection" for k in range(10)]  # alike at both ends
SHORT = shortened(PATHS[0])


def test_a_module_and_a_value_shortened_alike_are_told_apart():
    """The module is numbered #2, not #1: the root, drawn "…ut_projection", is step 1 ("#1 …ut_projection" with
    number=True), and "…ut_projection#1" reads as the root, as two values' "x#1" and "x#2" do."""
    model = Deep(PATHS[0])
    loss = model(Tensor(np.ones((1, 2)))).sum()
    loss.label = PATHS[9]
    for collapse in (False, True):
        drawing = viz.draw(loss, modules=model, collapse=collapse)
        assert " or " not in " ".join(note_lines(drawing))
        assert told(drawing, SHORT, PATHS[9]) and told(drawing, f"{SHORT}#2", PATHS[0])
        assert f"{SHORT}#1" not in drawing.source


def test_a_module_is_not_numbered_as_a_value_is():
    """Two modules numbered #1 and #2, and two values alike numbered by their steps, 1 and 2: "…#1" stood for a
    module and for the root."""
    model = Twins()
    h = model(Tensor(np.ones((1, 2))))
    h.label = PATHS[8]
    loss = h.sum()
    loss.label = PATHS[9]
    drawing = viz.draw(loss, modules=model)
    assert " or " not in " ".join(note_lines(drawing))
    assert told(drawing, f"{SHORT}#1", PATHS[9] + "#1") and told(drawing, f"{SHORT}#2", PATHS[8] + "#2")
    assert told(drawing, f"{SHORT}#3", PATHS[0]) and told(drawing, f"{SHORT}#4", PATHS[1])


def test_a_value_and_an_op_shortened_alike_are_told_apart():
    op = Op(PATHS[0], lambda x: x * 2.0, lambda g, out, x: (g * 2.0,))
    x = Tensor(np.ones(3), requires_grad=True, label="x")
    h = op(x)
    h.label = PATHS[1]
    drawing = viz.draw((h * 3.0).sum(), backward=True)
    assert " or " not in " ".join(note_lines(drawing))
    assert told(drawing, SHORT, PATHS[0]) and told(drawing, f"{SHORT}#3", PATHS[1] + "#3")  # h, step 3


def test_a_module_and_an_op_shortened_alike_are_told_apart():
    op = Op(PATHS[1], lambda x: x * 2.0, lambda g, out, x: (g * 2.0,))
    model = Deep(PATHS[0])
    loss = op(model(Tensor(np.ones((1, 2))))).sum()
    drawing = viz.draw(loss, modules=model)
    assert " or " not in " ".join(note_lines(drawing))
    assert told(drawing, SHORT, PATHS[1]) and told(drawing, f"{SHORT}#1", PATHS[0])


def ops_and_constants(kind: str):
    """A loss through two things whose long texts shorten alike: two ops' names, an op's and a constant's label,
    or two constants' labels (PATHS[0] and PATHS[1], in that order of their texts)."""
    double = Op(PATHS[0], lambda x: x * 2.0, lambda g, out, x: (g * 2.0,))
    triple = Op(PATHS[1], lambda x: x * 3.0, lambda g, out, x: (g * 3.0,))
    x = Tensor(np.arange(1.0, 4.0), requires_grad=True, label="x")
    first, second = (Tensor(np.arange(3.0) + k, label=PATHS[k]) for k in (0, 1))
    made = {"ops": lambda: triple(double(x)), "op and constant": lambda: double(x) * second}
    made["constants"] = lambda: x * first + x * second
    return made[kind]().sum()


@pytest.mark.parametrize("kind", ["ops", "op and constant", "constants"])
def test_ops_and_constants_shortened_alike_are_numbered_apart_everywhere(kind):
    """Two ops, an op and a constant, or two constants whose texts shortened alike were drawn alike, "model_encoder_
    laye…ut_projection", and the note said "… is model_encoder_layers_0_… or model_encoder_layers_1_…": which box
    was which could not be told. Now "…#1" and "…#2", in the order of their texts, in the drawing, its frames, the
    player's page; explain, whose text no width bounds, writes them whole."""
    loss = ops_and_constants(kind)
    for options in ({}, {"backward": True}):
        drawing = viz.draw(loss, **options)
        assert " or " not in " ".join(note_lines(drawing))
        for k, whole in enumerate(PATHS[:2], 1):
            assert told(drawing, f"{SHORT}#{k}", whole) and f"{SHORT}#{k}" in drawing.source
        assert not re.search(re.escape(SHORT) + r"(?!#)", drawing.source)  # never drawn bare
    captions = "\n".join(frame.caption for frame in viz.backward_steps(loss))
    data = page_data(page_html(loss))
    assert data["whole"] == {f"{SHORT}#1": PATHS[0], f"{SHORT}#2": PATHS[1]}
    for text in (captions, "\n".join(data["captions"])):
        assert not re.search(re.escape(SHORT) + r"(?!#[12])", text)
    x = next(n for n in topological_order(loss) if n.label == "x")
    story = str(viz.explain(loss, x))
    assert PATHS[0] in story and PATHS[1] in story and SHORT not in story


def test_ops_numbered_apart_take_no_number_a_value_alike_has():
    """The root, labelled as the ops' names shorten, is "…ut_projection#1" (its step): the ops are #2 and #3."""
    loss = ops_and_constants("ops")
    loss.label = PATHS[9]
    drawing = viz.draw(loss, backward=True)
    assert told(drawing, f"{SHORT}#1", PATHS[9] + "#1")
    assert told(drawing, f"{SHORT}#2", PATHS[0]) and told(drawing, f"{SHORT}#3", PATHS[1])


def test_many_ops_numbered_apart_draw_in_a_second():
    """1,000 ops whose names shorten alike, numbered #1 to #1000: each op's tooltip searched the whole note's 1,000
    names with a regular expression each (a million, past re's cache of 512), 72 s for the DOT source alone (12 s
    before they were numbered, when the note held one name); now only those the text holds, under a second."""
    t = Tensor(np.ones(2), requires_grad=True, label="t")
    for k in range(1000):
        name = f"model_encoder_layers_{k}_self_attention_output_projection"
        t = Op(name, lambda a: a * 1.0, lambda g, out, a: (g,))(t)
    start = time.perf_counter()
    source = viz.draw(t.sum(), max_nodes=None).source
    took = time.perf_counter() - start
    assert took < 10, f"{took:.1f} s"
    assert f"{SHORT}#1000" in source


def value_beside_op():
    """A value labelled PATHS[1] fed to an op named PATHS[0]: the value is drawn "…ut_projection#3" (its step), the
    op bare, "…ut_projection"."""
    x = Tensor(np.arange(1.0, 4.0), requires_grad=True, label="x")
    v = x * 1.0
    v.label = PATHS[1]
    return Op(PATHS[0], lambda a: a * 2.0, lambda g, out, a: (g * 2.0,))(v).sum()


def test_a_name_numbered_apart_is_not_read_as_the_bare_name_it_starts_with():
    """The edge into x * 1, whose label names the value "…ut_projection#3" and not the op, had the tooltip
    "…ut_projection is model_encoder_layers_0_…" too: "x…y" was found in "x…y#3"."""
    source = viz.draw(value_beside_op(), backward=True).source
    tip = re.search(r'id=e2_0 labeltooltip="([^"]*)"', source).group(1)
    assert tip == f"{SHORT}#3 is {PATHS[1]}#3"

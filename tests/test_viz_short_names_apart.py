"""Each short name a drawing shows stands for one thing: a module's path shortened as a value's label, an op's name
or a constant's label is, is numbered apart from them, and a value so is numbered as a constant's alike would be.
The note under the drawing said "X is A or B", and a cluster and a record both read "…#1"."""

import numpy as np
from test_viz_long_names import Deep, Twins, note_lines, told

import viz
from autograd import Op, Tensor
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

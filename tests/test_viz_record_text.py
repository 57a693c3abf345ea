"""A value's record as drawn: its name and step number once each, and its grad field, "grad not computed"
before any gradient has arrived, in drawings, the player and collapsed drawings alike."""

import re

import nn
import viz
from autograd import Tensor, Value
from viz.html import page_html


def records(source: str) -> list[str]:
    return re.findall(r'label="(\{ [^"]* \})"', source)


def shared_label() -> Value:
    x1, x2 = Value(2.0, label="x"), Value(3.0, label="x")
    y = x1 * x2
    y.label = "y"
    y.backward()
    return y


def test_number_true_writes_a_name_told_apart_by_its_step_with_that_step_once():
    drawn = records(viz.draw(shared_label(), number=True).source)
    assert drawn == ["{ #1 y | data 6 | grad 1 }", "{ x#2 | data 3 | grad 2 }", "{ x#3 | data 2 | grad 3 }"]
    frame = list(viz.backward_steps(shared_label(), number=True))[-1]
    assert "#3 x#3" not in frame.drawing.source and "{ x#3 | data 2 | grad 3 }" in frame.drawing.source
    page = page_html(shared_label(), number=True)
    assert "#3 x#3" not in page and ">x#3</text>" in page


def test_number_true_still_numbers_a_name_used_once():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = a * b
    c.backward()
    assert records(viz.draw(c, number=True).source) == [
        "{ #1 | data 6 | grad 1 }",
        "{ #2 b | data 3 | grad 2 }",
        "{ #3 a | data 2 | grad 3 }",
    ]


def test_a_value_no_gradient_reached_reads_grad_not_computed_and_one_reached_its_grad():
    a = Value(2.0, label="a")
    b = a * 3.0
    b.label = "b"
    assert records(viz.draw(b).source) == ["{ b | data 6 | grad not computed }", "{ a | data 2 | grad not computed }"]
    b.backward()
    assert records(viz.draw(b).source) == ["{ b | data 6 | grad 1 }", "{ a | data 2 | grad 3 }"]
    assert '"notComputed": "grad not computed"' in page_html(b)  # what the player writes before backward


def test_a_collapsed_drawing_joins_modules_by_their_boxes_and_the_rest_by_their_ops():
    model = nn.Linear(2, 1, seed=0)
    x = Tensor([[1.0, 2.0]], label="x")
    loss = model(x).sum()
    loss.label = "loss"
    source = viz.draw(loss, modules=model, collapse=True).source
    edges = re.findall(r"^\t(.+) -> (.+)$", source, flags=re.M)
    assert ('"module Linear"', f'"{id(loss)}op"') in edges  # the module's box into the sum's oval
    assert (str(id(x)), '"module Linear"') in edges  # the data into the module's box

"""A static drawing of backward says what its ops' step numbers count: micrograd's neuron read "step 1, 2, 4,
5, 8" on its ops with no word of the missing numbers (the leaves' steps), which only the player's legend told."""

import re

from drawn_notes import unwrapped

import nn
import viz
from autograd import Value
from viz.demo import neuron


def _key(drawing) -> str:
    label = re.search(r'\blabel="(step k:[^"]*)"', unwrapped(drawing))
    return label.group(1) if label else ""


def _op_steps(drawing) -> list[int]:
    return sorted(int(k) for k in re.findall(r"\\nstep (\d+)", drawing.source))


def test_the_steps_the_ops_skip_are_named_as_the_leaves_steps():
    o = neuron()
    o.backward()
    drawing = viz.draw(o, backward=True)
    key = _key(drawing)
    assert _op_steps(drawing) == [1, 2, 4, 5, 8]
    assert key == (
        "step k: backward takes one value a step, o first; an op shows the step of the value it makes. Steps "
        "3 (b), 6 (w2) and 7 (x2) are leaves: a leaf gets its gradient at its step and sends none on"
    )
    skipped = [int(k) for k in re.findall(r"(\d+) \(", key)]
    assert sorted(_op_steps(drawing) + skipped) == list(range(1, 9))  # every number up to the last op, told


def test_one_skipped_step_and_many_read_as_such():
    y = (Value(0.5, "a") * Value(2.0) + Value(1.0, "c")).tanh()
    assert _key(viz.draw(y, backward=True)).endswith(
        "makes. Step 3 (c) is a leaf: it gets its gradient at its step and sends none on"
    )
    drawing = viz.draw(nn.MLP(3, [4, 1], seed=0)([1.0, 2.0, 3.0]), backward=True)
    listed = re.search(r"Steps ((?:\d+, ){7}\d+) and (\d+) more are leaves: ", _key(drawing))
    skipped = [int(k) for k in listed.group(1).split(", ")]  # unnamed leaves: their step is their name (#k)
    ops = _op_steps(drawing)
    assert skipped == sorted(set(range(1, max(ops))) - set(ops))[:8]
    assert int(listed.group(2)) == max(ops) - len(ops) - 8


def test_no_key_where_no_step_is_skipped_or_none_is_drawn():
    x = Value(0.5, "x")
    y = x.exp().sin()
    assert _key(viz.draw(y, backward=True)) == (
        "step k: backward takes one value a step, #1 first; an op shows the step of the value it makes"
    )
    assert _key(viz.draw(y)) == "" and "step k" not in viz.draw(y, number=True).source  # no steps drawn: no key
    assert "step k" not in viz.draw(x, backward=True).source  # a leaf alone: no op, no step drawn

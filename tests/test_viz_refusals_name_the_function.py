"""viz's argument refusals said what was wrong but not whose argument it was ("rankdir must be one of 'LR', ...",
"modules must be the model ...", "max_nodes must be an int ..."): from a notebook cell that calls several
functions, which one refused? Each now names its function first; an int argument also refuses numpy's
timedelta64 (an np.integer to numpy) and a list nested too deep for repr is shown by its depth."""

from __future__ import annotations

import numpy as np
import pytest

import nn
import viz
from autograd import Value


def loss() -> Value:
    a = Value(2.0)
    return a * a + 1


def nested(depth: int = 3000) -> list:
    x: list = [1.0]
    for _ in range(depth):
        x = [x]
    return x


def training_steps(**options):
    model = nn.MLP(2, [1], seed=0)
    return viz.training_steps(model, lambda m, b: (m(b) - 1.0) ** 2, [1.0, 2.0], nn.SGD(model.parameters()), **options)


@pytest.mark.parametrize(
    "name, call",
    [
        ("draw", lambda bad: viz.draw(loss(), rankdir=bad)),
        ("draw", lambda bad: viz.draw(loss(), show_grads=bad)),
        ("draw", lambda bad: viz.draw(loss(), modules=bad)),
        ("draw", lambda bad: viz.draw(loss(), format=bad)),
        ("draw", lambda bad: viz.draw(loss(), max_nodes=bad)),
        ("backward_steps", lambda bad: viz.backward_steps(loss(), rankdir=bad)),
        ("backward_steps", lambda bad: viz.backward_steps(loss(), number=bad)),
        ("backward_steps", lambda bad: viz.backward_steps(loss(), modules=bad)),
        ("backward_steps", lambda bad: viz.backward_steps(loss(), max_nodes=bad)),
        ("save_html", lambda bad: viz.save_html(loss(), "x.html", title=bad)),
        ("save_html", lambda bad: viz.save_html(loss(), "x.html", max_nodes=bad)),
        ("explain", lambda bad: viz.explain(loss(), loss(), max_paths=bad)),
        ("player", lambda bad: viz.player(loss(), height=bad)),
        ("training_steps", lambda bad: training_steps(steps=bad)),
        ("training_steps", lambda bad: training_steps(max_nodes=bad)),
    ],
)
@pytest.mark.parametrize("bad", [np.timedelta64(3), b"LR", nested()], ids=["timedelta64", "bytes", "nested"])
def test_a_refused_argument_names_its_function(name, call, bad, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # save_html's page, were it written
    with pytest.raises((TypeError, ValueError), match=name):
        call(bad)

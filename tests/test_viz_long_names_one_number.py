"""A one-number constant is drawn by its number, not its label: its long label numbers nothing apart, and where a
note names it (the first infinity) it is explained."""

import re

import numpy as np

import viz
from autograd import Tensor
from viz.text import shortened

LABELS = [f"model_encoder_layers_{k}_attention_output_projection_scale" for k in (0, 1)]


def test_every_number_a_long_constant_label_is_drawn_with_is_explained_in_the_note():
    """x·c2·c1, c1 a one-number constant of inf labelled LABELS[0], c2 of two numbers labelled LABELS[1]: the note
    said "model_encoder_laye…jection_scale#1 = inf (a constant given so)", and "…#1" was nowhere explained (the
    note named only c2, "…#2 is …"), c2's "#2" numbered apart from a name drawn nowhere else."""
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True, label="x")
    c1, c2 = Tensor(np.inf, label=LABELS[0]), Tensor(np.array([1.0, 5.0]), label=LABELS[1])
    with np.errstate(all="ignore"):
        source = viz.draw(((x * c2) * c1).sum(), backward=True).source
    text = source.replace("\\l", "\n").replace("\\n", "\n")
    numbered = set(re.findall(re.escape(shortened(LABELS[0])) + r"#\d+", text))
    lines = text.splitlines()
    unexplained = [n for n in numbered if not any(line.startswith(f"{n} is") for line in lines)]
    assert not unexplained, text
    assert LABELS[0] in text.replace("\n", "").replace("\\\n", ""), text  # c1's label told whole

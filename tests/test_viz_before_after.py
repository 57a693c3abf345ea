"""Wherever viz writes a number before and after a change (an update's old and new data, the player's record
after the update, the training page's first and last loss, a changed graph's held and new data), the two read
apart when they differ, and the change written beside them agrees with them on paper."""

import re
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Tensor, Value
from nn.optim import SGD, Adam
from tests.test_viz_player import page_data
from viz.html import page_html
from viz.steps import backward_pass
from viz.training import training_bar
from viz.update import optimizer_update


def _update_line(w: float, x: float, optimizer, lr: float) -> str:
    a, b = Value(w, label="w"), Value(x, label="x")
    return optimizer_update(backward_pass(a * b), optimizer([a], lr=lr)).caption.splitlines()[1]


def test_a_small_update_writes_its_before_and_after_apart():
    """Before: 'w ← w − 0.1 × 0.0001: 0.5 → 0.5, a change of -1e-05', moved and not moved at once."""
    assert _update_line(0.5, 1e-4, SGD, 0.1) == "w ← w − 0.1 × 0.0001: 0.5 → 0.49999, a change of -1e-05"
    adam = _update_line(0.5, 1e-4, Adam, 1e-6)
    assert "0.5 → 0.499999, a change of -9.999e-07" in adam  # before: "0.5 → 0.5"


def test_a_tensors_small_update_writes_its_min_mean_and_max_apart():
    w = Tensor(np.array([0.5, 0.25]), requires_grad=True, label="W")
    line = optimizer_update(backward_pass((w * 1e-4).sum()), SGD([w], lr=0.1)).caption.splitlines()[1]
    assert "min 0.25 mean 0.375 max 0.5 → min 0.24999 mean 0.37499 max 0.49999" in line


@settings(max_examples=300, deadline=None)
@given(
    w=st.floats(-10, 10).filter(lambda v: abs(v) > 1e-3),
    x=st.floats(1e-9, 1e-2),
    lr=st.sampled_from([1e-3, 0.01, 0.1, 1.0]),
)
def test_sgds_line_reads_apart_and_works_out_on_paper(w, x, lr):
    line = _update_line(w, x, SGD, lr)
    found = re.fullmatch(r"w ← w − (\S+) × \(?(\S+?)\)?: (\S+) → (\S+), a change of (\S+)", line)
    rate, grad, old, new, change = (Decimal(t) for t in found.groups())
    moved = (w - lr * x) != w
    assert (old != new) == moved, line
    digits = max(1, len(new.normalize().as_tuple().digits))
    half = Decimal(5).scaleb(new.adjusted() - digits)  # half a unit in the new data's last figure
    assert abs(old - rate * grad - new) <= half and abs(old + change - new) <= half, line


def test_the_players_record_after_the_update_reads_apart_from_before():
    """Before: the record read 'data 0.5' before the update and after it."""
    a, b = Value(0.5, label="w"), Value(1e-4, label="x")
    data = page_data(page_html(a * b, optimizer=SGD([a], lr=0.1)))
    assert [text for _, text in data["update"]] == ["data 0.49999"]


def test_the_training_pages_loss_reads_apart_when_it_moved():
    """Before: 'loss 0.6931 → 0.6931 over 3 steps' for a loss that fell by 2e-6."""
    assert "loss 0.693147 → 0.693145 over 3 steps" in training_bar([0.693147, 0.693146, 0.693145])
    assert "loss 2 → 2 over 2 steps" in training_bar([2.0, 2.0])


def test_the_update_counts_what_it_does_not_list_and_says_when_nothing_moves():
    """Caption branches no test reached: past UPDATE_LINES (24) parameters the rest are counted, parameters of the
    optimizer the graph does not use are counted apart, and zero gradients under plain SGD move nothing."""
    ps = [Value(0.1 * k, label=f"p{k}") for k in range(30)]
    root = sum(p * (k + 1.0) for k, p in enumerate(ps))
    caption = optimizer_update(backward_pass(root), SGD([*ps, Value(1.0), Value(2.0)], lr=0.1)).caption
    assert "p23 ← p23 − 0.1 × 24: 2.3 → -0.1, a change of -2.4\n… and 6 more parameters\n" in caption
    assert "p24 ←" not in caption and "(2 parameters of the optimizer are not in this graph)" in caption
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    caption = optimizer_update(backward_pass(a * 0.0 + b * 0.0), SGD([a, b], lr=0.1)).caption
    assert "SGD (lr 0.1) moves no parameter" in caption and "a ← a − 0.1 × 0: 1 → 1, a change of 0" in caption

"""A value used more than once gets its gradient in shares, one per use: between its first share and its
last, the frames and the player show the sum so far, said so, not as ∂L/∂value (the legend's "grad")."""

import viz
from autograd import Value
from tests.test_viz_player import page_data
from viz.html import page_html


def shared_leaf() -> tuple[Value, Value]:
    """L = tanh(a * x) + a: a's first share (1, through +) comes at step 1, its second at step 3."""
    a, x = Value(1.5, label="a"), Value(2.0, label="x")
    b = a * x
    b.label = "b"
    c = b.tanh()
    c.label = "c"
    loss = c + a
    loss.label = "L"
    return loss, a


def record_of(frame: viz.Frame, name: str) -> str:
    return next(line for line in frame.drawing.source.splitlines() if f"{{ {name} |" in line)


def test_frames_say_a_gradient_is_a_sum_so_far_until_its_last_share():
    loss, _ = shared_leaf()
    frames = list(viz.backward_steps(loss))
    assert "grad 1 so far (1 of 2 shares) }" in record_of(frames[0], "a")
    assert "grad 1 so far (1 of 2 shares) }" in record_of(frames[1], "a")
    assert "| grad 1.02 }" in record_of(frames[2], "a")  # both shares in: ∂L/∂a
    assert "| grad 1 }" in record_of(frames[0], "c")  # used once: whole at once


def test_the_player_says_a_gradient_is_a_sum_so_far_until_its_last_share():
    loss, _ = shared_leaf()
    data = page_data(page_html(loss))
    position = data["names"].index("a")
    texts = [dict(changes)[position] for _, changes, _ in data["steps"] if position in dict(changes)]
    assert texts == ["grad 1 so far (1 of 2 shares)", "grad 1.02"]

"""The player page without a browser: the first NaN or infinity it marks red is the one `draw` marks,
from the step it appears at; a tensor page carries each value's shape for the clicked-value panel;
collapse=True, which GraphTooLarge suggests for draw, gets an error saying what the player takes."""

import re

import numpy as np
import pytest
from drawn_notes import unwrapped
from test_viz_player import page_data

import nn
import viz
from autograd import Tensor, Value, backward_order
from nn import functional as F
from viz.html import page_html


def forward_nan() -> Value:
    """a = x * x overflows to inf in the forward pass; b = a - a is NaN, and so is y."""
    x = Value(1e200, label="x")
    a = x * x
    a.label = "a"
    b = a - a
    b.label = "b"
    y = b * Value(2.0, label="w")
    y.label = "y"
    return y


def backward_inf() -> Value:
    """Every value finite, but d log(x)/dx = 1/x overflows at x = 1e-310: backward's fourth step, at l,
    sends x an infinite gradient (x's first contribution, 1 from y = #2 + x, is finite)."""
    x = Value(1e-310, label="x")
    log = x.log()
    log.label = "l"
    y = log * Value(2.0, label="w") + x
    y.label = "y"
    return y


def red_in_draw(root: Value) -> tuple[set[str], set[str]]:
    """The ids of the SVG elements `draw(backward=True)` strokes red, and of those it fills as the first."""
    svg = viz.draw(root, backward=True).pipe(format="svg").decode()
    groups = re.findall(r'<g id="([^"]+)" class="(?:node|edge)">(.*?)</g>', svg, re.S)
    red = {k for k, body in groups if 'stroke="red"' in body}
    first = {k for k, body in groups if 'fill="#ff9c9c"' in body}
    return red, first


@pytest.mark.parametrize(("make", "start"), [(forward_nan, 0), (backward_inf, 4)])
def test_the_page_marks_the_first_nonfinite_value_as_draw_does_from_the_step_it_appears(make, start):
    root = make()
    trail = page_data(page_html(root))["trail"]
    red, first = red_in_draw(root)
    assert first == {f"v{trail['node']}"}
    ids = {f"v{k}" for k in trail["nodes"]} | {f"e{c}_{i}" for c, i in trail["edges"]}
    ids |= {f"o{k}" for k in trail["nodes"] if backward_order(root)[k].op is not None}
    assert ids == {k for k in red if re.fullmatch(r"[vo]\d+|e\d+_\d+", k)}  # draw's, but its unnamed op→value edges
    assert trail["story"] in unwrapped(viz.draw(root, backward=True)) and trail["from"] == start


def test_a_backward_infinity_shows_from_the_step_whose_contribution_makes_the_sum_infinite():
    root = backward_inf()
    data = page_data(page_html(root))
    x = data["names"].index("x")
    step = data["trail"]["from"]
    assert data["trail"]["node"] == x
    grads = {k: text for _, changed, _ in data["steps"][:step] for k, text in changed}
    before = {k: text for _, changed, _ in data["steps"][: step - 1] for k, text in changed}
    assert (
        before[x] == "grad 1 so far (1 of 2 shares)" and grads[x] == "grad inf (overflowed)"
    )  # finite at the step before, infinite at its step: 1 + 2e310 on paper, beyond the largest float


def summed_inf() -> Value:
    """x's shares, 1e308 and 1e308, each finite, sum past the largest float: x.grad is inf."""
    x, big = Value(1e-300, label="x"), Value(1e308, label="big")
    return x * big + x * big


@pytest.mark.parametrize("make", [forward_nan, backward_inf, summed_inf])
def test_each_frame_says_the_first_nonfinite_number_as_draw_and_the_player_do_from_the_step_it_appears(make):
    """The frames (backward_steps) said nothing of it, where draw and the player both told it: x.grad = inf beside
    its shares 1e308 and 1e308 without a word. Each frame from the player's step on carries draw's note, none before."""
    root = make()
    trail = page_data(page_html(root))["trail"]
    frames = [unwrapped(f.drawing) for f in viz.backward_steps(root)]
    # frame k shows backward's step k + 1 done, as the player's slider step k + 1 does
    assert [trail["story"] in frame for frame in frames] == [k + 1 >= trail["from"] for k in range(len(frames))]


def test_a_finite_graph_marks_nothing():
    assert page_data(page_html(Value(2.0, label="a") * 3.0))["trail"] is None


def diverging_training() -> viz.Training:
    """Training steps of a small MLP at lr=5, which diverges: the gradient of step 4 overflows, and the optimizer
    refuses to step on it (nn.optim_finite), which ends the run there, after 4 of the 5 steps asked for."""
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Linear(3, 1, seed=1))
    batch = (Tensor(rng.normal(size=(4, 2)) * 10, label="X"), Tensor(rng.normal(size=(4, 1)), label="Y"))
    return viz.training_steps(
        model, lambda m, b: F.mse_loss(m(b[0]), b[1]), batch, nn.SGD(model.parameters(), lr=5.0), steps=5
    )


def test_each_training_step_marks_its_own_first_nonfinite_number():
    with (
        np.errstate(all="ignore"),
        pytest.warns(
            RuntimeWarning,
            match=r"training step 4 of 5 ends the run: The gradient of layers\.0\.W \(the optimizer.s parameter 0\) "
            r"is not finite\. SGD: ",
        ),
    ):
        training = diverging_training()
    with np.errstate(all="ignore"):  # the overflows are the point
        page = page_html(training)
        drawn = [unwrapped(viz.draw(r, modules=m, backward=True)) for r, m in zip(training.roots, training.models)]
    trails = [page_data(page, t)["trail"] for t in range(4)]
    assert len(training.roots) == 4 and np.isfinite(training.losses).all()
    assert trails[0] is None  # every number of the first step is finite
    assert trails[3]["story"].startswith("the first NaN or infinity of backward") and trails[3]["from"] > 0
    for trail, source in zip(trails, drawn):
        assert trail is None or trail["story"] in source  # the one draw tells of that step's graph


def test_a_tensor_page_carries_each_values_shape_for_its_explanation():
    x = Tensor(np.ones((2, 3)), requires_grad=True, label="x")
    data = page_data(page_html((x * 2.0).sum()))
    assert data["explained"][data["names"].index("x")][0].startswith("∂#1/∂x (shape (2, 3)) = ")
    values = page_data(page_html(Value(2.0, label="v") * 3.0))
    assert "shape" not in values["explained"][values["names"].index("v")][0]


def test_collapse_is_refused_saying_what_the_player_takes_instead(tmp_path):
    with pytest.raises(TypeError, match=r"cannot collapse modules.*raise max_nodes.*viz\.draw\(root, modules=model"):
        viz.save_html(forward_nan(), tmp_path / "page.html", collapse=True)
    assert not (tmp_path / "page.html").exists()

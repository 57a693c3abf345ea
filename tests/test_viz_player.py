"""The player's content, without a browser: captions whose chain-rule arithmetic agrees with what
backward computes, per-value explanations that agree with `explain`, the inline player for Jupyter
(`player(...)._repr_html_`, `.save`) and a Frame's SVG."""

import html
import json
import re

import numpy as np
import pytest

import viz
from autograd import Op, Tensor, Value, backward_order, pullback, topological_order
from nn.optim import SGD, Adam
from viz.demo import neuron
from viz.graph import backward_flow, constants
from viz.html import page_html
from viz.number_text import summary
from viz.player import player
from viz.rules import term
from viz.steps import backward_pass


def page_data(page: str, training_step: int = 0) -> dict:
    """What the page's script reads for one training step (the only one without training): what every
    step shares, that step's numbers, and its captions told in full from their templates."""
    shared, runs = (json.loads(re.search(rf"var {name} = (.*);\n", page).group(1)) for name in ("page", "runs"))
    run = runs[training_step]
    told = [c if isinstance(c, str) else told_by_numbers(t, c) for t, c in zip(shared["templates"], run["captions"])]
    explained = {  # by a value's position: its explanation's text and its paths' edges (None: the first step's)
        position: (
            "\n".join(told_by_numbers(shared["lineWords"][run["lines"][i][0]], run["lines"][i][1:]) for i in lines),
            paths if paths is not None else runs[0]["paths"][k],
        )
        for k, (position, lines, paths) in enumerate(zip(shared["values"], run["explained"], run["paths"]))
        for lines in [lines if lines is not None else runs[0]["explained"][k]]
    }
    return {**shared, **run, "captions": told, "explained": explained}


def told_by_numbers(words: list[str], numbers: list[str]) -> str:
    return words[0] + "".join(n + w for n, w in zip(numbers, words[1:]))


def reused() -> tuple[Value, Value]:
    a = Value(2.0, label="a")
    b = a * a
    return b + a, a


def many_paths() -> tuple[Value, Value]:
    x = Value(0.5, label="x")
    y = x
    for _ in range(6):  # three edges from each y to the next: 3**6 paths from x
        y = y * 0.9 + y * y
    return y, x


def test_each_edge_in_a_caption_multiplies_the_arriving_gradient_by_the_local_derivative():
    root = neuron()
    run = backward_pass(root)
    order = run.graph.order
    grads, flows = backward_flow(root, order, constants(order))
    for step, k in enumerate(run.steps):
        for e in flows[k]:
            assert e.passed == pytest.approx(grads[id(order[k])] * e.local)  # the local derivative, from pullback(1)
            assert f"= {term(e.arriving)} × {term(e.local)} = {summary(e.passed)}" in run.captions[step]
    assert "∂o/∂x1 = ∂o/∂(x1*w1) · ∂(x1*w1)/∂x1 = 0.5 × (-3) = -1.5    (∂(x1·w1)/∂x1 = w1)" in run.captions[7]


def test_a_value_used_twice_gets_its_contributions_summed_in_the_caption():
    root, a = reused()
    captions = backward_pass(root).captions
    assert "a.grad = 1 + 2 + 2 = 5" in captions[1]
    root.backward()
    assert a.grad == 5.0  # what the caption's sum says


def test_a_zero_gradient_reads_zero_times_the_local_derivative_never_nan():
    x, w = Value(-1.0, label="x"), Value(2.0, label="w")
    root = (x * w).relu() * 3.0
    page = page_html(root)
    captions = page_data(page)["captions"]
    assert any("= 0 × 2 = 0" in c for c in captions)  # d root / d (x*w) is 0: its local derivative still shows
    assert "nan" not in " ".join(captions) and "nan" not in json.dumps(page_data(page))


def test_a_users_op_without_formulas_says_where_its_derivative_comes_from():
    double = Op("double", lambda a: 2 * a, lambda g, out, a: (2 * g,))
    root = double(Value(3.0, label="x"))
    (caption, _) = backward_pass(root).captions
    assert "= 1 × 2 = 2    (the local derivative comes from double's own rule)" in caption


def test_the_forward_caption_computes_each_op_from_its_inputs():
    caption = page_data(page_html(neuron()))["captions"][0]
    assert caption.startswith("step 0, the forward pass")
    assert "n = x1*w1 + x2*w2 + b = 0.8814" in caption and caption.endswith("o = tanh(n) = 0.7071")


@pytest.mark.parametrize("make", [reused, many_paths, lambda: (neuron(), None)])
def test_every_values_explanation_agrees_with_explain(make):
    root, _ = make()
    order = backward_order(root)
    data = page_data(page_html(root))
    edges = data["edges"]
    for position, (text, paths) in data["explained"].items():
        node = order[position]
        told = viz.explain(root, node)
        assert text == str(told)  # the same words, paths and sums: one source, story.tell
        assert len(paths) == len(told.paths)
        for numbers in paths if node is not root else ():  # each goes edge by edge from the node up to the root
            chain = [edges[k] for k in numbers]
            assert [c[2] for c in chain] == [position] + [c[0] for c in chain[:-1]] and chain[-1][0] == 0


def test_explanations_of_a_tensor_graph_come_from_explain():
    x = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True, label="x")
    w = Tensor(np.array([0.5, 0.5, 0.5]), requires_grad=True, label="w")
    root = (x * w + x).sum()
    data = page_data(page_html(root))
    position = next(i for i, n in enumerate(backward_order(root)) if n is x)
    text, paths = data["explained"][position]
    told = viz.explain(root, x)
    assert text == str(told) and told.count == 2 and summary(told.total) == "min 1.5 mean 1.5 max 1.5"
    assert {len(p) for p in paths} == {2, 3}  # x → + → sum, and x → * → + → sum
    assert "Jacobian" in page_html(root)


def test_the_inline_player_is_the_page_in_an_iframe_and_saves_it(tmp_path):
    root = neuron()
    shown = player(root, height=500, title="neuron")
    frame = shown._repr_html_()
    srcdoc = re.fullmatch(r'<iframe srcdoc="([^"]*)" style="[^"]*height: 500px;[^"]*"[^>]*></iframe>', frame).group(1)
    assert html.unescape(srcdoc) == shown.page == page_html(root, "neuron")
    assert "<title>neuron</title>" in shown.page
    assert shown.save(tmp_path / "p.html").read_text() == shown.page
    with pytest.raises(ValueError, match="height must be an int of at least 200 pixels"):
        player(root, height=50)


def test_a_frame_shows_in_jupyter_as_its_drawing_under_its_caption():
    frame = next(viz.backward_steps(neuron()))
    svg = html.unescape(frame._repr_svg_())
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "step 1 of 10: backward starts at o with gradient 1" in svg
    assert "∂o/∂n = ∂o/∂o · ∂o/∂n = 1 × 0.5 = 0.5" in svg and ">grad 1<" in svg


def test_pullback_of_a_unit_seed_is_what_the_page_calls_the_local_derivative():
    root, a = reused()
    data = page_data(page_html(root))
    order = backward_order(root)
    product = next(n for n in order if n.op is not None and n.op.name == "*")
    text, _ = data["explained"][order.index(a)]
    for index, local in enumerate(pullback(product, 1.0)):
        assert f"∂#2/∂a's share through input {index + 1} = {summary(local)}    (input {index + 1} of *" in text


def test_with_an_optimizer_the_last_step_shows_each_update_without_making_it():
    root = neuron()
    params = [n for n in topological_order(root) if n.label in ("w1", "w2", "b")]
    data = page_data(page_html(root, optimizer=SGD(params, lr=0.1)))
    caption = data["captions"][-1]
    assert "SGD (lr 0.1)" in caption and "w1 ← w1 − 0.1 × 1: -3 → -3.1, a change of -0.1" in caption
    assert "b ← b − 0.1 × 0.5: 6.881 → 6.831" in caption
    assert sorted(text for _, text in data["update"]) == ["data -3.1", "data 1", "data 6.831"]
    assert [p.data for p in params] == [-3.0, 1.0, pytest.approx(6.8813736)] and not params[0].grad_computed
    adam = Adam(params, lr=0.1)
    assert (
        "w1 ← w1 + (Adam's step from the gradient 1): -3 → -3.1"
        in page_data(page_html(root, optimizer=adam))["captions"][-1]
    )
    assert adam.state == {}  # the optimizer's own state is untouched: it ran on a copy
    with pytest.raises(TypeError, match="optimizer must be an optimizer such as nn.optim.SGD or Adam"):
        page_html(root, optimizer=0.1)


def test_the_players_data_texts_are_the_drawings_with_the_sign_of_a_zero():
    # the player writes each value's data into the drawing at every step: a -0 it drew must stay -0
    x = Value(0.0, label="x")
    y = x * -1.0
    y.label = "y"
    z = (y + 2.0).relu()
    z.label = "z"
    page = page_html(z)
    shared, data = page_data(page), page_data(page)["data"]
    drawn = {html.unescape(t) for t in re.findall(r">(data [^<]*)</text>", page)}
    assert data[shared["names"].index("y")] == "data -0" and set(filter(None, data)) <= drawn


def test_the_legend_and_the_captions_give_backward_the_same_first_step(tmp_path):
    """The legend said backward starts at "step 0", where the captions' first backward step is "step 1 of n"
    (step 0 is the forward pass, at which the root is outlined)."""
    root = neuron()
    page = viz.save_html(root, tmp_path / "n.html").read_text()
    first = next(f for f in viz.backward_steps(root)).caption
    assert first.startswith("step 1 of ") and "backward starts\n        there at step 1" in page
    assert "backward starts (step 0)" not in page

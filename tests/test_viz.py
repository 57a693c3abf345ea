"""viz: drawings rendered through the real `dot`, checked in their SVG."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_viz_player import page_data

import nn
import viz
from autograd import Tensor, Value
from viz.captions import forward_caption
from viz.demo import neuron
from viz.steps import backward_pass

ROOT = Path(__file__).resolve().parents[1]


def svg(drawing) -> str:
    return drawing.pipe(format="svg").decode()


def count(text: str, css_class: str) -> int:
    return len(re.findall(rf'<g id="[^"]+" class="{css_class}">', text))


def texts(text: str) -> str:
    return " ".join(re.findall(r">([^<>]*)</text>", text)).replace("&#45;", "-").replace("&gt;", ">")


def test_forward_drawing_has_a_record_per_value_and_an_oval_per_op():
    o = neuron()
    drawing = svg(viz.draw(o))
    assert count(drawing, "node") == 10 + 5  # 10 values, 5 ops
    words = texts(drawing)
    assert "data 6.881" in words and "data 0.7071" in words and "tanh" in words and "x1*w1" in words
    assert words.count("grad not computed") == 10  # no backward yet: not shown as 0


def test_gradients_after_backward_and_colour_by_grad():
    o = neuron()
    o.backward()
    drawing = svg(viz.draw(o, color_by_grad=True, number=True))
    words = texts(drawing)
    assert "grad -1.5" in words and "grad 1" in words and "grad 0.5" in words and "not computed" not in words
    assert "#1 o" in words and "#3 b" in words and "#10 x1" in words  # numbered in backward order
    assert 'fill="#ffffff"' in drawing and re.search(r'fill="#ff[0-9a-f]{4}"', drawing)
    assert "grad" not in texts(svg(viz.draw(o, show_grads=False)))


def test_backward_drawing_writes_the_chain_rule_on_each_edge():
    o = neuron()
    o.backward()
    drawing = svg(viz.draw(o, backward=True))
    words = texts(drawing)
    assert count(drawing, "edge") == 5 + 9  # op to its value, and each input to its op
    # to x1: d o/d x1 = d o/d(x1*w1) · d(x1*w1)/d x1 = 0.5 × w1, with the op's rule for its first input
    assert "∂o/∂x1 = ∂o/∂(x1*w1) · ∂(x1*w1)/∂x1 = 0.5 × (-3) = -1.5 ∂(x1·w1)/∂x1 = w1" in words
    assert "∂o/∂w1 = ∂o/∂(x1*w1) · ∂(x1*w1)/∂w1 = 0.5 × 2 = 1 ∂(x1·w1)/∂w1 = x1" in words
    assert "∂o/∂n = ∂o/∂o · ∂o/∂n = 1 × 0.5 = 0.5 ∂tanh(n)/∂n = 1 − tanh(n)²" in words
    assert "step 1" in words and "step 4" in words
    assert o.grad == 1.0  # drawing computes its own gradients; .grad is untouched


def test_tensors_show_shape_dtype_and_a_summary():
    x = Tensor(np.arange(6, dtype=np.float32).reshape(2, 3), label="x", requires_grad=True)
    w = Tensor(np.ones((3, 1), np.float32), requires_grad=True, label="w")
    y = (x @ w).relu().sum()
    words = texts(svg(viz.draw(y)))
    assert "(2, 3) float32" in words and "data min 0 mean 2.5 max 5" in words and "grad not computed" in words
    y.backward()
    words = texts(svg(viz.draw(y, backward=True)))
    assert "grad min 3 mean 5 max 7" in words  # w's gradient: the column sums of x
    assert "∂#1/∂#3 = ∂#1/∂#2 · ∂#2/∂#3 = min 1 mean 1 max 1 of shape (2, 1)" in words  # relu's to x @ w


def test_module_clusters_and_collapsing():
    model = nn.MLP(2, [3, 1], seed=0)
    out = model([0.5, -1.0])
    drawing = svg(viz.draw(out, modules=model))
    assert count(drawing, "cluster") == 4  # one per neuron
    labels = texts(drawing)
    assert "layers.0.neurons.2" in labels and "layers.1.neurons.0" in labels
    collapsed = svg(viz.draw(out, modules=model, collapse=True))
    assert count(collapsed, "node") < count(drawing, "node") and "layers.1.neurons.0" in texts(collapsed)
    mlp = nn.Sequential(nn.Linear(2, 4, seed=0), nn.ReLU(), nn.Linear(4, 1, seed=1))
    y = mlp(Tensor(np.ones((3, 2), np.float32))).sum()
    assert count(svg(viz.draw(y, modules=mlp)), "cluster") == 3  # the ReLU computed its own node


def test_max_nodes_refuses_a_large_graph_with_a_clear_message():
    x = Value(1.0)
    y = x
    for _ in range(20_000):  # far deeper than Python's recursion limit (200_000 took 2 s to tell the same)
        y = y * 1.0
    message = (
        r"this graph has 20001 values, 20000 constants and 20000 ops, 60001 nodes to draw, "
        r"more than max_nodes=2000\. Raise the limit \(max_nodes=60001.*collapse"
    )
    with pytest.raises(viz.GraphTooLarge, match=message):
        viz.draw(y)
    with pytest.raises(viz.GraphTooLarge):
        next(viz.backward_steps(y))
    assert count(svg(viz.draw(neuron(), max_nodes=None)), "node") == 15


def test_backward_steps_one_frame_per_node_with_gradients_filling_in():
    o = neuron()
    frames = list(viz.backward_steps(o))
    assert len(frames) == 10
    first, last = texts(svg(frames[0].drawing)), texts(svg(frames[-1].drawing))
    assert first.count("grad not computed") == 8  # only o (seeded) and n (just sent to) have one
    assert "not computed" not in last and "grad -1.5" in last
    assert frames[0].caption.startswith("step 1 of 10: backward starts at o with gradient 1")
    assert "through *, x1 gets -1.5, w1 gets 1" in frames[7].caption
    assert 'stroke="royalblue"' in svg(frames[7].drawing)
    assert not o.grad_computed  # the frames did not run a real backward


def test_jupyter_display_and_rendering_formats(tmp_path):
    o = neuron()
    bundle = viz.draw(o)._repr_mimebundle_()
    assert "image/svg+xml" in bundle and "<svg" in bundle["image/svg+xml"]
    assert viz.render(o, tmp_path / "g.svg").read_text().lstrip().startswith("<?xml")
    assert viz.render(o, tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
    assert viz.render(o, tmp_path / "g.pdf").read_bytes()[:4] == b"%PDF"
    with pytest.raises(ValueError, match="render writes .svg, .png or .pdf"):
        viz.render(o, tmp_path / "g.jpg")


def test_command_line_and_example(tmp_path):
    for args in (["demo", "--out", str(tmp_path / "graph.svg")], ["html", "--out", str(tmp_path / "backprop.html")]):
        done = subprocess.run([sys.executable, "-m", "viz", *args], capture_output=True, text=True, cwd=ROOT)
        assert done.returncode == 0, done.stderr
    assert "grad -1.5" in texts((tmp_path / "graph.svg").read_text())
    page = (tmp_path / "backprop.html").read_text()
    assert page.count("<svg") == 1 and len(page_data(page)["steps"]) == 10
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "draw_graph.py"), "--out-dir", str(tmp_path)],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    views = ["neuron_forward", "neuron_grads", "neuron_backward", "neuron_check", "wrong_rule_check", "mlp_modules"]
    for name in [f"{view}.svg" for view in views] + ["tensor_backward.svg", "neuron_backprop.html"]:
        assert (tmp_path / name).stat().st_size > 0
    wrong = texts((tmp_path / "wrong_rule_check.svg").read_text())
    # x's own numbers, none of them w's (at w = 0.5 x's finite difference was w's grad, 0.4319, as if it measured w)
    assert "numeric 0.8828 ✗ backward 0.5886" in wrong and "grad 2.207" in wrong and "numeric 2.207 ✓" in wrong
    assert "summed back from (2, 1) to (1,)" in texts((tmp_path / "tensor_backward.svg").read_text())
    assert "∂o/∂x1 = -1.5: one path leads from x1 up to o" in done.stdout


def test_html_page_is_self_contained(tmp_path):
    page = viz.save_html(neuron(), tmp_path / "page.html").read_text()
    assert page.count("<svg") == 1 and "http://" not in page.replace("http://www.w3.org", "")
    assert "<script src" not in page and "<link" not in page


def test_html_page_labels_cannot_break_out_of_the_script_or_the_svg(tmp_path):
    label = "</script><!--<script>"
    x = Value(2.0, label=label)
    root = (x * Value(-3.0, label="w & <b>")).tanh()
    page = viz.save_html(root, tmp_path / "page.html").read_text()
    assert label not in page and page.count("<script>") == 1
    start = page.index("<script>") + len("<script>")
    script = page[start : page.index("</script>", start)]  # where the browser ends the script
    assert script.rstrip().endswith("show(0);\n})();") and "<!--" not in script
    assert "<" not in re.search(r"var page = (.*);\nvar runs = (.*);\n", script).group(0)
    assert page_data(page)["captions"][1:] == [f.caption for f in viz.backward_steps(root)]  # 0: the forward pass
    assert "&lt;/script&gt;&lt;!&#45;&#45;&lt;script&gt;" in page and "w &amp; &lt;b&gt;" in page  # the SVG's text


def test_the_parameters_a_call_gave_are_drawn_on_its_op():
    x = Value(-1.0, label="x")
    y = x.leaky_relu(0.2) * x.tanh()
    t = Tensor(np.ones((2, 3)), requires_grad=True)
    u = t.softmax(axis=-1).sum(axis=1).sum()
    assert "leaky_relu(negative_slope=0.2)" in viz.draw(y).source and "label=tanh " in viz.draw(y).source
    assert "sum(axis=1)" in viz.draw(u).source and "softmax(axis=-1)" in viz.draw(u).source
    forward = forward_caption(backward_pass(y))  # step 0, the forward pass, says it too
    assert "leaky_relu(x, negative_slope=0.2) = -0.2" in forward and "tanh(x) = -0.7616" in forward

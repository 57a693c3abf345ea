"""Deep chains draw quickly: a value used far from its box (an RNN's weights at every unrolled step) is drawn
again beside each far use, marked as the same value and without numbers of its own, so no edge crosses the
drawing (graphviz took 7-12 s for 24 steps and minutes for 48, growing with the fourth power of the depth).
Small graphs, where every edge is short, draw as before."""

import re
import time

import pytest

import nn
import viz
from autograd import Value
from viz.demo import neuron
from viz.labels import AGAIN
from viz.repeats import MAX_SPAN, far_uses


def unrolled(steps: int) -> Value:
    """A scalar RNN unrolled over `steps`: h = tanh(w*h + u*x_t + b), w, u and b shared by every step."""
    w, u, b, h = Value(0.5, label="w"), Value(-0.3, label="u"), Value(0.1, label="b"), Value(0.0, label="h0")
    for t in range(steps):
        h = (w * h + u * Value(0.1 * (t % 5) - 0.2, label=f"x{t}") + b).tanh()
    return h


def copies_in(source: str) -> dict[str, list[str]]:
    """The copies' records in a drawing's DOT source, by the position of the value they repeat."""
    found: dict[str, list[str]] = {}
    for label, position in re.findall(r'\[label="([^"]*)"[^\]]* id=v(\d+)_\d+', source):
        found.setdefault(position, []).append(label)
    return found


def test_each_weight_of_an_unrolled_rnn_is_drawn_again_at_every_later_step():
    root = unrolled(12)
    source = viz.draw(root, backward=True).source
    copies = copies_in(source)
    assert sorted(labels[0].split(" |")[0].strip("{ ") for labels in copies.values()) == ["b", "u", "w"]
    assert all(len(labels) == 11 for labels in copies.values())  # the first step uses the box itself
    assert all(label == f"{{ {labels[0].split(' |')[0].strip('{ ')} | {AGAIN} }}" for labels in copies.values()
               for label in labels)  # fmt: skip
    # one edge per input still, each with its share: 12 steps of two products, two sums and a tanh
    assert len(re.findall(r' -> "\d+op" \[', source)) == source.count("share of ") + source.count(" = ∂") == 12 * 9


def test_no_edge_is_drawn_from_a_box_further_than_the_span():
    """The ranks far_uses counts: every edge left to the value's own box spans at most MAX_SPAN of them."""
    root = unrolled(20)
    order = viz.graph.read_graph(root, None, None).order
    copies = far_uses(order)
    rank = {id(root): 0}
    for node in order:
        for parent in node.parents:
            rank[id(parent)] = max(rank.get(id(parent), 0), rank[id(node)] + 2)
    edges = [(p, n, i) for n in order for i, p in enumerate(n.parents)]
    kept = [rank[id(p)] - rank[id(n)] - 1 for p, n, i in edges if (id(p), id(n), i) not in copies]
    assert max(kept) <= MAX_SPAN
    assert len(copies) == 3 * 19


def test_small_graphs_draw_no_copies():
    """micrograd's neuron, x * x, a value used by two ops of one step, and micrograd's MLP(3, [4, 4, 1]) on
    its 4-sample loss, whose hidden values feed sums a layer's width apart and whose weights serve samples
    at most three additions apart: the drawings are as before, every value in one box."""
    x = Value(3.0, label="x")
    mlp = nn.MLP(3, [4, 4, 1])
    xs, ys = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]], [1.0, -1.0, -1.0, 1.0]
    loss = sum((mlp(row) - y) ** 2 for row, y in zip(xs, ys))
    for root in (neuron(), x * x, (x * 2) + (x * 3), loss):
        assert copies_in(viz.draw(root, backward=True).source) == {}


def test_a_computed_value_is_drawn_again_beyond_a_layers_fan_out():
    """A hidden value of micrograd's 2-16-16-1 feeds the next layer's sums up to 31 ranks apart: one box, its
    fan-out the layer's picture. exp(x), computed once and added at each of 24 levels, is drawn again beyond 32."""
    mlp = nn.MLP(2, [16, 16, 1])
    assert far_uses(viz.graph.read_graph(mlp([0.1, -0.2]), None, None).order) == {}
    s, h = Value(0.5, label="x").exp(), Value(1.0, label="h0")
    for _ in range(24):
        h = h * 0.9 + s
    copies = far_uses(viz.graph.read_graph(h, None, None).order)
    assert {parent for parent, _, _ in copies} == {id(s)}
    assert len(copies) == 24 - 8  # the uses within 8 levels of 4 ranks lie within 32 ranks of its box


def test_an_unnamed_value_drawn_again_is_numbered_where_its_copies_say_which():
    """A forward drawing names no unnamed value; one drawn again gets its step, "#k", in its box and copies."""
    s = Value(0.5)  # unnamed, used at every step
    h = Value(1.0, label="h0")
    for _ in range(6):
        h = h * 0.9 + s
    source = viz.draw(h).source
    copies = copies_in(source)
    assert len(copies) == 1
    (position, labels), = copies.items()  # fmt: skip
    number = re.match(r"\{ (#\d+) \|", labels[0]).group(1)
    assert len(labels) == 4  # steps 3 to 6: the first two are near its box
    assert all(label.startswith(f"{{ {number} |") for label in labels)
    assert re.search(rf'label="\{{ {number} \| data 0\.5 ', source)  # its own box says the same number
    assert len(re.findall(r'label="\{ #\d+ \| data', source)) == 1  # the others unnamed, as before


def test_the_player_page_lists_copies_in_its_legend_and_gives_them_no_numbers():
    page = viz.html.page_html(unrolled(8))
    assert "drawn again beside that use" in page
    copies = re.findall(r'<g id="v\d+_\d+" class="node">(.*?)</g>', page, re.S)
    assert len(copies) == 3 * 7
    assert all("grad" not in re.sub(r"data and grad on its own box", "", c) for c in copies)


@pytest.mark.slow
def test_a_48_step_rnn_draws_and_plays_in_seconds():
    """48 unrolled steps: graphviz took minutes for the player's drawing before the copies (over 150 s here)."""
    root = unrolled(48)
    start = time.perf_counter()
    svg = viz.draw(root, backward=True).pipe(format="svg").decode()
    page = viz.html.page_html(root)
    took = time.perf_counter() - start
    assert svg.count('class="node"') == page.count('class="node"') > 48 * 7
    assert took < 60, f"{took:.1f} s"


def test_a_far_value_an_op_takes_twice_is_drawn_again_once_for_that_op():
    """s * s far from s's box: one copy with its two edges, as its own box draws x * x, not two boxes that read as
    two different inputs."""
    s, h = Value(0.5, label="s"), Value(1.0, label="h0")
    for _ in range(6):
        h = h * 0.9 + s * s
    source = viz.draw(h, backward=True).source
    (labels,) = copies_in(source).values()  # fmt: skip
    ids = re.findall(r"id=(v\d+_\d+)", source)
    assert len(labels) == len(set(ids)) == len(ids) == 4  # steps 3 to 6, each one box
    tails = re.findall(r'\t"(\d+_\d+)" -> "\d+op"', source)
    assert len(tails) == 8 and all(tails.count(t) == 2 for t in tails)  # each copy sends both of its op's inputs


def test_the_node_limit_counts_the_copies_a_drawing_adds():
    """12 unrolled steps draw 76 values, 60 ops and 33 copies: 169 boxes, which max_nodes=168 refuses with the limit
    that fits (the copies were not counted: max_nodes=136 drew 169), before anything is drawn or stepped."""
    root = unrolled(12)
    assert viz.draw(root, max_nodes=169).pipe(format="svg").decode().count('class="node"') == 169
    told = r"76 values and 60 ops, and 33 copies of values drawn again .*169 nodes to draw.* limit \(max_nodes=169"
    with pytest.raises(viz.GraphTooLarge, match=told):
        viz.draw(root, max_nodes=168)
    with pytest.raises(viz.GraphTooLarge, match=told):
        viz.html.page_html(root, max_nodes=168)
    with pytest.raises(viz.GraphTooLarge, match=told):
        next(viz.backward_steps(root, max_nodes=168))


def test_the_node_limit_says_one_copy_in_the_singular():
    """A leaf used at the start and again 13 ops on is drawn once more: the refusal read "and 1 copies of values drawn
    again beside far uses (an unrolled loop's weights)", of a graph with no loop."""
    w = Value(0.5, label="w")
    h = Value(1.0, label="x") * w
    for _ in range(12):
        h = h.tanh()
    with pytest.raises(
        viz.GraphTooLarge, match=r"and 1 copy of a value drawn again beside a far use, 31 nodes to draw"
    ):
        viz.draw(h * w, max_nodes=30)
    assert viz.draw(h * w, max_nodes=31).pipe(format="svg").decode().count('class="node"') == 31

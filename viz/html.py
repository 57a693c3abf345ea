"""The forward and backward passes as one self-contained HTML page: the graph drawn once, as SVG,
and per step only what changes (the node processed, the gradients filled in, the edges that carry
them), applied by the page's script (player.js, player.css). Clicking a value explains its gradient
as a sum over paths (`explain`). Its size grows linearly with the graph, but for the listed paths,
which are capped per value."""

from __future__ import annotations

import html
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

from autograd import Node, Tensor

from .dot import NOT_COMPUTED, build, write_atomically
from .explain import MAX_PATHS, explain, largest_products
from .graph import MAX_NODES, summary
from .labels import term
from .steps import Pass, backward_pass, forward_caption, optimizer_update

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
{css}</style>
</head>
<body>
<header>
  <h1>{title}</h1>
  <div id="controls">
    <button id="prev" title="previous step (left arrow)">&larr;</button>
    <button id="play" title="play or pause (space)">play</button>
    <button id="next" title="next step (right arrow)">&rarr;</button>
    <input id="slider" type="range" min="0" max="{last}" value="0" aria-label="step">
    <span id="counter"></span>
    <span class="zoom">
      <button id="zoom-out" title="zoom out (or the mouse wheel)">&minus;</button>
      <button id="zoom-in" title="zoom in (or the mouse wheel)">+</button>
      <button id="fit" title="fit the graph to the window">fit</button>
      <label title="move the view to the node being processed">
        <input id="follow" type="checkbox" checked> follow</label>
    </span>
  </div>
</header>
<main>
<div id="viewport" class="frame" title="wheel: zoom; drag: pan; click a value: why its gradient is what it is">
{svg}</div>
<aside>
  <h2>This step</h2>
  <div id="caption"></div>
  <h2>Clicked value</h2>
  <div id="explanation">Click a value (a box) to see its gradient as a sum over the paths up to the root.</div>
  <details id="legend" open>
    <summary>Legend</summary>
    <ul>
      <li><span class="swatch value"></span> a value: its name (or #k, its step of backward), its data
        (from the forward pass) and its grad, ∂{root}/∂value ("{not_computed}" until backward reaches it)</li>
      <li><span class="swatch constant"></span> a constant (a number in the expression): no gradient</li>
      <li><span class="swatch op"></span> an op, with its step of backward</li>
      <li><span class="swatch current"></span> the value backward is processing at this step</li>
      <li><span class="swatch sent"></span> a gradient sent to an input, labelled
        ∂{root}/∂w = ∂{root}/∂n · ∂n/∂w = arriving × local = sent, and the op's rule for that input</li>
      <li><span class="swatch pending"></span> nothing sent yet</li>
      <li><span class="swatch path"></span> the paths from the clicked value up to the root</li>
      <li><span class="swatch updated"></span> a parameter the optimizer updates (the last step, with an optimizer)</li>
      <li>Numbers: 4 significant figures; a tensor: min, mean and max; orange on a tensor edge:
        broadcasting, summed back.</li>
    </ul>
  </details>
</aside>
</main>
<script>
var captions = {captions};
var steps = {steps};
var page = {page};
{js}</script>
</body>
</html>
"""


def page_html(
    root: Node,
    title: str = "Backpropagation, step by step",
    *,
    modules: Any = None,
    max_nodes: int | None = MAX_NODES,
    rankdir: str = "LR",
    number: bool = False,
    optimizer: Any = None,
) -> str:
    """The player page of `save_html`, as text."""
    run = backward_pass(root, modules, max_nodes)
    data = _page_data(root, run)
    if optimizer is not None:
        update = optimizer_update(run, optimizer)
        data["update"] = {
            "caption": update.caption,
            "data": [[k, "data " + summary(x)] for k, x in update.data.items()],
        }
    widest = {  # each record drawn wide enough for both texts its gradient field takes
        id(n): max(summary(run.grads[id(n)]), NOT_COMPUTED, key=len) for n in run.graph.order
    }
    drawing = build(run.graph, widest, run.flows, None, rankdir=rankdir, number=number)
    svg = drawing.pipe(format="svg").decode()
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and doctype: inline SVG needs neither
    return _PAGE.format(
        title=html.escape(title),
        css=_resource("player.css"),
        last=len(run.steps) + (optimizer is not None),
        svg=svg,
        root=html.escape(run.names[id(root)]),
        not_computed=NOT_COMPUTED,
        captions=_script_json(run.captions),
        steps=_script_json(_changes(run)),
        page=_script_json(data),
        js=_resource("player.js"),
    )


def save_html(
    root: Node, path: str | os.PathLike, title: str = "Backpropagation, step by step", **options: Any
) -> Path:
    """Write one HTML page that plays the forward pass (step 0) and then backward step by step (the
    steps of `backward_steps`), with a slider, previous/next/play buttons, the arrow keys and space;
    the mouse wheel zooms, dragging pans, "fit" fits the graph to the window, and clicking a value
    explains its gradient as a sum over paths. With `optimizer` (nn.optim's SGD, Adam), a last step
    shows the update it would make to each parameter, w ← w − lr·grad, without making it. It needs
    no network. The graph is drawn once (`modules`, `max_nodes`, `rankdir` and `number` as for
    `draw`), and each step sends only what it changes."""
    path = Path(path)
    write_atomically(path, page_html(root, title, **options).encode())
    return path


def _changes(run: Pass) -> list[list[Any]]:
    """Per step: its node's position, the gradient texts it changes, and the inputs it sends to."""
    position = {id(n): k for k, n in enumerate(run.graph.order)}
    return [
        [k, [[position[id(n)], "grad " + summary(running[id(n)])] for n in changed], [e.index for e in run.flows[k]]]
        for k, running, changed in run.filling()
    ]


def _page_data(root: Node, run: Pass) -> dict[str, Any]:
    """What the script needs besides the steps: the forward caption, the positions of the values
    (constants have no gradient), the edges gradients flow along (child's position, input index,
    input's position, local derivative as a factor or None for tensors), each value's name, and
    per value (by position) the explanation of its gradient."""
    order = run.graph.order
    position = {id(n): k for k, n in enumerate(order)}
    edges = [e for flow in run.flows for e in flow]
    number = {(position[id(e.child)], e.index): k for k, e in enumerate(edges)}
    return {
        "forward": forward_caption(run),
        "notComputed": NOT_COMPUTED,
        "values": run.steps,
        "root": run.names[id(root)],
        "tensor": isinstance(root, Tensor),
        "names": [run.names.get(id(n), "") for n in order],
        "edges": [
            [position[id(e.child)], e.index, position[id(e.parent)], None if e.local is None else term(e.local)]
            for e in edges
        ],
        "explanations": _explanations(root, run, position, number),
        "maxPaths": MAX_PATHS,
    }


def _explanations(root: Node, run: Pass, position: dict[int, int], number: dict[tuple[int, int], int]) -> dict:
    """Per value (by position): [number of paths up to the root, total (its gradient), what the
    unlisted paths carry, what the listed ones carry, [[edge numbers from the value up, product], ...]].
    Scalars from the edges' local derivatives, all values at once; tensors by `explain`, value by
    value (a tensor graph has few nodes)."""
    if not isinstance(root, Tensor):
        return _scalar_explanations(run, number, position)
    found = {}
    for k in run.steps:
        e = explain(root, run.graph.order[k], names=run.names)
        paths = [[[number[(position[id(s.output)], s.index)] for s in p.steps], term(p.product)] for p in e.paths]
        found[k] = [e.count, summary(e.total), summary(e.rest), summary(e.total - e.rest), paths]
    return found


def _scalar_explanations(run: Pass, number: dict[tuple[int, int], int], position: dict[int, int]) -> dict:
    """`explain`'s paths for every value of a scalar graph at once: per value, the MAX_PATHS paths up to
    the root of largest |product| (`largest_products`, guided by the largest product still reachable
    above each node), each as the edges' numbers and its product; paths are counted, never enumerated."""
    order = run.graph.order
    moves: dict[int, list[tuple[Node, float, int]]] = {}  # by value id: (child, local derivative, edge number)
    count: dict[int, int] = {id(order[0]): 1}  # paths from each value up to the root
    best: dict[int, float] = {id(order[0]): 1.0}  # the largest |product| of those paths
    for k in run.steps:
        for e in run.flows[k]:
            if e.local is not None:
                moves.setdefault(id(e.parent), []).append((e.child, e.local, number[(k, e.index)]))
            count[id(e.parent)] = count.get(id(e.parent), 0) + count[id(e.child)]
            reach = abs(e.local) * best[id(e.child)] if e.local is not None else 0.0
            best[id(e.parent)] = max(best.get(id(e.parent), 0.0), reach)
    found = {}
    for k in run.steps:
        node = order[k]
        paths = largest_products(node, order[0], lambda at: moves.get(id(at), []), best, MAX_PATHS)
        listed = sum((p[1] for p in paths), 0.0)
        total = run.grads[id(node)]
        rest = total - listed if count[id(node)] > len(paths) else 0.0
        found[k] = [count[id(node)], summary(total), summary(rest), summary(listed), [[e, term(p)] for e, p in paths]]
    return found


def _resource(name: str) -> str:
    return resources.files("viz").joinpath(name).read_text(encoding="utf-8")


def _script_json(value: Any) -> str:
    """JSON to embed in a <script>: with <, > and & as \\u escapes, no text in it (a label such as
    "</script>" or "<!--<script>") can end the script or switch the HTML parser's state."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
